/**
 * Pure detection decisions: when does a quiet parcel become suspicious, and why.
 * Unit tests call these directly; the workflow only waits on what they compute.
 */
import { parseIsoDuration } from './durations';
import type {
  CarrierSummary,
  CustomsEpisode,
  DescriptionFinding,
  InquiryIntent,
  InquiryRecord,
  Policy,
  SeenEvent,
  SuspicionReason,
  TrackingEvent,
  TrackingStatus,
} from './shipment.contract';

/** Carrier statuses that end the wait at once, with the reason they give. */
const CARRIER_VERDICTS: Partial<Record<TrackingStatus, SuspicionReason>> = {
  lost: 'carrier_lost',
  damaged: 'carrier_damaged',
  destroyed: 'carrier_damaged',
};

/**
 * Sub-statuses that say the same under a generic `exception` (aggregators that map a disposal or a
 * loss to an exception with a sub-code, e.g. TrackingMore exception007, AfterShip Exception_021).
 */
const SUB_STATUS_VERDICTS: [RegExp, SuspicionReason][] = [
  [/dispos|destroy|discard|^exception_021$/i, 'carrier_damaged'],
  [/damage|^exception_012$/i, 'carrier_damaged'],
  [/lost|^exception_013$/i, 'carrier_lost'],
];

/**
 * What a carrier's description, read by a description rule, makes of the parcel. A finding is
 * set by the API (src/tracking/description-rules.ts) before the event reaches the workflow, so
 * changing the rules never changes how a recorded history replays.
 */
const FINDING_VERDICTS: Record<DescriptionFinding, SuspicionReason> = {
  destroyed: 'carrier_damaged',
  lost: 'carrier_lost',
  seized: 'customs_seized',
  damaged: 'carrier_damaged',
  returned: 'carrier_returning',
  address_problem: 'address_problem',
};

/** Summary statuses that say more than a scan can: they act even when the scans say otherwise. */
export const SUMMARY_STATUSES_ACTED_ON: ReadonlySet<CarrierSummary['status']> = new Set<
  CarrierSummary['status']
>(['delivered', 'returned', 'expired', 'exception', 'lost', 'damaged', 'destroyed']);

/** Failed delivery attempts after which a parcel is suspicious when the policy does not say. */
const DEFAULT_MAX_FAILED_ATTEMPTS = 3;

/** What the workflow knows that detection needs. */
export interface DetectionInput {
  policy: Policy;
  registeredAt: string;
  lastEvent?: TrackingEvent;
  /** The estimate in force (registered, or revised by a scan or a carrier lookup). */
  expectedDeliveryAt?: string;
  /** Set by `keep_waiting` or by verification that found movement: clocks restart here. */
  clockRestartedAt?: string;
  /** Set by `keep_waiting`: facts up to here were reviewed and trigger nothing again. */
  reviewedUpTo?: string;
  /** Multiplier for thresholds (grows with each `keep_waiting`). */
  thresholdFactor: number;
  /** failed_attempt scans since the last review. */
  failedAttempts?: number;
  /** When the current customs episode began (a hold counts from entering customs). */
  customsEnteredAt?: string;
  inquiries?: InquiryRecord[];
  /** The provider's word on the whole tracking, where it is in force (see summaryInForce). */
  summary?: CarrierSummary;
}

export interface Deadline {
  at: number;
  reason: SuspicionReason;
}

function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** The stall threshold for a status; statuses without their own threshold use `in_transit`'s. */
export function stallThresholdMs(policy: Policy, status: TrackingStatus): number {
  const iso = policy.stallAfter[status] ?? policy.stallAfter.in_transit ?? 'P7D';
  return parseIsoDuration(iso);
}

/** A parcel stuck in customs is a customs hold; any other quiet parcel has stalled. */
function stallReason(status: TrackingStatus | undefined): SuspicionReason {
  return status === 'customs' ? 'customs_hold' : 'stalled';
}

