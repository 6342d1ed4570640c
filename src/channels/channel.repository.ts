import { and, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { channelRates, shipments } from '../db/schema';
import {
  ratesForLaneFrom,
  type ChannelRate,
  type LaneLossStats,
  type RateCardRow,
} from './channel-choice';

/** Resolutions that mean the parcel was given up as lost (or damaged beyond use). */
export const LOSS_RESOLUTIONS = ['reshipped', 'refunded'] as const;

const toCardRow = (r: typeof channelRates.$inferSelect): RateCardRow => ({
  carrier: r.carrier,
  service: r.service,
  originCountry: r.originCountry,
  destinationCountry: r.destinationCountry,
  serviceDays: r.serviceDays,
  postage: r.postage,
  currency: r.currency,
  insurable: r.insurable,
});

/**
 * The rate table's channels for a lane: per carrier and service, the most specific row (exact
 * countries beat `*`, origin before destination).
 */
export async function ratesForLane(
  db: Db,
  originCountry: string,
  destinationCountry: string,
): Promise<ChannelRate[]> {
  const rows = await db
    .select()
    .from(channelRates)
    .where(
      and(
        inArray(channelRates.originCountry, [originCountry, '*']),
        inArray(channelRates.destinationCountry, [destinationCountry, '*']),
      ),
    );
  return ratesForLaneFrom(rows.map(toCardRow), originCountry, destinationCountry);
}

/** The whole rate table (a few hundred rows at most), by carrier, service and lane. */
export async function allRates(db: Pick<Db, 'select'>): Promise<RateCardRow[]> {
  const rows = await db
    .select()
    .from(channelRates)
    .orderBy(
      channelRates.carrier,
      channelRates.service,
      channelRates.originCountry,
      channelRates.destinationCountry,
    );
  return rows.map(toCardRow);
}

/**
 * Our own history per carrier on a lane, from the read model: shipments that ended (cancelled
 * ones say nothing about the carrier) and how many of them were replaced or refunded.
 */
export async function lossStatsForLane(
  db: Db,
  originCountry: string,
  destinationCountry: string,
): Promise<LaneLossStats[]> {
  const rows = await db
    .select({
      carrier: shipments.carrier,
      finished: sql<number>`count(*)`.mapWith(Number),
      lost: sql<number>`count(*) filter (where ${inArray(shipments.resolution, [...LOSS_RESOLUTIONS])})`.mapWith(
        Number,
      ),
    })
    .from(shipments)
    .where(
      and(
        eq(shipments.originCountry, originCountry),
        eq(shipments.destinationCountry, destinationCountry),
        isNotNull(shipments.resolution),
        ne(shipments.resolution, 'cancelled'),
      ),
    )
    .groupBy(shipments.carrier);
  return rows;
}
