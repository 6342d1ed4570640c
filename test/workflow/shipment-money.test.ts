import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps';
import { createRefundActivities } from '../../activities/refund.activities';
import { claims, refunds, reviews } from '../../src/db/schema';
import { claimWorkflowId, type ClaimWorkflowInput } from '../../workflows/claim.contract';
import {
  cancelSignal,
  customerInquirySignal,
  reviewUpdate,
  trackingEventsSignal,
  type ReviewDecision,
} from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, insertWarehouse, uniqueId } from '../helpers/factories';
import { fromStoredPayload } from '../helpers/payload-key';
import { startShipment, stateOf, waitForStage, type ShipmentHandle } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/**
 * The money side as the shipment workflow drives it: refunds through the seller's order system,
 * the reship channel and its cost, and the claim handed to its own workflow.
 */
let stack: TestStack;

/** The seller's order system: answers per shipment from a script (the last answer repeats). */
const answers = new Map<string, { status: number; body: unknown }[]>();
let orderSystem: Server;

beforeAll(async () => {
  orderSystem = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const { shipmentId } = JSON.parse(body) as { shipmentId: string };
      const script = answers.get(shipmentId) ?? [{ status: 201, body: { refundId: 're_default' } }];
      const answer = script.length > 1 ? script.shift()! : script[0]!;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => orderSystem.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(orderSystem.address() as AddressInfo).port}/refunds`;
  stack = await startTestStack({ worker: false });
  // Refunds need only the database and their endpoint.
  stack.activities.issueRefund = createRefundActivities({
    db: stack.db,
    refund: { url },
  } as ActivityDeps).issueRefund;
  await stack.startWorker();
});
afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((resolve) => orderSystem?.close(() => resolve()));
});

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

async function decide(handle: ShipmentHandle, decision: ReviewDecision) {
  await handle.executeUpdate(reviewUpdate, { args: [{ decision, reviewer: 'olga@ops' }] });
}

/** The claim workflow the shipment started, and the claim row it opened. */
async function claimOf(shipmentId: string) {
  const [row] = await waitUntil(
    `the claim of ${shipmentId}`,
    () => stack.db.select().from(claims).where(eq(claims.shipmentId, shipmentId)),
    (rows) => rows.length === 1,
  );
  const handle = stack.client.workflow.getHandle(claimWorkflowId(shipmentId));
  return { row: row!, handle };
}

describe.concurrent('refunds, reship channels and claims driven by the shipment workflow', () => {
  it('a refund the order system refuses sends the shipment back to review with its answer, and the next refund decision goes through', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    answers.set(reg.shipmentId, [
      { status: 422, body: { error: 'order is already refunded' } },
      { status: 201, body: { refundId: 're_42' } },
    ]);
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    await decide(handle, 'refund');

    const back = await waitUntil(
      'back in review after the refusal',
      () => stateOf(handle),
      (s) => s.stage === 'awaiting_review' && s.reviewRound === 2,
    );
    expect(back.refund).toBeUndefined();
    expect(back.reopenedBecause).toMatch(/order system answered 422.*already refunded/);
    expect(back.timeline.find((t) => t.kind === 'refund_rejected')?.detail).toBe(
      back.reopenedBecause,
    );
    expect(back.suspicion?.reason).toBe('stalled');
    expect(back.notifications.map((n) => n.kind)).toEqual(['delay_notice']);
    const rounds = await stack.db
      .select()
      .from(reviews)
      .where(eq(reviews.shipmentId, reg.shipmentId))
      .orderBy(asc(reviews.round));
    expect(rounds.map((r) => [r.round, r.status])).toEqual([
      [1, 'decided'],
      [2, 'pending'],
    ]);
    expect(rounds[1]?.note).toBe(back.reopenedBecause);

    await decide(handle, 'refund');
    const done = await waitForStage(handle, 'closed');
    expect(done.resolution).toBe('refunded');
    expect(done.reopenedBecause).toBeUndefined();
    expect(done.refund).toMatchObject({
      amount: reg.declaredValue,
      currency: reg.currency,
      status: 'refunded',
      reference: 're_42',
    });
    const rows = await stack.db
      .select()
      .from(refunds)
      .where(eq(refunds.shipmentId, reg.shipmentId))
      .orderBy(asc(refunds.id));
    expect(rows.map((r) => [r.idempotencyKey, r.status])).toEqual([
      [`${handle.workflowId}:refund:1`, 'failed'],
      [`${handle.workflowId}:refund:2`, 'refunded'],
    ]);
    expect(done.notifications.map((n) => n.kind)).toEqual(['delay_notice', 'refunded']);
    const { handle: claim } = await claimOf(reg.shipmentId);
    await claim.terminate('test over');
  });

  it('a valuable reship goes insured, and the shipment records the channel, why, and what it cost', async () => {
    const sku = uniqueId('SKU');
    const warehouse = await insertWarehouse(stack.db, {
      country: 'US',
      kind: 'overseas',
      stock: { [sku]: 4 },
    });
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')), {
      items: [{ sku, quantity: 2, unitPrice: 125 }],
      declaredValue: 250,
    });
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    await waitForStage(handle, 'awaiting_review');
    await decide(handle, 'reship');
    const done = await waitForStage(handle, 'closed');
    expect(done.resolution).toBe('reshipped');
    // Default channel policy: above 100 insured at 1.39 per started 100 → 3 × 1.39.
    expect(done.reship).toMatchObject({
      warehouseId: warehouse,
      insured: true,
      cost: { goods: 250, insurance: 4.17, currency: 'USD' },
    });
    const cost = done.reship!.cost!;
    expect(cost.total).toBe(Math.round((cost.goods + cost.postage + cost.insurance) * 100) / 100);
    expect(done.reship?.channel).toMatch(/^[a-z0-9-]+\/.+/);
    expect(done.reship?.channelReason).toBeTruthy();
    expect(done.timeline.find((t) => t.kind === 'reship_channel')?.detail).toBe(
      `${done.reship!.channel}, insured: ${done.reship!.channelReason}`,
    );
    const { handle: claim } = await claimOf(reg.shipmentId);
    await claim.terminate('test over');
    await stack.client.workflow.getHandle(done.reship!.workflowId).signal(cancelSignal, {
      reason: 'test over',
    });
  });

  it('a parcel the carrier reports damaged is claimed as damaged', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingEventsSignal, [anEvent('damaged', secondsAgo(1))]);
    const review = await waitForStage(handle, 'awaiting_review');
    expect(review.suspicion?.reason).toBe('carrier_damaged');
    await decide(handle, 'refund');
    const done = await waitForStage(handle, 'closed');
    expect(done.claim).toMatchObject({
      workflowId: claimWorkflowId(reg.shipmentId),
      reason: 'damaged',
    });
    const { row, handle: claim } = await claimOf(reg.shipmentId);
    expect(row).toMatchObject({ reason: 'damaged', workflowId: claimWorkflowId(reg.shipmentId) });
    await claim.terminate('test over');
  });

  it('a delivered parcel the customer never got is claimed as lost once ops refund it', async () => {
    const { reg, handle } = await startShipment(
      stack,
      aFastPolicy(uniqueId('p'), { deliveredWatch: 'PT60S' }),
    );
    await handle.signal(trackingEventsSignal, [anEvent('delivered', secondsAgo(1))]);
    await waitForStage(handle, 'delivered');
    // Reported twice: the first report asks the customer to look around first.
    for (const message of ['Tracking says delivered, but nothing came.', 'Still not here.']) {
      await handle.signal(customerInquirySignal, {
        inquiryId: uniqueId('inq'),
        channel: 'email',
        message,
        receivedAt: new Date().toISOString(),
        intent: 'delivered_not_received',
      });
    }
    const review = await waitForStage(handle, 'awaiting_review');
    expect(review.suspicion?.reason).toBe('delivered_not_received');
    await decide(handle, 'refund');
    const done = await waitForStage(handle, 'closed');
    expect(done.resolution).toBe('refunded');
    expect(done.claim?.reason).toBe('lost');
    const { row, handle: claim } = await claimOf(reg.shipmentId);
    expect(row.reason).toBe('lost');
    await claim.terminate('test over');
  });

  it('an insured shipment starts its claim with its insurer, so a carrier’s denial is taken there', async () => {
    const insurance = { insurer: 'shipsurance', amount: 300 };
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')), { insurance });
    await handle.signal(trackingEventsSignal, [anEvent('lost', secondsAgo(1))]);
    await waitForStage(handle, 'awaiting_review');
    await decide(handle, 'refund');
    await waitForStage(handle, 'closed');
    const { handle: claim } = await claimOf(reg.shipmentId);
    const history = await claim.fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const input = await fromStoredPayload<ClaimWorkflowInput>(started.input!.payloads![0]!);
    expect(input.insurance).toEqual(insurance);
    await claim.terminate('test over');
  });
});
