import { boolean, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Provider webhook deliveries we have processed, by the provider's own delivery id (or a digest
 * of the body when the provider has none). A redelivery finds its row and is answered as a duplicate.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    provider: text('provider').notNull(),
    deliveryId: text('delivery_id').notNull(),
    /** `tracking`, `claim` or `ignored` (an event type we do not act on). */
    kind: text('kind').notNull(),
    /** Events newly stored from this delivery. */
    events: integer('events').notNull().default(0),
    /** Tracking numbers (or claim ids) in this delivery that we do not know. */
    unknown: integer('unknown').notNull().default(0),
    /** How many times the provider sent this delivery again after we had processed it. */
    redeliveries: integer('redeliveries').notNull().default(0),
    /**
     * False while a tracking delivery's workflows are being told (the claim is taken and its
     * events stored, but no connection is held across the signals). A claim that stays unfinished
     * past the lease (its request died, or could not release it) is taken again by a redelivery.
     */
    completed: boolean('completed').notNull().default(true),
    /** When the delivery was claimed (taken again: when it was retaken). */
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    lastRedeliveredAt: timestamp('last_redelivered_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('webhook_deliveries_provider_delivery_uq').on(t.provider, t.deliveryId)],
);

/**
 * Tracking numbers (or carrier claim ids) providers pushed that match no shipment: answered 200 so
 * providers stop retrying, and kept here so ops can see what arrives for parcels we never registered.
 */
export const webhookUnknownReferences = pgTable(
  'webhook_unknown_references',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    provider: text('provider').notNull(),
    /** `tracking_number` or `claim_id`. */
    kind: text('kind').notNull(),
    reference: text('reference').notNull(),
    deliveries: integer('deliveries').notNull().default(1),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('webhook_unknown_references_uq').on(t.provider, t.kind, t.reference)],
);
