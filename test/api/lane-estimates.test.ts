import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client';
import { shipments } from '../../src/db/schema';
import {
  createEstimator,
  estimateSubjectOf,
  laneFigures,
} from '../../src/estimates/estimates.repository';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import { aRegistration, uniqueId } from '../helpers/factories';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';

const DAY = 24 * 60 * 60 * 1000;
let own: OwnDatabase;
let database: Database;

beforeAll(async () => {
  own = await ownDatabase();
  database = connectDatabase(own.url, { max: 3 });
});
afterAll(async () => {
  await database?.close();
  await own?.drop();
});

/** Parcels of one carrier on CN → DE delivered after the given transit days. */
async function delivered(carrier: string, transitDays: number[], destination = 'DE') {
  const now = Date.now();
  for (const days of transitDays) {
    const shippedAt = new Date(now - 30 * DAY);
    const reg = aRegistration({
      carrier,
      shippedAt: shippedAt.toISOString(),
      destination: { ...aRegistration().destination, country: destination },
    });
    await database.db.insert(shipments).values({
      ...shipmentRow(reg),
      stage: 'closed',
      resolution: 'delivered',
      deliveredAt: new Date(shippedAt.getTime() + days * DAY),
    });
  }
}

describe('lane transit figures from delivered parcels', () => {
  it("are the median and 90th percentile of one carrier's transit days on one lane", async () => {
    const carrier = uniqueId('lanecarrier');
    await delivered(carrier, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Another lane and parcels still under way say nothing about this lane.
    await delivered(carrier, [30, 30, 30], 'FR');
    await database.db.insert(shipments).values(shipmentRow(aRegistration({ carrier })));
    const figures = await laneFigures(database.db, {
      carrier,
      originCountry: 'CN',
      destinationCountry: 'DE',
    });
    expect(figures.sampleSize).toBe(10);
    expect(figures.medianDays).toBeCloseTo(5.5, 5);
    expect(figures.p90Days).toBeCloseTo(9.1, 5);
  });

  it('is an empty sample on a lane without deliveries', async () => {
    const figures = await laneFigures(database.db, {
      carrier: uniqueId('nobody'),
      originCountry: 'CN',
      destinationCountry: 'DE',
    });
    expect(figures.sampleSize).toBe(0);
  });

  it('gives a shipment without a carrier estimate a lane range once the sample is big enough, read once per lane', async () => {
    const carrier = uniqueId('estcarrier');
    await delivered(carrier, [4, 4, 5, 6]);
    const estimator = createEstimator(database.db, { minSample: 4 });
    const reg = aRegistration({
      carrier,
      shippedAt: '2026-03-02T00:00:00.000Z',
      destination: { ...aRegistration().destination, country: 'DE' },
    });
    const row = shipmentRow(reg) as Parameters<typeof estimateSubjectOf>[0];
    const first = await estimator.estimate(estimateSubjectOf(row));
    expect(first).toMatchObject({
      basis: 'lane',
      sampleSize: 4,
      date: '2026-03-06T12:00:00.000Z',
    });
    expect(Date.parse(first!.latest)).toBeGreaterThan(Date.parse(first!.date));
    // Cached: a new delivery on the lane is not seen until the figures expire.
    await delivered(carrier, [20, 20, 20, 20]);
    expect((await estimator.estimate(estimateSubjectOf(row)))?.sampleSize).toBe(4);
    estimator.clear();
    expect((await estimator.estimate(estimateSubjectOf(row)))?.sampleSize).toBe(8);
    // The carrier's estimate, when there is one, wins.
    expect(
      (
        await estimator.estimate(
          estimateSubjectOf(row, { expectedDeliveryAt: '2026-03-09T00:00:00Z' }),
        )
      )?.basis,
    ).toBe('carrier');
  });
});
