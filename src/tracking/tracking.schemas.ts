import { z } from 'zod';
import { count } from '../../workflows/model/scalars';
import * as base from '../../workflows/model/tracking';
import { named } from '../http/route';
import { instant } from '../shipments/shipments.schemas';

export const MAX_EVENTS_PER_BATCH = 1000;

/**
 * One scan in our normalized shape (the API's input, and the stories the sandbox carrier tells):
 * the base event with the limits a request must keep to.
 */
export const trackingEvent = base.trackingEvent.omit({ finding: true }).safeExtend({
  eventId: z.string().min(1).max(200),
  occurredAt: instant,
  subStatus: z.string().max(100).optional(),
  carrierCode: z.string().max(100).optional(),
  description: z.string().max(2000).optional(),
  location: base.location
    .safeExtend({
      country: z.string().max(2).optional(),
      city: z.string().max(200).optional(),
      postalCode: z.string().max(20).optional(),
    })
    .optional(),
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

/* The answers (response schemas, named as OpenAPI components). */

export const trackingEventsResponse = named(
  'TrackingEventsAccepted',
  z.object({
    accepted: count,
    duplicates: count,
    unknown: count.describe('Events for a carrier and tracking number no shipment has'),
  }),
);