/**
 * The stall deadline: last scan (or registration) + threshold of the current status. A customs
 * hold counts from entering customs, so repeated "still held" scans do not keep it quiet.
 */
export function stallDeadline(input: DetectionInput): number {
  const status = input.lastEvent?.status ?? 'info_received';
  const since =
    status === 'customs' && input.customsEnteredAt !== undefined
      ? ms(input.customsEnteredAt)
      : ms(input.lastEvent?.occurredAt);
  const base = Math.max(
    since ?? ms(input.registeredAt) ?? 0,
    ms(input.clockRestartedAt) ?? -Infinity,
  );
  return base + stallThresholdMs(input.policy, status) * input.thresholdFactor;
}

/** The overdue deadline: expected delivery + grace; after a restart, grace from the restart. */
export function overdueDeadline(input: DetectionInput): number | undefined {
  const expected = ms(input.expectedDeliveryAt);
  if (expected === undefined) return undefined;
  const grace = parseIsoDuration(input.policy.overdueGrace) * input.thresholdFactor;
  const restarted = ms(input.clockRestartedAt);
  return Math.max(expected + grace, restarted === undefined ? -Infinity : restarted + grace);
}

/** What the carrier's own status says, if it says lost, damaged, destroyed or disposed. */
export function carrierVerdict(event: TrackingEvent | undefined): SuspicionReason | undefined {
  if (!event) return undefined;
  const direct = CARRIER_VERDICTS[event.status];
  if (direct) return direct;
  if (event.finding) return FINDING_VERDICTS[event.finding.finding];
  if (event.status !== 'exception' || !event.subStatus) return undefined;
  return SUB_STATUS_VERDICTS.find(([pattern]) => pattern.test(event.subStatus ?? ''))?.[1];
}

export function maxFailedAttempts(policy: Policy): number {
  return policy.maxFailedAttempts ?? DEFAULT_MAX_FAILED_ATTEMPTS;
}

/**
 * When the surge happened: the receipt time of the K-th inquiry within any window W (counted by
 * `receivedAt`, only inquiries after `after`), or undefined when there is no surge.
 */
export function inquirySurgeAt(
  policy: Policy,
  inquiries: InquiryRecord[],
  after?: string,
): number | undefined {
  const k = policy.inquirySurge.count;
  if (k < 1) return undefined;
  const windowMs = parseIsoDuration(policy.inquirySurge.window);
  const floor = ms(after) ?? -Infinity;
  const times = inquiries
    .map((i) => ms(i.receivedAt))
    .filter((t): t is number => t !== undefined && t > floor)
    .sort((a, b) => a - b);
  for (let i = 0; i + k - 1 < times.length; i++) {
    const last = times[i + k - 1]!;
    if (last - times[i]! <= windowMs) return last;
  }
  return undefined;
}

/**
 * The earliest moment the parcel is suspicious, with its reason. Immediate triggers (a carrier
 * verdict, too many failed attempts, an inquiry surge) return a moment in the past; facts that ops
 * already reviewed (`reviewedUpTo`) trigger nothing again.
 */
export function nextDeadline(input: DetectionInput): Deadline {
  const reviewed = ms(input.reviewedUpTo) ?? -Infinity;
  const last = input.lastEvent;
  const lastAt = ms(last?.occurredAt) ?? 0;
  const stopped = input.summary?.status === 'expired' ? ms(input.summary.receivedAt) : undefined;
  if (stopped !== undefined && stopped > reviewed) {
    return { at: stopped, reason: 'carrier_stopped_tracking' };
  }
  const verdict = carrierVerdict(last);
  if (verdict && lastAt > reviewed) return { at: lastAt, reason: verdict };
  if (
    last?.status === 'failed_attempt' &&
    (input.failedAttempts ?? 0) >= maxFailedAttempts(input.policy)
  ) {
    return { at: lastAt, reason: 'failed_attempts' };
  }
  const surge = inquirySurgeAt(input.policy, input.inquiries ?? [], input.reviewedUpTo);
  if (surge !== undefined) return { at: surge, reason: 'inquiry_surge' };
  const stall: Deadline = { at: stallDeadline(input), reason: stallReason(last?.status) };
  const overdueAt = overdueDeadline(input);
  return overdueAt !== undefined && overdueAt < stall.at
    ? { at: overdueAt, reason: 'overdue' }
    : stall;
}

