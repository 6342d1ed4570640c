import { eq } from 'drizzle-orm';
import { tsToMs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { policies, shipments } from '../../src/db/schema';
import { MAX_CARRIED_EVENT_IDS } from '../../workflows/detection';
import {
  customerInquirySignal,
  refreshPolicySignal,
  reviewUpdate,
  trackingEventsSignal,
  cancelSignal,
  type ShipmentWorkflowInput,
  type TrackingEvent,
} from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, insertPolicy, uniqueId } from '../helpers/factories';
import { fromStoredPayload } from '../helpers/payload-key';
import { startShipment, stateOf, waitForStage, type ShipmentHandle } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);
const quiet = {
  info_received: 'P30D',
  in_transit: 'P30D',
  failed_attempt: 'P30D',
  customs: 'P30D',
  out_for_delivery: 'P30D',
};

/** The input the current run of the workflow started with (what the previous run carried). */
async function currentRunInput(handle: ShipmentHandle): Promise<ShipmentWorkflowInput> {
  const history = await stack.client.workflow.getHandle(handle.workflowId).fetchHistory();
  const payload =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return fromStoredPayload<ShipmentWorkflowInput>(payload!);
}

/** Signals (duplicates: they change nothing) until the workflow has continued as new. */
async function growUntilContinuedAsNew(
  handle: ShipmentHandle,
  resend: TrackingEvent[],
): Promise<string> {
  const first = (await handle.describe()).runId;
  const limit = inject('suggestContinueAsNewAt');
  for (let i = 0; i < limit; i++) {
    await handle.signal(trackingEventsSignal, resend);
    const run = (await handle.describe()).runId;
    if (run !== first) return run;
  }
  return waitUntil(
    'continue-as-new',
    async () => (await handle.describe()).runId,
    (run) => run !== first,
  );
}

