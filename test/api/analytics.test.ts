import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviews, shipments, trackingEvents } from '../../src/db/schema';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import type { Resolution } from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

/**
 * Seeded read-model rows, shipped in 2019 so that nothing another test registers "now" falls in
 * the window; carriers are unique to this file. Every expected figure is worked out by hand in
 * the comments next to the seed.
 */
let api: ApiUnderTest;
let db: Awaited<ReturnType<typeof startApi>>['database'];
const A = uniqueId('alpha-post');
const B = uniqueId('beta-express');
/** A carrier name a spreadsheet would misread: comma, quotes and a leading formula sign. */
const ODD = `=acme, "fast" ${uniqueId('x')}`;
const WINDOW = 'from=2019-01-01&to=2019-03-01';
const ids: Record<string, string> = {};

const at = (s: string) => new Date(`2019-${s}Z`);
const hoursAfter = (d: Date, h: number) => new Date(d.getTime() + h * 3600_000);

async function shipment(
  key: string,
  o: {
    carrier: string;
    origin: string;
    destination: string;
    shipped: string;
    resolution?: Resolution;
    delivered?: string;
    expected?: string;
    firstScan?: string;
  },
) {
  const reg = aRegistration({
    carrier: o.carrier,
    origin: { country: o.origin },
    destination: { ...aRegistration().destination, country: o.destination },
    shippedAt: at(o.shipped).toISOString(),
    ...(o.expected ? { expectedDeliveryAt: at(o.expected).toISOString() } : {}),
  });
  ids[key] = reg.shipmentId;
  await api.db.insert(shipments).values(
    shipmentRow(reg, {
      stage: o.resolution ? 'closed' : 'monitoring',
      resolution: o.resolution ?? null,
      deliveredAt: o.delivered ? at(o.delivered) : null,
    }),
  );
  if (o.firstScan) {
    // Two scans: the earlier one is the first scan, whatever order they arrived in.
    await api.db.insert(trackingEvents).values([
      {
        shipmentId: reg.shipmentId,
        eventId: 'e2',
        occurredAt: hoursAfter(at(o.firstScan), 5),
        status: 'in_transit',
        source: 'api',
      },
      {
        shipmentId: reg.shipmentId,
        eventId: 'e1',
        occurredAt: at(o.firstScan),
        status: 'info_received',
        source: 'api',
      },
    ]);
  }
  return reg.shipmentId;
}

async function review(key: string, round: number, detected: Date, decidedAfterHours?: number) {
  await api.db.insert(reviews).values({
    shipmentId: ids[key]!,
    round,
    reason: 'stalled',
    detectedAt: detected,
    slaDeadline: hoursAfter(detected, 24),
    status: decidedAfterHours === undefined ? 'pending' : 'decided',
    decision: decidedAfterHours === undefined ? null : 'reship',
    reviewer: decidedAfterHours === undefined ? null : 'olga@ops',
    decidedAt: decidedAfterHours === undefined ? null : hoursAfter(detected, decidedAfterHours),
  });
}

async function notice(key: string, kind: string, sentAt: Date | null) {
  // Raw SQL with the columns the figures read: other parts add columns to these ledgers.
  await db.sql`insert into notifications
    (idempotency_key, shipment_id, kind, channel, "to", locale, subject, body, status, sent_at)
    values (${uniqueId('n')}, ${ids[key]!}, ${kind}, 'email', 'ada@example.com', 'en-US', 's', 'b',
            ${sentAt ? 'sent' : 'pending'}, ${sentAt?.toISOString() ?? null})`;
}

