import { describe, expect, it } from 'vitest';
import {
  alreadySeen,
  autoDecisionApplies,
  boundInquiries,
  boundSeenEvents,
  carrierVerdict,
  currentEvent,
  customsEpisodeAfter,
  inquirySurgeAt,
  mergeEvents,
  nextDeadline,
  notReceivedReport,
  overdueDeadline,
  revisedEstimate,
  seenEventsFrom,
  stallDeadline,
  stallThresholdMs,
  summaryInForce,
  type DetectionInput,
} from '../../workflows/detection';
import { isIsoDuration, parseIsoDuration } from '../../workflows/durations';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { CarrierSummary, TrackingEvent } from '../../workflows/shipment.contract';
import { replacementShipmentId } from '../../workflows/shipment.contract';

const DAY = 86_400_000;
const ev = (
  eventId: string,
  status: TrackingEvent['status'],
  occurredAt: string,
): TrackingEvent => ({ eventId, status, occurredAt });
const input = (over: Partial<DetectionInput> = {}): DetectionInput => ({
  policy: DEFAULT_POLICY,
  registeredAt: '2026-03-01T00:00:00.000Z',
  thresholdFactor: 1,
  ...over,
});

describe('ISO 8601 durations', () => {
  it.each([
    ['P7D', 7 * DAY],
    ['PT24H', DAY],
    ['PT30S', 30_000],
    ['P1W', 7 * DAY],
    ['P1DT12H', 1.5 * DAY],
    ['PT0.5S', 500],
    ['P0D', 0],
  ])('%s is %d ms', (iso, ms) => {
    expect(parseIsoDuration(iso)).toBe(ms);
  });

  it.each(['7D', 'P', 'PT', 'P1H', '', 'P-1D', 'days'])(
    '"%s" is refused with a message naming the format',
    (bad) => {
      expect(isIsoDuration(bad)).toBe(false);
      expect(() => parseIsoDuration(bad)).toThrow(/ISO 8601/);
    },
  );
});

describe('stall detection', () => {
  it('a parcel in transit stalls 7 days after its last scan under the default policy', () => {
    const last = ev('e1', 'in_transit', '2026-03-02T10:00:00.000Z');
    expect(stallDeadline(input({ lastEvent: last }))).toBe(Date.parse(last.occurredAt) + 7 * DAY);
  });

  it('a parcel with no scan at all stalls 5 days after registration (info_received threshold)', () => {
    expect(stallDeadline(input())).toBe(Date.parse('2026-03-01T00:00:00.000Z') + 5 * DAY);
  });

  it('customs holds get their own, longer threshold', () => {
    const last = ev('e1', 'customs', '2026-03-02T00:00:00.000Z');
    expect(stallDeadline(input({ lastEvent: last }))).toBe(Date.parse(last.occurredAt) + 10 * DAY);
  });

  it('a status without its own threshold uses the in-transit one', () => {
    expect(stallThresholdMs(DEFAULT_POLICY, 'exception')).toBe(7 * DAY);
  });

  it('keep_waiting doubles the threshold and restarts the clock from the decision', () => {
    const last = ev('e1', 'in_transit', '2026-03-02T00:00:00.000Z');
    const restarted = '2026-03-10T00:00:00.000Z';
    expect(
      stallDeadline(input({ lastEvent: last, thresholdFactor: 2, clockRestartedAt: restarted })),
    ).toBe(Date.parse(restarted) + 14 * DAY);
  });

  it('overdue comes at expected delivery plus grace, when that is earlier than the stall', () => {
    const last = ev('e1', 'in_transit', '2026-03-02T00:00:00.000Z');
    const d = nextDeadline(
      input({ lastEvent: last, expectedDeliveryAt: '2026-03-03T00:00:00.000Z' }),
    );
    expect(d).toEqual({ at: Date.parse('2026-03-06T00:00:00.000Z'), reason: 'overdue' });
  });

  it('without an expected delivery date there is no overdue deadline', () => {
    expect(overdueDeadline(input())).toBeUndefined();
  });

  it('a stall earlier than the overdue deadline wins', () => {
    const last = ev('e1', 'in_transit', '2026-03-02T00:00:00.000Z');
    const d = nextDeadline(
      input({ lastEvent: last, expectedDeliveryAt: '2026-04-30T00:00:00.000Z' }),
    );
    expect(d.reason).toBe('stalled');
  });

  it.each([
    ['lost', 'carrier_lost'],
    ['damaged', 'carrier_damaged'],
    ['destroyed', 'carrier_damaged'],
  ] as const)('a carrier status of %s is a verdict right away (%s)', (status, reason) => {
    const last = ev('e1', status, '2026-03-02T00:00:00.000Z');
    expect(nextDeadline(input({ lastEvent: last }))).toEqual({
      at: Date.parse(last.occurredAt),
      reason,
    });
  });
});