/**
 * The provider's summary where it is in force: no scan came after it, and it says more than the
 * newest scan (a delivery, a return, an exception, an expiry). Otherwise the scans speak.
 */
export function summaryInForce(
  summary: CarrierSummary | undefined,
  lastEvent: TrackingEvent | undefined,
  eventCount: number,
): CarrierSummary | undefined {
  if (!summary || summary.eventCountAt !== eventCount) return undefined;
  if (!SUMMARY_STATUSES_ACTED_ON.has(summary.status)) return undefined;
  if (summary.status === lastEvent?.status && !summary.finding) return undefined;
  return summary;
}

/**
 * The newest fact about the parcel: the newest scan, or the summary in force read as a scan at
 * the moment the workflow learned it (an expiry reads as an `exception` whose clock starts then).
 */
export function currentEvent(
  lastEvent: TrackingEvent | undefined,
  summary: CarrierSummary | undefined,
  eventCount: number,
): TrackingEvent | undefined {
  const s = summaryInForce(summary, lastEvent, eventCount);
  if (!s) return lastEvent;
  return {
    eventId: `summary:${s.provider}:${s.native}:${s.receivedAt}`,
    occurredAt: s.receivedAt,
    status: s.status === 'expired' ? 'exception' : s.status,
    ...(s.subStatus ? { subStatus: s.subStatus } : {}),
    ...(s.description ? { description: s.description } : {}),
    ...(s.finding ? { finding: s.finding } : {}),
  };
}

/** Is the parcel delivered (the delivered-not-received watch starts)? */
export function isDelivered(event: TrackingEvent | undefined): boolean {
  return event?.status === 'delivered';
}

export function isReturnedToSender(event: TrackingEvent | undefined): boolean {
  return event?.status === 'returned';
}

/** Intents that, after delivery, mean "I never got it"; an unclassified inquiry counts too. */
const NOT_RECEIVED_INTENTS: (InquiryIntent | undefined)[] = [
  'not_received',
  'delivered_not_received',
  undefined,
];

function reportsNotReceived(inquiry: InquiryRecord): boolean {
  return NOT_RECEIVED_INTENTS.includes(inquiry.intent);
}

/**
 * Event ids carried over on continue-as-new. A shipment may see thousands of scans (and carrier
 * lookups repeat them); carrying the newest ids plus a time floor keeps the input bounded.
 */
export const MAX_CARRIED_EVENT_IDS = 256;

/** The ids of events already taken, and the floor below which older scans count as seen. */
export interface SeenEvents {
  ids: Map<string, number>;
  /** Scans at or before this instant that are not in `ids` count as seen (their ids were dropped). */
  floor?: number;
}

export function seenEventsFrom(carried: SeenEvent[] = [], floor?: string): SeenEvents {
  return {
    ids: new Map(carried.map((e) => [e.eventId, ms(e.occurredAt) ?? 0])),
    floor: ms(floor),
  };
}

/** Has this event been taken already (or is it older than what is still remembered)? */
export function alreadySeen(seen: SeenEvents, event: TrackingEvent): boolean {
  if (seen.ids.has(event.eventId)) return true;
  const at = ms(event.occurredAt) ?? 0;
  return seen.floor !== undefined && at <= seen.floor;
}

/**
 * Keeps the `max` newest ids for the next run; the floor rises to the newest dropped scan. A late
 * duplicate of a dropped scan is then recognised by its age: at most it would have been an older
 * scan, which can never become the last event nor move a deadline.
 */
