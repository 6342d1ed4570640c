import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client';
import { shipments } from '../../src/db/schema';
import {
  createEstimator,
  estimateSubjectOf,
  laneFigures,
} from '../../src/estimates/estimates.repository';
import { isDated, type ExpectedDelivery } from '../../src/estimates/estimate';
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
    // A day after shipping: all of the lane's parcels took longer, so its figures are all of them.
    const estimator = createEstimator(database.db, {
      minSample: 4,
      clock: () => new Date('2026-03-03T00:00:00.000Z'),
    });
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
    if (!isDated(first)) throw new Error('expected a dated estimate');
    expect(Date.parse(first.latest)).toBeGreaterThan(Date.parse(first.date));
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

describe('lane estimates of a parcel still on the way', () => {
  /** Parcels of one carrier on CN → ES, shipped 60 days ago, delivered after the given days. */
  async function deliveredToSpain(carrier: string, transitDays: number[]) {
    const shippedAt = new Date(Date.now() - 60 * DAY);
    for (const days of transitDays) {
      const reg = aRegistration({
        carrier,
        shippedAt: shippedAt.toISOString(),
        destination: { ...aRegistration().destination, country: 'ES' },
      });
      await database.db.insert(shipments).values({
        ...shipmentRow(reg),
        stage: 'closed',
        resolution: 'delivered',
        deliveredAt: new Date(shippedAt.getTime() + days * DAY),
      });
    }
  }

  /** A parcel of the carrier on CN → ES shipped two days ago, as its read-model row. */
  function onTheWayToSpain(carrier: string) {
    const shippedAt = new Date(Date.now() - 2 * DAY);
    const reg = aRegistration({
      carrier,
      shippedAt: shippedAt.toISOString(),
      destination: { ...aRegistration().destination, country: 'ES' },
    });
    return { shippedAt, row: shipmentRow(reg) as Parameters<typeof estimateSubjectOf>[0] };
  }

  it('moves later and narrows as days pass, from the parcels that took longer, and ends in no reliable date when too few did', async () => {
    const carrier = uniqueId('latecarrier');
    // 40 deliveries of 1 to 40 days.
    await deliveredToSpain(
      carrier,
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const { shippedAt, row } = onTheWayToSpain(carrier);
    let now = shippedAt;
    const estimator = createEstimator(database.db, { clock: () => now });
    const at = async (days: number): Promise<ExpectedDelivery | undefined> => {
      now = new Date(shippedAt.getTime() + days * DAY + 3_600_000);
      return estimator.estimate(estimateSubjectOf(row));
    };

    const day0 = await at(0);
    const day10 = await at(10);
    const day20 = await at(20);
    if (!isDated(day0) || !isDated(day10) || !isDated(day20)) throw new Error('dated estimates');
    expect(day0).toMatchObject({ basis: 'lane', sampleSize: 40 });
    expect(day0.afterDays).toBeUndefined();
    // After 10 days: the 30 parcels that took 11 to 40 days (median 25.5, p90 37.1).
    expect(day10).toMatchObject({ basis: 'lane', sampleSize: 30, afterDays: 10 });
    expect(Date.parse(day10.date)).toBeCloseTo(shippedAt.getTime() + 25.5 * DAY, -3);
    expect(day20).toMatchObject({ basis: 'lane', sampleSize: 20, afterDays: 20 });
    const days = [day0, day10, day20];
    for (const [i, d] of days.entries()) {
      if (i === 0) continue;
      expect(Date.parse(d.earliest)).toBeGreaterThan(Date.parse(days[i - 1]!.earliest));
      expect(Date.parse(d.latest)).toBeGreaterThanOrEqual(Date.parse(days[i - 1]!.latest));
    }
    // Narrower: the range after 20 days is shorter than the unconditional one.
    const width = (d: typeof day0) => Date.parse(d.latest) - Date.parse(d.earliest);
    expect(width(day20)).toBeLessThan(width(day0));

    // After 25 days only 15 of the 40 took longer: no reliable date, and why.
    expect(await at(25)).toEqual({
      basis: 'overdue',
      sampleSize: 15,
      afterDays: 25,
      laneSampleSize: 40,
    });
  });

  it('never ends before now, and is read once per lane and whole day under way', async () => {
    const carrier = uniqueId('daycarrier');
    // 25 parcels that all took between 5 and 5.5 days.
    await deliveredToSpain(
      carrier,
      Array.from({ length: 25 }, (_, i) => 5 + (i + 1) / 50),
    );
    const { shippedAt, row } = onTheWayToSpain(carrier);
    // 5.9 days under way: all 25 took longer than 5 whole days, but less than it has been.
    let now = new Date(shippedAt.getTime() + 5.9 * DAY);
    const estimator = createEstimator(database.db, { clock: () => now });
    const late = await estimator.estimate(estimateSubjectOf(row));
    if (!isDated(late)) throw new Error('a dated estimate');
    expect(late).toMatchObject({ basis: 'lane', sampleSize: 25, afterDays: 5 });
    expect(Date.parse(late.latest)).toBeGreaterThanOrEqual(now.getTime());
    expect(Date.parse(late.earliest)).toBeGreaterThanOrEqual(now.getTime());

    // The same whole day reads the cached figures; the next day reads them again.
    await deliveredToSpain(carrier, [9, 9, 9]);
    now = new Date(now.getTime() + 0.05 * DAY);
    expect((await estimator.estimate(estimateSubjectOf(row)))?.sampleSize).toBe(25);
    now = new Date(shippedAt.getTime() + 6.1 * DAY);
    expect(await estimator.estimate(estimateSubjectOf(row))).toMatchObject({
      basis: 'overdue',
      sampleSize: 3,
      afterDays: 6,
      laneSampleSize: 28,
    });
  });
});
