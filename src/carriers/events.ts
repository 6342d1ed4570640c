/**
 * Provider checkpoints → our tracking events, built exactly as the webhook receivers build them
 * (same ids, times and countries), so a scan seen through a lookup and through a webhook is one.
 */
import type { TrackingEvent } from '../../workflows/shipment.contract';
import type { MappedStatus } from '../tracking/status-map';
import { toAlpha2 } from '../webhooks/countries';
import { nativeStatusKey } from '../webhooks/webhooks.payloads';
import { checkpointEventId, toInstant, type WebhookProvider } from '../webhooks/webhooks.providers';

export interface ProviderCheckpoint {
  time: string | null | undefined;
  main: string;
  sub?: string;
  mapped: MappedStatus;
  description?: string | null;
  carrierCode?: string | null;
  country?: string | null;
  /** State or province (code or name): with the city, it tells an offset-less time's zone. */
  state?: string | null;
  city?: string | null;
  postalCode?: string | null;
}

/** Our event for one checkpoint; undefined when it carries no usable time. */
export function toEvent(
  provider: WebhookProvider,
  trackingNumber: string,
  c: ProviderCheckpoint,
  expectedDeliveryAt: string | undefined,
): TrackingEvent | undefined {
  // An offset-less time is the checkpoint's local time: read in its place's zone (else as UTC).
  const occurredAt = toInstant(c.time, c);
  if (!occurredAt) return undefined;
  const country = toAlpha2(c.country);
  const location = {
    ...(country ? { country } : {}),
    ...(c.city ? { city: c.city } : {}),
    ...(c.postalCode ? { postalCode: c.postalCode } : {}),
  };
  return {
    eventId: checkpointEventId(
      provider,
      trackingNumber,
      occurredAt,
      nativeStatusKey(provider, c.main, c.sub),
    ),
    occurredAt,
    status: c.mapped.status,
    ...(c.mapped.subStatus ? { subStatus: c.mapped.subStatus } : {}),
    ...(c.carrierCode ? { carrierCode: c.carrierCode } : {}),
    ...(c.description ? { description: c.description } : {}),
    ...(Object.keys(location).length ? { location } : {}),
    ...(expectedDeliveryAt ? { expectedDeliveryAt } : {}),
  };
}

/** Events oldest first, without the ones that had no time. */
export function chronological(events: (TrackingEvent | undefined)[]): TrackingEvent[] {
  return events
    .filter((e): e is TrackingEvent => e !== undefined)
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
}

export { toInstant };
