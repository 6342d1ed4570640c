import { z } from 'zod';
import { REVIEW_DECISIONS } from '../../workflows/shipment.contract';

export const reviewBody = z.object({
  decision: z.enum(REVIEW_DECISIONS, {
    error: `must be one of ${REVIEW_DECISIONS.join(', ')}`,
  }),
  reviewer: z.string().trim().min(1, 'must name who decides').max(200),
  note: z.string().max(2000).optional(),
  /** The review round the reviewer decided on (from the queue); a retry then stays a duplicate. */
  round: z.number().int().positive().optional(),
});
export type ReviewBody = z.output<typeof reviewBody>;

export const pendingQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