describe.concurrent('long lives', () => {
  it('a shipment with 400 tracking events keeps working across continue-as-new, ends right, and carries a bounded set of event ids', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: quiet, deliveredWatch: 'PT120S' }),
    );
    const firstRun = (await handle.describe()).runId;
    const events = Array.from({ length: 400 }, (_, i) =>
      anEvent(i === 399 ? 'delivered' : 'in_transit', secondsAgo(1000 - 2 * i), {
        description: `scan ${i}`,
      }),
    );
    for (let b = 0; b < 20; b++) {
      await handle.signal(trackingEventsSignal, events.slice(b * 20, b * 20 + 20));
      // One batch at a time, as a carrier feed delivers them (and so the history really grows).
      // Generous: on a loaded machine a query waits while a new run's first task is queued.
      await waitUntil(
        `batch ${b}`,
        () => stateOf(handle),
        (s) => s.eventCount === b * 20 + 20,
        90_000,
      );
    }
    const delivered = await waitUntil(
      'all 400 events',
      () => stateOf(handle),
      (s) => s.eventCount === 400 && s.stage === 'delivered',
      90_000,
    );
    expect(delivered.lastEvent?.eventId).toBe(events[399]!.eventId);
    expect((await handle.describe()).runId).not.toBe(firstRun);

    // Push a little more history so the carried ids are certainly cut to the bound.
    await growUntilContinuedAsNew(handle, events.slice(390));
    const carried = await currentRunInput(handle);
    expect(carried.seenEvents!.length).toBeLessThanOrEqual(MAX_CARRIED_EVENT_IDS);
    expect(carried.seenEvents!.map((e) => e.eventId)).toContain(events[399]!.eventId);
    expect(Date.parse(carried.seenEventsFloor!)).toBeGreaterThanOrEqual(
      Date.parse(events[0]!.occurredAt),
    );
    expect(carried.carried?.stage).toBe('delivered');

    // The oldest scans again (ids no longer carried): recognised as seen, not counted twice.
    await handle.signal(trackingEventsSignal, events.slice(0, 20));
    await handle.signal(cancelSignal, { reason: 'test over' });
    const closed = await waitForStage(handle, 'closed');
    expect(closed.eventCount).toBe(400);
    expect(closed.resolution).toBe('delivered');
  }, 180_000);

  it('continue-as-new carries failed attempts, inquiries, the revised estimate and the policy, and the next fact still counts', async () => {
    const policy = aFastPolicy(uniqueId('p'), {
      stallAfter: quiet,
      inquirySurge: { count: 3, window: 'PT1H' },
    });
    const { handle } = await startShipment(stack, policy);
    const revised = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const events = [
      anEvent('failed_attempt', secondsAgo(30)),
      anEvent('in_transit', secondsAgo(20), { expectedDeliveryAt: revised }),
      anEvent('failed_attempt', secondsAgo(10)),
    ];
    await handle.signal(trackingEventsSignal, events);
    const question = {
      inquiryId: uniqueId('inq'),
      channel: 'email',
      message: 'Where is it?',
      receivedAt: new Date().toISOString(),
    };
    await handle.signal(customerInquirySignal, question);
    const before = await waitUntil(
      'facts taken',
      () => stateOf(handle),
      (s) => s.failedAttempts === 2 && s.inquiries?.length === 1,
    );
    await growUntilContinuedAsNew(handle, events);
    const after = await stateOf(handle);
    expect(after).toMatchObject({
      stage: 'monitoring',
      eventCount: 3,
      failedAttempts: 2,
      expectedDeliveryAt: revised,
      inquiries: [{ inquiryId: question.inquiryId }],
      policy: { name: policy.name, stallAfter: quiet },
      registeredAt: before.registeredAt,
    });
    expect(after.deadlines.overdueAt).toBe(new Date(Date.parse(revised) + 2000).toISOString());
    // A retried inquiry is still recognised; the third failed attempt still counts as the third.
    await handle.signal(customerInquirySignal, question);
    await handle.signal(trackingEventsSignal, [anEvent('failed_attempt', new Date())]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('failed_attempts');
    expect(state.inquiries).toHaveLength(1);
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('an open review survives continue-as-new: same round and SLA, and a decision sent meanwhile or after is taken once', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { reviewSla: 'PT10M' }),
    );
    const scan = anEvent('in_transit', secondsAgo(5));
    await handle.signal(trackingEventsSignal, [scan]);
    const opened = await waitForStage(handle, 'awaiting_review');
    await growUntilContinuedAsNew(handle, [scan]);
    const carried = await stateOf(handle);
    // The suspicion's reason and finding, the round and the SLA carry over. Its detectedAt is not
    // compared: a query may answer from a workflow task that a loaded server then retries (at a
    // later workflow time), so the instant seen before the continue-as-new may not be the one the
    // history kept.
    expect(carried).toMatchObject({
      stage: 'awaiting_review',
      reviewRound: 1,
      suspicion: { reason: opened.suspicion?.reason, detail: opened.suspicion?.detail },
      deadlines: { reviewSlaAt: opened.deadlines.reviewSlaAt },
    });
    expect(carried.notifications.map((n) => n.kind)).toEqual(['delay_notice']);
    // A decision racing more signals (and possibly another continue-as-new).
    const [result] = await Promise.all([
      handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'mark_delivered', reviewer: 'olga@ops', round: 1 }],
      }),
      // Traffic only: a signal landing after the shipment closed is refused, which is fine here.
      ...Array.from({ length: 5 }, () =>
        handle.signal(trackingEventsSignal, [scan]).catch(() => undefined),
      ),
    ]);
    expect(result).toEqual({ stage: 'closed', decision: 'mark_delivered', duplicate: false });
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('delivered');
    expect(state.timeline.filter((t) => t.kind === 'review_decision')).toHaveLength(1);
  });

  it('a running shipment keeps the policy it started with until told to refresh, then uses the new version', async () => {
    const policy = aFastPolicy(uniqueId('p'), { stallAfter: quiet });
    const { handle } = await startShipment(stack, policy);
    await waitUntil(
      'started',
      () => stateOf(handle),
      (s) => s.policy.version === 1,
    );
    const stricter = { ...policy, stallAfter: { ...quiet, in_transit: 'PT3S' } };
    await stack.db
      .update(policies)
      .set({ body: stricter, version: 2 })
      .where(eq(policies.name, policy.name));
    // A new scan makes the workflow recompute its deadlines: still with the policy it started with.
    const scan = anEvent('in_transit', new Date());
    await handle.signal(trackingEventsSignal, [scan]);
    const keptStall = new Date(Date.parse(scan.occurredAt) + 30 * 86_400_000).toISOString();
    const kept = await waitUntil(
      'the deadline from the scan',
      () => stateOf(handle),
      (s) => s.deadlines.stallAt === keptStall,
    );
    expect(kept.policy.version).toBe(1);
    await handle.signal(refreshPolicySignal, {});
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.policy).toMatchObject({ name: policy.name, version: 2 });
    expect(state.suspicion?.reason).toBe('stalled');
    expect(state.timeline.find((t) => t.kind === 'policy_refreshed')?.detail).toBe(
      `${policy.name} version 2`,
    );
  });

  it('a refresh can switch a shipment to another policy; an unknown one is noted and changes nothing', async () => {
    const policy = aFastPolicy(uniqueId('p'), { stallAfter: quiet });
    const other = aFastPolicy(uniqueId('p'), { stallAfter: { ...quiet, in_transit: 'P20D' } });
    await insertPolicy(stack.db, other);
    const { handle } = await startShipment(stack, policy);
    await handle.signal(refreshPolicySignal, { policy: 'no-such-policy' });
    await waitUntil(
      'the failed refresh',
      () => stateOf(handle),
      (s) => s.timeline.some((t) => t.kind === 'policy_refresh_failed'),
    );
    expect((await stateOf(handle)).policy.name).toBe(policy.name);
    await handle.signal(refreshPolicySignal, { policy: other.name });
    const state = await waitUntil(
      'the switch',
      () => stateOf(handle),
      (s) => s.policy.name === other.name,
    );
    expect(state.policy.stallAfter.in_transit).toBe('P20D');
    await handle.signal(cancelSignal, { reason: 'test over' });
    expect((await waitForStage(handle, 'closed')).resolution).toBe('cancelled');
  });
});

