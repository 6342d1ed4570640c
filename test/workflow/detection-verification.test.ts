import { randomUUID } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { sandboxRegistry } from '../../src/carriers/registry';
import { SandboxCarrierClient } from '../../src/carriers/sandbox/sandbox.client';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { createShipmentWorker } from '../../src/worker';
import { cancelSignal, trackingEventsSignal } from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, uniqueId } from '../helpers/factories';
import { testDataConverter } from '../helpers/payload-key';
import { startShipment, stateOf, waitForStage } from '../helpers/shipments';
import { OPS_EMAIL, startTestStack, workflowBundle, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

describe.concurrent('verification asks the carrier before anyone is bothered', () => {
  it('newer scans at the carrier: back to monitoring, with the thresholds restarted from now', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT20S' } }),
    );
    // The carrier scanned it 15 s ago, but that webhook never reached us.
    const missed = anEvent('in_transit', secondsAgo(15), { description: 'Arrived at hub' });
    stack.sandbox.store.addEvents(reg.trackingNumber, [missed]);
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(19))]);
    const state = await waitUntil(
      'verification to find the missed scan',
      () => stateOf(handle),
      (s) => s.verification?.outcome === 'moved_on',
    );
    expect(state.lastEvent?.eventId).toBe(missed.eventId);
    expect(state.suspicion).toBeUndefined();
    // From the missed scan alone the parcel would stall again within 5 s; the restart gives it 20 s.
    expect(Date.parse(state.clockRestartedAt!)).toBeGreaterThan(Date.parse(missed.occurredAt));
    const restartedStall = new Date(Date.parse(state.clockRestartedAt!) + 20_000).toISOString();
    const watching = await waitUntil(
      'the stall deadline counted from the restart',
      () => stateOf(handle),
      (s) => s.deadlines.stallAt === restartedStall,
    );
    expect(watching.stage).toBe('monitoring');
    await handle.signal(cancelSignal, { reason: 'test over' });
    expect((await waitForStage(handle, 'closed')).resolution).toBe('cancelled');
  });

  it('the carrier says delivered: the parcel is delivered, no review, no delay notice', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    stack.sandbox.store.addEvents(reg.trackingNumber, [anEvent('delivered', secondsAgo(1))]);
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const state = await waitForStage(handle, 'delivered');
    expect(state.verification).toMatchObject({ outcome: 'delivered' });
    expect(state.suspicion).toBeUndefined();
    expect(state.reviewRound).toBe(0);
    expect(state.notifications).toEqual([]);
  });

  it('the carrier has nothing newer: the suspicion stands, the customer gets a delay notice, ops review', async () => {
    const { handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.verification).toMatchObject({
      outcome: 'nothing_newer',
      detail: 'carrier has nothing newer',
    });
    expect(state.suspicion?.reason).toBe('stalled');
    expect(state.notifications.map((n) => n.kind)).toEqual(['delay_notice']);
  });

  it('the carrier does not know the tracking number: the suspicion stands and ops review', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p')),
      {},
      { knownToCarrier: false },
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.verification?.outcome).toBe('unknown_number');
    expect(state.suspicion?.detail).toBe('carrier does not know the tracking number');
  });

  it('an overdue parcel whose carrier now promises a later delivery goes back to monitoring with the new estimate', async () => {
    const promised = new Date(Date.now() + 3600_000).toISOString();
    // Overdue from the start: registered as expected 10 s ago, with 1 s of grace.
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { info_received: 'P30D' }, overdueGrace: 'PT1S' }),
      { expectedDeliveryAt: secondsAgo(10).toISOString() },
      {
        beforeStart: async (reg) => {
          stack.sandbox.store.addEvents(reg.trackingNumber, []).estimatedDeliveryAt = promised;
        },
      },
    );
    const state = await waitUntil(
      'the revised estimate',
      () => stateOf(handle),
      (s) => s.verification?.outcome === 'moved_on',
    );
    expect(state.expectedDeliveryAt).toBe(promised);
    expect(state.verification?.detail).toBe(
      `carrier expects delivery by ${promised}; back to monitoring`,
    );
    expect(
      state.timeline.some((t) => t.kind === 'suspicion' && t.detail.startsWith('overdue')),
    ).toBe(true);
    const watching = await waitUntil(
      'the overdue deadline from the new estimate',
      () => stateOf(handle),
      (s) => s.deadlines.overdueAt === new Date(Date.parse(promised) + 1000).toISOString(),
    );
    expect(watching.stage).toBe('monitoring');
    expect(watching.reviewRound).toBe(0);
    await handle.signal(cancelSignal, { reason: 'test over' });
  });
});

describe('a carrier that is down', () => {
  it('answers 500 three times, is retried with backoff, and its eventual answer decides (not the errors)', async () => {
    const { handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    const before = stack.sandbox.store.counters.faultsServed;
    await stack.sandbox.control({ route: 'track', mode: 'error500', count: 3 });
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const state = await waitForStage(handle, 'awaiting_review', 60_000);
    expect(stack.sandbox.store.counters.faultsServed - before).toBe(3);
    expect(state.verification?.outcome).toBe('nothing_newer');
    expect(state.timeline.filter((t) => t.kind === 'verified')).toHaveLength(1);
  });
});

describe('a carrier that refuses for good', () => {
  it('a lookup refused with a 4xx (here: our API key is no longer valid) is recorded as refused, not retried forever, and ops review', async () => {
    // A worker of its own whose carrier client presents a revoked key: the carrier answers 401.
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${stack.mail.smtpPort}`,
      from: 'Parcelwarden <care@parcelwarden.test>',
    });
    const taskQueue = `test-${randomUUID()}`;
    const worker = await createShipmentWorker({
      connection,
      namespace: stack.namespace,
      taskQueue,
      workflowBundle: await workflowBundle(),
      dataConverter: testDataConverter(),
      activities: createActivities({
        db: stack.db,
        mailer,
        opsEmail: OPS_EMAIL,
        carriers: sandboxRegistry(
          new SandboxCarrierClient({
            baseUrl: stack.sandbox.url,
            apiKey: 'revoked',
            timeoutMs: 5000,
          }),
        ),
      }),
    });
    const running = worker.run();
    try {
      const { handle } = await startShipment({ ...stack, taskQueue }, aFastPolicy(uniqueId('p')));
      await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
      const state = await waitForStage(handle, 'awaiting_review');
      expect(state.verification?.outcome).toBe('refused');
      expect(state.suspicion?.detail).toMatch(/^carrier refused the lookup: .*401/);
      await handle.signal(cancelSignal, { reason: 'test over' });
      await waitForStage(handle, 'closed');
    } finally {
      worker.shutdown();
      await running;
      mailer.close?.();
      await connection.close();
    }
  });
});
