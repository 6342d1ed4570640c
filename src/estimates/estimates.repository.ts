import { and, eq, gte, isNotNull, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { ratesForLane } from '../channels/channel.repository';
import type { Db } from '../db/client';
import { shipments } from '../db/schema/shipments';
import {
  DAY_MS,
  daysUnderWay,
  estimateDelivery,
  MIN_LANE_SAMPLE,
  type ExpectedDelivery,
  type LaneFigures,
} from './estimate';

/** Deliveries older than this say little about a carrier's lane today. */
export const LANE_LOOKBACK_DAYS = 365;

/**
 * Transit days (shipped → delivered) of the parcels a carrier delivered on a lane within the look-
 * back, as median and 90th percentile, of those that took longer than `afterDays` (a parcel under
 * way that long is compared with those that took longer), with the lane's whole sample size. One
 * query, served by the partial index `shipments_lane_delivered_idx`.
 */
export async function laneFigures(
  db: Db,
  lane: { carrier: string; originCountry: string; destinationCountry: string },
  asOf: Date = new Date(),
  afterDays = 0,
): Promise<LaneFigures> {
  const days = sql`extract(epoch from (${shipments.deliveredAt} - ${shipments.shippedAt})) / 86400.0`;
  const longer = afterDays > 0 ? sql`${days} > ${afterDays}` : sql`true`;
  const since = new Date(asOf.getTime() - LANE_LOOKBACK_DAYS * DAY_MS);
  const [row] = await db
    .select({
      laneSampleSize: sql<number>`count(*)`.mapWith(Number),
      sampleSize: sql<number>`count(*) filter (where ${longer})`.mapWith(Number),
      medianDays: sql<
        number | null
      >`percentile_cont(0.5) within group (order by ${days}) filter (where ${longer})`,
      p90Days: sql<
        number | null
      >`percentile_cont(0.9) within group (order by ${days}) filter (where ${longer})`,
    })
    .from(shipments)
    .where(
      and(
        eq(shipments.carrier, lane.carrier),
        eq(shipments.originCountry, lane.originCountry),
        eq(shipments.destinationCountry, lane.destinationCountry),
        isNotNull(shipments.deliveredAt),
        gte(shipments.deliveredAt, since),
        // A delivery recorded before the parcel left is a data error, not a transit time.
        sql`${shipments.deliveredAt} >= ${shipments.shippedAt}`,
      ),
    );
  return {
    sampleSize: row?.sampleSize ?? 0,
    medianDays: row?.medianDays == null ? NaN : Number(row.medianDays),
    p90Days: row?.p90Days == null ? NaN : Number(row.p90Days),
    afterDays,
    laneSampleSize: row?.laneSampleSize ?? 0,
  };
}

/**
 * The channel's stated transit days for a carrier on a lane: its service's rate when the service
 * is known, else the carrier's slowest rate on the lane (never promise earlier than it says).
 */
export async function channelDays(
  db: Db,
  lane: { carrier: string; originCountry: string; destinationCountry: string },
  service: string | undefined,
): Promise<number | undefined> {
  const rates = (await ratesForLane(db, lane.originCountry, lane.destinationCountry)).filter(
    (r) => r.carrier === lane.carrier,
  );
  const exact = service ? rates.find((r) => r.service === service) : undefined;
  if (exact) return exact.serviceDays;
  return rates.length ? Math.max(...rates.map((r) => r.serviceDays)) : undefined;
}

/** What the estimator needs to know of a shipment. */
export interface EstimateSubject {
  carrier: string;
  originCountry: string;
  destinationCountry: string;
  service?: string | undefined;
  shippedAt: string;
  /** The workflow's latest estimate (revised as scans arrive), else the registration's. */
  carrierEstimate?: string | undefined;
  /** When the carrier delivered it: a delivered parcel's figures are not conditioned on its age. */
  deliveredAt?: string | undefined;
}

export interface EstimatorOptions {
  /** How long lane figures are reused before being read again. */
  ttlMs?: number;
  /** Lane figures kept in memory at most (one per lane and whole days under way). */
  maxLanes?: number;
  minSample?: number;
  clock?: () => Date;
}

interface LaneEntry {
  figures: LaneFigures;
  /** Stated transit days by service ('' = the carrier's slowest). */
  channelDays: Map<string, number | undefined>;
}

/**
 * Expected deliveries with the lane figures cached per carrier, lane and whole days under way (an
 * LRU with a TTL that also merges concurrent reads of the same key), so a page of shipments is not
 * a query each.
 */
export function createEstimator(db: Db, options: EstimatorOptions = {}) {
  const clock = options.clock ?? (() => new Date());
  type LaneKey = EstimateSubject & { afterDays: number };
  const cache = new LRUCache<string, LaneEntry, LaneKey>({
    max: options.maxLanes ?? 20_000,
    ttl: options.ttlMs ?? 15 * 60_000,
    fetchMethod: async (_key, _stale, { context }) => ({
      figures: await laneFigures(db, context, clock(), context.afterDays),
      channelDays: new Map(),
    }),
  });

  return {
    async estimate(s: EstimateSubject): Promise<ExpectedDelivery | undefined> {
      // A parcel not yet delivered is compared with the parcels that took longer than it has.
      const now = s.deliveredAt ? undefined : clock().toISOString();
      const fromCarrier = estimateDelivery({
        shippedAt: s.shippedAt,
        now,
        carrierEstimate: s.carrierEstimate,
      });
      if (fromCarrier) return fromCarrier;
      const afterDays = now ? daysUnderWay(s.shippedAt, now) : 0;
      const key = `${s.carrier}\u0000${s.originCountry}\u0000${s.destinationCountry}\u0000${afterDays}`;
      const entry = await cache.fetch(key, { context: { ...s, afterDays } });
      if (!entry) return undefined;
      const serviceKey = s.service ?? '';
      if (!entry.channelDays.has(serviceKey)) {
        entry.channelDays.set(serviceKey, await channelDays(db, s, s.service));
      }
      return estimateDelivery({
        shippedAt: s.shippedAt,
        now,
        lane: entry.figures,
        channelDays: entry.channelDays.get(serviceKey),
        minSample: options.minSample ?? MIN_LANE_SAMPLE,
      });
    },
    /** Forgets the cached figures (tests, or after a bulk import of deliveries). */
    clear(): void {
      cache.clear();
    },
  };
}
export type Estimator = ReturnType<typeof createEstimator>;

/** The estimate's subject from a read-model row and the workflow state (or its snapshot). */
export function estimateSubjectOf(
  row: {
    carrier: string;
    originCountry: string;
    destinationCountry: string;
    shippedAt: Date;
    deliveredAt?: Date | null;
    registration: { service?: string | undefined; expectedDeliveryAt?: string | undefined };
  },
  state?: { expectedDeliveryAt?: string | undefined } | null,
): EstimateSubject {
  return {
    carrier: row.carrier,
    originCountry: row.originCountry,
    destinationCountry: row.destinationCountry,
    service: row.registration.service,
    shippedAt: row.shippedAt.toISOString(),
    carrierEstimate: state?.expectedDeliveryAt ?? row.registration.expectedDeliveryAt,
    ...(row.deliveredAt ? { deliveredAt: row.deliveredAt.toISOString() } : {}),
  };
}
