import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait';
import {
  autoReshipPolicy,
  batchDone,
  batchProgress,
  effectsOf,
  expectedEffects,
  registerBatch,
  startChaosStack,
  unsentMessages,
  type BatchParcel,
  type ChaosStack,
} from './harness';

/**
 * Restart the Temporal dev server (file-backed, WAL, as `npm start` runs it) mid-run: shipments
 * wait on stall timers and on review SLA timers (before their escalation) when the server stops,
 * gracefully (SIGTERM) or by a crash (SIGKILL), and starts again on the same port and SQLite file.
 * The worker (a child process) and the API's client are not restarted: they must reconnect.
 * Afterwards every shipment is still there, its timers fire, and each side effect happened once.
 */
let stack: ChaosStack;
const began = Date.now();
const log = (m: string) =>
  console.log(`[temporal-restart +${((Date.now() - began) / 1000).toFixed(1)}s] ${m}`);

/** Long enough that the server is down while they run, short enough for the test's budget. */
const TIMER = 'PT25S';
/** Longer than the carrier activities' 20 s start-to-close timeout. */
const LONG_OUTAGE_MS = 25_000;

beforeAll(async () => {
  stack = await startChaosStack({ name: 'temporal-restart', log });
  for (const [name, policy] of [
    // Lost parcels reach review at once and wait for the SLA timer to escalate (and decide).
    ['chaos-sla-timer', autoReshipPolicy({ reviewSla: TIMER, stallAfter: 'PT3S' })],
    // In-transit parcels wait for the stall timer.
    ['chaos-stall-timer', autoReshipPolicy({ reviewSla: 'PT2S', stallAfter: TIMER })],
    // Lost parcels decided at once: they are booking their labels when the server goes.
    ['chaos-no-wait', autoReshipPolicy({ reviewSla: 'PT1S', stallAfter: 'PT3S' })],
  ] as const) {
    const res = await stack.api.call('PUT', `/v1/policies/${name}`, policy);
    expect(res.status).toBe(200);
  }
  await stack.worker.start();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

/** Workflow ids the server's visibility lists as running. */
async function runningWorkflowIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const wf of stack.client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    ids.add(wf.workflowId);
  }
  return ids;
}

async function stageOf(shipmentId: string): Promise<string | undefined> {
  const res = await stack.api.call('GET', `/v1/shipments/${encodeURIComponent(shipmentId)}`);
  return res.status === 200 ? (res.body.stage as string) : undefined;
}

describe.sequential('the Temporal dev server restarted mid-run on its SQLite file', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`keeps every shipment, fires its timers and repeats no side effect (${signal})`, async () => {
      // The carrier holds label requests until the server is down: activities in flight then.
      await stack.sandbox.fault('label', 'hold');
      const labelCallsBefore = stack.sandbox.store.counters.labelCalls;
      const booking = await registerBatch(stack, {
        count: 3,
        policy: 'chaos-no-wait',
        loss: 'carrier_lost',
        prefix: `LABEL-${signal}`,
      });
      const escalating = await registerBatch(stack, {
        count: 4,
        policy: 'chaos-sla-timer',
        loss: 'carrier_lost',
        prefix: `SLA-${signal}`,
      });
      const stalling = await registerBatch(stack, {
        count: 4,
        policy: 'chaos-stall-timer',
        loss: 'stalled',
        prefix: `STALL-${signal}`,
      });
      const parcels: BatchParcel[] = [...booking, ...escalating, ...stalling];

      // In position: labels booking, lost ones awaiting review (SLA timer), the others monitoring.
      await waitUntil(
        'labels booking, lost parcels in review and the others monitoring their scan',
        async () => ({
          review: await Promise.all(escalating.map((p) => stageOf(p.shipmentId))),
          labelCalls: stack.sandbox.store.counters.labelCalls - labelCallsBefore,
          monitoring: await Promise.all(
            stalling.map(async (p) => {
              const res = await stack.api.call('GET', `/v1/shipments/${p.shipmentId}`);
              return res.body?.stage === 'monitoring' && res.body?.lastEvent ? 'watching' : 'no';
            }),
          ),
        }),
        (s) =>
          s.labelCalls >= booking.length &&
          s.review.every((x) => x === 'awaiting_review') &&
          s.monitoring.every((x) => x === 'watching'),
        30_000,
      );
      const labelsInFlightSince = Date.now();
      const before = await runningWorkflowIds();
      for (const p of parcels) expect(before).toContain(`shipment:${p.shipmentId}`);
      const progressAtStop = await batchProgress(stack.db, parcels);
      // Timers still to fire and labels still booking when the server goes: nothing recorded yet.
      expect(progressAtStop.reshipOrders + progressAtStop.closed).toBe(0);

      log(`${signal} to the Temporal dev server; ${before.size} workflows running`);
      await stack.temporal.stop(signal);
      // The carrier books the held labels while the server is down: the worker has the answers
      // but cannot report them.
      await stack.sandbox.fault('label', 'none');
      if (signal === 'SIGKILL') {
        // A long outage: the label calls outlive their start-to-close timeout meanwhile, so the
        // server, back, may time them out and retry them. Their idempotency key must hold.
        const downUntil = labelsInFlightSince + LONG_OUTAGE_MS;
        await new Promise((r) => setTimeout(r, Math.max(0, downUntil - Date.now())));
      }
      // While it is down the API still answers from the read model.
      const duringOutage = await stack.api.call(
        'GET',
        `/v1/shipments/${escalating[0]!.shipmentId}`,
      );
      log(`during the outage GET /v1/shipments answers ${duringOutage.status}`);
      await stack.temporal.start();
      log('the Temporal dev server is back on the same port and file');

      // Everything that was running is still there (list and describe).
      const after = await waitUntil(
        'the server listing workflows again',
        () => stack.client.workflow.count(),
        (c) => c.count >= before.size,
        30_000,
      );
      log(`${after.count} workflows known after the restart`);
      for (const id of before) {
        const described = await stack.client.workflow.getHandle(id).describe();
        expect([id, described.status.name]).toEqual([
          id,
          expect.stringMatching(/^(RUNNING|COMPLETED)$/),
        ]);
      }

      const done = await waitUntil(
        'every parcel reshipped, told and claimed after the restart',
        () => batchProgress(stack.db, parcels),
        (p) => batchDone(p, parcels.length),
        70_000,
        250,
      );
      await waitUntil(
        'every message sent',
        () => unsentMessages(stack.db, parcels),
        (n) => n === 0,
        30_000,
      );
      const carrier = stack.sandbox.store.stats();
      log(
        `done: ${JSON.stringify(done)}; the carrier saw ${carrier.labelCalls} label and ` +
          `${carrier.claimCalls} claim requests for ${carrier.labels} labels and ${carrier.claims} claims`,
      );

      // The worker and the API's client reconnected by themselves.
      expect(stack.worker.alive()).toBe(true);
      expect(stack.worker.starts()).toBe(1);
      const effects = [];
      for (const parcel of parcels) effects.push(await effectsOf(stack, parcel));
      expect(effects).toEqual(parcels.map((p) => expectedEffects(p.shipmentId)));
    }, 90_000);
  }
});
