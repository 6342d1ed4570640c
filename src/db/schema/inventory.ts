import {
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const warehouses = pgTable('warehouses', {
  warehouseId: text('warehouse_id').primaryKey(),
  name: text('name').notNull(),
  country: text('country').notNull(),
  /** `origin` (where the seller ships from) or `overseas` (stock near the customer). */
  kind: text('kind').notNull(),
  /**
   * Continent-level region (`EU`, `NA`, `AS`, …) used for "nearest by lane"; when null it is
   * derived from the country (src/inventory/regions.ts).
   */
  region: text('region'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const stock = pgTable(
  'stock',
  {
    warehouseId: text('warehouse_id')
      .notNull()
      .references(() => warehouses.warehouseId),
    sku: text('sku').notNull(),
    onHand: integer('on_hand').notNull(),
    reserved: integer('reserved').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.warehouseId, t.sku] })],
);

export const reservations = pgTable(
  'reservations',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    shipmentId: text('shipment_id').notNull(),
    warehouseId: text('warehouse_id')
      .notNull()
      .references(() => warehouses.warehouseId),
    items: jsonb('items').$type<{ sku: string; quantity: number }[]>().notNull(),
    /** Why this warehouse was chosen, returned again to a retried reservation. */
    reason: text('reason'),
    status: text('status').notNull().default('reserved'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('reservations_idempotency_uq').on(t.idempotencyKey)],
);

export const reshipOrders = pgTable(
  'reship_orders',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    originalShipmentId: text('original_shipment_id').notNull(),
    replacementShipmentId: text('replacement_shipment_id').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    carrier: text('carrier').notNull(),
    service: text('service'),
    trackingNumber: text('tracking_number').notNull(),
    labelId: text('label_id').notNull(),
    postage: numeric('postage', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    goodsCost: numeric('goods_cost', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    /** Premium of the insurance bought for the replacement (0 when not insured). */
    insurancePremium: numeric('insurance_premium', { precision: 12, scale: 2, mode: 'number' })
      .notNull()
      .default(0),
    insured: boolean('insured').notNull().default(false),
    /** goods + postage + insurance premium, in `currency`. */
    totalCost: numeric('total_cost', { precision: 12, scale: 2, mode: 'number' }),
    currency: text('currency').notNull(),
    /** The chosen channel as `carrier/service`, and why (a sentence plus the scored alternatives). */
    channel: text('channel'),
    channelReason: text('channel_reason'),
    channelAlternatives: jsonb('channel_alternatives'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reship_orders_idempotency_uq').on(t.idempotencyKey),
    uniqueIndex('reship_orders_replacement_uq').on(t.replacementShipmentId),
  ],
);

/**
 * What ops should buy (or move) because a reship found no warehouse with the whole order.
 * One row per SKU and reservation attempt (shipment + review round), so a retry records nothing new.
 */
export const purchaseSuggestions = pgTable(
  'purchase_suggestions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    /** The reservation's idempotency key (workflow id + reship round). */
    idempotencyKey: text('idempotency_key').notNull(),
    shipmentId: text('shipment_id').notNull(),
    sku: text('sku').notNull(),
    /** The warehouse that should have held the order (the preferred one for the destination). */
    warehouseId: text('warehouse_id').references(() => warehouses.warehouseId),
    quantityMissing: integer('quantity_missing').notNull(),
    status: text('status').notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('purchase_suggestions_key_sku_uq').on(t.idempotencyKey, t.sku),
    index('purchase_suggestions_status_idx').on(t.status, t.createdAt),
  ],
);

/** Stock imports already applied, so the same file (or Idempotency-Key) applies once. */
export const stockImports = pgTable(
  'stock_imports',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    /** The caller's Idempotency-Key, or the SHA-256 of the normalised rows when none was sent. */
    importKey: text('import_key').notNull(),
    /** SHA-256 of the normalised rows: the same key with other rows is a conflict. */
    contentHash: text('content_hash').notNull(),
    rows: integer('rows').notNull(),
    result: jsonb('result').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('stock_imports_key_uq').on(t.importKey)],
);

/**
 * Postage per carrier, service and lane: the rate table channel selection scores. `*` in a
 * country column matches any country; the most specific row wins.
 */
export const channelRates = pgTable(
  'channel_rates',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    carrier: text('carrier').notNull(),
    service: text('service').notNull(),
    originCountry: text('origin_country').notNull(),
    destinationCountry: text('destination_country').notNull(),
    serviceDays: integer('service_days').notNull(),
    postage: numeric('postage', { precision: 12, scale: 2, mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** The carrier accepts declared-value insurance on this service. */
    insurable: boolean('insurable').notNull().default(true),
  },
  (t) => [
    uniqueIndex('channel_rates_lane_uq').on(
      t.carrier,
      t.service,
      t.originCountry,
      t.destinationCountry,
    ),
  ],
);
