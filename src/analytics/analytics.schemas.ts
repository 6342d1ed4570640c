import { z } from 'zod';
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
export type AnalyticsFilters = Pick<AnalyticsQuery, 'from' | 'to' | 'carrier' | 'destination'>;
