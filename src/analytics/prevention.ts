/**
 * Analytics of prevention (issue 20):
 * - `prevention`: per carrier and lane, the loss rate of shipments whose registration followed the
 *   advice (the registered carrier was the recommended one: `shipments.advice.followedChannel`)
 *   against those that did not. Shipments registered without advice are counted apart.
 *   `lost` / `resolved` as everywhere in analytics (reshipped or refunded over known outcomes).
 * - `claims-recovery`: per carrier (the claim's, i.e. the lost parcel's) and currency, claims filed
 *   against claims that recovered money, the amounts, and the time to money: from filed_at to the
 *   first `paid` in the claim's history, else to decided_at, over claims that recovered > 0.
 */
import { and, eq, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { claimHistory, claims, shipments } from '../db/schema';
import { route, type RouteSpec } from '../http/route';
import { toCsv, wantsCsv } from './csv';
import { KNOWN_RESOLUTIONS, LOST_RESOLUTIONS } from './analytics.repository';
import { analyticsQuery, type AnalyticsFilters } from './analytics.schemas';

const round = (n: number | null, d: number) =>
  n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** d) / 10 ** d;
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 4) : null);
const inList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

export type PreventionRow = {
  carrier: string;
  origin: string;
  destination: string;
  followedResolved: number;
  followedLost: number;
  followedLossRate: number | null;
  notFollowedResolved: number;
  notFollowedLost: number;
  notFollowedLossRate: number | null;
  /** Shipments registered before advice existed (or whose advice could not be computed). */
  withoutAdvice: number;
};

export type ClaimsRecoveryRow = {
  carrier: string;
  currency: string;
  filed: number;
  recovered: number;
  recoveredRate: number | null;
  amountClaimed: number;
  amountRecovered: number;
  amountRate: number | null;
  medianDaysToMoney: number | null;
  p90DaysToMoney: number | null;
};

function shipmentWhere(f: AnalyticsFilters): SQL | undefined {
  return and(
    f.from ? gte(shipments.shippedAt, f.from) : undefined,
    f.to ? lt(shipments.shippedAt, f.to) : undefined,
    f.carrier ? eq(shipments.carrier, f.carrier) : undefined,
    f.destination ? eq(shipments.destinationCountry, f.destination) : undefined,
  );
}

export function createPreventionRepository(db: Db) {
  return {
    async prevention(f: AnalyticsFilters): Promise<PreventionRow[]> {
      const followed = sql`(${shipments.advice} ->> 'followedChannel') = 'true'`;
      const notFollowed = sql`(${shipments.advice} ->> 'followedChannel') = 'false'`;
      const resolved = sql`${shipments.resolution} in (${inList(KNOWN_RESOLUTIONS)})`;
      const lost = sql`${shipments.resolution} in (${inList(LOST_RESOLUTIONS)})`;
      const n = (cond: SQL) => sql<number>`(count(*) filter (where ${cond}))::int`;
      const rows = await db
        .select({
          carrier: shipments.carrier,
          origin: shipments.originCountry,
          destination: shipments.destinationCountry,
          followedResolved: n(sql`${followed} and ${resolved}`),
          followedLost: n(sql`${followed} and ${lost}`),
          notFollowedResolved: n(sql`${notFollowed} and ${resolved}`),
          notFollowedLost: n(sql`${notFollowed} and ${lost}`),
          withoutAdvice: n(sql`${shipments.advice} is null`),
        })
        .from(shipments)
        .where(shipmentWhere(f))
        .groupBy(shipments.carrier, shipments.originCountry, shipments.destinationCountry)
        .orderBy(shipments.carrier, shipments.originCountry, shipments.destinationCountry);
      return rows.map((r) => ({
        carrier: r.carrier,
        origin: r.origin,
        destination: r.destination,
        followedResolved: r.followedResolved,
        followedLost: r.followedLost,
        followedLossRate: ratio(r.followedLost, r.followedResolved),
        notFollowedResolved: r.notFollowedResolved,
        notFollowedLost: r.notFollowedLost,
        notFollowedLossRate: ratio(r.notFollowedLost, r.notFollowedResolved),
        withoutAdvice: r.withoutAdvice,
      }));
    },

    async claimsRecovery(f: AnalyticsFilters): Promise<ClaimsRecoveryRow[]> {
      const paidAt = sql`coalesce((select min(${claimHistory.at}) from ${claimHistory} where ${claimHistory.claimRowId} = ${claims.id} and ${claimHistory.status} = 'paid'), ${claims.decidedAt})`;
      const days = sql`extract(epoch from (${paidAt} - ${claims.filedAt})) / 86400.0`;
      const recovered = sql`coalesce(${claims.amountRecovered}, 0) > 0`;
      const rows = await db
        .select({
          carrier: claims.carrier,
          currency: claims.currency,
          filed: sql<number>`count(*)::int`,
          recovered: sql<number>`(count(*) filter (where ${recovered}))::int`,
          amountClaimed: sql<string>`coalesce(sum(${claims.amount}), 0)`,
          amountRecovered: sql<string>`coalesce(sum(${claims.amountRecovered}), 0)`,
          median: sql<
            number | null
          >`(percentile_cont(0.5) within group (order by ${days}) filter (where ${recovered}))::float8`,
          p90: sql<
            number | null
          >`(percentile_cont(0.9) within group (order by ${days}) filter (where ${recovered}))::float8`,
        })
        .from(claims)
        .innerJoin(shipments, eq(shipments.shipmentId, claims.shipmentId))
        .where(and(isNotNull(claims.filedAt), shipmentWhere(f)))
        .groupBy(claims.carrier, claims.currency)
        .orderBy(claims.carrier, claims.currency);
      return rows.map((r) => {
        const claimed = Number(r.amountClaimed);
        const got = Number(r.amountRecovered);
        return {
          carrier: r.carrier,
          currency: r.currency,
          filed: r.filed,
          recovered: r.recovered,
          recoveredRate: ratio(r.recovered, r.filed),
          amountClaimed: round(claimed, 2) ?? 0,
          amountRecovered: round(got, 2) ?? 0,
          amountRate: ratio(got, claimed),
          medianDaysToMoney: round(r.median, 2),
          p90DaysToMoney: round(r.p90, 2),
        };
      });
    },
  };
}
export type PreventionRepository = ReturnType<typeof createPreventionRepository>;

