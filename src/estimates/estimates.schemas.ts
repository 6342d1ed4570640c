import { z } from 'zod';
import { named } from '../http/route';
import { ESTIMATE_BASES } from './estimate';

/** The expected delivery as the API answers it (src/estimates/estimate.ts computes it). */
export const expectedDeliverySchema = named(
  'ExpectedDelivery',
  z.object({
    date: z
      .string()
      .optional()
      .describe('The most likely delivery (ISO 8601); absent when basis is overdue'),
    earliest: z.string().optional().describe('Start of the range shown to the customer'),
    latest: z
      .string()
      .optional()
      .describe('End of the range shown to the customer; never before now for a parcel under way'),
    basis: z
      .enum(ESTIMATE_BASES)
      .describe(
        "carrier: the carrier's estimate; lane: median to 90th percentile of our deliveries on the carrier and lane (of those that took longer than afterDays); channel: the channel's stated transit days; overdue: no reliable date, too few of the lane's deliveries took longer than afterDays",
      ),
    sampleSize: z
      .number()
      .int()
      .optional()
      .describe('Delivered parcels behind a lane estimate (those that took longer than afterDays)'),
    afterDays: z
      .number()
      .int()
      .optional()
      .describe(
        'Whole days the parcel has been under way: lane figures are of parcels still on the way after as many',
      ),
    laneSampleSize: z
      .number()
      .int()
      .optional()
      .describe('overdue: all delivered parcels of the lane'),
  }),
);
