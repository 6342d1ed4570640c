import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { NotificationKind } from '../../../workflows/shipment.contract';

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failing'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * Outbox of every message: written first with a unique idempotency key, then sent. A sender
 * claims a row with a lease (`sending`, `lease_until`); a lease that runs out (the sender died)
 * makes the row due again. `next_attempt_at` spaces out retries of a failing row.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    shipmentId: text('shipment_id').notNull(),
    kind: text('kind').notNull(),
    channel: text('channel').notNull(),
    to: text('to').notNull(),
    locale: text('locale').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    html: text('html'),
    vars: jsonb('vars'),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    /** The RFC 5322 Message-ID, derived from the idempotency key (the same on every attempt). */
    messageId: text('message_id'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** When ops were told that this message keeps failing (once). */
    alertedAt: timestamp('alerted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notifications_idempotency_uq').on(t.idempotencyKey),
    index('notifications_shipment_idx').on(t.shipmentId),
    index('notifications_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} <> 'sent'`),
  ],
);

/** A seller's own text for a kind and locale; replaces the built-in one until deleted. */
export const messageTemplates = pgTable(
  'message_templates',
  {
    kind: text('kind').$type<NotificationKind>().notNull(),
    locale: text('locale').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.locale] })],
);

/**
 * A satisfaction survey sent after a replacement arrived; answered at most once. The id is random
 * (the link's secret part); the idempotency key of the message that carries it makes a retried
 * send find the same survey. Surveys stored before ids were random have no key.
 */
export const surveys = pgTable(
  'surveys',
  {
    surveyId: text('survey_id').primaryKey(),
    idempotencyKey: text('idempotency_key'),
    shipmentId: text('shipment_id').notNull(),
    locale: text('locale').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    rating: integer('rating'),
    comment: text('comment'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [
    index('surveys_shipment_idx').on(t.shipmentId),
    uniqueIndex('surveys_idempotency_uq').on(t.idempotencyKey),
  ],
);

/** Customer e-mail received through the inbound-mail webhook, matched to a shipment when possible. */
export const inboundEmails = pgTable(
  'inbound_emails',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    messageId: text('message_id').notNull(),
    from: text('from').notNull(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    shipmentId: text('shipment_id'),
    /** How the shipment was found: order_id | tracking_number | customer_email. */
    matchedBy: text('matched_by'),
    /** The inquiry it became (matched mail from the customer's registered address only). */
    inquiryId: text('inquiry_id'),
    /**
     * It names a shipment but comes from another address than the customer's: nobody was answered
     * and the workflow was not told; ops got it to review.
     */
    unverifiedSender: boolean('unverified_sender').notNull().default(false),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('inbound_emails_message_uq').on(t.messageId),
    index('inbound_emails_shipment_idx').on(t.shipmentId),
  ],
);

/** What we made of a customer inquiry: its intent and whether we replied or asked ops. */
export const inquiryOutcomes = pgTable(
  'inquiry_outcomes',
  {
    shipmentId: text('shipment_id').notNull(),
    inquiryId: text('inquiry_id').notNull(),
    intent: text('intent').notNull(),
    language: text('language'),
    /** replied | routed_to_ops */
    action: text('action').notNull(),
    messageKey: text('message_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shipmentId, t.inquiryId] })],
);
