/**
 * The events we send to the seller's own systems, and their payloads. Each payload is
 * `{type, timestamp, data}` as Standard Webhooks recommends; `data` always names the shipment and
 * its order. The same zod schemas describe the payloads in the OpenAPI document's `webhooks`.
 */
import { z } from 'zod';
import {
  CLAIM_STATUSES,
  MESSAGE_CHANNELS,
  NOTIFICATION_KINDS,
  NOTIFICATION_STATUSES,
  REFUND_STATUSES,
  RESOLUTIONS,
  REVIEW_DECISIONS,
  SUSPICION_REASONS,
} from '../../workflows/model/enums';
import { timestamp } from '../../workflows/model/scalars';
import { shopOrderRef } from '../../workflows/model/shipment';

export const EVENT_TYPES = [
  'shipment.registered',
  'shipment.flagged',
  'review.opened',
  'review.decided',
  'shipment.reshipped',
  'shipment.refunded',
  'customer.notified',
  'claim.filed',
  'claim.settled',
  'shipment.closed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (s: string): s is EventType =>
  (EVENT_TYPES as readonly string[]).includes(s);

/** What every event's data carries. */
const about = {
  shipmentId: z.string().describe('Our shipment id'),
  orderId: z
    .string()
    .nullable()
    .describe('The order id the shipment was registered with (null if the shipment is unknown)'),
};

const money = { amount: z.number(), currency: z.string().describe('ISO 4217') };

/** `data` of each event type. */
export const EVENT_DATA = {
  'shipment.registered': z.object({
    ...about,
    carrier: z.string(),
    trackingNumber: z.string(),
    policy: z.string(),
    destinationCountry: z.string(),
    replacementOf: z.string().optional().describe('Set on a replacement: the shipment it replaces'),
    shop: shopOrderRef.optional().describe('The shop order it came from (connected shops)'),
  }),
  'shipment.flagged': z.object({
    ...about,
    reason: z.enum(SUSPICION_REASONS),
    detectedAt: timestamp,
    detail: z.string().optional(),
  }),
  'review.opened': z.object({
    ...about,
    round: z.number().int().describe('The review round (1 for the first review)'),
    reason: z.enum(SUSPICION_REASONS),
    slaDeadline: timestamp,
    note: z.string().optional().describe('Why the review is back (a decision could not be done)'),
  }),
  'review.decided': z.object({
    ...about,
    round: z.number().int(),
    decision: z.enum(REVIEW_DECISIONS),
    reviewer: z.string().describe('Who decided (`policy` for an automatic decision)'),
    automatic: z.boolean(),
    decidedAt: timestamp,
  }),
  'shipment.reshipped': z.object({
    ...about,
    replacementShipmentId: z.string(),
    carrier: z.string(),
    trackingNumber: z.string(),
    channel: z.string().optional().describe('carrier/service of the replacement'),
    shopOrder: z
      .object({ shopId: z.string(), orderId: z.string(), orderName: z.string().optional() })
      .optional()
      .describe('The replacement order created in the shop (connected shops)'),
  }),
  'shipment.refunded': z.object({
    ...about,
    ...money,
    status: z.enum(REFUND_STATUSES),
    reference: z.string().optional().describe('The refund’s reference in the order system or shop'),
    shopId: z.string().optional(),
  }),
  'customer.notified': z.object({
    ...about,
    kind: z.enum(NOTIFICATION_KINDS),
    channel: z.enum(MESSAGE_CHANNELS),
    locale: z.string(),
    status: z.enum(NOTIFICATION_STATUSES).describe('`queued`: the outbox keeps trying'),
  }),
  'claim.filed': z.object({
    ...about,
    ...money,
    claimId: z.string().describe('The carrier’s or insurer’s claim id'),
    filer: z.string().describe('Carrier or insurer the claim went to'),
    filedAt: timestamp,
  }),
  'claim.settled': z.object({
    ...about,
    claimId: z.string().nullable(),
    status: z
      .enum(CLAIM_STATUSES)
      .describe('approved, partially_approved, denied, paid or expired'),
    amountClaimed: z.number(),
    amountRecovered: z.number().optional(),
    currency: z.string(),
  }),
  'shipment.closed': z.object({
    ...about,
    resolution: z.enum(RESOLUTIONS),
  }),
} satisfies Record<EventType, z.ZodType>;

export type EventData<T extends EventType> = z.input<(typeof EVENT_DATA)[T]>;

/** The JSON body of a delivery of an event of type `t`. */
export function eventPayloadSchema<T extends EventType>(t: T) {
  return z.object({
    type: z.literal(t),
    timestamp: timestamp.describe('When it happened'),
    data: EVENT_DATA[t],
  });
}

const DESCRIPTIONS: Record<EventType, string> = {
  'shipment.registered': 'A shipment was registered (API, CSV import or shop intake)',
  'shipment.flagged': 'A shipment looks lost or late: the suspicion and its reason',
  'review.opened': 'A shipment went to the ops review queue',
  'review.decided': 'A review was decided (by a person or the policy)',
  'shipment.reshipped': 'A replacement was booked',
  'shipment.refunded': 'The refund was confirmed by the order system or the shop',
  'customer.notified': 'A message went to the customer (no text, no address)',
  'claim.filed': 'A claim was filed with the carrier or insurer',
  'claim.settled': 'A claim reached an outcome',
  'shipment.closed': 'The shipment is closed, with its resolution',
};

/** The headers of every delivery, by the Standard Webhooks specification. */
const SIGNATURE_HEADERS = [
  {
    name: 'webhook-id',
    description: 'The event id (`evt_…`): the same on every attempt, for deduplication',
  },
  { name: 'webhook-timestamp', description: 'Seconds since the epoch when this attempt was sent' },
  {
    name: 'webhook-signature',
    description:
      '`v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{body}` under the endpoint’s secret',
  },
];

/**
 * The OpenAPI 3.1 `webhooks` section: one POST per event type, its JSON body and signature
 * headers; an answer in 2xx is taken as delivered.
 */
export function eventWebhooksDocument(
  toJsonSchema: (s: z.ZodType) => Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    EVENT_TYPES.map((t) => [
      t,
      {
        post: {
          operationId: `event.${t}`,
          tags: ['Webhook endpoints'],
          summary: DESCRIPTIONS[t],
          description:
            'Sent to every webhook endpoint subscribed to this type, signed by the Standard Webhooks specification (verify with the `standardwebhooks` library and the endpoint’s `whsec_…` secret). Retried with backoff for three days until answered 2xx; events of one shipment arrive in order.',
          parameters: SIGNATURE_HEADERS.map((h) => ({
            ...h,
            in: 'header',
            required: true,
            schema: { type: 'string' },
          })),
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toJsonSchema(eventPayloadSchema(t)) } },
          },
          responses: {
            '200': { description: 'Taken (any 2xx): the delivery is done' },
            default: { description: 'Anything else (or no answer in time): retried' },
          },
          security: [],
        },
      },
    ]),
  );
}