describe('merging tracking events', () => {
  it('drops events already seen and keeps the latest by occurredAt, whatever the arrival order', () => {
    const seen = seenEventsFrom([{ eventId: 'a', occurredAt: '2026-03-01T00:00:00Z' }]);
    const a = ev('a', 'info_received', '2026-03-01T00:00:00Z');
    const c = ev('c', 'customs', '2026-03-05T00:00:00Z');
    const b = ev('b', 'in_transit', '2026-03-03T00:00:00Z');
    const out = mergeEvents(seen, a, [c, a, b]);
    expect(out.added.map((e) => e.eventId)).toEqual(['b', 'c']);
    expect(out.lastEvent?.eventId).toBe('c');
    expect(mergeEvents(seen, out.lastEvent, [b, c]).added).toEqual([]);
  });

  it('a late-arriving older event does not replace the latest one', () => {
    const seen = seenEventsFrom();
    const latest = ev('x', 'out_for_delivery', '2026-03-05T00:00:00Z');
    mergeEvents(seen, undefined, [latest]);
    const out = mergeEvents(seen, latest, [ev('y', 'in_transit', '2026-03-01T00:00:00Z')]);
    expect(out.added).toHaveLength(1);
    expect(out.lastEvent?.eventId).toBe('x');
  });
});

describe('bounding what a long-lived shipment carries over', () => {
  const at = (i: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000).toISOString();

  it('keeps only the newest ids, and the floor makes a late duplicate of a dropped one count as seen', () => {
    const seen = seenEventsFrom();
    const events = Array.from({ length: 10 }, (_, i) => ev(`e${i}`, 'in_transit', at(i)));
    mergeEvents(seen, undefined, events);
    const carried = boundSeenEvents(seen, 4);
    expect(carried.seenEvents.map((e) => e.eventId)).toEqual(['e9', 'e8', 'e7', 'e6']);
    expect(carried.seenEventsFloor).toBe(at(5));
    const next = seenEventsFrom(carried.seenEvents, carried.seenEventsFloor);
    expect(alreadySeen(next, events[0]!)).toBe(true);
    expect(alreadySeen(next, events[5]!)).toBe(true);
    expect(alreadySeen(next, events[9]!)).toBe(true);
    expect(alreadySeen(next, ev('new', 'in_transit', at(6)))).toBe(false);
    expect(
      mergeEvents(next, events[9], [events[2]!, ev('later', 'delivered', at(20))]).added,
    ).toHaveLength(1);
  });

  it('carries every id and no floor while under the limit', () => {
    const seen = seenEventsFrom();
    mergeEvents(seen, undefined, [ev('a', 'in_transit', at(1)), ev('b', 'in_transit', at(2))]);
    expect(boundSeenEvents(seen, 4)).toEqual({
      seenEvents: [
        { eventId: 'b', occurredAt: at(2) },
        { eventId: 'a', occurredAt: at(1) },
      ],
    });
  });

  it('keeps the newest inquiries by when they were received', () => {
    const kept = boundInquiries(
      [3, 1, 4, 2].map((i) => ({ inquiryId: `q${i}`, receivedAt: at(i) })),
      2,
    );
    expect(kept.map((i) => i.inquiryId)).toEqual(['q3', 'q4']);
  });
});

