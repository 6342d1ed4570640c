import { WorkflowUpdateFailedError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, reviews } from '../../src/db/schema';
import {
  cancelSignal,
  customerInquirySignal,
  reviewDecisionSignal,
  reviewUpdate,
  shipmentWorkflowId,
  trackingEventsSignal,
} from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, uniqueId } from '../helpers/factories';
import { startShipment, stateOf, waitForStage } from '../helpers/shipments';
import { OPS_EMAIL, startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);
const inquiry = (intent?: 'where_is_it' | 'not_received') => ({
  inquiryId: uniqueId('inq'),
  channel: 'email',
  message:
    intent === 'where_is_it'
      ? 'When will it arrive?'
      : 'The tracking says delivered but I have nothing',
  receivedAt: new Date().toISOString(),
  ...(intent ? { intent } : {}),
});

describe.concurrent('review paths', () => {
  it('a customer who says twice that a delivered parcel never came starts a proof-of-delivery check and a review as delivered_not_received', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT60S' }),
    );
    await handle.signal(trackingEventsSignal, [
      anEvent('out_for_delivery', secondsAgo(3)),
      anEvent('delivered', secondsAgo(1), { description: 'Left at front door' }),
    ]);
    await waitForStage(handle, 'delivered');
    // Asking when it comes is not a report of non-receipt.
    await handle.signal(customerInquirySignal, inquiry('where_is_it'));
    await waitUntil(
      'the first inquiry',
      () => stateOf(handle),
      (s) => s.inquiries?.length === 1,
    );
    expect((await stateOf(handle)).stage).toBe('delivered');
    // The first report asks the customer to look around (the API's reply); the second opens it.
    const report = inquiry('not_received');
    await handle.signal(customerInquirySignal, report);
    await waitUntil(
      'the customer asked to look',
      () => stateOf(handle),
      (s) => s.timeline.some((e) => e.kind === 'asked_to_look'),
    );
    expect((await stateOf(handle)).stage).toBe('delivered');
    const again = inquiry('not_received');
    await handle.signal(customerInquirySignal, again);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion).toMatchObject({
      reason: 'delivered_not_received',
      evidence: { inquiryIds: [report.inquiryId, again.inquiryId], proofOfDelivery: null },
      detail: 'carrier holds no proof of delivery',
    });
    expect(state.verification?.outcome).toBe('proof_of_delivery_checked');
    // The parcel shows delivered: no delay notice for it.
    expect(state.notifications.map((n) => n.kind)).not.toContain('delay_notice');
    const [row] = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId));
    expect(row).toMatchObject({ reason: 'delivered_not_received', status: 'pending' });
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'mark_delivered', reviewer: 'olga@ops' }],
    });
    expect((await waitForStage(handle, 'closed')).resolution).toBe('delivered');
  });

  it('the proof of delivery the carrier holds (signature, photo, GPS) goes on the suspicion as evidence', async () => {
    const delivered = anEvent('delivered', secondsAgo(2), { description: 'Signed for' });
    const pod = {
      deliveredAt: delivered.occurredAt,
      signedBy: 'A. BUYER',
      photoUrl: 'https://sandbox.example/pod/1.jpg',
      location: { lat: 37.7936, lng: -122.3965 },
    };
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT60S' }),
    );
    stack.sandbox.store.addEvents(reg.trackingNumber, [delivered]).proofOfDelivery = pod;
    await handle.signal(trackingEventsSignal, [delivered]);
    await waitForStage(handle, 'delivered');
    await handle.signal(customerInquirySignal, inquiry('not_received'));
    await handle.signal(customerInquirySignal, inquiry('not_received'));
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.evidence?.proofOfDelivery).toEqual(pod);
    expect(state.suspicion?.detail).toBe(
      `carrier holds proof of delivery: delivered ${pod.deliveredAt}, signed by A. BUYER, photo, GPS position`,
    );
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('unclassified inquiries after delivery count as reports too', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT60S' }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('delivered', secondsAgo(1))]);
    await waitForStage(handle, 'delivered');
    await handle.signal(customerInquirySignal, inquiry());
    await handle.signal(customerInquirySignal, inquiry());
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('delivered_not_received');
    await handle.signal(cancelSignal, { reason: 'test over' });
    expect((await waitForStage(handle, 'closed')).resolution).toBe('cancelled');
  });

  it('a replacement that is delivered asks the customer for feedback once', async () => {
    const original = uniqueId('SHP');
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT2S' }),
      { shipmentId: `${original}~R1`, replacementOf: original },
    );
    await handle.signal(trackingEventsSignal, [anEvent('delivered', secondsAgo(1))]);
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('delivered');
    expect(state.notifications.map((n) => n.kind)).toEqual(['survey']);
    const rows = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.shipmentId, reg.shipmentId), eq(notifications.kind, 'survey')));
    expect(rows.map((r) => r.idempotencyKey)).toEqual([
      `${shipmentWorkflowId(reg.shipmentId)}:notify:survey`,
    ]);
  });

  it('when the SLA runs out on a parcel above the auto-decision limit, ops are alerted by email and it waits for them', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), {
        reviewSla: 'PT2S',
        autoDecision: { maxDeclaredValue: 25, decision: 'refund' },
      }),
      { declaredValue: 180 },
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const escalated = await waitUntil(
      'the escalation',
      () => stateOf(handle),
      (s) => s.escalatedRound === 1,
    );
    expect(escalated.stage).toBe('awaiting_review');
    expect(escalated.review).toBeUndefined();
    expect(escalated.timeline.some((t) => t.kind === 'review_sla_expired')).toBe(true);
    const alert = await stack.mail.waitFor(
      (m) => m.to.includes(OPS_EMAIL) && m.subject.includes(reg.shipmentId),
      10_000,
    );
    expect(alert.subject).toContain('Review overdue');
    const recorded = await waitUntil(
      'the alert in the shipment state',
      () => stateOf(handle),
      (s) => s.notifications.some((n) => n.kind === 'ops_alert'),
    );
    expect(recorded.notifications.filter((n) => n.kind === 'ops_alert')).toMatchObject([
      { to: OPS_EMAIL },
    ]);
    const result = await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'mark_delivered', reviewer: 'late@ops' }],
    });
    expect(result).toMatchObject({ decision: 'mark_delivered', duplicate: false });
    const state = await waitForStage(handle, 'closed');
    expect(state.review).toMatchObject({ reviewer: 'late@ops', automatic: false, round: 1 });
  });

  it('when the SLA runs out on a parcel at the auto-decision limit, the policy decides (here: keep waiting, with doubled thresholds)', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), {
        reviewSla: 'PT1S',
        autoDecision: { maxDeclaredValue: 50, decision: 'keep_waiting' },
        stallAfter: { in_transit: 'PT5S' },
      }),
      { declaredValue: 50 },
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const state = await waitUntil(
      'the automatic decision',
      () => stateOf(handle),
      (s) => s.review?.automatic === true && s.stage === 'monitoring',
    );
    expect(state.review).toMatchObject({ decision: 'keep_waiting', reviewer: 'policy', round: 1 });
    expect(state.thresholdFactor).toBe(2);
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('the same decision twice (update, then signal, then update again) is taken once and answered as a duplicate; another decision is refused', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    const decision = { decision: 'keep_waiting' as const, reviewer: 'olga@ops', round: 1 };
    const first = await handle.executeUpdate(reviewUpdate, { args: [decision] });
    expect(first).toEqual({ stage: 'monitoring', decision: 'keep_waiting', duplicate: false });
    await handle.signal(reviewDecisionSignal, decision);
    const again = await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'keep_waiting', reviewer: 'olga@ops' }],
    });
    expect(again).toEqual({ stage: 'monitoring', decision: 'keep_waiting', duplicate: true });
    const state = await stateOf(handle);
    expect(state.thresholdFactor).toBe(2);
    expect(state.timeline.filter((t) => t.kind === 'review_decision')).toHaveLength(1);
    expect(state.timeline.filter((t) => t.kind === 'review_decision_duplicate')).toHaveLength(1);
    const other = handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'refund', reviewer: 'piet@ops', round: 1 }],
    });
    await expect(other).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(other).rejects.toMatchObject({ cause: { type: 'review.not_awaiting' } });
    const rows = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId));
    expect(rows.filter((r) => r.status === 'decided')).toHaveLength(1);
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('a delivered scan arriving while ops review takes the shipment off the queue and watches it as delivered', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT60S' }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    await handle.signal(trackingEventsSignal, [anEvent('delivered', new Date())]);
    const state = await waitForStage(handle, 'delivered');
    expect(state.suspicion).toBeUndefined();
    expect(state.review).toBeUndefined();
    expect(state.timeline.some((t) => t.kind === 'review_withdrawn')).toBe(true);
    const [row] = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId));
    expect(row?.status).toBe('withdrawn');
    await expect(
      handle.executeUpdate(reviewUpdate, { args: [{ decision: 'refund', reviewer: 'olga@ops' }] }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('cancelling a shipment under review closes it as cancelled and takes it off the queue of decisions', async () => {
    const { handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingEventsSignal, [anEvent('lost', secondsAgo(1))]);
    await waitForStage(handle, 'awaiting_review');
    await handle.signal(cancelSignal, { reason: 'order cancelled' });
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('cancelled');
    const [row] = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, state.shipmentId));
    expect(row?.status).toBe('withdrawn');
    await expect(
      handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reship', reviewer: 'olga@ops' }] }),
    ).rejects.toBeDefined();
  });

  it('cancelling a delivered parcel in its watch window closes it as delivered, which it is', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT60S' }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('delivered', secondsAgo(1))]);
    await waitForStage(handle, 'delivered');
    await handle.signal(cancelSignal, { reason: 'order archived' });
    expect((await waitForStage(handle, 'closed')).resolution).toBe('delivered');
  });
});
