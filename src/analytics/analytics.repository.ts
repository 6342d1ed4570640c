/**
 * Analytics over the read model (never the Temporal visibility API, which is rate-limited and
 * eventually consistent). Every figure is defined here and in docs/operating.md; all of them count
 * shipments selected by the filters (`from` ≤ shipped_at < `to`, carrier, destination country).
 */
import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { ClaimStatus } from '../../workflows/claim.contract';
import type { Db } from '../db/client';
import {
  claims,
  notifications,
  reshipOrders,
  reviews,
  shipments,
  trackingEvents,
} from '../db/schema';
import type { AnalyticsFilters } from './analytics.schemas';
import type { CarrierRow, DeliveryStats, LaneRow, MonthRow, RiskRow } from './analytics.types';

export type { CarrierRow, DeliveryStats, LaneRow, MonthRow, RiskRow };

/** Outcomes of a shipment that count as "the parcel was lost": the seller replaced or refunded it. */
export const LOST_RESOLUTIONS = ['reshipped', 'refunded'] as const;
/** Outcomes that count as known: cancelled and still-open shipments say nothing about loss. */
export const KNOWN_RESOLUTIONS = [
  'delivered',
  'reshipped',
  'refunded',
  'returned_to_sender',
] as const;
/** Messages that tell the customer about their parcel's problem (not ops alerts or surveys). */
export const CUSTOMER_NOTICE_KINDS = ['delay_notice', 'customs_notice', 'reshipped', 'refunded'];
/**
 * Claim statuses that end a claim (the claim workflow's vocabulary; an expired claim recovered
 * nothing and counts against the rate); a claim with a recovered amount is settled whatever its status.
 */
export const SETTLED_CLAIM_STATUSES: readonly ClaimStatus[] = [
  'approved',
  'partially_approved',
  'denied',
  'paid',
  'expired',
];

/**
 * Handling times per review round (one suspicion each), in hours:
 * - `suspicion_to_decision`: reviews.decided_at − reviews.detected_at, over decided rounds.
 * - `suspicion_to_customer_notice`: the first customer notice (delay, customs, reshipped or
 *   refunded message sent) at or after detected_at − detected_at, over rounds that had one.
 * p50 and p90 are continuous percentiles (linear interpolation, PostgreSQL percentile_cont).
 */
export interface HandlingRow {
  measure: 'suspicion_to_decision' | 'suspicion_to_customer_notice';
  count: number;
  p50Hours: number | null;
  p90Hours: number | null;
}

/**
 * Claims per carrier and currency (amounts of different currencies are never added):
 * - `claims`: claim rows; `settled`: status approved/paid/denied/rejected/closed or an amount
 *   recovered recorded; `recovered`: settled claims with an amount recovered above 0.
 * - `amountClaimed`: sum of amount over all claims; `amountSettled`: over settled ones;
 *   `amountRecovered`: sum of amount_recovered over settled ones (a denial recovers 0).
 * - `recoveryRate` = amountRecovered / amountSettled.
 */
export interface ClaimRow {
  carrier: string;
  currency: string;
  claims: number;
  settled: number;
  recovered: number;
  amountClaimed: number;
  amountSettled: number;
  amountRecovered: number;
  recoveryRate: number | null;
}

/**
 * Reship costs per carrier of the lost parcel and currency, from reship_orders:
 * `insured` replacements bought insurance; `postage`, `goodsCost` and `insurancePremium` summed;
 * `totalCost` sums each order's total_cost (goods + postage + premium; computed so for orders
 * written before that column existed); `averageCost` = totalCost / reships.
 */
export interface ReshipRow {
  carrier: string;
  currency: string;
  reships: number;
  insured: number;
  postage: number;
  goodsCost: number;
  insurancePremium: number;
  totalCost: number;
  averageCost: number;
}