export function boundSeenEvents(
  seen: SeenEvents,
  max: number,
): { seenEvents: SeenEvent[]; seenEventsFloor?: string } {
  const entries = [...seen.ids.entries()].sort((a, b) => b[1] - a[1]);
  const kept = entries.slice(0, max);
  const dropped = entries.slice(max);
  const floor = Math.max(seen.floor ?? -Infinity, ...dropped.map(([, at]) => at));
  return {
    seenEvents: kept.map(([eventId, at]) => ({
      eventId,
      occurredAt: new Date(at).toISOString(),
    })),
    ...(Number.isFinite(floor) ? { seenEventsFloor: new Date(floor).toISOString() } : {}),
  };
}

/**
 * Merges new events into what the workflow has seen: drops known eventIds, and returns the
 * latest event by `occurredAt` (not by arrival). Ties keep the later arrival.
 */
export function mergeEvents(
  seen: SeenEvents,
  lastEvent: TrackingEvent | undefined,
  incoming: TrackingEvent[],
): { added: TrackingEvent[]; lastEvent: TrackingEvent | undefined } {
  const added: TrackingEvent[] = [];
  let latest = lastEvent;
  const sorted = [...incoming].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  for (const e of sorted) {
    if (alreadySeen(seen, e)) continue;
    seen.ids.set(e.eventId, Date.parse(e.occurredAt));
    added.push(e);
    if (!latest || Date.parse(e.occurredAt) >= Date.parse(latest.occurredAt)) latest = e;
  }
  return { added, lastEvent: latest };
}

/**
 * The delivery estimate after these scans: the latest scan that carries a revised estimate wins
 * (by when the scan happened); none keeps the current one.
 */
export function revisedEstimate(
  current: string | undefined,
  added: TrackingEvent[],
): string | undefined {
  const revising = added
    .filter((e) => e.expectedDeliveryAt !== undefined)
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  return revising.at(-1)?.expectedDeliveryAt ?? current;
}

/**
 * Customs episodes: entering customs from another status starts a new one (one customer notice per
 * episode); the hold counts from the first scan of the unbroken run of customs scans.
 */
export function customsEpisodeAfter(
  current: CustomsEpisode | undefined,
  before: TrackingEvent | undefined,
  added: TrackingEvent[],
  lastEvent: TrackingEvent | undefined,
): CustomsEpisode | undefined {
  if (lastEvent?.status !== 'customs' || before?.status === 'customs') return current;
  const beforeAt = before ? Date.parse(before.occurredAt) : -Infinity;
  const newer = added
    .filter((e) => Date.parse(e.occurredAt) > beforeAt)
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  let enteredAt = lastEvent.occurredAt;
  for (let i = newer.length - 1; i >= 0 && newer[i]!.status === 'customs'; i--) {
    enteredAt = newer[i]!.occurredAt;
  }
  return { ...current, episode: (current?.episode ?? 0) + 1, enteredAt };
}

/**
 * The inquiry that reports a delivered parcel as not received: the first one received after the
 * delivery scan (and after any review of it) whose intent says so.
 */
export function notReceivedReport(
  inquiries: InquiryRecord[],
  deliveredAt: string,
  reviewedUpTo?: string,
): InquiryRecord | undefined {
  const floor = Math.max(Date.parse(deliveredAt), ms(reviewedUpTo) ?? -Infinity);
  return inquiries.find((i) => Date.parse(i.receivedAt) > floor && reportsNotReceived(i));
}

/** Inquiries kept for the surge rule: the newest `max`, oldest first. */
export function boundInquiries(inquiries: InquiryRecord[], max: number): InquiryRecord[] {
  return [...inquiries]
    .sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt))
    .slice(-max);
}

/** Does the policy decide on its own when the review SLA runs out? */
export function autoDecisionApplies(policy: Policy, declaredValue: number): boolean {
  return (
    declaredValue <= policy.autoDecision.maxDeclaredValue &&
    policy.autoDecision.maxDeclaredValue > 0
  );
}
