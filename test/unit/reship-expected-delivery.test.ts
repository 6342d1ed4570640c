import { describe, expect, it } from 'vitest';
import { expectedDelivery } from '../../activities/carrier.activities';

describe("a replacement's expected delivery", () => {
  const bookedAt = new Date('2026-03-02T10:00:00Z');

  it("is the booking time plus the chosen channel's transit days", () => {
    expect(expectedDelivery(bookedAt, undefined, 6)).toBe('2026-03-08T10:00:00.000Z');
  });

  it("is the label's own estimate when the carrier gives one", () => {
    expect(expectedDelivery(bookedAt, '2026-03-05T18:00:00Z', 6)).toBe('2026-03-05T18:00:00Z');
  });

  it('is unknown without either, and a broken estimate counts as none', () => {
    expect(expectedDelivery(bookedAt, undefined, undefined)).toBeUndefined();
    expect(expectedDelivery(bookedAt, 'soon', 3)).toBe('2026-03-05T10:00:00.000Z');
    expect(expectedDelivery(bookedAt, undefined, -1)).toBeUndefined();
  });
});
