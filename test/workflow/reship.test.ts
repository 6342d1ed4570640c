import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  channelRates,
  notifications,
  purchaseSuggestions,
  reshipOrders,
  shipments,
  stock,
} from '../../src/db/schema';
import { replacementShipmentId } from '../../workflows/shipment.contract';
import { aRegistration, insertShipmentRow, insertWarehouse, uniqueId } from '../helpers/factories';
import { OPS_EMAIL, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

const reserveKey = () => `shipment:${uniqueId('SHP')}:reship:1:reserve`;

describe('stock for a reship', () => {
  it('the overseas warehouse in the destination country is reserved when it has the whole order', async () => {
    const sku = uniqueId('SKU');
    await insertWarehouse(stack.db, { country: 'CN', kind: 'origin', stock: { [sku]: 500 } });
    await insertWarehouse(stack.db, { country: 'GB', kind: 'overseas', stock: { [sku]: 50 } });
    const local = await insertWarehouse(stack.db, {
      country: 'IS',
      kind: 'overseas',
      stock: { [sku]: 2 },
    });
    const result = await stack.activities.reserveStock({
      idempotencyKey: reserveKey(),
      shipmentId: uniqueId('SHP'),
      items: [{ sku, quantity: 2 }],
      destinationCountry: 'IS',
    });
    expect(result).toMatchObject({ ok: true, warehouseId: local, warehouseCountry: 'IS' });
    const [row] = await stack.db
      .select()
      .from(stock)
      .where(and(eq(stock.warehouseId, local), eq(stock.sku, sku)));
    expect(row).toMatchObject({ onHand: 2, reserved: 2 });
  });

  it('a shortfall goes back to review: purchase suggestion recorded, ops alerted once, ok false', async () => {
    const sku = uniqueId('SKU');
    const near = await insertWarehouse(stack.db, {
      country: 'IS',
      kind: 'overseas',
      stock: { [sku]: 1 },
    });
    await insertWarehouse(stack.db, { country: 'CN', kind: 'origin', stock: { [sku]: 2 } });
    const shipmentId = uniqueId('SHP');
    const input = {
      idempotencyKey: `shipment:${shipmentId}:reship:1:reserve`,
      shipmentId,
      items: [{ sku, quantity: 3 }],
      destinationCountry: 'IS',
    };
    const first = await stack.activities.reserveStock(input);
    // Temporal retries the activity (say the worker died after the alert): nothing doubles.
    const again = await stack.activities.reserveStock(input);
    expect(again).toEqual(first);
    expect(first).toEqual({
      ok: false,
      shortfall: [{ sku, missing: 1 }],
      purchaseSuggestion: { warehouseId: near, items: [{ sku, quantity: 2 }] },
      reason: `No warehouse has the whole order: ${sku} short by 1. Suggested purchase for ${near}: 2 × ${sku}.`,
    });
    const suggestions = await stack.db
      .select()
      .from(purchaseSuggestions)
      .where(eq(purchaseSuggestions.shipmentId, shipmentId));
    expect(suggestions).toMatchObject([
      { sku, warehouseId: near, quantityMissing: 2, status: 'open' },
    ]);
    const alerts = await stack.db
      .select()
      .from(notifications)
      .where(eq(notifications.shipmentId, shipmentId));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'ops_alert', to: OPS_EMAIL });
    // Nothing was reserved anywhere.
    const levels = await stack.db.select().from(stock).where(eq(stock.sku, sku));
    expect(levels.map((l) => l.reserved)).toEqual([0, 0]);
  });

  it('an abandoned reship gives its stock back once, however often the compensation runs', async () => {
    const sku = uniqueId('SKU');
    const wh = await insertWarehouse(stack.db, {
      country: 'IS',
      kind: 'overseas',
      stock: { [sku]: 4 },
    });
    const key = reserveKey();
    const reserved = await stack.activities.reserveStock({
      idempotencyKey: key,
      shipmentId: uniqueId('SHP'),
      items: [{ sku, quantity: 3 }],
      destinationCountry: 'IS',
    });
    expect(reserved.ok).toBe(true);
    await stack.activities.releaseReservation({ idempotencyKey: key });
    await stack.activities.releaseReservation({ idempotencyKey: key });
    await stack.activities.releaseReservation({ idempotencyKey: `${key}:never-made` });
    const [row] = await stack.db
      .select()
      .from(stock)
      .where(and(eq(stock.warehouseId, wh), eq(stock.sku, sku)));
    expect(row).toMatchObject({ onHand: 4, reserved: 0 });
  });
});

