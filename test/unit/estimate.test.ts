import { describe, expect, it } from 'vitest';
import { estimateDelivery, MIN_LANE_SAMPLE } from '../../src/estimates/estimate';

describe('the expected delivery of a shipment', () => {
  const shippedAt = '2026-03-02T10:00:00.000Z';
  const lane = { sampleSize: 40, medianDays: 8, p90Days: 12.5 };

  it("is the carrier's estimate when the carrier gives one, before any lane or channel figure", () => {
    expect(
      estimateDelivery({
        shippedAt,
        carrierEstimate: '2026-03-06T18:00:00Z',
        lane,
        channelDays: 5,
      }),
    ).toEqual({
      date: '2026-03-06T18:00:00.000Z',
      earliest: '2026-03-06T18:00:00.000Z',
      latest: '2026-03-06T18:00:00.000Z',
      basis: 'carrier',
    });
  });

  it("is the lane's median to 90th percentile, with its sample size, when enough parcels were delivered", () => {
    expect(estimateDelivery({ shippedAt, lane, channelDays: 5 })).toEqual({
      date: '2026-03-10T10:00:00.000Z',
      earliest: '2026-03-10T10:00:00.000Z',
      latest: '2026-03-14T22:00:00.000Z',
      basis: 'lane',
      sampleSize: 40,
    });
  });

  it("falls back to the channel's stated days when the lane's sample is below the minimum", () => {
    const small = { ...lane, sampleSize: MIN_LANE_SAMPLE - 1 };
    expect(estimateDelivery({ shippedAt, lane: small, channelDays: 5 })).toEqual({
      date: '2026-03-07T10:00:00.000Z',
      earliest: '2026-03-07T10:00:00.000Z',
      latest: '2026-03-07T10:00:00.000Z',
      basis: 'channel',
    });
    expect(
      estimateDelivery({ shippedAt, lane: { ...lane, sampleSize: MIN_LANE_SAMPLE } })?.basis,
    ).toBe('lane');
  });

  it('takes a smaller minimum sample when asked, and a broken carrier estimate counts as none', () => {
    const few = { sampleSize: 3, medianDays: 2, p90Days: 4 };
    expect(estimateDelivery({ shippedAt, lane: few, minSample: 3 })?.sampleSize).toBe(3);
    expect(estimateDelivery({ shippedAt, carrierEstimate: 'soon', channelDays: 1 })?.basis).toBe(
      'channel',
    );
  });

  it('is unknown when no source knows, or lane figures are empty', () => {
    expect(estimateDelivery({ shippedAt })).toBeUndefined();
    expect(
      estimateDelivery({ shippedAt, lane: { sampleSize: 0, medianDays: NaN, p90Days: NaN } }),
    ).toBeUndefined();
  });
});