beforeAll(async () => {
  const started = await startApi();
  api = started;
  db = started.database;
  // Carrier A, January, CN → US:
  //   a1 delivered 4 days after its first scan (Jan 11 → Jan 15), before its estimate (on time)
  //   a2 no scans: delivered 6.5 days after shipping (Jan 12 → Jan 18 12:00), after its estimate
  //   a3 lost: reshipped (went to review)
  await shipment('a1', {
    carrier: A,
    origin: 'CN',
    destination: 'US',
    shipped: '01-10T00:00:00',
    firstScan: '01-11T00:00:00',
    delivered: '01-15T00:00:00',
    expected: '01-20T00:00:00',
    resolution: 'delivered',
  });
  await shipment('a2', {
    carrier: A,
    origin: 'CN',
    destination: 'US',
    shipped: '01-12T00:00:00',
    delivered: '01-18T12:00:00',
    expected: '01-16T00:00:00',
    resolution: 'delivered',
  });
  await shipment('a3', {
    carrier: A,
    origin: 'CN',
    destination: 'US',
    shipped: '01-20T00:00:00',
    resolution: 'reshipped',
  });
  // Carrier A, February, CN → DE:
  //   a4 lost: refunded (review); a5 delivered 2 days after its first scan, no estimate (review,
  //   kept waiting); a6 still open; a7 cancelled (neither open nor resolved counts as resolved)
  await shipment('a4', {
    carrier: A,
    origin: 'CN',
    destination: 'DE',
    shipped: '02-03T00:00:00',
    resolution: 'refunded',
  });
  await shipment('a5', {
    carrier: A,
    origin: 'CN',
    destination: 'DE',
    shipped: '02-05T00:00:00',
    firstScan: '02-05T00:00:00',
    delivered: '02-07T00:00:00',
    resolution: 'delivered',
  });
  await shipment('a6', { carrier: A, origin: 'CN', destination: 'DE', shipped: '02-10T00:00:00' });
  await shipment('a7', {
    carrier: A,
    origin: 'CN',
    destination: 'DE',
    shipped: '02-11T00:00:00',
    resolution: 'cancelled',
  });
  // Carrier B, January, DE → FR: b1 delivered 2.5 days after its first scan; b2 returned.
  await shipment('b1', {
    carrier: B,
    origin: 'DE',
    destination: 'FR',
    shipped: '01-05T00:00:00',
    firstScan: '01-05T12:00:00',
    delivered: '01-08T00:00:00',
    resolution: 'delivered',
  });
  await shipment('b2', {
    carrier: B,
    origin: 'DE',
    destination: 'FR',
    shipped: '01-06T00:00:00',
    resolution: 'returned_to_sender',
  });
  // Outside the window: must never be counted.
  await shipment('late', {
    carrier: A,
    origin: 'CN',
    destination: 'US',
    shipped: '03-02T00:00:00',
    resolution: 'reshipped',
  });
  await shipment('odd', {
    carrier: ODD,
    origin: 'CN',
    destination: 'US',
    shipped: '01-02T00:00:00',
  });

  // Reviews (handling): decisions after 1 h (a3), 3 h (a4), 2 h (a5 round 1); a5 round 2 pending.
  const a3Detected = at('01-25T00:00:00');
  const a4Detected = at('02-08T00:00:00');
  const a5Detected = at('02-06T00:00:00');
  await review('a3', 1, a3Detected, 1);
  await review('a4', 1, a4Detected, 3);
  await review('a5', 1, a5Detected, 2);
  await review('a5', 2, hoursAfter(a5Detected, 12));
  // Customer notices after 0.5 h (a3), 0.25 h (a4), 1 h (a5 round 1). Not notices: an ops alert
  // sooner, a message still pending, and a message from before the suspicion. a5 round 2 has
  // none (its only earlier notice predates it).
  await notice('a3', 'delay_notice', hoursAfter(a3Detected, 0.5));
  await notice('a3', 'reshipped', hoursAfter(a3Detected, 30));
  await notice('a3', 'delay_notice', null);
  await notice('a4', 'ops_alert', hoursAfter(a4Detected, 0.1));
  await notice('a4', 'delay_notice', hoursAfter(a4Detected, 0.25));
  await notice('a4', 'survey', hoursAfter(a4Detected, -48));
  await notice('a5', 'delay_notice', hoursAfter(a5Detected, 1));

  // Claims: a3 USD 20 still filed (unsettled); a4 EUR 50 approved with 40 recovered, and EUR 30
  // denied (settled, nothing recovered).
  const claim = (
    key: string,
    amount: number,
    currency: string,
    status: string,
    recovered: number | null,
  ) =>
    db.sql`insert into claims
      (idempotency_key, shipment_id, carrier, tracking_number, reason, status, amount, currency, amount_recovered, evidence)
      values (${uniqueId('claim')}, ${ids[key]!}, ${A}, 'T', 'lost', ${status}, ${amount}, ${currency}, ${recovered}, '{}'::jsonb)`;
  await claim('a3', 20, 'USD', 'filed', null);
  await claim('a4', 50, 'EUR', 'approved', 40);
  await claim('a4', 30, 'EUR', 'denied', null);

  // Reships: a3 twice in USD (7.50 + 19.90, then 8.10 + 19.90 + 2.00 insurance, total stored),
  // a4 once in EUR (6.20 + 30, written before total_cost existed: its total is computed).
  const reship = (
    key: string,
    n: number,
    postage: number,
    goodsCost: number,
    currency: string,
    premium: number,
    total: number | null,
  ) =>
    db.sql`insert into reship_orders
      (idempotency_key, original_shipment_id, replacement_shipment_id, warehouse_id, carrier,
       tracking_number, label_id, postage, goods_cost, currency, insured, insurance_premium, total_cost)
      values (${uniqueId('reship')}, ${ids[key]!}, ${`${ids[key]}~R${n}`}, 'wh-us-ca', 'usps',
              ${uniqueId('SBX')}, ${uniqueId('label')}, ${postage}, ${goodsCost}, ${currency},
              ${premium > 0}, ${premium}, ${total})`;
  await reship('a3', 1, 7.5, 19.9, 'USD', 0, 27.4);
  await reship('a3', 2, 8.1, 19.9, 'USD', 2, 30);
  await reship('a4', 1, 6.2, 30, 'EUR', 0, null);
});
afterAll(async () => {
  await api?.close();
});

