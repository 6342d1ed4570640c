import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviews } from '../../src/db/schema';
import {
  cancelSignal,
  customerInquirySignal,
  reviewUpdate,
  trackingEventsSignal,
  type InquiryIntent,
} from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, uniqueId } from '../helpers/factories';
import { startShipment, stateOf, waitForStage } from '../helpers/shipments';
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
const inquiry = (intent: InquiryIntent, message: string) => ({
  inquiryId: uniqueId('inq'),
  channel: 'page',
  message,
  receivedAt: new Date().toISOString(),
  intent,
});
/** Stalls and overdue far away: only the inquiries can move these parcels. */
const quiet = { in_transit: 'PT1H', info_received: 'PT1H' };

describe.concurrent('inquiries the workflow acts on', () => {
  it('a delivered-not-received report first asks the customer to look around; the second opens the review', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT120S' }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('delivered', secondsAgo(2))]);
    await waitForStage(handle, 'delivered');
    const first = inquiry('delivered_not_received', 'It says delivered but I have nothing');
    await handle.signal(customerInquirySignal, first);
    const asked = await waitUntil(
      'the customer asked to look around',
      () => stateOf(handle),
      (s) => s.timeline.some((e) => e.kind === 'asked_to_look'),
    );
    expect(asked.stage).toBe('delivered');
    expect(asked.suspicion).toBeUndefined();
    expect(
      await stack.db.select().from(reviews).where(eq(reviews.shipmentId, reg.shipmentId)),
    ).toEqual([]);
    const second = inquiry('delivered_not_received', 'Neighbours do not have it either');
    await handle.signal(customerInquirySignal, second);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion).toMatchObject({
      reason: 'delivered_not_received',
      evidence: { inquiryIds: [first.inquiryId, second.inquiryId] },
    });
    expect(state.verification?.outcome).toBe('proof_of_delivery_checked');
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('a number the carrier does not know is not recorded as proof of delivery checked', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT120S' }),
      {},
      { knownToCarrier: false },
    );
    await handle.signal(trackingEventsSignal, [anEvent('delivered', secondsAgo(2))]);
    await waitForStage(handle, 'delivered');
    await handle.signal(customerInquirySignal, inquiry('delivered_not_received', 'Not here'));
    await handle.signal(customerInquirySignal, inquiry('delivered_not_received', 'Still not here'));
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.verification?.outcome).toBe('unknown_number');
    expect(state.suspicion?.detail).toBe(
      'carrier does not know the tracking number: no proof of delivery could be checked',
    );
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('a refund demand on a moving parcel opens a customer_request review, and the refund decision is accepted', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), {
        stallAfter: { ...aFastPolicy('x').stallAfter, ...quiet },
        inquirySurge: { count: 5, window: 'PT1M' },
      }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const demand = inquiry('wants_refund', '我要退款');
    await handle.signal(customerInquirySignal, demand);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion).toMatchObject({
      reason: 'customer_request',
      evidence: { inquiryIds: [demand.inquiryId] },
    });
    // Nothing to verify with the carrier, and the parcel is moving: no delay notice.
    expect(state.verification).toBeUndefined();
    expect(state.notifications.map((n) => n.kind)).not.toContain('delay_notice');
    const [row] = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId));
    expect(row).toMatchObject({ reason: 'customer_request', status: 'pending' });
    const result = await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'refund', reviewer: 'olga@ops' }],
    });
    expect(result).toMatchObject({ decision: 'refund', duplicate: false });
    const done = await waitForStage(handle, 'closed');
    expect(done.resolution).toBe('refunded');
    expect(done.review).toMatchObject({ decision: 'refund', automatic: false });
  });

  it('a damaged parcel reported after delivery opens a review with reason damaged', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT120S' }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('delivered', secondsAgo(2))]);
    await waitForStage(handle, 'delivered');
    await handle.signal(customerInquirySignal, inquiry('damaged', 'The mug arrived broken'));
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('damaged');
    await handle.signal(cancelSignal, { reason: 'test over' });
  });
});
