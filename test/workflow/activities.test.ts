import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and } from 'drizzle-orm';
import {
  claims,
  reservations,
  reviews,
  shipments,
  stock,
  trackingEvents,
} from '../../src/db/schema';
import type { ShipmentState } from '../../workflows/shipment.contract';
import { aRegistration, insertShipmentRow, insertWarehouse, uniqueId } from '../helpers/factories';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

describe('side-effect activities called again, as Temporal retries them', () => {
  it('a claim retried after new scans arrived sends the same request and gets the same claim', async () => {
    const reg = aRegistration();
    await insertShipmentRow(stack.db, reg);
    stack.sandbox.store.addEvents(reg.trackingNumber, []);
    const input = {
      idempotencyKey: `shipment:${reg.shipmentId}:claim`,
      shipmentId: reg.shipmentId,
      carrier: reg.carrier,
      trackingNumber: reg.trackingNumber,
      reason: 'lost' as const,
      amount: 19.9,
      currency: 'USD',
    };
    const first = await stack.activities.fileClaim(input);
    // The carrier took the claim, but the answer never reached our database (worker died).
    await stack.db
      .update(claims)
      .set({ claimId: null, filedAt: null, status: 'pending_eligibility' })
      .where(eq(claims.idempotencyKey, input.idempotencyKey));
    // Meanwhile a scan arrives: evidence built afresh would differ from the first request.
    await stack.db.insert(trackingEvents).values({
      shipmentId: reg.shipmentId,
      eventId: uniqueId('ev'),
      occurredAt: new Date(),
      status: 'exception',
      source: 'api',
    });
    const again = await stack.activities.fileClaim(input);
    expect(again.claimId).toBe(first.claimId);
    const atCarrier = [...stack.sandbox.store.claims.values()].filter(
      (c) => c.trackingNumber === reg.trackingNumber,
    );
    expect(atCarrier).toHaveLength(1);
  });

  it('a review opened again for its round (a local activity whose workflow task was retried) keeps one row with the last attempt’s times, until it is decided', async () => {
    const reg = aRegistration();
    await insertShipmentRow(stack.db, reg);
    const open = (detectedAt: string, slaDeadline: string) =>
      stack.activities.openReview({
        shipmentId: reg.shipmentId,
        round: 1,
        reason: 'stalled',
        detectedAt,
        slaDeadline,
      });
    const row = async () =>
      stack.db
        .select()
        .from(reviews)
        .where(and(eq(reviews.shipmentId, reg.shipmentId), eq(reviews.round, 1)));
    await open('2026-12-07T03:00:00.000Z', '2026-12-07T07:00:00.000Z');
    await open('2026-12-07T03:00:01.500Z', '2026-12-07T07:00:01.500Z');
    const [pending, ...more] = await row();
    expect(more).toEqual([]);
    expect(pending!.detectedAt.toISOString()).toBe('2026-12-07T03:00:01.500Z');
    expect(pending!.slaDeadline.toISOString()).toBe('2026-12-07T07:00:01.500Z');

    await stack.activities.closeReview({
      shipmentId: reg.shipmentId,
      round: 1,
      decision: 'refund',
      reviewer: 'olga@ops',
      decidedAt: '2026-12-07T03:10:00.000Z',
      automatic: false,
    });
    await open('2026-12-07T03:20:00.000Z', '2026-12-07T07:20:00.000Z');
    const [decided] = await row();
    expect(decided!.status).toBe('decided');
    expect(decided!.detectedAt.toISOString()).toBe('2026-12-07T03:00:01.500Z');
  });

  it('a snapshot never goes back to an older version, and the same version written again (a retried workflow task) holds the last attempt', async () => {
    const reg = aRegistration();
    await insertShipmentRow(stack.db, reg);
    const state = (stage: ShipmentState['stage'], at: string) =>
      ({
        shipmentId: reg.shipmentId,
        stage,
        policy: { name: reg.policy },
        registeredAt: at,
        eventCount: 0,
        deadlines: {},
        thresholdFactor: 1,
        reviewRound: 0,
        notifications: [],
        timeline: [{ at, kind: 'stage', detail: stage }],
      }) as unknown as ShipmentState;
    const stored = async () =>
      (
        await stack.db
          .select({ stage: shipments.stage, snapshot: shipments.snapshot })
          .from(shipments)
          .where(eq(shipments.shipmentId, reg.shipmentId))
      )[0]!;
    await stack.activities.recordSnapshot({
      state: state('verifying', '2026-12-07T03:00:00.000Z'),
      version: 2,
    });
    await stack.activities.recordSnapshot({
      state: state('monitoring', '2026-12-07T02:59:00.000Z'),
      version: 1,
    });
    expect((await stored()).stage).toBe('verifying');
    await stack.activities.recordSnapshot({
      state: state('verifying', '2026-12-07T03:00:02.000Z'),
      version: 2,
    });
    expect((await stored()).snapshot?.timeline[0]?.at).toBe('2026-12-07T03:00:02.000Z');
  });

  it('a reservation made twice with one key reserves the stock once', async () => {
    const sku = uniqueId('SKU');
    const warehouseId = await insertWarehouse(stack.db, {
      country: 'DE',
      kind: 'overseas',
      stock: { [sku]: 5 },
    });
    const input = {
      idempotencyKey: uniqueId('reserve'),
      shipmentId: uniqueId('SHP'),
      items: [{ sku, quantity: 2 }],
      destinationCountry: 'DE',
    };
    const [a, b] = await Promise.all([
      stack.activities.reserveStock(input),
      stack.activities.reserveStock(input),
    ]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: true, warehouseId });
    const [row] = await stack.db.select().from(stock).where(eq(stock.sku, sku));
    expect(row).toMatchObject({ onHand: 5, reserved: 2 });
    await stack.activities.releaseReservation({ idempotencyKey: input.idempotencyKey });
    await stack.activities.releaseReservation({ idempotencyKey: input.idempotencyKey });
    const [released] = await stack.db.select().from(stock).where(eq(stock.sku, sku));
    expect(released).toMatchObject({ reserved: 0 });
    const [resv] = await stack.db
      .select()
      .from(reservations)
      .where(eq(reservations.idempotencyKey, input.idempotencyKey));
    expect(resv?.status).toBe('released');
  });

  it('a notification sent twice with one key reaches the customer once', async () => {
    const reg = aRegistration();
    const input = {
      idempotencyKey: uniqueId('notify'),
      shipmentId: reg.shipmentId,
      kind: 'delay_notice' as const,
      to: reg.customer.email,
      locale: 'en',
      vars: { customerName: 'Ada', orderId: reg.orderId },
    };
    const first = await stack.activities.sendNotification(input);
    const second = await stack.activities.sendNotification(input);
    expect(second.sentAt).toBe(first.sentAt);
    expect(stack.mail.messages().filter((m) => m.to.includes(reg.customer.email))).toHaveLength(1);
  });
});
