import { createHash } from 'node:crypto';

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
 * A provider time as an ISO instant. Times without an offset are read as UTC (AfterShip sends
 * carrier-local times without one for some carriers); a date alone means the end of that day.
 */
export function toInstant(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) ms = Date.parse(`${v}T23:59:59Z`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v))
    ms = Date.parse(`${v.replace(' ', 'T')}Z`);
  else ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
