/** What a carrier tells about a parcel, in our normalized shape. */
import { z } from 'zod';
import { TRACKING_STATUSES } from './enums';
import { timestamp } from './scalars';

export const location = z.object({
  country: z.string().optional(),
  city: z.string().optional(),
  postalCode: z.string().optional(),
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
