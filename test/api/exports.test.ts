import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims, reviews } from '../../src/db/schema';
import { aRegistration, insertShipmentRow } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

/** A carrier code of this test alone, so filters see only its rows. */
const aCarrier = () => `zz${randomBytes(4).toString('hex')}`;

/** The CSV as header + rows of fields (no field in these tests holds a comma or a quote). */
async function csv(path: string, as: 'ops' | 'analyst' = 'analyst') {
  const res = await fetch(`${api.url}${path}`, {
    headers: { authorization: `Bearer ${api.keys[as]}` },
  });
  const text = await res.text();
  const [header, ...rows] = text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
  return { res, text, header: header ?? [], rows };
}

describe.concurrent('CSV exports of the lists as they are filtered', () => {
  it('shipments: the same filters as the list (carrier, destination, search), every row, nothing else', async () => {
    const carrier = aCarrier();
    const us = [aRegistration({ carrier }), aRegistration({ carrier })];
    const de = aRegistration({
      carrier,
      destination: { ...aRegistration().destination, country: 'DE' },
    });
    for (const r of [...us, de, aRegistration()]) await insertShipmentRow(api.db, r);

    const all = await csv(`/v1/shipments.csv?carrier=${carrier}`);
    expect(all.res.status).toBe(200);
    expect(all.res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(all.res.headers.get('content-disposition')).toMatch(
      /attachment; filename="?shipments-\d{4}-\d{2}-\d{2}\.csv/,
    );
    const id = all.header.indexOf('shipmentId');
    expect(all.rows.map((r) => r[id]).sort()).toEqual([...us, de].map((r) => r.shipmentId).sort());

    const toUs = await csv(`/v1/shipments.csv?carrier=${carrier}&destination=US`);
    expect(toUs.rows.map((r) => r[id]).sort()).toEqual(us.map((r) => r.shipmentId).sort());

    const found = await csv(`/v1/shipments.csv?q=${encodeURIComponent(de.orderId)}`);
    expect(found.rows.map((r) => r[id])).toEqual([de.shipmentId]);
    expect(found.rows[0]![found.header.indexOf('customerName')]).toBe(de.customer.name);

    const bad = await api.call('GET', '/v1/shipments.csv?orderNo=1', { as: 'analyst' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail ?? JSON.stringify(bad.body)).toContain('orderNo');
  });

  it('reviews: the pending queue filtered by reason and carrier', async () => {
    const carrier = aCarrier();
    const stalled = aRegistration({ carrier });
    const overdue = aRegistration({ carrier });
    for (const r of [stalled, overdue]) await insertShipmentRow(api.db, r);
    await api.db.insert(reviews).values([
      {
        shipmentId: stalled.shipmentId,
        round: 1,
        reason: 'stalled',
        detectedAt: new Date(Date.now() - 60_000),
        slaDeadline: new Date(Date.now() + 3_600_000),
      },
      {
        shipmentId: overdue.shipmentId,
        round: 1,
        reason: 'overdue',
        detectedAt: new Date(Date.now() - 30_000),
        slaDeadline: new Date(Date.now() + 3_600_000),
      },
    ]);

    const both = await csv(`/v1/reviews.csv?carrier=${carrier}`, 'ops');
    expect(both.res.status).toBe(200);
    const id = both.header.indexOf('shipmentId');
    expect(both.rows.map((r) => r[id])).toEqual([stalled.shipmentId, overdue.shipmentId]);

    const one = await csv(`/v1/reviews.csv?carrier=${carrier}&reason=overdue`, 'ops');
    expect(one.rows.map((r) => [r[id], r[one.header.indexOf('reason')]])).toEqual([
      [overdue.shipmentId, 'overdue'],
    ]);

    const bad = await api.call('GET', '/v1/reviews.csv?reason=bored', { as: 'ops' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('reason');
  });

  it("claims: the same filters as the list (status, carrier), our id and the carrier's number in their own columns", async () => {
    const carrier = aCarrier();
    const ids: Record<string, number> = {};
    for (const status of ['filed', 'denied']) {
      const reg = aRegistration({ carrier });
      await insertShipmentRow(api.db, reg);
      const [row] = await api.db
        .insert(claims)
        .values({
          idempotencyKey: `claim:${reg.shipmentId}:open`,
          shipmentId: reg.shipmentId,
          carrier,
          trackingNumber: reg.trackingNumber,
          reason: 'lost',
          status,
          amount: 19.9,
          currency: 'USD',
          evidence: {},
          claimId: `CLM-${status}`,
        })
        .returning({ id: claims.id });
      ids[status] = row!.id;
    }

    const filed = await csv(`/v1/claims.csv?carrier=${carrier}&status=filed`);
    expect(filed.res.status).toBe(200);
    expect(filed.rows).toHaveLength(1);
    const row = Object.fromEntries(filed.header.map((h, i) => [h, filed.rows[0]![i]]));
    expect(row).toMatchObject({
      id: String(ids.filed),
      carrierClaimNumber: 'CLM-filed',
      status: 'filed',
      amountClaimed: '19.9',
    });

    const all = await csv(`/v1/claims.csv?carrier=${carrier}`);
    expect(all.rows.map((r) => r[0])).toEqual([String(ids.denied), String(ids.filed)]);

    const ingest = await api.call('GET', '/v1/claims.csv', { as: 'ingest' });
    expect(ingest.status).toBe(403);
  });
});
