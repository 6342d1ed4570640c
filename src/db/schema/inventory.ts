import {
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  jsonb,
} from 'drizzle-orm/pg-core';

export const warehouses = pgTable('warehouses', {
  warehouseId: text('warehouse_id').primaryKey(),
  name: text('name').notNull(),
  country: text('country').notNull(),
  /** `origin` (where the seller ships from) or `overseas` (stock near the customer). */
  kind: text('kind').notNull(),
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
    currency: text('currency').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reship_orders_idempotency_uq').on(t.idempotencyKey),
    uniqueIndex('reship_orders_replacement_uq').on(t.replacementShipmentId),
  ],
);