const round = (v: unknown, digits: number): number | null => {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  if (!Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
const ratio = (num: number, den: number): number | null => (den > 0 ? round(num / den, 4) : null);
const money = (v: unknown): number => round(v ?? 0, 2) ?? 0;

function shipmentFilters(f: AnalyticsFilters): SQL | undefined {
  const where: SQL[] = [];
  if (f.from) where.push(gte(shipments.shippedAt, f.from));
  if (f.to) where.push(lt(shipments.shippedAt, f.to));
  if (f.carrier) where.push(eq(shipments.carrier, f.carrier));
  if (f.origin) where.push(eq(shipments.originCountry, f.origin));
  if (f.destination) where.push(eq(shipments.destinationCountry, f.destination));
  return and(...where);
}

const inList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

export function createAnalyticsRepository(db: Db) {
  const firstScan = db
    .select({
      shipmentId: trackingEvents.shipmentId,
      at: sql<Date>`min(${trackingEvents.occurredAt})`.as('first_scan_at'),
    })
    .from(trackingEvents)
    .groupBy(trackingEvents.shipmentId)
    .as('first_scan');

  const transitDays = sql`extract(epoch from (${shipments.deliveredAt} - coalesce(${firstScan.at}, ${shipments.shippedAt}))) / 86400.0`;
  const measures = {
    shipments: sql<number>`count(*)::int`,
    resolved: sql<number>`(count(*) filter (where ${shipments.resolution} in (${inList(KNOWN_RESOLUTIONS)})))::int`,
    lost: sql<number>`(count(*) filter (where ${shipments.resolution} in (${inList(LOST_RESOLUTIONS)})))::int`,
    delivered: sql<number>`(count(*) filter (where ${shipments.deliveredAt} is not null))::int`,
    withEstimate: sql<number>`(count(*) filter (where ${shipments.deliveredAt} is not null and ${shipments.expectedDeliveryAt} is not null))::int`,
    delayed: sql<number>`(count(*) filter (where ${shipments.deliveredAt} > ${shipments.expectedDeliveryAt}))::int`,
    flagged: sql<number>`(count(*) filter (where exists (select 1 from ${reviews} where ${reviews.shipmentId} = ${shipments.shipmentId})))::int`,
    medianTransitDays: sql<
      number | null
    >`(percentile_cont(0.5) within group (order by ${transitDays}))::float8`,
  };
  type Measured = { [K in keyof typeof measures]: (typeof measures)[K]['_']['type'] };

  const stats = (m: Measured): DeliveryStats => ({
    shipments: m.shipments,
    resolved: m.resolved,
    lost: m.lost,
    lossRate: ratio(m.lost, m.resolved),
    delivered: m.delivered,
    withEstimate: m.withEstimate,
    delayed: m.delayed,
    delayRate: ratio(m.delayed, m.withEstimate),
    flagged: m.flagged,
    flaggedRate: ratio(m.flagged, m.shipments),
    medianTransitDays: round(m.medianTransitDays, 2),
  });

  const month = sql<string>`to_char(${shipments.shippedAt} at time zone 'UTC', 'YYYY-MM')`;

  const byCarrierLane = (f: AnalyticsFilters) =>
    db
      .select({
        carrier: shipments.carrier,
        origin: shipments.originCountry,
        destination: shipments.destinationCountry,
        ...measures,
      })
      .from(shipments)
      .leftJoin(firstScan, eq(firstScan.shipmentId, shipments.shipmentId))
      .where(shipmentFilters(f))
      .groupBy(shipments.carrier, shipments.originCountry, shipments.destinationCountry);

  return {
    async carriers(f: AnalyticsFilters): Promise<CarrierRow[]> {
      const rows = await db
        .select({ carrier: shipments.carrier, ...measures })
        .from(shipments)
        .leftJoin(firstScan, eq(firstScan.shipmentId, shipments.shipmentId))
        .where(shipmentFilters(f))
        .groupBy(shipments.carrier)
        .orderBy(shipments.carrier);
      return rows.map((r) => ({ carrier: r.carrier, ...stats(r) }));
    },

    async lanes(f: AnalyticsFilters): Promise<LaneRow[]> {
      const rows = await db
        .select({
          origin: shipments.originCountry,
          destination: shipments.destinationCountry,
          ...measures,
        })
        .from(shipments)
        .leftJoin(firstScan, eq(firstScan.shipmentId, shipments.shipmentId))
        .where(shipmentFilters(f))
        .groupBy(shipments.originCountry, shipments.destinationCountry)
        .orderBy(shipments.originCountry, shipments.destinationCountry);
      return rows.map((r) => ({ origin: r.origin, destination: r.destination, ...stats(r) }));
    },

    async months(f: AnalyticsFilters): Promise<MonthRow[]> {
      const rows = await db
        .select({ month, ...measures })
        .from(shipments)
        .leftJoin(firstScan, eq(firstScan.shipmentId, shipments.shipmentId))
        .where(shipmentFilters(f))
        .groupBy(month)
        .orderBy(month);
      return rows.map((r) => ({ month: r.month, ...stats(r) }));
    },

    /** Carrier lanes (carrier, origin → destination), high-risk ones first. */
    async risk(f: AnalyticsFilters, threshold: number, minSample: number): Promise<RiskRow[]> {
      const rows = await byCarrierLane(f);
      return rows
        .map((r) => {
          const lossRate = ratio(r.lost, r.resolved);
          return {
            carrier: r.carrier,
            origin: r.origin,
            destination: r.destination,
            resolved: r.resolved,
            lost: r.lost,
            lossRate,
            highRisk: r.resolved >= minSample && lossRate !== null && lossRate > threshold,
          };
        })
        .sort(
          (a, b) =>
            Number(b.highRisk) - Number(a.highRisk) ||
            (b.lossRate ?? -1) - (a.lossRate ?? -1) ||
            `${a.carrier} ${a.origin} ${a.destination}`.localeCompare(
              `${b.carrier} ${b.origin} ${b.destination}`,
            ),
        );
    },

    /**
     * Every carrier lane's loss and delay counts in one query: what advice at registration scores
     * lanes with (cached by the advice service, so registrations add no query of their own).
     */
    async laneFigures(): Promise<
      (Pick<RiskRow, 'carrier' | 'origin' | 'destination' | 'resolved' | 'lost'> &
        Pick<DeliveryStats, 'withEstimate' | 'delayed'>)[]
    > {
      const rows = await byCarrierLane({});
      return rows.map((r) => ({
        carrier: r.carrier,
        origin: r.origin,
        destination: r.destination,
        resolved: r.resolved,
        lost: r.lost,
        withEstimate: r.withEstimate,
        delayed: r.delayed,
      }));
    },

    async handling(f: AnalyticsFilters): Promise<HandlingRow[]> {
      const decisionHours = sql`extract(epoch from (${reviews.decidedAt} - ${reviews.detectedAt})) / 3600.0`;
      const firstNotice = sql`(select min(${notifications.sentAt}) from ${notifications} where ${notifications.shipmentId} = ${reviews.shipmentId} and ${notifications.kind} in (${inList(CUSTOMER_NOTICE_KINDS)}) and ${notifications.sentAt} >= ${reviews.detectedAt})`;
      const noticeHours = sql`extract(epoch from (${firstNotice} - ${reviews.detectedAt})) / 3600.0`;
      const [r] = await db
        .select({
          decisions: sql<number>`count(${decisionHours})::int`,
          decisionP50: sql<
            number | null
          >`(percentile_cont(0.5) within group (order by ${decisionHours}))::float8`,
          decisionP90: sql<
            number | null
          >`(percentile_cont(0.9) within group (order by ${decisionHours}))::float8`,
          notices: sql<number>`count(${noticeHours})::int`,
          noticeP50: sql<
            number | null
          >`(percentile_cont(0.5) within group (order by ${noticeHours}))::float8`,
          noticeP90: sql<
            number | null
          >`(percentile_cont(0.9) within group (order by ${noticeHours}))::float8`,
        })
        .from(reviews)
        .innerJoin(shipments, eq(shipments.shipmentId, reviews.shipmentId))
        .where(shipmentFilters(f));
      return [
        {
          measure: 'suspicion_to_decision',
          count: r?.decisions ?? 0,
          p50Hours: round(r?.decisionP50, 2),
          p90Hours: round(r?.decisionP90, 2),
        },
        {
          measure: 'suspicion_to_customer_notice',
          count: r?.notices ?? 0,
          p50Hours: round(r?.noticeP50, 2),
          p90Hours: round(r?.noticeP90, 2),
        },
      ];
    },

    async claims(f: AnalyticsFilters): Promise<ClaimRow[]> {
      const settled = sql`(${claims.status} in (${inList(SETTLED_CLAIM_STATUSES)}) or ${claims.amountRecovered} is not null)`;
      const rows = await db
        .select({
          carrier: claims.carrier,
          currency: claims.currency,
          claims: sql<number>`count(*)::int`,
          settled: sql<number>`(count(*) filter (where ${settled}))::int`,
          recovered: sql<number>`(count(*) filter (where ${settled} and ${claims.amountRecovered} > 0))::int`,
          amountClaimed: sql<number>`coalesce(sum(${claims.amount}), 0)::float8`,
          amountSettled: sql<number>`coalesce(sum(${claims.amount}) filter (where ${settled}), 0)::float8`,
          amountRecovered: sql<number>`coalesce(sum(${claims.amountRecovered}) filter (where ${settled}), 0)::float8`,
        })
        .from(claims)
        .innerJoin(shipments, eq(shipments.shipmentId, claims.shipmentId))
        .where(shipmentFilters(f))
        .groupBy(claims.carrier, claims.currency)
        .orderBy(claims.carrier, claims.currency);
      return rows.map((r) => ({
        carrier: r.carrier,
        currency: r.currency,
        claims: r.claims,
        settled: r.settled,
        recovered: r.recovered,
        amountClaimed: money(r.amountClaimed),
        amountSettled: money(r.amountSettled),
        amountRecovered: money(r.amountRecovered),
        recoveryRate: r.amountSettled > 0 ? round(r.amountRecovered / r.amountSettled, 4) : null,
      }));
    },

    async reships(f: AnalyticsFilters): Promise<ReshipRow[]> {
      const rows = await db
        .select({
          carrier: shipments.carrier,
          currency: reshipOrders.currency,
          reships: sql<number>`count(*)::int`,
          insured: sql<number>`(count(*) filter (where ${reshipOrders.insured}))::int`,
          postage: sql<number>`coalesce(sum(${reshipOrders.postage}), 0)::float8`,
          goodsCost: sql<number>`coalesce(sum(${reshipOrders.goodsCost}), 0)::float8`,
          insurancePremium: sql<number>`coalesce(sum(${reshipOrders.insurancePremium}), 0)::float8`,
          totalCost: sql<number>`coalesce(sum(coalesce(${reshipOrders.totalCost}, ${reshipOrders.postage} + ${reshipOrders.goodsCost} + ${reshipOrders.insurancePremium})), 0)::float8`,
        })
        .from(reshipOrders)
        .innerJoin(shipments, eq(shipments.shipmentId, reshipOrders.originalShipmentId))
        .where(shipmentFilters(f))
        .groupBy(shipments.carrier, reshipOrders.currency)
        .orderBy(shipments.carrier, reshipOrders.currency);
      return rows.map((r) => ({
        carrier: r.carrier,
        currency: r.currency,
        reships: r.reships,
        insured: r.insured,
        postage: money(r.postage),
        goodsCost: money(r.goodsCost),
        insurancePremium: money(r.insurancePremium),
        totalCost: money(r.totalCost),
        averageCost: money(r.totalCost / r.reships),
      }));
    },
  };
}
export type AnalyticsRepository = ReturnType<typeof createAnalyticsRepository>;
