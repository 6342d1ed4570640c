import {
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * Refunds paid (or to be paid by hand) through the seller's order system; one row per idempotency
 * key, so a retried activity never refunds twice.
 */
export const refunds = pgTable(
  'refunds',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    shipmentId: text('shipment_id').notNull(),
    amount: numeric('amount', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    /** `pending` (being sent), `refunded` (the order system confirmed), `manual`, `failed`. */
    status: text('status').notNull().default('pending'),
    /** The connected shop that paid it (refunds through the shop), else null. */
    shopId: text('shop_id'),
    /** The order system's reference for the refund. */
    externalReference: text('external_reference'),
    /** For ops: why a refund is manual or failed. */
    note: text('note'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('refunds_idempotency_uq').on(t.idempotencyKey),
    index('refunds_shipment_idx').on(t.shipmentId),
  ],
);
