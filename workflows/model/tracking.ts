/** What a carrier tells about a parcel, in our normalized shape. */
import { z } from 'zod';
import { DESCRIPTION_FINDINGS, SUMMARY_STATUSES, TRACKING_STATUSES } from './enums';
import { timestamp } from './scalars';

export const location = z.object({
  country: z.string().optional(),
  city: z.string().optional(),
  postalCode: z.string().optional(),
});

/**
 * What the carrier's description says happened, read by a description rule when the status alone
 * does not say (an `exception` "Package lost at sorting centre"). Set by Parcelwarden, not senders.
 */
export const descriptionFinding = z.object({
  finding: z.enum(DESCRIPTION_FINDINGS),
  /** The rule that fired, e.g. `de.lost`; the rules are in src/tracking/description-rules.ts. */
  rule: z.string(),
  /** The words it matched. */
  matched: z.string(),
});

export const trackingEvent = z.object({
  eventId: z.string(),
  occurredAt: timestamp,
  status: z.enum(TRACKING_STATUSES),
  subStatus: z.string().optional(),
  carrierCode: z.string().optional(),
  description: z.string().optional(),
  location: location.optional(),
  /** A revised delivery estimate carried by this scan or webhook; replaces the registered one. */
  expectedDeliveryAt: timestamp.optional(),
  /** What the description says happened, where a rule read it (see descriptionFinding). */
  finding: descriptionFinding.optional(),
});

/** Where the courier's device was when delivery was recorded. */
export const geoPoint = z.object({ lat: z.number(), lng: z.number() });

/** What the carrier holds as proof of delivery (photo, signature, GPS), recorded as evidence. */
export const proofOfDelivery = z.object({
  deliveredAt: timestamp,
  signedBy: z.string().optional(),
  photoUrl: z.string().optional(),
  location: geoPoint.optional(),
  /** Free text from the carrier (e.g. "left at front door"). */
  note: z.string().optional(),
});

/**
 * A provider's word on the whole tracking, besides its checkpoints: AfterShip's `tag`/`subtag`,
 * EasyPost's `status`/`status_detail` and `signed_by`, 17TRACK's `latest_status`. It tells what
 * the checkpoints may not: a tracking that expired with none, or a delivery the checkpoints' times
 * put before an older scan.
 */
export const trackingSummary = z.object({
  /** Which provider said it (aftership, easypost, 17track, sandbox). */
  provider: z.string(),
  /** The provider's own code, main and sub (e.g. `Expired`, `Exception/Exception_013`). */
  native: z.string(),
  status: z.enum(SUMMARY_STATUSES),
  subStatus: z.string().optional(),
  description: z.string().optional(),
  /** When the provider last updated the tracking, where it says. */
  updatedAt: timestamp.optional(),
  proofOfDelivery: proofOfDelivery.optional(),
  finding: descriptionFinding.optional(),
});
