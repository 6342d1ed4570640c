import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, shipments } from '../../src/db/schema';
import type { ShipmentRegistration, ShipmentState } from '../../workflows/shipment.contract';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import { aRegistration, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

const DAY = 86_400_000;
let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

async function registered(overrides: Partial<ShipmentRegistration> = {}) {
  const reg = aRegistration(overrides);
  const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expect(res.status).toBe(201);
  return reg;
}

const ask = (shipmentId: string, message: string, receivedAt = new Date().toISOString()) =>
  api.call('POST', `/v1/shipments/${shipmentId}/inquiries`, {
    as: 'ingest',
    body: { inquiryId: uniqueId('Q'), channel: 'email', message, receivedAt },
  });

const repliesOf = async (shipmentId: string) =>
  (await api.db.select().from(notifications).where(eq(notifications.shipmentId, shipmentId)))
    .filter((m) => m.kind === 'inquiry_reply')
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

/** The read model as the worker leaves it once the carrier scanned the parcel delivered. */
async function markDelivered(shipmentId: string) {
  const occurredAt = new Date(Date.now() - 60_000);
  const snapshot = {
    lastEvent: {
      eventId: 'dlv-1',
      occurredAt: occurredAt.toISOString(),
      status: 'delivered',
      description: 'Left at front door',
      location: { city: 'San Francisco', postalCode: '94105', country: 'US' },
    },
    carrierSummary: {
      proofOfDelivery: { deliveredAt: occurredAt.toISOString(), signedBy: 'A. BUYER' },
    },
  } as unknown as ShipmentState;
  await api.db
    .update(shipments)
    .set({ stage: 'delivered', deliveredAt: occurredAt, snapshot })
    .where(eq(shipments.shipmentId, shipmentId));
}

describe('inquiry replies that answer what was asked', () => {
  it('"我要退款" on a moving parcel gets a reply: it is on its way, by when, and what if it does not come', async () => {
    const reg = await registered({
      expectedDeliveryAt: '2030-03-12T00:00:00.000Z',
      customer: { name: '王芳', email: `wang.${uniqueId('c')}@example.cn`, locale: 'zh-CN' },
    });
    const res = await ask(reg.shipmentId, '我要退款');
    expect(res.body).toMatchObject({ intent: 'wants_refund', action: 'routed_to_ops' });
    const [reply] = await repliesOf(reg.shipmentId);
    expect(reply?.locale).toBe('zh-CN');
    expect(reply!.body).toContain(`您的包裹（Yanwen ${reg.trackingNumber}）正在运输途中`);
    expect(reply!.body).toContain('预计送达日期为 2030年3月12日');
    expect(reply!.body).toContain('我们将免费为您补发或退款');
  });

  it('a first "marked delivered but not here" asks to check neighbours and pickup point and says where the carrier left it; the next says an investigation is open', async () => {
    const reg = await registered();
    await markDelivered(reg.shipmentId);
    await ask(
      reg.shipmentId,
      'The tracking says delivered but I never received it',
      new Date(Date.now() - 20 * 60_000).toISOString(),
    );
    const [first] = await repliesOf(reg.shipmentId);
    expect(first!.body).toContain(
      'It says it left it here: Left at front door, 94105 San Francisco US.',
    );
    expect(first!.body).toContain('Signed for by: A. BUYER.');
    expect(first!.body).toContain('neighbour');
    expect(first!.body).toContain('pickup point');
    // Reported again: the investigation is open.
    await ask(reg.shipmentId, 'Still not found, it says delivered but I never received it');
    const replies = await repliesOf(reg.shipmentId);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.body).toContain('We have opened an investigation with the carrier');
  });

  it('a refund demand on a parcel days under way is answered with the lane range and its basis: the parcels still on the way after as many days', async () => {
    // A lane of its own: Iceland → New Zealand, from a warehouse no other test uses.
    const lane = {
      origin: { country: 'IS', warehouseId: uniqueId('wh-is') },
      destination: { ...aRegistration().destination, country: 'NZ' },
    };
    const before = await api.call('GET', `/v1/shipments/${(await registered(lane)).shipmentId}`, {
      as: 'ops',
    });
    const earlier = before.body.expectedDelivery?.sampleSize ?? 0;
    // 24 parcels on the lane, delivered after 2 to 25 days: 22 took longer than 3 days.
    for (let days = 2; days <= 25; days++) {
      const past = aRegistration({
        ...lane,
        shippedAt: new Date(Date.now() - 60 * DAY).toISOString(),
      });
      await api.db.insert(shipments).values({
        ...shipmentRow(past),
        stage: 'closed',
        resolution: 'delivered',
        deliveredAt: new Date(Date.parse(past.shippedAt) + days * DAY),
      });
    }
    const shippedAt = new Date(Date.now() - 3 * DAY - 3_600_000).toISOString();
    const reg = await registered({ ...lane, shippedAt });
    await ask(reg.shipmentId, 'I want a refund');
    const [reply] = await repliesOf(reg.shipmentId);
    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(res.body.expectedDelivery).toMatchObject({ basis: 'lane', afterDays: 3 });
    const n = res.body.expectedDelivery.sampleSize as number;
    expect(n).toBeGreaterThanOrEqual(22 + earlier);
    expect(reply!.body).toContain(
      `Based on ${n} recent deliveries on this route, of parcels still on the way after 3 days.`,
    );
    expect(Date.parse(res.body.expectedDelivery.latest)).toBeGreaterThan(Date.now());
  });

  it('the shipment answer carries the expected delivery with its basis', async () => {
    const reg = await registered({ expectedDeliveryAt: '2030-03-12T00:00:00.000Z' });
    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body.expectedDelivery).toEqual({
      date: '2030-03-12T00:00:00.000Z',
      earliest: '2030-03-12T00:00:00.000Z',
      latest: '2030-03-12T00:00:00.000Z',
      basis: 'carrier',
    });
  });
});