describe('every trigger of a suspicion', () => {
  const at = (h: number) =>
    new Date(Date.parse('2026-03-01T00:00:00Z') + h * 3600_000).toISOString();

  it.each([
    ['exception', 'Exception_021', 'carrier_damaged'],
    ['exception', 'Exception_013', 'carrier_lost'],
    ['exception', 'Exception_Destroyed', 'carrier_damaged'],
    ['exception', 'exception007 destroyed by customs', 'carrier_damaged'],
    ['exception', 'Exception_Lost', 'carrier_lost'],
    ['exception', 'Exception_Damage', 'carrier_damaged'],
    ['exception', 'address problem', undefined],
    ['in_transit', 'lost scan', undefined],
  ] as const)('an %s with sub-status "%s" is a verdict of %s', (status, subStatus, reason) => {
    expect(carrierVerdict({ ...ev('e', status, at(0)), subStatus })).toBe(reason);
  });

  it('a carrier verdict that ops already reviewed (keep_waiting) triggers nothing again', () => {
    const d = nextDeadline(
      input({
        lastEvent: ev('e', 'lost', at(10)),
        reviewedUpTo: at(11),
        clockRestartedAt: at(11),
      }),
    );
    expect(d).toEqual({ at: Date.parse(at(11)) + 7 * DAY, reason: 'stalled' });
  });

  it('the third failed delivery attempt is suspicious at once; fewer wait for the failed-attempt threshold', () => {
    const last = ev('e', 'failed_attempt', at(5));
    expect(nextDeadline(input({ lastEvent: last, failedAttempts: 3 }))).toEqual({
      at: Date.parse(at(5)),
      reason: 'failed_attempts',
    });
    expect(nextDeadline(input({ lastEvent: last, failedAttempts: 2 }))).toEqual({
      at: Date.parse(at(5)) + 3 * DAY,
      reason: 'stalled',
    });
  });

  it('the policy can lower the failed-attempt limit', () => {
    const last = ev('e', 'failed_attempt', at(5));
    const policy = { ...DEFAULT_POLICY, maxFailedAttempts: 1 };
    expect(nextDeadline(input({ policy, lastEvent: last, failedAttempts: 1 })).reason).toBe(
      'failed_attempts',
    );
  });

  it('failed attempts followed by a new delivery run do not trigger while the parcel moves', () => {
    const last = ev('e', 'out_for_delivery', at(5));
    expect(nextDeadline(input({ lastEvent: last, failedAttempts: 3 })).reason).toBe('stalled');
  });

  it('K inquiries within W are a surge, at the receipt of the K-th', () => {
    const inquiries = [0, 30, 40].map((h, i) => ({ inquiryId: `q${i}`, receivedAt: at(h) }));
    // Default: 2 within 2 days. 0 and 30 h are within, so the surge is at 30 h.
    expect(inquirySurgeAt(DEFAULT_POLICY, inquiries)).toBe(Date.parse(at(30)));
    expect(nextDeadline(input({ lastEvent: ev('e', 'in_transit', at(1)), inquiries }))).toEqual({
      at: Date.parse(at(30)),
      reason: 'inquiry_surge',
    });
  });

  it('inquiries further apart than W are no surge, nor are those ops already reviewed', () => {
    const apart = [0, 49].map((h, i) => ({ inquiryId: `q${i}`, receivedAt: at(h) }));
    expect(inquirySurgeAt(DEFAULT_POLICY, apart)).toBeUndefined();
    const close = [0, 1].map((h, i) => ({ inquiryId: `q${i}`, receivedAt: at(h) }));
    expect(inquirySurgeAt(DEFAULT_POLICY, close, at(0.5))).toBeUndefined();
  });

  it('a customs hold counts from entering customs and gets its own reason', () => {
    const last = ev('e', 'customs', at(50));
    const d = nextDeadline(input({ lastEvent: last, customsEnteredAt: at(2) }));
    expect(d).toEqual({ at: Date.parse(at(2)) + 10 * DAY, reason: 'customs_hold' });
  });

  it('entering customs starts a new episode from the first customs scan; staying in customs does not', () => {
    const transit = ev('t', 'in_transit', at(0));
    const c1 = ev('c1', 'customs', at(1));
    const c2 = ev('c2', 'customs', at(2));
    const first = customsEpisodeAfter(undefined, transit, [c2, c1], c2);
    expect(first).toEqual({ episode: 1, enteredAt: at(1) });
    const c3 = ev('c3', 'customs', at(3));
    expect(customsEpisodeAfter({ ...first!, noticeSentFor: 1 }, c2, [c3], c3)).toEqual({
      episode: 1,
      enteredAt: at(1),
      noticeSentFor: 1,
    });
    const back = ev('c4', 'customs', at(9));
    expect(
      customsEpisodeAfter(
        { ...first!, noticeSentFor: 1 },
        ev('x', 'in_transit', at(5)),
        [back],
        back,
      ),
    ).toEqual({ episode: 2, enteredAt: at(9), noticeSentFor: 1 });
  });

  it('a later scan revises the delivery estimate; the latest revising scan wins', () => {
    const revised = [
      ev('b', 'in_transit', at(5)),
      { ...ev('c', 'in_transit', at(9)), expectedDeliveryAt: at(200) },
      { ...ev('a', 'in_transit', at(3)), expectedDeliveryAt: at(100) },
    ];
    expect(revisedEstimate(at(50), revised)).toBe(at(200));
    expect(revisedEstimate(at(50), [ev('d', 'in_transit', at(10))])).toBe(at(50));
    expect(overdueDeadline(input({ expectedDeliveryAt: revisedEstimate(at(50), revised) }))).toBe(
      Date.parse(at(200)) + 3 * DAY,
    );
  });

  it('after delivery, an inquiry saying it never came (or an unclassified one) is a report; asking where it is is not', () => {
    const delivered = at(10);
    const q = (id: string, h: number, intent?: 'where_is_it' | 'not_received') => ({
      inquiryId: id,
      receivedAt: at(h),
      ...(intent ? { intent } : {}),
    });
    expect(notReceivedReport([q('before', 9, 'not_received')], delivered)).toBeUndefined();
    expect(notReceivedReport([q('where', 11, 'where_is_it')], delivered)).toBeUndefined();
    expect(notReceivedReport([q('nr', 11, 'not_received')], delivered)?.inquiryId).toBe('nr');
    expect(notReceivedReport([q('plain', 12)], delivered)?.inquiryId).toBe('plain');
    expect(notReceivedReport([q('plain', 12)], delivered, at(13))).toBeUndefined();
  });
});

