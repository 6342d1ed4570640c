import { z } from 'zod';
import { timestamp } from '../../workflows/model/scalars';
import { page, pageQueryFields } from '../http/pagination';
import { named } from '../http/route';
import { DELIVERY_STATUSES } from './endpoints.repository';
import { EVENT_TYPES } from './events.types';

export const webhookEndpointBody = z.strictObject({
  url: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .describe('Where deliveries are POSTed: https (plain http only in development)'),
  eventTypes: z
    .array(z.enum(EVENT_TYPES))
    .min(1)
    .max(EVENT_TYPES.length)
    .describe('The event types sent to it'),
  description: z.string().trim().max(500).optional(),
});

export const endpointParams = z.object({ id: z.string().min(1).max(100) });
/** A delivery id as the deliveries list shows it; anything else names no delivery (404). */
export const deliveryParams = endpointParams.extend({
  deliveryId: z.string().min(1).max(40).describe('The delivery’s id (from the deliveries list)'),
});

export const endpointListQuery = z.object(pageQueryFields);
export const deliveryListQuery = z.object({
  ...pageQueryFields,
  status: z.enum(DELIVERY_STATUSES).optional(),
});

const endpointFields = {
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.enum(EVENT_TYPES)),
  description: z.string().nullable(),
  createdAt: timestamp,
};
export const webhookEndpointResponse = named('WebhookEndpoint', z.object(endpointFields));
export const webhookEndpointListResponse = named(
  'WebhookEndpointPage',
  page(webhookEndpointResponse),
);
export const webhookEndpointCreatedResponse = named(
  'WebhookEndpointCreated',
  z.object({
    ...endpointFields,
    secret: z
      .string()
      .describe(
        'The signing secret (`whsec_…`), shown this once: verify deliveries with it (Standard Webhooks)',
      ),
  }),
);

export const webhookDeliveryResponse = named(
  'WebhookDelivery',
  z.object({
    id: z.number().int(),
    eventId: z.string().describe('The `webhook-id` header of every attempt'),
    eventType: z.enum(EVENT_TYPES),
    shipmentId: z.string().nullable(),
    status: z
      .enum(DELIVERY_STATUSES)
      .describe('pending (being sent or retried), delivered (answered 2xx), failed (gave up)'),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable().describe('HTTP status of the last answer'),
    lastResponse: z.string().nullable().describe('The start of the last answer’s body'),
    lastError: z.string().nullable().describe('Why the last attempt failed'),
    lastAttemptAt: timestamp.nullable(),
    nextAttemptAt: timestamp.nullable().describe('When it is tried next (pending only)'),
    deliveredAt: timestamp.nullable(),
    createdAt: timestamp,
  }),
);
export const webhookDeliveryListResponse = named(
  'WebhookDeliveryPage',
  page(webhookDeliveryResponse),
);
