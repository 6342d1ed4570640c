import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../src/db/schema';
import {
  cancelSignal,
  customerInquirySignal,
  reviewUpdate,
  searchAttributes,
  trackingEventsSignal,
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
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
/** Thresholds so long that only the trigger under test can fire within a test. */
const quiet = { in_transit: 'P30D', info_received: 'P30D', out_for_delivery: 'P30D' };

describe.concurrent('every way a parcel becomes suspicious', () => {
  it('a parcel entering customs tells the customer once, and one stuck there past the customs threshold goes to review as a customs hold', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { ...quiet, customs: 'PT6S' } }),
    );
    await handle.signal(trackingEventsSignal, [
      anEvent('in_transit', secondsAgo(10)),
      anEvent('customs', secondsAgo(1), { description: 'Held at customs' }),
    ]);
    const entered = await waitUntil(
      'the customs notice',
      () => stateOf(handle),
      (s) => s.notifications.some((n) => n.kind === 'customs_notice'),
    );
    expect(entered.customs).toMatchObject({ episode: 1, noticeSentFor: 1 });
    // Another "still held" scan: same episode, no second notice, and the hold still counts from entry.
    await handle.signal(trackingEventsSignal, [
      anEvent('customs', new Date(), { description: 'Inspection' }),
    ]);
    const held = await waitForStage(handle, 'awaiting_review');
    expect(held.suspicion?.reason).toBe('customs_hold');
    expect(held.eventCount).toBe(3);
    expect(held.notifications.map((n) => n.kind)).toEqual(['customs_notice', 'delay_notice']);
    const rows = await stack.db
      .select()
      .from(notifications)
      .where(
        and(eq(notifications.shipmentId, reg.shipmentId), eq(notifications.kind, 'customs_notice')),
      );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.idempotencyKey).toBe(`shipment:${reg.shipmentId}:notify:customs_notice:1`);
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(reg.customer.email) && m.text.includes(reg.trackingNumber),
      10_000,
    );
    expect(mail).toBeDefined();
  });

  it('the third failed delivery attempt sends the parcel to review at once, as failed_attempts', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { ...quiet, failed_attempt: 'P30D' } }),
    );
    await handle.signal(trackingEventsSignal, [
      anEvent('failed_attempt', secondsAgo(30)),
      anEvent('out_for_delivery', secondsAgo(20)),
      anEvent('failed_attempt', secondsAgo(10)),
    ]);
    await waitUntil(
      'two attempts counted',
      () => stateOf(handle),
      (s) => s.failedAttempts === 2,
    );
    expect((await stateOf(handle)).stage).toBe('monitoring');
    await handle.signal(trackingEventsSignal, [anEvent('failed_attempt', secondsAgo(1))]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion).toMatchObject({
      reason: 'failed_attempts',
      evidence: { failedAttempts: 3 },
    });
  });

  it('a single failed attempt waits for the failed-attempt stall threshold and is then stalled', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { ...quiet, failed_attempt: 'PT3S' } }),
    );
    const attempt = anEvent('failed_attempt', new Date());
    await handle.signal(trackingEventsSignal, [attempt]);
    const stallAt = new Date(Date.parse(attempt.occurredAt) + 3000).toISOString();
    const watching = await waitUntil(
      'the failed-attempt threshold',
      () => stateOf(handle),
      (s) => s.deadlines.stallAt === stallAt || s.stage !== 'monitoring',
    );
    expect(watching.deadlines.stallAt).toBe(stallAt);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('stalled');
    expect(state.failedAttempts).toBe(1);
  });

  it('K customer inquiries within W are a surge that skips the wait; one inquiry is not', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), {
        stallAfter: quiet,
        inquirySurge: { count: 2, window: 'PT1H' },
      }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const first = {
      inquiryId: uniqueId('inq'),
      channel: 'email',
      message: 'Where is my parcel?',
      receivedAt: secondsAgo(600).toISOString(),
      intent: 'where_is_it' as const,
    };
    await handle.signal(customerInquirySignal, first);
    // The same inquiry again (an API retry) does not make two.
    await handle.signal(customerInquirySignal, first);
    await waitUntil(
      'the first inquiry',
      () => stateOf(handle),
      (s) => s.inquiries?.length === 1,
    );
    expect((await stateOf(handle)).stage).toBe('monitoring');
    const second = {
      inquiryId: uniqueId('inq'),
      channel: 'chat',
      message: 'Still nothing, please help',
      receivedAt: new Date().toISOString(),
    };
    await handle.signal(customerInquirySignal, second);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion).toMatchObject({
      reason: 'inquiry_surge',
      evidence: { inquiryIds: [first.inquiryId, second.inquiryId] },
    });
  });

  it('a later scan that revises the delivery estimate moves the overdue deadline, and the parcel becomes overdue by the new estimate', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: quiet, overdueGrace: 'PT2S' }),
      { expectedDeliveryAt: inSeconds(30 * 86_400) },
    );
    const registered = await waitUntil(
      'the registered estimate',
      () => stateOf(handle),
      (s) => s.deadlines.overdueAt !== undefined,
    );
    expect(Date.parse(registered.deadlines.overdueAt!)).toBeGreaterThan(Date.now() + 86_400_000);
    const revised = inSeconds(1);
    await handle.signal(trackingEventsSignal, [
      anEvent('in_transit', new Date(), { expectedDeliveryAt: revised }),
    ]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('overdue');
    expect(state.expectedDeliveryAt).toBe(revised);
    expect(state.deadlines.overdueAt).toBe(new Date(Date.parse(revised) + 2000).toISOString());
    expect(state.timeline.some((t) => t.kind === 'estimate_revised')).toBe(true);
  });

  it('a parcel on its way back keeps being watched, and ends as returned_to_sender when it is back', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: quiet }),
    );
    const back = anEvent('returning', secondsAgo(2));
    // A parcel on its way back stalls like one in transit.
    const stallAt = new Date(Date.parse(back.occurredAt) + 30 * 86_400_000).toISOString();
    await handle.signal(trackingEventsSignal, [back]);
    const returning = await waitUntil(
      'returning',
      () => stateOf(handle),
      (s) => s.lastEvent?.status === 'returning' && s.deadlines.stallAt === stallAt,
    );
    expect(returning.stage).toBe('monitoring');
    await handle.signal(trackingEventsSignal, [anEvent('returned', new Date())]);
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('returned_to_sender');
    expect(state.suspicion).toBeUndefined();
  });

  it('a parcel the carrier reports disposed of (an exception sub-status) skips the wait', async () => {
    const { handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: quiet }),
    );
    await handle.signal(trackingEventsSignal, [
      anEvent('in_transit', secondsAgo(30)),
      anEvent('exception', secondsAgo(1), { subStatus: 'Exception_021', description: 'Disposed' }),
    ]);
    const state = await waitForStage(handle, 'awaiting_review');
    expect(state.suspicion?.reason).toBe('carrier_damaged');
  });

  it('after a carrier-declared loss the customer reads that the carrier reported it lost, not a delay', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { ...quiet, in_transit: 'PT2S' } }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('lost', secondsAgo(1))]);
    await waitForStage(handle, 'awaiting_review');
    const mail = await stack.mail.waitFor((m) => m.to.includes(reg.customer.email), 15_000);
    expect(mail.subject).toBe(`The carrier has reported your parcel for order ${reg.orderId} lost`);
    expect(mail.text).toContain('has been reported lost by the carrier');
    expect(mail.text).toContain('whether to send you a replacement or refund you');
    expect(mail.text).not.toContain('has not moved');
    await handle.signal(cancelSignal, { reason: 'test over' });
  });

  it('search attributes follow the stage and the suspicion: set when suspected, cleared when ops keep waiting', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { stallAfter: { ...quiet, in_transit: 'PT2S' } }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('lost', secondsAgo(1))]);
    await waitForStage(handle, 'awaiting_review');
    const query = `WorkflowId = '${handle.workflowId}' AND ShipmentStage = 'awaiting_review' AND SuspicionReason = 'carrier_lost' AND Carrier = '${reg.carrier}'`;
    await waitUntil(
      'the list query to find it',
      async () => {
        const found: string[] = [];
        for await (const wf of stack.client.workflow.list({ query })) found.push(wf.workflowId);
        return found;
      },
      (ids) => ids.includes(handle.workflowId),
    );
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'keep_waiting', reviewer: 'olga@ops' }],
    });
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(searchAttributes.stage)).toBe('monitoring');
    expect(described.typedSearchAttributes.get(searchAttributes.suspicionReason)).toBeUndefined();
    expect(described.typedSearchAttributes.get(searchAttributes.destination)).toBe(
      reg.destination.country,
    );
    await handle.signal(cancelSignal, { reason: 'test over' });
  });
});
