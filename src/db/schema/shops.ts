import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * A seller's store (Shopify or WooCommerce) connected to Parcelwarden: where its orders come from
 * and where replacement orders and refunds go. Credentials are sealed (see src/shops/secret-box)
 * and never leave the server in an answer.
 */
export const shops = pgTable(
  'shops',
  {
    shopId: text('shop_id').primaryKey(),
    /** `shopify` or `woocommerce`. */
    platform: text('platform').notNull(),
    /** The store's host as its webhooks name it (`example.myshopify.com`, `shop.example.com`). */
    domain: text('domain').notNull(),
    /** Base URL of the store's API (https://<domain> unless the store lives elsewhere). */
    apiUrl: text('api_url').notNull(),
    /** Sealed JSON of the platform's credentials (access token, webhook secret, consumer key…). */
    credentials: text('credentials').notNull(),
    /** Policy new shipments of this shop get. */
    policy: text('policy').notNull().default('default'),
    /** Country its parcels leave from when an order does not say. */
    originCountry: text('origin_country').notNull(),
    /** The name customers see as the sender of our mails. */
    senderName: text('sender_name'),
    /** Where customers' answers to our mails go. */
    replyTo: text('reply_to'),
    /** The shop's logo on the customer page (https URL). */
    logoUrl: text('logo_url'),
    /** The shop's colour on the customer page (`#rrggbb`). */
    brandColor: text('brand_color'),
    /** When its credentials stopped working (one ops alert per outage); cleared by a success. */
    credentialsFailingSince: timestamp('credentials_failing_since', { withTimezone: true }),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set by DELETE: intake stops; running shipments go on (refunds, replacements). */
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('shops_platform_domain_uq')
      .on(t.platform, t.domain)
      .where(sql`${t.removedAt} is null`),
  ],
);

/**
 * Shop webhooks taken in, by the platform's delivery id (`X-Shopify-Webhook-Id`,
 * `X-WC-Webhook-Delivery-ID`): the same delivery again changes nothing.
 */
export const shopWebhookReceipts = pgTable(
  'shop_webhook_receipts',
  {
    shopId: text('shop_id').notNull(),
    webhookId: text('webhook_id').notNull(),
    topic: text('topic').notNull(),
    /** What it did: `registered`, `updated`, `cancelled`, `ignored` (with counts in detail). */
    outcome: text('outcome').notNull(),
    detail: text('detail'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.webhookId] })],
);

/**
 * Orders we create in a shop (a reship's replacement), one per idempotency key: the row is
 * written before the shop is called, and a retry finds the order by the key it was tagged with.
 */
export const shopOrders = pgTable(
  'shop_orders',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    shopId: text('shop_id').notNull(),
    /** The shipment whose replacement this order is. */
    shipmentId: text('shipment_id').notNull(),
    replacementShipmentId: text('replacement_shipment_id').notNull(),
    /** `pending` (being created), `created`, `failed` (the shop refused; see last_error). */
    status: text('status').notNull().default('pending'),
    /** The shop's order id (Shopify GID, WooCommerce number) and its display name (#1002). */
    shopOrderId: text('shop_order_id'),
    shopOrderName: text('shop_order_name'),
    /** The shop's fulfillment (Shopify) or tracking item (WooCommerce) with the new number. */
    shopFulfillmentId: text('shop_fulfillment_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('shop_orders_idempotency_uq').on(t.idempotencyKey),
    index('shop_orders_shipment_idx').on(t.shipmentId),
  ],
);
