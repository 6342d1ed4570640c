import { z } from 'zod';
import { count, timestamp } from '../../workflows/model/scalars';
import { deliveryStats } from '../analytics/analytics.schemas';
import { page, pageQueryFields } from '../http/pagination';
import { named } from '../http/route';

export const reportListQuery = z.object(pageQueryFields);

export const reportParams = z.object({
  id: z.coerce
    .number({ error: 'must be a report id (a positive integer)' })
    .int('must be a report id (a positive integer)')
    .positive('must be a report id (a positive integer)')
    .max(2_147_483_647, 'must be a report id (a positive integer)'),
});

/* The answers (response schemas, named as OpenAPI components). */

const reportFields = {
  id: z.number().int(),
  period: z.object({ start: timestamp, end: timestamp }),
  timeZone: z.string(),
  generatedAt: timestamp,
  workflowId: z.string(),
  worstLanes: z.array(
    z.object({
      carrier: z.string(),
      origin: z.string(),
      destination: z.string(),
      resolved: count,
      lost: count,
      lossRate: z.number(),
    }),
  ),
  links: z.object({ self: z.string() }),
};
export const reportListResponse = named('ReportPage', page(z.object(reportFields)));
export const reportResponse = named(
  'Report',
  z.object({
    ...reportFields,
    figures: z.object({
      window: z.object({ from: timestamp, to: timestamp }),
      minSample: z.number(),
      carriers: z.array(z.object({ carrier: z.string(), ...deliveryStats })),
      reviews: z.object({ pending: count, overdue: count, decided: count }),
      claims: z.array(
        z.object({
          currency: z.string(),
          settled: count,
          recovered: count,
          amountRecovered: z.number(),
        }),
      ),
    }),
  }),
);
