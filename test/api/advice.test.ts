import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createChannelActivities } from '../../activities/channel.activities';
import type { ActivityDeps } from '../../activities/deps';
import { claims, shipments } from '../../src/db/schema';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import type { ShipmentAdviceRecord } from '../../src/advice/advice.types';
import type { Resolution } from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

/**
 * A lane no other test uses (Mongolia → Iceland) and carriers unique to this file: the risky one
 * lost 5 of its 25 finished shipments (20 %), the safe one none of 25; the lane loses 5 of 50.
 */
let api: ApiUnderTest;
const RISKY = uniqueId('h6risky');
const SAFE = uniqueId('h6safe');
const CHEAP = uniqueId('h6cheap');
const PREV = uniqueId('h6prev');
const ORIGIN = 'MN';
const DEST = 'IS';

async function seedRow(
  carrier: string,
  resolution: Resolution,
  o: { advice?: Partial<ShipmentAdviceRecord>; origin?: string; destination?: string } = {},
) {
  const reg = aRegistration({
    carrier,
    origin: { country: o.origin ?? ORIGIN },
    destination: { ...aRegistration().destination, country: o.destination ?? DEST },
    shippedAt: '2019-05-01T00:00:00Z',
  });
  await api.db.insert(shipments).values(
    shipmentRow(reg, {
      stage: 'closed',
      resolution,
      ...(o.advice ? { advice: o.advice as ShipmentAdviceRecord } : {}),
    }),
  );
  return reg.shipmentId;
}

beforeAll(async () => {
  api = await startApi();
  for (let i = 0; i < 25; i++) {
    await seedRow(RISKY, i < 5 ? 'reshipped' : 'delivered');
    await seedRow(SAFE, 'delivered');
  }
}, 120_000);
afterAll(() => api?.close());

const electronics = [{ category: 'electronics', value: 250, hasBattery: true }];

