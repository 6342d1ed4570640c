import { z } from 'zod';
import { TRACKING_STATUSES } from '../../workflows/shipment.contract';
import { instant } from '../shipments/shipments.schemas';

export const MAX_EVENTS_PER_BATCH = 1000;

/** One scan in our normalized shape (the API's input, and the stories the sandbox carrier tells). */
export const trackingEvent = z.object({
  eventId: z.string().min(1).max(200),
  occurredAt: instant,
  status: z.enum(TRACKING_STATUSES),
  subStatus: z.string().max(100).optional(),
  carrierCode: z.string().max(100).optional(),
  description: z.string().max(2000).optional(),
  location: z
    .object({
      country: z.string().max(2).optional(),
      city: z.string().max(200).optional(),
      postalCode: z.string().max(20).optional(),
    })
    .optional(),
  /** A revised delivery estimate the carrier gave with this scan; replaces the registered one. */
  expectedDeliveryAt: instant.optional(),
});

export const trackingEventInput = trackingEvent.extend({
  carrier: z.string().min(1).max(64),
  trackingNumber: z.string().min(1).max(128),
});
export type TrackingEventInput = z.output<typeof trackingEventInput>;

export const trackingEventsBody = z.object({
  events: z
    .array(trackingEventInput)
    .min(1, 'must hold at least one event')
    .max(MAX_EVENTS_PER_BATCH, `must hold at most ${MAX_EVENTS_PER_BATCH} events; split the batch`),
});