const get = (path: string, as: 'analyst' | 'admin' | 'ops' | 'ingest' = 'analyst') =>
  api.call('GET', path, { as });

describe('analyst figures from the read model', () => {
  it('per carrier: loss rate over resolved shipments, delay rate against the estimate, median transit from the first scan', async () => {
    const res = await get(`/v1/analytics/carriers?${WINDOW}`);
    expect(res.status).toBe(200);
    const mine = res.body.items.filter(
      (r: { carrier: string }) => r.carrier === A || r.carrier === B,
    );
    expect(mine).toEqual(
      [
        {
          carrier: A,
          shipments: 7,
          resolved: 5, // a1 a2 a3 a4 a5
          lost: 2, // a3 reshipped, a4 refunded
          lossRate: 0.4,
          delivered: 3, // a1 a2 a5
          withEstimate: 2, // a1 a2
          delayed: 1, // a2
          delayRate: 0.5,
          flagged: 3, // a3 a4 a5
          flaggedRate: 0.4286, // 3 / 7
          medianTransitDays: 4, // median of 4, 6.5, 2
        },
        {
          carrier: B,
          shipments: 2,
          resolved: 2,
          lost: 0,
          lossRate: 0,
          delivered: 1,
          withEstimate: 0,
          delayed: 0,
          delayRate: null,
          flagged: 0,
          flaggedRate: 0,
          medianTransitDays: 2.5,
        },
      ].sort((x, y) => x.carrier.localeCompare(y.carrier)),
    );
    expect(res.body).toMatchObject({
      table: 'carriers',
      filters: { from: '2019-01-01T00:00:00.000Z' },
    });
  });

  it('per lane and per month, for one carrier', async () => {
    const lanes = await get(`/v1/analytics/lanes?${WINDOW}&carrier=${A}`);
    expect(lanes.body.items).toEqual([
      {
        origin: 'CN',
        destination: 'DE',
        shipments: 4, // a4 a5 a6 a7
        resolved: 2,
        lost: 1,
        lossRate: 0.5,
        delivered: 1,
        withEstimate: 0,
        delayed: 0,
        delayRate: null,
        flagged: 2,
        flaggedRate: 0.5,
        medianTransitDays: 2,
      },
      {
        origin: 'CN',
        destination: 'US',
        shipments: 3, // a1 a2 a3
        resolved: 3,
        lost: 1,
        lossRate: 0.3333,
        delivered: 2,
        withEstimate: 2,
        delayed: 1,
        delayRate: 0.5,
        flagged: 1,
        flaggedRate: 0.3333,
        medianTransitDays: 5.25, // median of 4 and 6.5
      },
    ]);
    const months = await get(`/v1/analytics/months?${WINDOW}&carrier=${A}`);
    expect(months.body.items.map((m: { month: string }) => m.month)).toEqual([
      '2019-01',
      '2019-02',
    ]);
    expect(months.body.items[0]).toMatchObject({ shipments: 3, lossRate: 0.3333, delayRate: 0.5 });
    expect(months.body.items[1]).toMatchObject({
      shipments: 4,
      lossRate: 0.5,
      medianTransitDays: 2,
    });
  });

  it('filters by shipping date (to is exclusive) and by destination country', async () => {
    const january = await get(`/v1/analytics/months?from=2019-01-01&to=2019-02-03&carrier=${A}`);
    // a4 shipped exactly at 2019-02-03T00:00Z: excluded by an exclusive `to`.
    expect(january.body.items.map((m: { month: string }) => m.month)).toEqual(['2019-01']);
    const toGermany = await get(`/v1/analytics/carriers?${WINDOW}&destination=DE&carrier=${A}`);
    expect(toGermany.body.items).toHaveLength(1);
    expect(toGermany.body.items[0]).toMatchObject({ carrier: A, shipments: 4, lost: 1 });
    const withLate = await get(`/v1/analytics/carriers?from=2019-01-01&to=2019-04-01&carrier=${A}`);
    expect(withLate.body.items[0]).toMatchObject({ shipments: 8, lost: 3 });
  });

  it('handling: hours from suspicion to decision and to the first customer notice, p50 and p90', async () => {
    const res = await get(`/v1/analytics/handling?${WINDOW}&carrier=${A}`);
    expect(res.body.items).toEqual([
      // decisions 1, 3, 2 h → p50 2; p90 at rank 1.8 of [1, 2, 3] = 2 + 0.8 × 1
      { measure: 'suspicion_to_decision', count: 3, p50Hours: 2, p90Hours: 2.8 },
      // notices 0.5, 0.25, 1 h → p50 0.5; p90 at rank 1.8 of [0.25, 0.5, 1] = 0.5 + 0.8 × 0.5
      { measure: 'suspicion_to_customer_notice', count: 3, p50Hours: 0.5, p90Hours: 0.9 },
    ]);
  });

  it('claims: recovery rate over settled claims, per currency', async () => {
    const res = await get(`/v1/analytics/claims?${WINDOW}&carrier=${A}`);
    expect(res.body.items).toEqual([
      {
        carrier: A,
        currency: 'EUR',
        claims: 2,
        settled: 2,
        recovered: 1,
        amountClaimed: 80,
        amountSettled: 80,
        amountRecovered: 40,
        recoveryRate: 0.5,
      },
      {
        carrier: A,
        currency: 'USD',
        claims: 1,
        settled: 0,
        recovered: 0,
        amountClaimed: 20,
        amountSettled: 0,
        amountRecovered: 0,
        recoveryRate: null,
      },
    ]);
  });

  it('reships: postage, goods and insurance per carrier of the lost parcel', async () => {
    const res = await get(`/v1/analytics/reships?${WINDOW}&carrier=${A}`);
    expect(res.body.items).toEqual([
      {
        carrier: A,
        currency: 'EUR',
        reships: 1,
        insured: 0,
        postage: 6.2,
        goodsCost: 30,
        insurancePremium: 0,
        totalCost: 36.2,
        averageCost: 36.2,
      },
      {
        carrier: A,
        currency: 'USD',
        reships: 2,
        insured: 1,
        postage: 15.6,
        goodsCost: 39.8,
        insurancePremium: 2,
        totalCost: 57.4, // 27.40 + 30.00
        averageCost: 28.7,
      },
    ]);
  });

  it('risk: a lane is flagged above the loss-rate threshold only with enough resolved shipments', async () => {
    const mine = (items: { carrier: string }[]) =>
      items.filter((r) => r.carrier === A || r.carrier === B);
    const flagged = await get(`/v1/analytics/risk?${WINDOW}&threshold=0.4&minSample=2`);
    expect(flagged.body.filters).toMatchObject({ threshold: 0.4, minSample: 2 });
    expect(mine(flagged.body.items)).toEqual([
      {
        carrier: A,
        origin: 'CN',
        destination: 'DE',
        resolved: 2,
        lost: 1,
        lossRate: 0.5,
        highRisk: true,
      },
      {
        carrier: A,
        origin: 'CN',
        destination: 'US',
        resolved: 3,
        lost: 1,
        lossRate: 0.3333,
        highRisk: false,
      },
      {
        carrier: B,
        origin: 'DE',
        destination: 'FR',
        resolved: 2,
        lost: 0,
        lossRate: 0,
        highRisk: false,
      },
    ]);
    const tooFew = await get(`/v1/analytics/risk?${WINDOW}&threshold=0.4&minSample=3&carrier=${A}`);
    expect(tooFew.body.items.every((r: { highRisk: boolean }) => !r.highRisk)).toBe(true);
  });
});

