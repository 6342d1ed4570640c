import { describe, expect, it } from 'vitest';
import { rankWarehouses } from '../../activities/inventory.activities';
import { renderTemplate } from '../../activities/templates';
import { toActivityFailure } from '../../activities/failures';
import { ApplicationFailure } from '@temporalio/common';
import { CarrierError } from '../../src/carriers/carrier';

describe('warehouse choice for a reship', () => {
  const whs = [
    { warehouseId: 'cn-1', country: 'CN', kind: 'origin' },
    { warehouseId: 'de-1', country: 'DE', kind: 'overseas' },
    { warehouseId: 'us-1', country: 'US', kind: 'overseas' },
  ];
  it('an overseas warehouse in the destination country comes first, then other overseas ones, then origin', () => {
    expect(rankWarehouses(whs, 'US').map((w) => w.warehouseId)).toEqual(['us-1', 'de-1', 'cn-1']);
  });
  it('with no warehouse in the destination country, overseas stock still beats origin', () => {
    expect(rankWarehouses(whs, 'FR').map((w) => w.warehouseId)).toEqual(['de-1', 'us-1', 'cn-1']);
  });
});

describe('notification templates', () => {
  it('a reship notice names the order and the new tracking number', () => {
    const m = renderTemplate('reshipped', {
      customerName: 'Ada',
      orderId: 'ORD-7',
      newTrackingNumber: 'SBX123',
      newCarrier: 'sandbox',
      items: '1 × SKU-MUG',
    });
    expect(m.subject).toBe('We have sent a replacement for order ORD-7');
    expect(m.text).toContain('Hello Ada');
    expect(m.text).toContain('SBX123 (sandbox)');
    expect(m.text).not.toMatch(/\{\w+\}/);
  });
});

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
