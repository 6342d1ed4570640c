import { sql, type SQLWrapper } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type {
  Location,
  Resolution,
  ShipmentRegistration,
  ShipmentState,
  Stage,
  SuspicionReason,
} from '../../../workflows/shipment.contract';
import type { ShipmentAdviceRecord } from '../../advice/advice.types';

/**
 * The search keys inside the registration, lower-cased, as the search indexes hold them: the query
 * must use the very same expressions for PostgreSQL to use the indexes.
 */
export const searchEmail = (registration: SQLWrapper) =>
  sql`lower(${registration} #>> '{customer,email}')`;
export const searchCustomerName = (registration: SQLWrapper) =>
  sql`lower(${registration} #>> '{customer,name}')`;
/** The shop's order name without its leading '#' (#1001 → 1001). */
export const searchOrderName = (registration: SQLWrapper) =>
  sql`lower(ltrim(${registration} #>> '{shop,orderName}', '#'))`;

/** Read model of a shipment; the workflow is the source of truth and activities keep this current. */
export const shipments = pgTable(
  'shipments',
  {
    shipmentId: text('shipment_id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    orderId: text('order_id').notNull(),
    carrier: text('carrier').notNull(),
    trackingNumber: text('tracking_number').notNull(),
    originCountry: text('origin_country').notNull(),
    destinationCountry: text('destination_country').notNull(),
    policy: text('policy').notNull(),
    declaredValue: numeric('declared_value', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    stage: text('stage').$type<Stage>().notNull().default('monitoring'),
    resolution: text('resolution').$type<Resolution>(),
    suspicionReason: text('suspicion_reason').$type<SuspicionReason>(),
    suspicionDetectedAt: timestamp('suspicion_detected_at', { withTimezone: true }),
    /** The replaced shipment, for replacements (X~R1 → X). */
    replacesShipmentId: text('replaces_shipment_id'),
    /** The connected shop the shipment came from (its order in registration.shop). */
    shopId: text('shop_id'),
    registration: jsonb('registration').$type<ShipmentRegistration>().notNull(),
    /** SHA-256 of the canonical registration body: same body → 200, other body → 409. */
    requestHash: text('request_hash').notNull(),
    /** Last snapshot of the workflow state written by activities. */
    snapshot: jsonb('snapshot').$type<ShipmentState>(),
    /** The advice given at registration (src/advice): channel, insurance, risk, packaging. */
    advice: jsonb('advice').$type<ShipmentAdviceRecord>(),
    /** Version of the snapshot; an older write never overwrites a newer one. */
    stateVersion: integer('state_version').notNull().default(0),
    shippedAt: timestamp('shipped_at', { withTimezone: true }).notNull(),
    expectedDeliveryAt: timestamp('expected_delivery_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('shipments_carrier_tracking_uq').on(t.carrier, t.trackingNumber),
    index('shipments_stage_idx').on(t.stage),
    index('shipments_created_idx').on(t.createdAt, t.shipmentId),
    index('shipments_destination_idx').on(t.destinationCountry),
    index('shipments_shop_order_idx').on(t.shopId, t.orderId),
    // Lane transit figures for delivery estimates (src/estimates): delivered parcels per carrier
    // and lane, shipped_at included so the percentiles are read from the index alone.
    index('shipments_lane_delivered_idx')
      .on(t.carrier, t.originCountry, t.destinationCountry, t.deliveredAt, t.shippedAt)
      .where(sql`${t.deliveredAt} is not null`),
    // Search (GET /v1/shipments?q=): case-insensitive exact or prefix matches on ids and numbers
    // (text_pattern_ops serves LIKE 'abc%'), substrings of the customer name by trigram.
    index('shipments_search_shipment_id_idx').on(sql`lower(${t.shipmentId}) text_pattern_ops`),
    index('shipments_search_order_id_idx').on(sql`lower(${t.orderId}) text_pattern_ops`),
    index('shipments_search_tracking_idx').on(sql`lower(${t.trackingNumber}) text_pattern_ops`),
    index('shipments_search_order_name_idx').on(
      sql`${searchOrderName(t.registration)} text_pattern_ops`,
    ),
    index('shipments_search_email_idx').on(sql`${searchEmail(t.registration)} text_pattern_ops`),
    index('shipments_search_customer_name_idx').using(
      'gin',
      sql`${searchCustomerName(t.registration)} gin_trgm_ops`,
    ),
  ],
);

export const trackingEvents = pgTable(
  'tracking_events',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    shipmentId: text('shipment_id')
      .notNull()
      .references(() => shipments.shipmentId),
    eventId: text('event_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    status: text('status').notNull(),
    subStatus: text('sub_status'),
    description: text('description'),
    location: jsonb('location').$type<Location>(),
    source: text('source').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tracking_events_shipment_event_uq').on(t.shipmentId, t.eventId),
    index('tracking_events_occurred_idx').on(t.shipmentId, t.occurredAt),
  ],
);

export const inquiries = pgTable(
  'inquiries',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    shipmentId: text('shipment_id')
      .notNull()
      .references(() => shipments.shipmentId),
    inquiryId: text('inquiry_id').notNull(),
    channel: text('channel').notNull(),
    message: text('message').notNull(),
    locale: text('locale'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('inquiries_shipment_inquiry_uq').on(t.shipmentId, t.inquiryId)],
);

export const reviews = pgTable(
  'reviews',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    shipmentId: text('shipment_id')
      .notNull()
      .references(() => shipments.shipmentId),
    round: integer('round').notNull(),
    reason: text('reason').$type<SuspicionReason>().notNull(),
    detectedAt: timestamp('detected_at', { withTimezone: true }).notNull(),
    slaDeadline: timestamp('sla_deadline', { withTimezone: true }).notNull(),
    status: text('status').notNull().default('pending'),
    decision: text('decision'),
    reviewer: text('reviewer'),
    note: text('note'),
    automatic: boolean('automatic'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('reviews_shipment_round_uq').on(t.shipmentId, t.round),
    index('reviews_pending_idx')
      .on(t.detectedAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);
