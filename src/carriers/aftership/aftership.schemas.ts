/**
 * AfterShip Tracking API (version 2025-01) shapes we read. Field names as documented:
 * https://www.aftership.com/docs/tracking/2025-01/model/tracking (Tracking object),
 * https://www.aftership.com/docs/tracking/2025-01/trackings/get-trackings,
 * https://www.aftership.com/docs/tracking/2025-01/trackings/post-trackings.
 * Lenient (nullish, extra fields kept out) because AfterShip adds fields between versions.
 */
import { z } from 'zod';

const text = z.string().nullish();

export const afterShipCheckpoint = z.object({
  slug: text,
  checkpoint_time: text,
  message: text,
  tag: z.string().min(1),
  subtag: text,
  city: text,
  state: text,
  /** v4 and webhooks send `zip`, 2025-01 `postal_code`; v4 names the country `country_iso3`. */
  zip: text,
  postal_code: text,
  country_region: text,
  country_iso3: text,
});

/** A tracking's fields that both the lookup answer and the webhook `msg` carry. */
export const afterShipTrackingCore = z.object({
  id: text,
  slug: text,
  tracking_number: z.string().min(1),
  /** The tracking's overall status (a webhook may leave it out). */
  tag: text,
  subtag: text,
  subtag_message: text,
  updated_at: text,
  signed_by: text,
  shipment_delivery_date: text,
  delivery_location_type: text,
  checkpoints: z.array(afterShipCheckpoint).nullish(),
  latest_estimated_delivery: z.object({ datetime: text, datetime_max: text }).nullish(),
  custom_estimated_delivery_date: z.object({ datetime: text, datetime_max: text }).nullish(),
  courier_estimated_delivery_date: z
    .object({ estimated_delivery_date: text, estimated_delivery_date_max: text })
    .nullish(),
  aftership_estimated_delivery_date: z.object({ estimated_delivery_date: text }).nullish(),
  /** Legacy (v4) single estimate, still sent by older webhook versions. */
  expected_delivery: text,
});
export type AfterShipTrackingCore = z.output<typeof afterShipTrackingCore>;

export const afterShipTracking = afterShipTrackingCore.extend({ tag: z.string().min(1) });
export type AfterShipTracking = z.output<typeof afterShipTracking>;

const meta = z.object({ code: z.number(), message: text, type: text });

/** `GET /trackings?tracking_numbers=…&slug=…` */
export const afterShipTrackingList = z.object({
  meta,
  data: z.object({ trackings: z.array(afterShipTracking) }),
});

/** `POST /trackings` */
export const afterShipTrackingCreated = z.object({ meta, data: afterShipTracking });

/** Any answer's envelope: errors carry `meta.code` (e.g. 4003 exists, 4005 invalid number). */
export const afterShipEnvelope = z.object({ meta });