describe('policy auto-decision', () => {
  it('applies only up to the declared-value limit', () => {
    const policy = {
      ...DEFAULT_POLICY,
      autoDecision: { maxDeclaredValue: 25, decision: 'reship' as const },
    };
    expect(autoDecisionApplies(policy, 25)).toBe(true);
    expect(autoDecisionApplies(policy, 25.01)).toBe(false);
  });

  it('a limit of 0 (the default) never decides on its own', () => {
    expect(autoDecisionApplies(DEFAULT_POLICY, 0)).toBe(false);
  });
});

describe('replacement ids', () => {
  it('the replacement of X is X~R1, and of X~R1 is X~R2', () => {
    expect(replacementShipmentId('ORD-1')).toBe('ORD-1~R1');
    expect(replacementShipmentId('ORD-1~R1')).toBe('ORD-1~R2');
    expect(replacementShipmentId('ORD-1~R9')).toBe('ORD-1~R10');
  });
});

describe("the provider's summary of a whole tracking", () => {
  const summary = (over: Partial<CarrierSummary> = {}): CarrierSummary => ({
    provider: 'aftership',
    native: 'Expired',
    status: 'expired',
    receivedAt: '2026-03-05T00:00:00.000Z',
    eventCountAt: 2,
    ...over,
  });
  const ofd = ev('s2', 'out_for_delivery', '2026-03-04T00:00:00.000Z');

  it('is in force while no scan came after it, and only where it says more than the newest scan', () => {
    expect(summaryInForce(summary(), ofd, 2)).toBeDefined();
    // A newer scan puts it aside.
    expect(summaryInForce(summary(), ofd, 3)).toBeUndefined();
    // In transit says nothing a scan does not.
    expect(summaryInForce(summary({ status: 'in_transit' }), ofd, 2)).toBeUndefined();
    // The scans already say delivered.
    const delivered = ev('s3', 'delivered', '2026-03-04T00:00:00.000Z');
    expect(summaryInForce(summary({ status: 'delivered' }), delivered, 2)).toBeUndefined();
  });

  it('reads as a scan at the moment it was learned: a delivery settles, an expiry is an exception', () => {
    expect(currentEvent(ofd, summary({ status: 'delivered' }), 2)).toMatchObject({
      status: 'delivered',
      occurredAt: '2026-03-05T00:00:00.000Z',
    });
    expect(currentEvent(ofd, summary(), 2)?.status).toBe('exception');
    expect(currentEvent(ofd, summary(), 3)).toBe(ofd);
    expect(currentEvent(ofd, undefined, 2)).toBe(ofd);
  });

  it('an expiry is a suspicion at once, unless ops reviewed it already', () => {
    const s = summary();
    const facts = input({ lastEvent: currentEvent(ofd, s, 2), summary: s });
    expect(nextDeadline(facts)).toEqual({
      at: Date.parse(s.receivedAt),
      reason: 'carrier_stopped_tracking',
    });
    const reviewed = { ...facts, reviewedUpTo: '2026-03-06T00:00:00.000Z' };
    expect(nextDeadline(reviewed).reason).not.toBe('carrier_stopped_tracking');
  });

  it("a description's finding is the carrier's verdict", () => {
    const e = {
      ...ev('s4', 'exception', '2026-03-04T00:00:00.000Z'),
      finding: { finding: 'seized' as const, rule: 'de.seized', matched: 'beschlagnahmt' },
    };
    expect(carrierVerdict(e)).toBe('customs_seized');
    expect(carrierVerdict({ ...e, finding: { ...e.finding, finding: 'address_problem' } })).toBe(
      'address_problem',
    );
  });
});
