import {
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const claims = pgTable(
  'claims',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    shipmentId: text('shipment_id').notNull(),
    carrier: text('carrier').notNull(),
    trackingNumber: text('tracking_number').notNull(),
    /** The carrier's claim id once filed. */
    claimId: text('claim_id'),
    reason: text('reason').notNull(),
    status: text('status').notNull(),
    amount: numeric('amount', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    amountRecovered: numeric('amount_recovered', { precision: 12, scale: 2, mode: 'number' }),
    evidence: jsonb('evidence').notNull(),
    filedAt: timestamp('filed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('claims_idempotency_uq').on(t.idempotencyKey)],
);

export const claimHistory = pgTable('claim_history', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  claimRowId: integer('claim_row_id')
    .notNull()
    .references(() => claims.id),
  status: text('status').notNull(),
  detail: text('detail'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});