describe('channel and cost of a reship', () => {
  /** A lane no other test uses, priced for two carriers. */
  async function laneWithRates(origin: string, destination: string) {
    await stack.db.insert(channelRates).values([
      {
        carrier: 'cheapo',
        service: 'standard',
        originCountry: origin,
        destinationCountry: destination,
        serviceDays: 5,
        postage: 8,
        currency: 'USD',
      },
      {
        carrier: 'steady',
        service: 'express',
        originCountry: origin,
        destinationCountry: destination,
        serviceDays: 3,
        postage: 14,
        currency: 'USD',
      },
    ]);
  }

  /** Finished shipments of a carrier on a lane, `lost` of them replaced. */
  async function history(
    carrier: string,
    origin: string,
    destination: string,
    n: number,
    lost: number,
  ) {
    for (let i = 0; i < n; i++) {
      const reg = aRegistration({
        carrier,
        origin: { country: origin },
        destination: { ...aRegistration().destination, country: destination },
      });
      await insertShipmentRow(stack.db, reg);
      await stack.db
        .update(shipments)
        .set({ stage: 'closed', resolution: i < lost ? 'reshipped' : 'delivered' })
        .where(eq(shipments.shipmentId, reg.shipmentId));
    }
  }

  it('a lane where a carrier lost more than the threshold is avoided', async () => {
    const [origin, destination] = ['FO', 'GL'];
    await laneWithRates(origin, destination);
    const input = {
      originCountry: origin,
      destinationCountry: destination,
      declaredValue: 30,
      currency: 'USD',
      originalCarrier: 'yanwen',
    };
    const before = await stack.activities.chooseReshipChannel(input);
    expect(before.carrier).toBe('cheapo');

    // cheapo loses 3 of 20 (15 %) on FO→GL; steady 0 of 20.
    await history('cheapo', origin, destination, 20, 3);
    await history('steady', origin, destination, 20, 0);
    const after = await stack.activities.chooseReshipChannel(input);
    expect(after).toMatchObject({ carrier: 'steady', service: 'express', insured: false });
    expect(after.reason).toContain('Avoided: cheapo/standard (loses 15 % on this lane (3 of 20)');
    expect(after.alternatives.find((a) => a.carrier === 'cheapo')).toMatchObject({
      lossRate: 0.15,
      sample: 20,
    });
  });

  it('a valuable reship is insured, and its order records goods + postage + premium with the reason', async () => {
    const sku = uniqueId('SKU');
    const wh = await insertWarehouse(stack.db, {
      country: 'IS',
      kind: 'overseas',
      stock: { [sku]: 5 },
    });
    const original = aRegistration({
      items: [{ sku, quantity: 2, unitPrice: 125 }],
      declaredValue: 250,
      destination: { ...aRegistration().destination, country: 'IS' },
    });
    await insertShipmentRow(stack.db, original);
    const channel = await stack.activities.chooseReshipChannel({
      originCountry: 'IS',
      destinationCountry: 'IS',
      declaredValue: original.declaredValue,
      currency: original.currency,
      originalCarrier: original.carrier,
    });
    // Default policy: above 100 insured at 1.39 per started 100 → 3 × 1.39.
    expect(channel).toMatchObject({ insured: true, insurancePremium: 4.17 });

    const input = {
      idempotencyKey: `shipment:${original.shipmentId}:reship:1:label`,
      original,
      replacementShipmentId: replacementShipmentId(original.shipmentId),
      warehouseId: wh,
      warehouseCountry: 'IS',
      channel,
    };
    const booked = await stack.activities.bookReshipLabel(input);
    const retried = await stack.activities.bookReshipLabel(input);
    expect(retried).toEqual(booked);

    const label = [...stack.sandbox.store.labels.values()].find(
      (l) => l.reference === `${original.shipmentId}~R1`,
    );
    expect(label).toBeDefined();
    const [order] = await stack.db
      .select()
      .from(reshipOrders)
      .where(eq(reshipOrders.originalShipmentId, original.shipmentId));
    expect(order).toMatchObject({
      replacementShipmentId: `${original.shipmentId}~R1`,
      goodsCost: 250,
      postage: label!.postage,
      insured: true,
      insurancePremium: 4.17,
      totalCost: Math.round((254.17 + label!.postage) * 100) / 100,
      currency: 'USD',
      channel: `${channel.carrier}/${label!.service}`,
      channelReason: channel.reason,
    });
    expect(booked.cost).toEqual({
      goods: 250,
      postage: label!.postage,
      insurance: 4.17,
      total: order!.totalCost,
      currency: 'USD',
    });
    expect(booked.registration).toMatchObject({
      shipmentId: `${original.shipmentId}~R1`,
      replacementOf: original.shipmentId,
      origin: { country: 'IS', warehouseId: wh },
    });
    // The carrier's own estimate for the label comes first (the channel's days only without one).
    expect(label!.expectedDeliveryAt).toBeDefined();
    expect(booked.registration.expectedDeliveryAt).toBe(label!.expectedDeliveryAt);
  });

  it('a booking retried while its first attempt still ran answers with the replacement as first stored', async () => {
    const original = aRegistration();
    await insertShipmentRow(stack.db, original);
    const wh = await insertWarehouse(stack.db, { country: 'US', kind: 'overseas', stock: {} });
    // The first attempt stored the replacement (its own shipping time and expected delivery) but
    // had not yet written the order when the second attempt started.
    const first = aRegistration({
      shipmentId: replacementShipmentId(original.shipmentId),
      replacementOf: original.shipmentId,
      shippedAt: '2026-01-02T03:04:05.000Z',
      expectedDeliveryAt: '2026-01-09T03:04:05.000Z',
    });
    await insertShipmentRow(stack.db, first);
    const booked = await stack.activities.bookReshipLabel({
      idempotencyKey: `shipment:${original.shipmentId}:reship:1:label`,
      original,
      replacementShipmentId: first.shipmentId,
      warehouseId: wh,
      warehouseCountry: 'US',
    });
    expect(booked.registration).toMatchObject({
      shippedAt: first.shippedAt,
      expectedDeliveryAt: first.expectedDeliveryAt,
    });
  });

  it('the replacement of a lost replacement X~R1 is X~R2, linked to X~R1', async () => {
    const root = uniqueId('SHP');
    const first = aRegistration({ shipmentId: `${root}~R1`, replacementOf: root });
    await insertShipmentRow(stack.db, first);
    const wh = await insertWarehouse(stack.db, {
      country: 'US',
      kind: 'overseas',
      stock: { 'SKU-MUG': 1 },
    });
    const booked = await stack.activities.bookReshipLabel({
      idempotencyKey: `shipment:${first.shipmentId}:reship:1:label`,
      original: first,
      replacementShipmentId: replacementShipmentId(first.shipmentId),
      warehouseId: wh,
      warehouseCountry: 'US',
    });
    expect(booked.registration.shipmentId).toBe(`${root}~R2`);
    const [order] = await stack.db
      .select()
      .from(reshipOrders)
      .where(eq(reshipOrders.replacementShipmentId, `${root}~R2`));
    expect(order).toMatchObject({ originalShipmentId: `${root}~R1`, insured: false });
    const [row] = await stack.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, `${root}~R2`));
    expect(row?.replacesShipmentId).toBe(`${root}~R1`);
  });
});
