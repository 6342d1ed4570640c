import { z } from 'zod';
import { count, timestamp } from '../../workflows/model/scalars';
import { named } from '../http/route';
import { isStorableInstant } from '../http/validate';
import { country } from '../shipments/shipments.schemas';

/** A day (`2026-03-01`, midnight UTC) or an ISO 8601 date-time with a time zone. */
const instantOrDay = z
  .string()
  .refine(
    (s) =>
      (/^\d{4}-\d{2}-\d{2}$/.test(s) || z.iso.datetime({ offset: true }).safeParse(s).success) &&
      isStorableInstant(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s) &&
      new Date(`${s.slice(0, 10)}T00:00:00Z`).toISOString().startsWith(s.slice(0, 10)),
    'must be a day such as 2026-03-01 or an ISO 8601 date-time with a time zone',
  )
  .transform((s) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s));

/**
 * Filters of every analytics table. They select shipments: `from` ≤ shippedAt < `to`, the
 * carrier that carried the parcel, its destination country.
 */
export const analyticsQuery = z
  .object({
    from: instantOrDay.optional(),
    to: instantOrDay.optional(),
    carrier: z.string().trim().min(1).max(64).optional(),
    /** With destination, a lane: origin → destination. */
    origin: country.optional(),
    destination: country.optional(),
    format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).optional(),
    /** Risk table: a lane is high-risk above this loss rate (a fraction, default 5 %). */
    threshold: z.coerce.number().min(0).max(1).default(0.05),
    /** Risk table: the fewest resolved shipments a lane needs before it can be flagged. */
    minSample: z.coerce.number().int().min(1).max(1_000_000).default(20),
    /** SVG charts: which column to draw (each table has a default). */
    metric: z.string().min(1).max(64).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, {
    path: ['to'],
    message: 'must be later than from',
  });
export type AnalyticsQuery = z.output<typeof analyticsQuery>;
export type AnalyticsFilters = Pick<
  AnalyticsQuery,
  'from' | 'to' | 'carrier' | 'origin' | 'destination'
>;

/* The answers (response schemas, named as OpenAPI components). */

/** The analytics tables by name, in the order the index lists them (analytics.tables.ts has one each). */
export const TABLE_NAMES = [
  'carriers',
  'lanes',
  'months',
  'handling',
  'claims',
  'reships',
  'risk',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** A share of a total. */
export const rate = z.number().nullable().describe('null when the denominator is 0');
/** The delivery figures of a group of shipments (analytics tables, the daily report). */
export const deliveryStats = {
  shipments: count,
  resolved: count,
  lost: count,
  lossRate: rate,
  delivered: count,
  withEstimate: count,
  delayed: count,
  delayRate: rate,
  flagged: count,
  flaggedRate: rate,
  medianTransitDays: z.number().nullable(),
};
const analyticsFields = {
  title: z.string(),
  filters: z.object({
    from: timestamp.optional(),
    to: timestamp.optional(),
    carrier: z.string().optional(),
    origin: z.string().optional(),
    destination: z.string().optional(),
    threshold: z.number().optional(),
    minSample: z.number().optional(),
  }),
  columns: z.array(z.string()),
  sampleSize: count.describe('How many records (shipments, claims, reships…) the table stands on'),
  rateSamples: z
    .record(z.string(), z.string())
    .describe(
      'Each rate column and the column of the same row holding its sample size (its denominator), e.g. lossRate → resolved: show n=… with every bar',
    ),
};
const deliveryTable = <T extends z.ZodRawShape>(name: string, key: T) =>
  z.object({
    table: z.literal(name),
    ...analyticsFields,
    items: z.array(z.object({ ...key, ...deliveryStats })),
  });

/** GET /v1/analytics/{table} as JSON: the delivery tables row by row, the others as their rows. */
export const analyticsTableResponse = named(
  'AnalyticsTable',
  z.union([
    deliveryTable('carriers', { carrier: z.string() }),
    deliveryTable('lanes', { origin: z.string(), destination: z.string() }),
    deliveryTable('months', { month: z.string().describe('YYYY-MM (UTC)') }),
    z.object({
      table: z.enum(
        TABLE_NAMES.filter((t) => !['carriers', 'lanes', 'months'].includes(t)) as [
          TableName,
          ...TableName[],
        ],
      ),
      ...analyticsFields,
      items: z.array(z.record(z.string(), z.unknown())),
    }),
  ]),
);
