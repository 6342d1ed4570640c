import { ApplicationFailure } from '@temporalio/activity';
import { CarrierError } from '../src/carriers/carrier';

/**
 * Turns a carrier failure into what Temporal should do with it: permanent (4xx) → non-retryable
 * with the carrier's code; transient (5xx, timeout, 429) → retried, honouring Retry-After.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof CarrierError)) return err;
  if (err.permanent) return ApplicationFailure.nonRetryable(err.message, err.code);
  return ApplicationFailure.create({
    message: err.message,
    type: err.code,
    nonRetryable: false,
    nextRetryDelay: err.retryAfterMs,
  });
}

export async function carrierCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
