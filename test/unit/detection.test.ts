import { describe, expect, it } from 'vitest';
import {
  autoDecisionApplies,
  mergeEvents,
  nextDeadline,
  overdueDeadline,
  stallDeadline,
  stallThresholdMs,
  type DetectionInput,
} from '../../workflows/detection';
import { isIsoDuration, parseIsoDuration } from '../../workflows/durations';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { TrackingEvent } from '../../workflows/shipment.contract';
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
    const seen = new Set<string>(['a']);
    const a = ev('a', 'info_received', '2026-03-01T00:00:00Z');
    const c = ev('c', 'customs', '2026-03-05T00:00:00Z');
    const b = ev('b', 'in_transit', '2026-03-03T00:00:00Z');
    const out = mergeEvents(seen, a, [c, a, b]);
    expect(out.added.map((e) => e.eventId)).toEqual(['b', 'c']);
    expect(out.lastEvent?.eventId).toBe('c');
    expect(mergeEvents(seen, out.lastEvent, [b, c]).added).toEqual([]);
  });

  it('a late-arriving older event does not replace the latest one', () => {
    const seen = new Set<string>();
    const latest = ev('x', 'out_for_delivery', '2026-03-05T00:00:00Z');
    mergeEvents(seen, undefined, [latest]);
    const out = mergeEvents(seen, latest, [ev('y', 'in_transit', '2026-03-01T00:00:00Z')]);
    expect(out.added).toHaveLength(1);
    expect(out.lastEvent?.eventId).toBe('x');
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
