import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipments } from '../../src/db/schema';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import type { Resolution } from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

/** A read-model row of a carrier of this test alone, shipped in March 2018. */
async function shipped(carrier: string, origin: string, day: string, resolution?: Resolution) {
  const reg = aRegistration({
    carrier,
    origin: { country: origin },
    shippedAt: `2018-03-${day}T10:00:00Z`,
  });
  await api.db.insert(shipments).values(
    shipmentRow(reg, {
      stage: resolution ? 'closed' : 'monitoring',
      resolution: resolution ?? null,
    }),
  );
}

describe('analytics filters for the charts', () => {
  it('a lane (origin and destination), a carrier and a date range select the shipments, and every answer gives its sample sizes', async () => {
    const carrier = uniqueId('lane-post');
    // CN → US: three shipped in range (two resolved, one lost), one after it; DE → US: one.
    await shipped(carrier, 'CN', '01', 'delivered');
    await shipped(carrier, 'CN', '02', 'reshipped');
    await shipped(carrier, 'CN', '03');
    await shipped(carrier, 'CN', '25', 'delivered');
    await shipped(carrier, 'DE', '02', 'delivered');

    const q = `carrier=${carrier}&from=2018-03-01&to=2018-03-20`;
    const lane = await api.call('GET', `/v1/analytics/lanes?${q}&origin=CN&destination=US`, {
      as: 'analyst',
    });
    expect(lane.status).toBe(200);
    expect(lane.body.filters).toMatchObject({ carrier, origin: 'CN', destination: 'US' });
    expect(lane.body.items).toEqual([
      expect.objectContaining({
        origin: 'CN',
        destination: 'US',
        shipments: 3,
        resolved: 2,
        lost: 1,
        lossRate: 0.5,
      }),
    ]);
    expect(lane.body.sampleSize).toBe(3);
    expect(lane.body.rateSamples).toMatchObject({ lossRate: 'resolved', flaggedRate: 'shipments' });

    const carriers = await api.call('GET', `/v1/analytics/carriers?${q}`, { as: 'analyst' });
    expect(carriers.body.items).toEqual([expect.objectContaining({ carrier, shipments: 4 })]);
    expect(carriers.body.sampleSize).toBe(4);

    const fromDe = await api.call('GET', `/v1/analytics/carriers?${q}&origin=DE`, {
      as: 'analyst',
    });
    expect(fromDe.body.items).toEqual([expect.objectContaining({ shipments: 1, lost: 0 })]);

    const bad = await api.call('GET', '/v1/analytics/lanes?origin=China', { as: 'analyst' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('origin');
  });
});
