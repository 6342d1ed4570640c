/**
 * The freshness window: a delivery older than WEBHOOK_MAX_AGE is refused, so a signed delivery
 * captured once cannot be replayed for ever. It is judged per delivery, not per event: providers
 * push a parcel's whole history (months-old scans) with every update, and refusing those scans
 * would refuse every honest push for a long journey. A replay, though, is an old delivery.
 */
import type { ParsedWebhook } from './webhooks.parsers';

/** WEBHOOK_MAX_AGE's default (P30D), for apps built without a configuration. */
export const DEFAULT_WEBHOOK_MAX_AGE_MS = 30 * 86_400_000;

export interface Staleness {
  /** The instant judged: when the provider sent the delivery, else its newest event. */
  at: string;
  basis: 'sent' | 'newest event';
}

/**
 * The instant a delivery is judged by: the provider's own send time where the payload has one
 * (AfterShip `ts`, EasyPost `created_at`, the sandbox's `sentAt`), else the newest event or claim
 * decision in it (17TRACK sends no time of its own). Undefined when it carries no time at all.
 */
export function deliveryTime(parsed: ParsedWebhook): Staleness | undefined {
  if (parsed.sentAt) return { at: parsed.sentAt, basis: 'sent' };
  const times = [
    ...parsed.trackings.flatMap((t) => t.events.map((e) => e.occurredAt)),
    ...parsed.claims.map((c) => c.at),
  ]
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  if (times.length === 0) return undefined;
  return { at: new Date(Math.max(...times)).toISOString(), basis: 'newest event' };
}

/** The delivery's time when it is older than `maxAgeMs` at `now`; undefined when fresh. */
export function staleDelivery(
  parsed: ParsedWebhook,
  now: number,
  maxAgeMs: number,
): Staleness | undefined {
  const time = deliveryTime(parsed);
  return time && now - Date.parse(time.at) > maxAgeMs ? time : undefined;
}

/** `2592000000` → `30 days`, for messages. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  }
  return `${ms} ms`;
}
