import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * What happened to shipments, as events for the seller's systems (`shipment.registered`,
 * `review.opened`, …). One row per fact: `dedupe_key` makes a retried activity's event the same
 * row. `fanned_out` turns true once a delivery row exists for every endpoint subscribed then.
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Public id (`evt_…`): the `webhook-id` of its deliveries. */
    eventId: text('event_id').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    type: text('type').notNull(),
    shipmentId: text('shipment_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    fannedOut: boolean('fanned_out').notNull().default(false),
  },
  (t) => [
    uniqueIndex('events_event_id_uq').on(t.eventId),
    uniqueIndex('events_dedupe_uq').on(t.dedupeKey),
    index('events_pending_fanout_idx')
      .on(t.id)
      .where(sql`not ${t.fannedOut}`),
    index('events_shipment_idx').on(t.shipmentId, t.id),
  ],
);

/** A seller's endpoint subscribed to event types, signed by the Standard Webhooks scheme. */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  endpointId: text('endpoint_id').primaryKey(),
  url: text('url').notNull(),
  eventTypes: text('event_types').array().notNull(),
  description: text('description'),
  /** Sealed `whsec_…` signing secret (shown once, when the endpoint is made). */
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Deleted endpoints keep their delivery history; nothing new is sent to them. */
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
});

/** One event to one endpoint: sent until answered 2xx, retried with backoff for three days. */
export const eventDeliveries = pgTable(
  'event_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    endpointId: text('endpoint_id').notNull(),
    /** events.id */
    eventRow: bigint('event_row', { mode: 'number' }).notNull(),
    shipmentId: text('shipment_id'),
    /** `pending`, `delivered`, `failed` (gave up after three days; redeliver by hand). */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastStatusCode: integer('last_status_code'),
    lastResponse: text('last_response'),
    lastError: text('last_error'),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('event_deliveries_endpoint_event_uq').on(t.endpointId, t.eventRow),
    index('event_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index('event_deliveries_endpoint_idx').on(t.endpointId, t.id),
    // The ordering check: an earlier undelivered delivery of the same endpoint and shipment.
    index('event_deliveries_pending_order_idx')
      .on(t.endpointId, t.shipmentId, t.eventRow)
      .where(sql`${t.status} = 'pending'`),
  ],
);