const preventionRow = z.object({
  carrier: z.string(),
  origin: z.string(),
  destination: z.string(),
  followedResolved: z.number(),
  followedLost: z.number(),
  followedLossRate: z.number().nullable(),
  notFollowedResolved: z.number(),
  notFollowedLost: z.number(),
  notFollowedLossRate: z.number().nullable(),
  withoutAdvice: z.number(),
});
const recoveryRow = z.object({
  carrier: z.string(),
  currency: z.string(),
  filed: z.number(),
  recovered: z.number(),
  recoveredRate: z.number().nullable(),
  amountClaimed: z.number(),
  amountRecovered: z.number(),
  amountRate: z.number().nullable(),
  medianDaysToMoney: z.number().nullable(),
  p90DaysToMoney: z.number().nullable(),
});

/**
 * Listed before the generic /v1/analytics/{table} route, whose table names do not include them.
 * JSON, or CSV with ?format=csv or Accept: text/csv, as the other analytics tables.
 */
export function preventionRoutes(repo: PreventionRepository): RouteSpec[] {
  const table = <R extends Record<string, unknown>>(
    name: string,
    title: string,
    operationId: string,
    row: z.ZodObject,
    load: (f: AnalyticsFilters) => Promise<R[]>,
  ) =>
    route({
      method: 'get',
      path: `/v1/analytics/${name}`,
      access: 'analyze',
      operationId,
      tag: 'Analytics',
      summary: `${title} (analyst, admin): JSON or CSV`,
      query: analyticsQuery,
      answer: {
        description: '{table, title, columns, items}; or CSV',
        schema: z.object({
          table: z.string(),
          title: z.string(),
          columns: z.array(z.string()),
          items: z.array(row),
        }),
        alternatives: { 'text/csv': { type: 'string' } },
      },
      handler: async ({ req, res, query: q }) => {
        const rows = await load(q);
        const columns = Object.keys(row.shape);
        if (wantsCsv(req, q.format)) {
          res
            .type('text/csv; charset=utf-8; header=present')
            .attachment(`${name}.csv`)
            .send(
              toCsv(
                columns.map((key) => ({ key, header: key })),
                rows,
              ),
            );
          return;
        }
        return { table: name, title, columns, items: rows };
      },
    });
  return [
    table(
      'prevention',
      'Loss rate of shipments that followed the advice against those that did not, per carrier and lane',
      'getPreventionAnalytics',
      preventionRow,
      (f) => repo.prevention(f),
    ),
    table(
      'claims-recovery',
      'Claims filed against claims that recovered money, per carrier and currency, with time to money',
      'getClaimsRecoveryAnalytics',
      recoveryRow,
      (f) => repo.claimsRecovery(f),
    ),
  ];
}
