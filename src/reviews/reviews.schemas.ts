import { z } from 'zod';
import { pageQuery, pgTimestampKey } from '../http/pagination';
import { int4Key } from '../http/validate';
import { REVIEW_DECISIONS } from '../../workflows/model/enums';
import { reviewInput } from '../../workflows/model/shipment';

/** A reviewer's decision as sent: the base review input with its messages and limits. */
export const reviewBody = reviewInput.safeExtend({
  decision: z.enum(REVIEW_DECISIONS, {
    error: `must be one of ${REVIEW_DECISIONS.join(', ')}`,
  }),
  reviewer: z.string().trim().min(1, 'must name who decides').max(200),
  note: z.string().max(2000).optional(),
  /** The review round the reviewer decided on (from the queue); a retry then stays a duplicate. */
  round: z.number().int().positive().optional(),
});
export type ReviewBody = z.output<typeof reviewBody>;

export const pendingQuery = pageQuery;
/** The queue pages oldest first on (detected_at as PostgreSQL text, review id). */
export const pendingCursor = z.tuple([pgTimestampKey, int4Key]);
