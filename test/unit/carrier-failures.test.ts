import { describe, expect, it } from 'vitest';
import { toActivityFailure } from '../../activities/failures';
import { ApplicationFailure } from '@temporalio/common';
import { CarrierError } from '../../src/carriers/carrier';

describe('carrier failure classification', () => {
  it('a 4xx from the carrier becomes a non-retryable failure with its code', () => {
    const f = toActivityFailure(new CarrierError('unknown number', 'tracking.rejected', true, 422));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect((f as ApplicationFailure).nonRetryable).toBe(true);
    expect((f as ApplicationFailure).type).toBe('tracking.rejected');
  });
  it('a 429 is retried after the carrier’s Retry-After', () => {
    const f = toActivityFailure(
      new CarrierError('slow down', 'carrier.rate_limited', false, 429, 7000),
    ) as ApplicationFailure;
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
  });
  it('anything that is not a carrier error passes through untouched', () => {
    const e = new Error('boom');
    expect(toActivityFailure(e)).toBe(e);
  });
});
