/**
 * The figures of one daily report, from the read model: carrier performance over a look-back
 * window (loss rates need resolved parcels, which a single day seldom has), the worst carrier
 * lanes by loss rate among those with a minimum sample, the review queue at the end of the day
 * and the claims settled during it.
 */
import { and, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { AnalyticsRepository } from '../analytics/analytics.repository';
import type { ReportFigures } from './report.types';
import type { Db } from '../db/client';
import { claims, reviews } from '../db/schema';
import type { WorstLane } from '../../workflows/report.contract';

export type { ReportFigures };

export interface FigureOptions {
  start: Date;
  end: Date;
  minSample: number;
  worstLanes: number;
  lookbackDays: number;
}

const DAY_MS = 86_400_000;

export async function computeReportFigures(
  db: Db,
  analytics: AnalyticsRepository,
  o: FigureOptions,
): Promise<{ figures: ReportFigures; worstLanes: WorstLane[] }> {
  const window = { from: new Date(o.end.getTime() - o.lookbackDays * DAY_MS), to: o.end };
  const carriers = await analytics.carriers(window);
  // risk() orders by loss rate, worst first; only lanes with enough resolved parcels are ranked.
  const worstLanes = (await analytics.risk(window, 0, o.minSample))
    .filter((r) => r.resolved >= o.minSample && r.lossRate !== null)
    .slice(0, o.worstLanes)
    .map((r) => ({
      carrier: r.carrier,
      origin: r.origin,
      destination: r.destination,
      resolved: r.resolved,
      lost: r.lost,
      lossRate: r.lossRate ?? 0,
    }));

  const openAtEnd = and(
    lt(reviews.detectedAt, o.end),
    or(isNull(reviews.decidedAt), gte(reviews.decidedAt, o.end)),
  );
  const [queue] = await db
    .select({
      pending: sql<number>`(count(*) filter (where ${openAtEnd}))::int`,
      overdue: sql<number>`(count(*) filter (where ${and(openAtEnd, lt(reviews.slaDeadline, o.end))}))::int`,
      decided: sql<number>`(count(*) filter (where ${and(gte(reviews.decidedAt, o.start), lt(reviews.decidedAt, o.end))}))::int`,
    })
    .from(reviews);

  const settled = await db
    .select({
      currency: claims.currency,
      settled: sql<number>`count(*)::int`,
      recovered: sql<number>`(count(*) filter (where ${claims.amountRecovered} > 0))::int`,
      amountRecovered: sql<number>`coalesce(sum(${claims.amountRecovered}), 0)::float8`,
    })
    .from(claims)
    .where(and(gte(claims.decidedAt, o.start), lt(claims.decidedAt, o.end)))
    .groupBy(claims.currency)
    .orderBy(claims.currency);

  return {
    figures: {
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      minSample: o.minSample,
      carriers,
      reviews: queue ?? { pending: 0, overdue: 0, decided: 0 },
      claims: settled.map((c) => ({
        ...c,
        amountRecovered: Math.round(c.amountRecovered * 100) / 100,
      })),
    },
    worstLanes,
  };
}
