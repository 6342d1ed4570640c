import { createHash } from 'node:crypto';
import { placeWallClockToInstant, type CheckpointPlace } from '../carriers/local-time';

/** Providers whose webhooks we receive at `POST /v1/webhooks/{provider}`. */
export const WEBHOOK_PROVIDERS = ['aftership', '17track', 'easypost', 'sandbox'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export function isWebhookProvider(s: string): s is WebhookProvider {
  return (WEBHOOK_PROVIDERS as readonly string[]).includes(s);
}

/**
 * A stable id for one checkpoint: the same scan pushed again (a redelivery, or an overlapping push
 * carrying the whole history) always gets the same id, so it is stored and signalled once.
 */
export function checkpointEventId(
  provider: WebhookProvider,
  trackingNumber: string,
  occurredAt: string,
  nativeStatus: string,
): string {
  const digest = createHash('sha256')
    .update([provider, trackingNumber, occurredAt, nativeStatus].join('\u0000'))
    .digest('hex');
  return `${provider}-${digest.slice(0, 32)}`;
}

/**
 * A provider time as an ISO instant. A time with an offset or `Z` is that instant. A time without
 * one (AfterShip's `checkpoint_time` for many carriers, which it documents as the checkpoint's
 * local time) is read in the zone of `place` when the place tells it (see `timeZonesOf` in
 * src/carriers/local-time.ts); without a place, or with one that does not tell the zone, it is
 * read as UTC. A date alone means the end of that day, read the same way.
 */
export function toInstant(
  value: string | null | undefined,
  place?: CheckpointPlace,
): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let ms: number;
  let wall: number | undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) wall = Date.parse(`${v}T23:59:59Z`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v))
    wall = Date.parse(`${v.replace(' ', 'T')}Z`);
  if (wall !== undefined) {
    ms = place && !Number.isNaN(wall) ? (placeWallClockToInstant(wall, place) ?? wall) : wall;
  } else ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
