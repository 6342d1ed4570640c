import { describe, expect, it } from 'vitest';
import { daysUnderWay, estimateDelivery, MIN_LANE_SAMPLE } from '../../src/estimates/estimate';
import { estimateBasisIn, estimateBasisWords } from '../../src/estimates/estimate.words';

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

describe('the expected delivery of a parcel already under way', () => {
  const shippedAt = '2026-03-02T10:00:00.000Z';
  /** The lane's parcels that took longer than 9 days. */
  const after9 = {
    sampleSize: 31,
    medianDays: 12,
    p90Days: 16,
    afterDays: 9,
    laneSampleSize: 120,
  };

  it('counts whole days under way, and none before it left', () => {
    expect(daysUnderWay(shippedAt, '2026-03-11T09:59:00.000Z')).toBe(8);
    expect(daysUnderWay(shippedAt, '2026-03-11T10:00:00.000Z')).toBe(9);
    expect(daysUnderWay(shippedAt, '2026-03-01T00:00:00.000Z')).toBe(0);
  });

  it('is the range of the lane parcels still on the way after as many days, with their number', () => {
    expect(estimateDelivery({ shippedAt, now: '2026-03-11T12:00:00.000Z', lane: after9 })).toEqual({
      date: '2026-03-14T10:00:00.000Z',
      earliest: '2026-03-14T10:00:00.000Z',
      latest: '2026-03-18T10:00:00.000Z',
      basis: 'lane',
      sampleSize: 31,
      afterDays: 9,
    });
  });

  it('never ends before now: a range already begun or past starts or ends now', () => {
    const now = '2026-03-16T10:00:00.000Z';
    const est = estimateDelivery({ shippedAt, now, lane: after9 });
    expect(est).toMatchObject({
      earliest: now,
      date: now,
      latest: '2026-03-18T10:00:00.000Z',
    });
    const later = '2026-03-20T00:00:00.000Z';
    expect(estimateDelivery({ shippedAt, now: later, lane: after9 })).toMatchObject({
      earliest: later,
      latest: later,
    });
  });

  it('drops a carrier estimate or a channel date already past, rather than give a day gone by', () => {
    const now = '2026-03-11T12:00:00.000Z';
    expect(
      estimateDelivery({ shippedAt, now, carrierEstimate: '2026-03-08T00:00:00Z', lane: after9 })
        ?.basis,
    ).toBe('lane');
    expect(
      estimateDelivery({ shippedAt, now, carrierEstimate: '2026-03-13T00:00:00Z', lane: after9 })
        ?.basis,
    ).toBe('carrier');
    expect(estimateDelivery({ shippedAt, now, channelDays: 5 })).toBeUndefined();
    expect(estimateDelivery({ shippedAt, now, channelDays: 12 })?.basis).toBe('channel');
    // Without `now` (a delivered parcel, a replacement just booked) nothing is moved or dropped.
    expect(estimateDelivery({ shippedAt, channelDays: 5 })?.basis).toBe('channel');
  });

  it('says there is no reliable date when too few of the lane parcels took as long', () => {
    const thin = { ...after9, sampleSize: MIN_LANE_SAMPLE - 1, afterDays: 30 };
    expect(estimateDelivery({ shippedAt, now: '2026-04-01T12:00:00.000Z', lane: thin })).toEqual({
      basis: 'overdue',
      sampleSize: MIN_LANE_SAMPLE - 1,
      afterDays: 30,
      laneSampleSize: 120,
    });
    // A lane that never had enough deliveries says nothing, late or not.
    expect(
      estimateDelivery({
        shippedAt,
        now: '2026-04-01T12:00:00.000Z',
        lane: { ...thin, laneSampleSize: MIN_LANE_SAMPLE - 1 },
      }),
    ).toBeUndefined();
  });

  it('says what the date is based on, in the customer language', () => {
    const lane = {
      date: '2026-03-14T10:00:00.000Z',
      earliest: '2026-03-14T10:00:00.000Z',
      latest: '2026-03-18T10:00:00.000Z',
      basis: 'lane' as const,
      sampleSize: 31,
      afterDays: 9,
    };
    expect(estimateBasisWords(lane, 'en')).toBe(
      'Based on 31 recent deliveries on this route, of parcels still on the way after 9 days.',
    );
    expect(estimateBasisWords({ ...lane, afterDays: 1 }, 'en')).toContain('after 1 day.');
    expect(estimateBasisIn(lane, 'de-AT')).toContain('nach 9 Tagen noch unterwegs');
    expect(
      estimateBasisWords(
        { basis: 'overdue', sampleSize: 4, afterDays: 30, laneSampleSize: 120 },
        'en',
      ),
    ).toContain('only 4 of 120 recent deliveries took longer');
    expect(
      estimateBasisWords({ ...lane, basis: 'carrier', sampleSize: undefined }, 'en'),
    ).toBeUndefined();
  });
});
