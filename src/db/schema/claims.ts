import {
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { TraceOpened } from '../../carriers/carrier';

/** Read model of a claim; the claim workflow (`claim:<shipmentId>`) is the source of truth. */
export const claims = pgTable(
  'claims',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    shipmentId: text('shipment_id').notNull(),
    /** The claim workflow that owns this row (absent on rows written before claims had their own). */
    workflowId: text('workflow_id'),
    carrier: text('carrier').notNull(),
    /** Who the claim is filed with: the carrier, or an insurer. */
    filer: text('filer'),
    /** The rule (see src/claims/claims.rules.ts) the deadlines come from. */
    ruleName: text('rule_name'),
    trackingNumber: text('tracking_number').notNull(),
    /** The carrier's claim id once filed. */
    claimId: text('claim_id'),
    reason: text('reason').notNull(),
    status: text('status').notNull(),
    /** Amount claimed. */
    amount: numeric('amount', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    amountRecovered: numeric('amount_recovered', { precision: 12, scale: 2, mode: 'number' }),
    evidence: jsonb('evidence').notNull(),
    /** The carrier trace opened before filing, where the rule asks for one. */
    trace: jsonb('trace').$type<TraceOpened>(),
    eligibleAt: timestamp('eligible_at', { withTimezone: true }),
    warnAt: timestamp('warn_at', { withTimezone: true }),
    windowClosesAt: timestamp('window_closes_at', { withTimezone: true }),
    filedAt: timestamp('filed_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('claims_idempotency_uq').on(t.idempotencyKey),
    index('claims_shipment_idx').on(t.shipmentId),
    index('claims_status_idx').on(t.status, t.id),
    index('claims_carrier_idx').on(t.carrier, t.id),
  ],
);

export const claimHistory = pgTable(
  'claim_history',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    claimRowId: integer('claim_row_id')
      .notNull()
      .references(() => claims.id),
    status: text('status').notNull(),
    detail: text('detail'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('claim_history_claim_idx').on(t.claimRowId, t.id),
    // One row per decision: the same status at the same time is the same update, redelivered.
    uniqueIndex('claim_history_claim_status_at_uq').on(t.claimRowId, t.status, t.at),
  ],
);