describe('exports and charts', () => {
  it('every table comes as CSV with a header row, by ?format=csv or Accept: text/csv', async () => {
    const res = await get(`/v1/analytics/lanes?${WINDOW}&carrier=${A}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=lanes.csv');
    expect(res.body).toBe(
      'origin,destination,shipments,resolved,lost,lossRate,delivered,withEstimate,delayed,delayRate,flagged,flaggedRate,medianTransitDays\r\n' +
        'CN,DE,4,2,1,0.5,1,0,0,,2,0.5,2\r\n' +
        'CN,US,3,3,1,0.3333,2,2,1,0.5,1,0.3333,5.25\r\n',
    );
    for (const table of ['carriers', 'months', 'handling', 'claims', 'reships', 'risk']) {
      const csv = await api.call('GET', `/v1/analytics/${table}?${WINDOW}&carrier=${A}`, {
        as: 'admin',
        headers: { accept: 'text/csv' },
      });
      expect(csv.headers.get('content-type'), table).toMatch(/^text\/csv/);
      expect(String(csv.body).split('\r\n')[0], table).toMatch(/^[a-zA-Z]+(,[a-zA-Z0-9]+)+$/);
    }
  });

  it('a carrier name with a comma, quotes and a formula sign is quoted per RFC 4180 and cannot run in a spreadsheet', async () => {
    const res = await get(
      `/v1/analytics/carriers?${WINDOW}&carrier=${encodeURIComponent(ODD)}&format=csv`,
    );
    const [, row] = String(res.body).split('\r\n');
    expect(row).toBe(`"'${ODD.replace(/"/g, '""')}",1,0,0,,0,0,0,,0,0,`);
  });

  it('a table as an SVG chart: one bar per carrier, accessible title and description', async () => {
    const res = await api.call('GET', `/v1/analytics/carriers.svg?${WINDOW}&carrier=${A}`, {
      as: 'analyst',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = String(res.body);
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toContain(
      '<title id="chart-title">Loss rate per carrier (shipped 2019-01-01 to 2019-03-01',
    );
    expect(svg).toContain(`${A} 40 % of 7 shipments`);
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(1);
    const months = await get(
      `/v1/analytics/months.svg?${WINDOW}&carrier=${A}&metric=medianTransitDays`,
    );
    expect(String(months.body).match(/<circle class="point"/g)).toHaveLength(2);
  });
});

describe('who may read analytics, and bad requests', () => {
  it('analysts and admins read the numbers; ops and ingest keys are refused; no key is 401', async () => {
    expect((await get('/v1/analytics/carriers', 'admin')).status).toBe(200);
    const ops = await get('/v1/analytics/carriers', 'ops');
    expect(ops.status).toBe(403);
    expect(ops.body.code).toBe('auth.forbidden');
    expect((await get('/v1/analytics/claims', 'ingest')).status).toBe(403);
    expect((await api.call('GET', '/v1/analytics/carriers')).status).toBe(401);
  });

  it('unknown tables are 404 and bad filters are 400 naming the field', async () => {
    const unknown = await get('/v1/analytics/survey');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.body.code).toBe('analytics.unknown_table');
    const bad = await get('/v1/analytics/carriers?from=last-week&destination=XX&threshold=2');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'destination',
      'from',
      'threshold',
    ]);
    const backwards = await get('/v1/analytics/carriers?from=2019-03-01&to=2019-01-01');
    expect(backwards.body.errors).toEqual([{ path: 'to', message: 'must be later than from' }]);
    const metric = await get('/v1/analytics/carriers.svg?metric=vibes');
    expect(metric.status).toBe(400);
    expect(metric.body.errors[0].path).toBe('metric');
  });

  it('the index lists every table with its JSON, CSV and SVG addresses', async () => {
    const res = await get('/v1/analytics');
    expect(res.body.tables.map((t: { name: string }) => t.name)).toEqual([
      'carriers',
      'lanes',
      'months',
      'handling',
      'claims',
      'reships',
      'risk',
    ]);
    expect(res.body.tables[0]).toMatchObject({ svg: '/v1/analytics/carriers.svg' });
  });
});
