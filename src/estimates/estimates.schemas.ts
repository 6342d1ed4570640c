import { z } from 'zod';
import { named } from '../http/route';
import { ESTIMATE_BASES } from './estimate';

/** The expected delivery as the API answers it (src/estimates/estimate.ts computes it). */
export const expectedDeliverySchema = named(
  'ExpectedDelivery',
  z.object({
    date: z.string().describe('The most likely delivery (ISO 8601)'),
    earliest: z.string().describe('Start of the range shown to the customer'),
    latest: z.string().describe('End of the range shown to the customer'),
    basis: z
      .enum(ESTIMATE_BASES)
      .describe(
        "carrier: the carrier's estimate; lane: median to 90th percentile of our deliveries on the carrier and lane; channel: the channel's stated transit days",
      ),
    sampleSize: z.number().int().optional().describe('Delivered parcels behind a lane estimate'),
  }),
);
