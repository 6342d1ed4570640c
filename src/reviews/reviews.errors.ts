import { ProblemError, type FieldError } from '../http/problems';
import { REVIEW_DECISIONS } from '../../workflows/shipment.contract';

export function unknownDecision(decision: string, errors: FieldError[]): ProblemError {
  return new ProblemError(
    400,
    'review.unknown_decision',
    'Unknown review decision',
    `"${decision}" is not a review decision; use one of ${REVIEW_DECISIONS.join(', ')}.`,
    { errors },
  );
}

export function notAwaitingReview(shipmentId: string, why: string): ProblemError {
  return new ProblemError(
    409,
    'review.not_awaiting',
    'Shipment not awaiting review',
    `Shipment "${shipmentId}" is not awaiting review: ${why}.`,
  );
}
