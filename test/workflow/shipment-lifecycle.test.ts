import { WorkflowUpdateFailedError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claims,
  notifications,
  refunds,
  reservations,
  reshipOrders,
  reviews,
  shipments,
  trackingEvents,
} from '../../src/db/schema';
import { claimStateQuery, claimWorkflowId } from '../../workflows/claim.contract';
import {
  cancelSignal,
  customerInquirySignal,
  reviewDecisionSignal,
  reviewUpdate,
  shipmentWorkflowId,
  trackingEventsSignal,
} from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, insertWarehouse, uniqueId } from '../helpers/factories';
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

/** A SKU only this test stocks, in an overseas warehouse in the destination and one at origin. */
async function stockedSku(
  destination = 'US',
): Promise<{ sku: string; overseas: string; origin: string }> {
  const sku = uniqueId('SKU');
  const origin = await insertWarehouse(stack.db, {
    country: 'CN',
    kind: 'origin',
    stock: { [sku]: 10 },
  });
  const overseas = await insertWarehouse(stack.db, {
    country: destination,
    kind: 'overseas',
    stock: { [sku]: 3 },
  });
  return { sku, overseas, origin };
}

describe.concurrent('shipment workflow on a real Temporal server', () => {
  it('a parcel with no new scan for its stall threshold goes to review as stalled, and the customer hears of the delay', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', new Date())]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('stalled');
    expect(state.suspicion?.detail).toBe('carrier has nothing newer');
    const [review] = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId));
    expect(review).toMatchObject({ status: 'pending', reason: 'stalled', round: 1 });
    const mail = await stack.mail.waitFor((m) => m.to.includes(reg.customer.email), 10_000);
    expect(mail.subject).toContain(reg.orderId);
    expect(state.notifications.map((n) => n.kind)).toEqual(['delay_notice']);
    const [row] = await waitUntil(
      'the read model to show the review',
      () => stack.db.select().from(shipments).where(eq(shipments.shipmentId, reg.shipmentId)),
      (rows) => rows[0]?.stage === 'awaiting_review',
    );
    expect(row?.suspicionReason).toBe('stalled');
  });

  it('a tracking number the carrier does not know keeps the suspicion, and a refund hands the claim to its own workflow', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p')),
      {},
      { knownToCarrier: false },
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const review = await waitForStage(handle, 'awaiting_review');
    expect(review.suspicion?.detail).toBe('carrier does not know the tracking number');
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'refund', reviewer: 'olga@ops' }],
    });
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('refunded');
    expect(state.claim).toMatchObject({
      workflowId: claimWorkflowId(reg.shipmentId),
      status: 'pending_eligibility',
      reason: 'lost',
    });
    // The claim outlives the shipment: yanwen's default rule waits a week past the estimate.
    const claim = stack.client.workflow.getHandle(claimWorkflowId(reg.shipmentId));
    const described = await claim.describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.parentExecution?.workflowId).toBe(handle.workflowId);
    const [row] = await waitUntil(
      'the claim row opened by the claim workflow',
      () => stack.db.select().from(claims).where(eq(claims.shipmentId, reg.shipmentId)),
      (rows) => rows.length === 1,
    );
    expect(row).toMatchObject({
      workflowId: claimWorkflowId(reg.shipmentId),
      status: 'pending_eligibility',
      reason: 'lost',
      amount: 19.9,
    });
    await claim.terminate('test over');
  });

  it('a new scan before the deadline moves the stall deadline to the new scan plus the threshold', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT30S' } }),
    );
    const first = anEvent('in_transit', secondsAgo(5));
    await handle.signal(trackingEventsSignal, [first]);
    await waitUntil(
      'first deadline',
      () => stateOf(handle),
      (s) => s.eventCount === 1,
    );
    const second = anEvent('in_transit', secondsAgo(1));
    await handle.signal(trackingEventsSignal, [second]);
    const state = await waitUntil(
      'second deadline',
      () => stateOf(handle),
      (s) =>
        s.eventCount === 2 &&
        s.deadlines.stallAt === new Date(Date.parse(second.occurredAt) + 30_000).toISOString(),
    );
    expect(state.stage).toBe('monitoring');
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('tracking events are deduplicated by eventId and ordered by when they happened, not by arrival', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT60S', customs: 'PT60S' } }),
    );
    const early = anEvent('info_received', secondsAgo(30));
    const latest = anEvent('customs', secondsAgo(2));
    const middle = anEvent('in_transit', secondsAgo(10));
    await handle.signal(trackingEventsSignal, [latest, early]);
    await handle.signal(trackingEventsSignal, [middle, early, latest]);
    const state = await waitUntil(
      'three events',
      () => stateOf(handle),
      (s) => s.eventCount === 3,
    );
    expect(state.lastEvent?.eventId).toBe(latest.eventId);
    expect(state.lastEvent?.status).toBe('customs');
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('scans stored before the workflow started are picked up at its start', async () => {
    const early = anEvent('customs', secondsAgo(20), { description: 'Held at customs' });
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { customs: 'PT60S' } }),
      {},
      {
        beforeStart: async (reg) => {
          await stack.db.insert(trackingEvents).values({
            shipmentId: reg.shipmentId,
            eventId: early.eventId,
            occurredAt: new Date(early.occurredAt),
            status: early.status,
            description: early.description,
            source: 'api',
          });
        },
      },
    );
    const state = await waitUntil(
      'stored scan',
      () => stateOf(handle),
      (s) => s.eventCount === 1,
    );
    expect(state.lastEvent).toMatchObject({ eventId: early.eventId, status: 'customs' });
    // The same scan signalled again (an API retry) is not counted twice.
    await handle.signal(trackingEventsSignal, [early]);
    await handle.signal(cancelSignal, { reason: 'test over' });
    expect((await waitForStage(handle, 'closed')).eventCount).toBe(1);
  });

  it('a customer inquiry signalled twice (an API retry) is recorded once', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT60S' } }),
    );
    const inquiry = {
      inquiryId: uniqueId('inq'),
      channel: 'email',
      message: 'Where is my parcel?',
      receivedAt: new Date().toISOString(),
    };
    await handle.signal(customerInquirySignal, inquiry);
    await handle.signal(customerInquirySignal, inquiry);
    await handle.signal(cancelSignal, { reason: 'test over' });
    const state = await waitForStage(handle, 'closed');
    expect(state.timeline.filter((t) => t.kind === 'customer_inquiry')).toHaveLength(1);
  });

  it('a carrier status of lost skips the wait and goes to review as carrier_lost', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'P30D' } }),
    );
    await handle.signal(trackingEventsSignal, [
      anEvent('in_transit', secondsAgo(60)),
      anEvent('lost', secondsAgo(1)),
    ]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('carrier_lost');
  });

  it('a parcel past its expected delivery plus grace is overdue before it stalls', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'P30D' }, overdueGrace: 'PT1S' }),
      {
        expectedDeliveryAt: new Date(Date.now() + 1000).toISOString(),
      },
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', new Date())]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('overdue');
  });

  it('verification that finds newer scans at the carrier goes back to monitoring instead of bothering ops', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT3S' } }),
    );
    const newer = anEvent('in_transit', new Date(), { description: 'Departed hub' });
    stack.sandbox.store.addEvents(reg.trackingNumber, [newer]);
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(2))]);
    // First stall: the carrier has a newer scan → monitoring again; second stall: nothing newer → review.
    const state = await waitForStage(handle, 'awaiting_review');
    expect(
      state.timeline.some((t) => t.kind === 'verified' && t.detail.includes('newer scans')),
    ).toBe(true);
    expect(state.lastEvent?.eventId).toBe(newer.eventId);
    expect(state.suspicion?.detail).toBe('carrier has nothing newer');
  });

  it('a carrier that answers 500 is retried, never taken as an answer', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')), {
      trackingNumber: uniqueId('DOWN').toUpperCase(),
    });
    const moved = anEvent('delivered', new Date());
    stack.sandbox.store.addEvents(reg.trackingNumber, [moved]);
    await stack.sandbox.control({ route: 'track', mode: 'error500', count: 2 });
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(10))]);
    // Had the 500s been taken as "nothing newer", the parcel would be in review; the carrier knew it was delivered.
    const state = await waitUntil(
      'delivered after retries',
      () => stateOf(handle),
      (s) => s.stage === 'delivered' || s.stage === 'closed',
      45_000,
    );
    expect(state.lastEvent?.status).toBe('delivered');
    expect(state.suspicion).toBeUndefined();
  });

  it('an ops reship decision reserves stock near the customer, chooses the channel, books one label, emails the new number, starts the claim and watches the replacement', async () => {
    const { sku, overseas } = await stockedSku('US');
    // The sandbox carrier's claim rule has no waiting period: the claim is filed straight away.
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')), {
      carrier: 'sandbox',
      items: [{ sku, quantity: 2, unitPrice: 15 }],
      declaredValue: 30,
    });
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    const result = await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'reship', reviewer: 'olga@ops' }],
    });
    expect(result.decision).toBe('reship');
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('reshipped');
    expect(state.review).toMatchObject({
      decision: 'reship',
      reviewer: 'olga@ops',
      automatic: false,
    });

    const resv = await stack.db
      .select()
      .from(reservations)
      .where(eq(reservations.shipmentId, reg.shipmentId));
    expect(resv).toHaveLength(1);
    expect(resv[0]?.warehouseId).toBe(overseas);
    const orders = await stack.db
      .select()
      .from(reshipOrders)
      .where(eq(reshipOrders.originalShipmentId, reg.shipmentId));
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      replacementShipmentId: `${reg.shipmentId}~R1`,
      goodsCost: 30,
    });
    expect(state.reship).toMatchObject({
      trackingNumber: orders[0]?.trackingNumber,
      channel: orders[0]?.channel,
      channelReason: orders[0]?.channelReason,
      insured: false,
      cost: { goods: 30, postage: orders[0]?.postage, insurance: 0, total: orders[0]?.totalCost },
    });
    expect(orders[0]?.channelReason).toBeTruthy();
    expect(state.timeline.find((t) => t.kind === 'reship_channel')?.detail).toContain(
      orders[0]!.channelReason!,
    );
    expect(
      [...stack.sandbox.store.labels.values()].filter(
        (l) => l.trackingNumber === orders[0]?.trackingNumber,
      ),
    ).toHaveLength(1);

    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(reg.customer.email) && m.text.includes(orders[0]!.trackingNumber),
      10_000,
    );
    expect(mail.subject).toContain('replacement');
    // The replacement is expected when the carrier's label says (the same date its lookups give,
    // so the replacement's workflow keeps it); the mail says when.
    const child = stack.client.workflow.getHandle(shipmentWorkflowId(`${reg.shipmentId}~R1`));
    const [replacementRow] = await stack.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, `${reg.shipmentId}~R1`));
    const replacement = replacementRow!.registration;
    const [booked] = [...stack.sandbox.store.labels.values()].filter(
      (l) => l.trackingNumber === orders[0]?.trackingNumber,
    );
    expect(booked?.expectedDeliveryAt).toBeDefined();
    expect(replacement.expectedDeliveryAt).toBe(booked?.expectedDeliveryAt);
    expect((await stateOf(child)).expectedDeliveryAt).toBe(replacement.expectedDeliveryAt);
    expect(Date.parse(replacement.expectedDeliveryAt!)).toBeGreaterThan(
      Date.parse(replacement.shippedAt),
    );
    const date = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(
      new Date(replacement.expectedDeliveryAt!),
    );
    expect(mail.text).toContain(`Expected delivery: ${date}`);
    expect(state.claim).toMatchObject({
      workflowId: claimWorkflowId(reg.shipmentId),
      status: 'pending_eligibility',
      reason: 'lost',
    });
    const claim = stack.client.workflow.getHandle(claimWorkflowId(reg.shipmentId));
    const filed = await waitUntil(
      'the claim workflow to file the claim',
      () => claim.query(claimStateQuery),
      (c) => c.status === 'filed',
    );
    const claimRows = await stack.db
      .select()
      .from(claims)
      .where(eq(claims.shipmentId, reg.shipmentId));
    expect(claimRows).toHaveLength(1);
    expect(claimRows[0]).toMatchObject({ status: 'filed', amount: 30, reason: 'lost' });
    expect(filed.externalClaimId).toBe(claimRows[0]?.claimId);
    expect(stack.sandbox.store.claims.get(claimRows[0]!.claimId!)).toBeDefined();
    await claim.terminate('test over');

    const described = await child.describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.taskQueue).toBe(stack.taskQueue);
    await child.signal(cancelSignal, { reason: 'test over' });
  });

  it('a refund decision refunds, tells the customer and still starts the claim', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')), {
      declaredValue: 42.5,
      currency: 'EUR',
    });
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'refund', reviewer: 'olga@ops' }],
    });
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('refunded');
    // The refund has a stage of its own; the customer hears of it in the next.
    expect(
      state.timeline
        .filter((t) => t.kind === 'stage')
        .map((t) => t.detail)
        .slice(-5),
    ).toEqual(['awaiting_review', 'refunding', 'notifying', 'claiming', 'closed']);
    // This stack has no REFUND_URL: the refund is recorded for ops to pay by hand.
    expect(state.refund).toMatchObject({ amount: 42.5, currency: 'EUR', status: 'manual' });
    const [refund] = await stack.db
      .select()
      .from(refunds)
      .where(eq(refunds.shipmentId, reg.shipmentId));
    expect(refund).toMatchObject({
      idempotencyKey: `${handle.workflowId}:refund:1`,
      status: 'manual',
      reason: 'stalled',
    });
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(reg.customer.email) && m.subject.includes('refund'),
      10_000,
    );
    // The amount in the customer's locale (en-US with EUR: €42.50).
    expect(mail.text).toMatch(/42\.50?/);
    expect(state.claim?.workflowId).toBe(claimWorkflowId(reg.shipmentId));
    const claimRows = await waitUntil(
      'the claim opened',
      () => stack.db.select().from(claims).where(eq(claims.shipmentId, reg.shipmentId)),
      (rows) => rows.length === 1,
    );
    expect(claimRows.map((c) => [c.status, c.amount, c.currency])).toEqual([
      ['pending_eligibility', 42.5, 'EUR'],
    ]);
    await stack.client.workflow.getHandle(claimWorkflowId(reg.shipmentId)).terminate('test over');
  });

  it('keep_waiting goes back to monitoring with doubled thresholds, and a second review comes later', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    const scannedAt = secondsAgo(5);
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', scannedAt)]);
    await waitForStage(handle, 'awaiting_review');
    const result = await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'keep_waiting', reviewer: 'olga@ops' }],
    });
    expect(result.stage).toBe('monitoring');
    const waiting = await stateOf(handle);
    expect(waiting.thresholdFactor).toBe(2);
    const again = await waitUntil(
      'second review',
      () => stateOf(handle),
      (s) => s.stage === 'awaiting_review' && s.reviewRound === 2,
      30_000,
    );
    expect(again.suspicion?.reason).toBe('stalled');

    // The second stall's notice is a follow-up that says what changed, not the first one again.
    const notices = await waitUntil(
      'two delay notices',
      () => Promise.resolve(stack.mail.messages().filter((m) => m.to.includes(reg.customer.email))),
      (ms) => ms.length >= 2,
      15_000,
    );
    const [first, second] = notices;
    expect(first!.subject).toBe(`Your order ${reg.orderId} is taking longer than expected`);
    expect(second!.subject).toBe(`Update on your order ${reg.orderId}: still no movement`);
    const day = (d: Date) =>
      new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
    const [firstRow] = await stack.db
      .select()
      .from(notifications)
      .where(
        and(eq(notifications.shipmentId, reg.shipmentId), eq(notifications.kind, 'delay_notice')),
      )
      .orderBy(notifications.createdAt)
      .limit(1);
    expect(second!.text).toContain(`We wrote to you on ${day(firstRow!.createdAt)}`);
    expect(second!.text).toContain('It has stopped again.');
    expect(second!.text).toContain(`The carrier's latest scan is from ${day(scannedAt)}`);
    expect(second!.text).not.toContain('has not moved for a while');
  });

  it('mark_delivered closes the shipment as delivered', async () => {
    const { handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'mark_delivered', reviewer: 'olga@ops' }],
    });
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('delivered');
    expect(state.claim).toBeUndefined();
  });

  it('a decision sent as a signal from the Temporal UI works like the update, and an invalid one is recorded and ignored', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT60S' } }),
    );
    await handle.signal(reviewDecisionSignal, { decision: 'refund', reviewer: 'early@ops' });
    await waitUntil(
      'ignored decision',
      () => stateOf(handle),
      (s) => s.timeline.some((t) => t.kind === 'review_decision_ignored'),
    );
    await handle.signal(trackingEventsSignal, [anEvent('lost', secondsAgo(1))]);
    await waitForStage(handle, 'awaiting_review');
    await handle.signal(reviewDecisionSignal, { decision: 'mark_delivered', reviewer: 'olga@ops' });
    const state = await waitForStage(handle, 'closed');
    expect(state.review?.reviewer).toBe('olga@ops');
  });

  it('the review update is refused while the shipment is not awaiting review', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT60S' } }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', new Date())]);
    await waitUntil(
      'monitoring',
      () => stateOf(handle),
      (s) => s.eventCount === 1,
    );
    await expect(
      handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reship', reviewer: 'olga@ops' }] }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect((await stateOf(handle)).stage).toBe('monitoring');
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('when the review SLA runs out, ops are alerted and a low-value parcel is decided by the policy', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), {
        reviewSla: 'PT2S',
        autoDecision: { maxDeclaredValue: 25, decision: 'refund' },
      }),
      { declaredValue: 12 },
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const state = await waitForStage(handle, 'closed');
    expect(state.review).toMatchObject({ decision: 'refund', reviewer: 'policy', automatic: true });
    expect(state.resolution).toBe('refunded');
    const alert = await stack.mail.waitFor(
      (m) => m.to.includes(OPS_EMAIL) && m.subject.includes(reg.shipmentId),
      10_000,
    );
    expect(alert.subject).toContain('Review overdue');
    const [review] = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId));
    expect(review).toMatchObject({ status: 'decided', decision: 'refund', automatic: true });
  });

  it('a stock shortfall sends the shipment back to review instead of booking a label', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')), {
      items: [{ sku: uniqueId('SKU-NONE'), quantity: 1, unitPrice: 10 }],
    });
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'reship', reviewer: 'olga@ops' }],
    });
    const state = await waitUntil(
      'back in review',
      () => stateOf(handle),
      (s) => s.stage === 'awaiting_review' && s.reviewRound === 2,
    );
    const why = state.timeline.find((t) => t.kind === 'stock_shortfall')?.detail;
    expect(why).toMatch(/^No warehouse has the whole order/);
    expect(state.reopenedBecause).toBe(why);
    expect(state.suspicion?.reason).toBe('stalled');
    const [, second] = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId))
      .orderBy(reviews.round);
    expect(second).toMatchObject({ round: 2, status: 'pending', reason: 'stalled', note: why });
    const orders = await stack.db
      .select()
      .from(reshipOrders)
      .where(eq(reshipOrders.originalShipmentId, reg.shipmentId));
    expect(orders).toHaveLength(0);
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('a delivered parcel stays watched for the delivered window, then closes as delivered', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT2S' }),
    );
    await handle.signal(trackingEventsSignal, [
      anEvent('out_for_delivery', secondsAgo(3)),
      anEvent('delivered', secondsAgo(1)),
    ]);
    const watching = await waitForStage(handle, 'delivered');
    expect(Date.parse(watching.deadlines.deliveredWatchUntil!)).toBeGreaterThan(
      Date.parse(watching.lastEvent!.occurredAt),
    );
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('delivered');
    // The read model follows the workflow (an activity writes it right after the stage changes).
    const [row] = await waitUntil(
      'the read model to show the closed shipment',
      () => stack.db.select().from(shipments).where(eq(shipments.shipmentId, reg.shipmentId)),
      (rows) => rows[0]?.stage === 'closed',
    );
    expect(row).toMatchObject({ stage: 'closed', resolution: 'delivered' });
    expect(row?.deliveredAt).not.toBeNull();
  });

  it('a parcel returned to the sender ends with resolution returned_to_sender', async () => {
    const { handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingEventsSignal, [
      anEvent('returning', secondsAgo(3)),
      anEvent('returned', secondsAgo(1)),
    ]);
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('returned_to_sender');
  });

  it('cancel ends a watched shipment with resolution cancelled', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { in_transit: 'PT60S' } }),
    );
    await handle.signal(cancelSignal, { reason: 'order cancelled by the customer' });
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('cancelled');
    expect(await handle.result()).toMatchObject({ resolution: 'cancelled' });
    const sent = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.shipmentId, reg.shipmentId)));
    expect(sent).toHaveLength(0);
  });
});
