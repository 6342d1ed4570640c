import { z } from 'zod';
import { page, pageQuery, pgTimestampKey } from '../http/pagination';
import { named } from '../http/route';
import { int4Key } from '../http/validate';
import { REVIEW_DECISIONS } from '../../workflows/model/enums';
import { timestamp } from '../../workflows/model/scalars';
import {
  registration,
  reviewInput,
  reviewResult,
  shipmentState,
  suspicion,
} from '../../workflows/model/shipment';

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

/* The answers (response schemas, named as OpenAPI components). */

const reg = registration.shape;
const state = shipmentState.shape;

/** One open review as the queue lists it: the suspicion, its round and SLA, the parcel. */
export const reviewQueueResponse = named(
  'ReviewQueuePage',
  page(
    z.object({
      shipmentId: state.shipmentId,
      round: state.reviewRound,
      reason: suspicion.shape.reason,
      detectedAt: suspicion.shape.detectedAt,
      slaDeadline: timestamp,
      declaredValue: reg.declaredValue,
      currency: reg.currency,
      carrier: reg.carrier,
      trackingNumber: reg.trackingNumber,
      destination: z.string(),
    }),
  ),
);

export const reviewDecisionResponse = named('ReviewDecision', reviewResult);