describe('POST /v1/advice', () => {
  it('answers channel, insurance with premium, lane and carrier warnings with figures, packaging', async () => {
    const res = await api.call('POST', '/v1/advice', {
      as: 'ingest',
      body: {
        origin: { country: ORIGIN },
        destination: { country: DEST },
        items: electronics,
        currency: 'USD',
        carrier: RISKY,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.insurance).toMatchObject({ recommended: true, premium: 4.17 });
    expect(res.body.warnings).toContainEqual(
      expect.objectContaining({ scope: 'lane', measure: 'loss', sample: 50, count: 5 }),
    );
    expect(res.body.warnings).toContainEqual(
      expect.objectContaining({
        scope: 'carrier',
        carrier: RISKY,
        sample: 25,
        count: 5,
        rate: 0.2,
      }),
    );
    expect(res.body.warnings.some((w: { carrier?: string }) => w.carrier === SAFE)).toBe(false);
    expect(res.body.packaging.map((p: { rule: string }) => p.rule)).toContain('lithium-battery');
    expect(res.body.channel.alternatives.length).toBeGreaterThan(0);
  });

  it('refuses an unknown category with a problem, not a 500', async () => {
    const res = await api.call('POST', '/v1/advice', {
      as: 'ingest',
      body: {
        origin: { country: ORIGIN },
        destination: { country: DEST },
        items: [{ category: 'plutonium', value: 1 }],
        currency: 'USD',
      },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors[0].path).toBe('items.0.category');
  });
});

describe('advice with registrations', () => {
  const registration = () => ({
    ...aRegistration({
      carrier: RISKY,
      origin: { country: ORIGIN },
      destination: { ...aRegistration().destination, country: DEST },
      declaredValue: 250,
      items: [{ sku: 'PHONE', quantity: 1, unitPrice: 250 }],
    }),
    carrierUnlisted: true,
  });

  it('a registration on the high-risk lane carries the warning, stored on the shipment', async () => {
    const body = registration();
    body.items = [
      {
        sku: 'PHONE',
        quantity: 1,
        unitPrice: 250,
        category: 'electronics',
        hasBattery: true,
      } as (typeof body.items)[number],
    ];
    const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body });
    expect(res.status).toBe(201);
    expect(res.body.advice.warnings).toContainEqual(
      expect.objectContaining({ scope: 'carrier', carrier: RISKY, measure: 'loss', sample: 25 }),
    );
    expect(res.body.advice.insurance).toMatchObject({ recommended: true, premium: 4.17 });
    expect(res.body.advice.packaging.map((p: { rule: string }) => p.rule)).toContain(
      'lithium-battery',
    );
    // The risky carrier is avoided by the scoring, so this registration did not follow it.
    expect(res.body.advice.followedChannel).toBe(false);
    const [row] = await api.db
      .select({ advice: shipments.advice })
      .from(shipments)
      .where(eq(shipments.shipmentId, body.shipmentId));
    expect(row?.advice?.warnings.length).toBe(res.body.advice.warnings.length);

    // The same body again: the same advice, as stored.
    const again = await api.call('POST', '/v1/shipments', { as: 'ingest', body });
    expect(again.status).toBe(200);
    expect(again.body.advice).toEqual(res.body.advice);
  });

  it('every item of a batch carries its advice', async () => {
    const res = await api.call('POST', '/v1/shipments:batch', {
      as: 'ingest',
      body: { shipments: [registration()] },
    });
    expect(res.status).toBe(200);
    expect(res.body.results[0].status).toBe(201);
    expect(res.body.results[0].advice.warnings).toContainEqual(
      expect.objectContaining({ scope: 'lane', measure: 'loss' }),
    );
  });
});

describe('channel rates', () => {
  const header =
    'carrier,service,origin_country,destination_country,service_days,postage,currency,insurable';

  it('refuses a CSV with bad lines, naming each line, and imports nothing', async () => {
    const res = await api.call('POST', '/v1/channel-rates:import', {
      as: 'admin',
      headers: { 'content-type': 'text/csv' },
      rawBody: `${header}\n${CHEAP},standard,${ORIGIN},${DEST},5,3,USD,yes\n${CHEAP},express,${ORIGIN},${DEST},2,cheap,USD,yes\n`,
    });
    expect(res.status).toBe(422);
    expect(res.body.code ?? res.body.type).toContain('channel_rates.import_invalid');
    expect(res.body.errors).toEqual([
      { path: 'line.3.postage', message: 'line 3: must be a number such as 12.50' },
    ]);
    const rates = await api.call('GET', '/v1/channel-rates', { as: 'ops' });
    expect(rates.body.rates.some((r: { carrier: string }) => r.carrier === CHEAP)).toBe(false);
  });

  it('only admins import rate cards', async () => {
    const res = await api.call('POST', '/v1/channel-rates:import', {
      as: 'ingest',
      headers: { 'content-type': 'text/csv' },
      rawBody: `${header}\n`,
    });
    expect(res.status).toBe(403);
  });

  it('an imported rate card changes the next reship’s channel choice', async () => {
    const activities = createChannelActivities({ db: api.db } as ActivityDeps);
    const reship = {
      originCountry: ORIGIN,
      destinationCountry: DEST,
      declaredValue: 50,
      currency: 'USD',
      originalCarrier: RISKY,
    };
    const before = await activities.chooseReshipChannel(reship);
    expect(before.carrier).not.toBe(CHEAP);

    const res = await api.call('POST', '/v1/channel-rates:import', {
      as: 'admin',
      headers: { 'content-type': 'text/csv' },
      rawBody: `${header}\n${CHEAP},standard,${ORIGIN},${DEST},5,3,USD,yes\n`,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, carriers: [CHEAP], rows: 1 });

    const after = await activities.chooseReshipChannel(reship);
    expect(after).toMatchObject({ carrier: CHEAP, service: 'standard', estimatedPostage: 3 });

    const versions = await api.call('GET', '/v1/channel-rates/versions', { as: 'ops' });
    expect(versions.body.items.at(-1)).toMatchObject({ version: res.body.version, source: 'csv' });
  });
});

describe('packaging rules per seller', () => {
  it('a seller’s own rules are versioned and used by its advice', async () => {
    const seller = uniqueId('seller');
    const rules = [
      {
        id: 'own-rule',
        when: { categories: ['apparel'] },
        advice: 'Fold in tissue paper.',
        source: { name: 'Our packing guide', url: 'https://example.com/packing' },
      },
    ];
    const put = await api.call('PUT', `/v1/packaging-rules/${seller}`, {
      as: 'admin',
      body: { rules },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ seller, version: 1 });
    const advice = await api.call('POST', '/v1/advice', {
      as: 'ingest',
      body: {
        origin: { country: ORIGIN },
        destination: { country: DEST },
        items: [{ category: 'apparel', value: 10 }],
        currency: 'USD',
        seller,
      },
    });
    expect(advice.body.packaging.map((p: { rule: string }) => p.rule)).toEqual(['own-rule']);
    const other = await api.call('GET', `/v1/packaging-rules/${uniqueId('seller')}`, {
      as: 'ops',
    });
    expect(other.body).toMatchObject({ version: 0, inheritedFrom: 'default' });
  });
});

describe('prevention analytics', () => {
  it('compares the loss rate of shipments that followed the advice with those that did not', async () => {
    for (const r of ['delivered', 'delivered', 'delivered', 'refunded'] as const)
      await seedRow(PREV, r, { advice: { followedChannel: true } });
    for (const r of ['reshipped', 'refunded'] as const)
      await seedRow(PREV, r, { advice: { followedChannel: false } });
    await seedRow(PREV, 'delivered');
    const res = await api.call('GET', `/v1/analytics/prevention?carrier=${PREV}`, {
      as: 'analyst',
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        carrier: PREV,
        origin: ORIGIN,
        destination: DEST,
        followedResolved: 4,
        followedLost: 1,
        followedLossRate: 0.25,
        notFollowedResolved: 2,
        notFollowedLost: 2,
        notFollowedLossRate: 1,
        withoutAdvice: 1,
      },
    ]);
  });

  it('counts claims recovered against claims filed, with time to money', async () => {
    const carrier = uniqueId('h6claims');
    const base = {
      carrier,
      trackingNumber: 'T',
      reason: 'lost',
      currency: 'USD',
      evidence: {},
      filedAt: new Date('2019-06-01T00:00:00Z'),
    };
    const s1 = await seedRow(carrier, 'reshipped');
    const s2 = await seedRow(carrier, 'refunded');
    await api.db.insert(claims).values([
      {
        ...base,
        idempotencyKey: uniqueId('k'),
        shipmentId: s1,
        status: 'paid',
        amount: 50,
        amountRecovered: 40,
        decidedAt: new Date('2019-06-11T00:00:00Z'),
      },
      {
        ...base,
        idempotencyKey: uniqueId('k'),
        shipmentId: s2,
        status: 'denied',
        amount: 30,
        amountRecovered: 0,
        decidedAt: new Date('2019-06-05T00:00:00Z'),
      },
    ]);
    const res = await api.call('GET', `/v1/analytics/claims-recovery?carrier=${carrier}`, {
      as: 'analyst',
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        carrier,
        currency: 'USD',
        filed: 2,
        recovered: 1,
        recoveredRate: 0.5,
        amountClaimed: 80,
        amountRecovered: 40,
        amountRate: 0.5,
        medianDaysToMoney: 10,
        p90DaysToMoney: 10,
      },
    ]);
  });
});
