/**
 * Pure detection decisions: when does a quiet parcel become suspicious, and why.
 * Unit tests call these directly; the workflow only waits on what they compute.
 */
import { parseIsoDuration } from './durations';
import type { Policy, SuspicionReason, TrackingEvent, TrackingStatus } from './shipment.contract';

/** Carrier statuses that end the wait at once, with the reason they give. */
export const CARRIER_VERDICTS: Partial<Record<TrackingStatus, SuspicionReason>> = {
  lost: 'carrier_lost',
  damaged: 'carrier_damaged',
  destroyed: 'carrier_damaged',
};

export interface DetectionInput {
  policy: Policy;
  registeredAt: string;
  lastEvent?: TrackingEvent;
  expectedDeliveryAt?: string;
  /** Set by `keep_waiting`: the stall and overdue clocks restart from here. */
  clockRestartedAt?: string;
  /** Multiplier for thresholds (grows with each `keep_waiting`). */
  thresholdFactor: number;
}

export interface Deadline {
  at: number;
  reason: SuspicionReason;
}

/** The stall threshold for a status; statuses without their own threshold use `in_transit`'s. */
export function stallThresholdMs(policy: Policy, status: TrackingStatus): number {
  const iso = policy.stallAfter[status] ?? policy.stallAfter.in_transit ?? 'P7D';
  return parseIsoDuration(iso);
}

function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** The stall deadline: last scan (or registration) + threshold of the current status. */
export function stallDeadline(input: DetectionInput): number {
  const status = input.lastEvent?.status ?? 'info_received';
  const base = Math.max(
    ms(input.lastEvent?.occurredAt) ?? ms(input.registeredAt) ?? 0,
    ms(input.clockRestartedAt) ?? -Infinity,
  );
  return base + stallThresholdMs(input.policy, status) * input.thresholdFactor;
}

/** The overdue deadline: expected delivery + grace; after `keep_waiting`, grace from the restart. */
export function overdueDeadline(input: DetectionInput): number | undefined {
  const expected = ms(input.expectedDeliveryAt);
  if (expected === undefined) return undefined;
  const grace = parseIsoDuration(input.policy.overdueGrace) * input.thresholdFactor;
  const restarted = ms(input.clockRestartedAt);
  return Math.max(expected + grace, restarted === undefined ? -Infinity : restarted + grace);
}

/** The earliest deadline at which the parcel becomes suspicious, or a verdict right now. */
export function nextDeadline(input: DetectionInput): Deadline {
  const verdict = input.lastEvent && CARRIER_VERDICTS[input.lastEvent.status];
  if (verdict) return { at: ms(input.lastEvent?.occurredAt) ?? 0, reason: verdict };
  const stall: Deadline = { at: stallDeadline(input), reason: 'stalled' };
  const overdueAt = overdueDeadline(input);
  return overdueAt !== undefined && overdueAt < stall.at
    ? { at: overdueAt, reason: 'overdue' }
    : stall;
}

/** Is the parcel at an end that needs no watching for loss (delivered or back with the seller)? */
export function isDelivered(event: TrackingEvent | undefined): boolean {
  return event?.status === 'delivered';
}

export function isReturnedToSender(event: TrackingEvent | undefined): boolean {
  return event?.status === 'returned';
}

/**
 * Merges new events into what the workflow has seen: drops known eventIds, and returns the
 * latest event by `occurredAt` (not by arrival). Ties keep the later arrival.
 */
export function mergeEvents(
  seen: Set<string>,
  lastEvent: TrackingEvent | undefined,
  incoming: TrackingEvent[],
): { added: TrackingEvent[]; lastEvent: TrackingEvent | undefined } {
  const added: TrackingEvent[] = [];
  let latest = lastEvent;
  const sorted = [...incoming].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  for (const e of sorted) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    added.push(e);
    if (!latest || Date.parse(e.occurredAt) >= Date.parse(latest.occurredAt)) latest = e;
  }
  return { added, lastEvent: latest };
}

/** Does the policy decide on its own when the review SLA runs out? */
export function autoDecisionApplies(policy: Policy, declaredValue: number): boolean {
  return (
    declaredValue <= policy.autoDecision.maxDeclaredValue &&
    policy.autoDecision.maxDeclaredValue > 0
  );
}