describe('the read model under a slow database', () => {
  let slow: TestStack;
  beforeAll(async () => {
    slow = await startTestStack({ worker: false });
    // Every snapshot write takes a while, so scans arrive while one is being written.
    const write = slow.activities.recordSnapshot;
    slow.activities.recordSnapshot = async (...args: Parameters<typeof write>) => {
      await new Promise((r) => setTimeout(r, 400));
      return write(...args);
    };
    await slow.startWorker();
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('takes in scans that arrive while a snapshot is being written, with no scan after them', async () => {
    const { reg, handle } = await startShipment(
      slow,
      aFastPolicy(uniqueId('p'), { stallAfter: quiet }),
    );
    const scans = Array.from({ length: 8 }, (_, i) =>
      anEvent('in_transit', secondsAgo(500 - i), { description: `scan ${i}` }),
    );
    for (const scan of scans) {
      await handle.signal(trackingEventsSignal, [scan]);
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitUntil(
      'the workflow took all 8',
      () => stateOf(handle),
      (s) => s.eventCount === 8,
    );
    // No further scan comes: the read model must still reach 8 on its own.
    const row = await waitUntil(
      'the read model shows all 8',
      async () =>
        (await slow.db.select().from(shipments).where(eq(shipments.shipmentId, reg.shipmentId)))[0],
      (r) => r?.snapshot?.eventCount === 8,
    );
    expect(row?.snapshot?.lastEvent?.eventId).toBe(scans[7]!.eventId);
    await handle.signal(cancelSignal, { reason: 'test over' });
    await waitForStage(handle, 'closed');
  });

  it('a stall timer set after a slow snapshot is due at the deadline, not late by the snapshot', async () => {
    const { handle } = await startShipment(
      slow,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT40S' } }),
    );
    const scan = anEvent('in_transit', secondsAgo(10));
    await handle.signal(trackingEventsSignal, [scan]);
    const state = await waitUntil(
      'the stall deadline counted from the scan',
      () => stateOf(handle),
      (s) => s.lastEvent?.eventId === scan.eventId && s.deadlines.stallAt !== undefined,
    );
    const deadline = Date.parse(state.deadlines.stallAt!);
    const timers = await waitUntil(
      'the task that took the scan to start its timer',
      async () =>
        ((await slow.client.workflow.getHandle(handle.workflowId).fetchHistory()).events ?? [])
          .filter((e) => e.timerStartedEventAttributes)
          .map(
            (e) => tsToMs(e.eventTime) + tsToMs(e.timerStartedEventAttributes!.startToFireTimeout),
          ),
      (dues) => dues.some((due) => Math.abs(due - deadline) < 5_000),
    );
    const due = timers.find((t) => Math.abs(t - deadline) < 5_000)!;
    // The task took the scan, wrote a snapshot (400 ms here) and then started the timer: counted
    // from the workflow time (the task's start) the timer would be due 400 ms or more after the
    // deadline. Counted from the snapshot's clock it is due within the few ms the task took after.
    expect(due - deadline).toBeLessThan(400);
    expect(due - deadline).toBeGreaterThanOrEqual(-50);
    await handle.signal(cancelSignal, { reason: 'test over' });
    await waitForStage(handle, 'closed');
  });
});
