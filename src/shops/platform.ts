/**
 * What Parcelwarden needs from a shop platform, whatever the platform: the shapes intake reads
 * orders into, and the calls back into the shop (replacement orders, refunds, backfill). Each
 * platform (src/shops/shopify, src/shops/woocommerce) implements `ShopApi` with its own library
 * and maps its payloads to `ShopOrder`; intake, sync and the activities speak only these types.
 */
import type { Address, ShipmentRegistration } from '../../workflows/shipment.contract';

export const SHOP_PLATFORMS = ['shopify', 'woocommerce'] as const;
export type ShopPlatform = (typeof SHOP_PLATFORMS)[number];

export interface ShopifyCredentials {
  /** Admin API access token of the store's custom app (`shpat_…`). */
  accessToken: string;
  /** The app's API secret key: Shopify signs webhooks with it (X-Shopify-Hmac-Sha256). */
  webhookSecret: string;
}

export interface WooCommerceCredentials {
  /** REST API key pair (WooCommerce → Settings → Advanced → REST API). */
  consumerKey: string;
  consumerSecret: string;
  /** The secret set on the store's webhooks (X-WC-Webhook-Signature). */
  webhookSecret: string;
}

export type ShopCredentials = ShopifyCredentials | WooCommerceCredentials;

/** A connected shop with its credentials opened: what platform code is given. */
export interface ShopConnection {
  shopId: string;
  platform: ShopPlatform;
  /** The store's host as its webhooks name it (`example.myshopify.com`). */
  domain: string;
  /** Base URL of its API (`https://example.myshopify.com`; the sandbox's http URL in development). */
  apiUrl: string;
  credentials: ShopCredentials;
  policy: string;
  originCountry: string;
  senderName?: string;
  replyTo?: string;
}

export interface ShopLineItem {
  title: string;
  sku?: string;
  quantity: number;
  unitPrice: number;
  variantId?: string;
}

/** One parcel of an order as the shop knows it (a Shopify fulfillment, a WooCommerce tracking item). */
export interface ShopFulfillment {
  /** The platform's id of the fulfillment (tracking item): the shipment is `<platform>-<id>`. */
  fulfillmentId: string;
  /** `cancelled` fulfillments are not watched (and cancel a shipment already registered). */
  status: 'active' | 'cancelled';
  /** The carrier as the shop names it (Shopify `tracking_company`, WooCommerce `tracking_provider`). */
  trackingCompany?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  shippedAt: string;
  /** The order's line items in this parcel; all of the order's when the platform does not say. */
  lineItems?: ShopLineItem[];
}

/** An order as intake reads it. */
export interface ShopOrder {
  orderId: string;
  orderName?: string;
  createdAt: string;
  cancelledAt?: string;
  currency: string;
  /** What the customer paid for the goods. */
  totalValue: number;
  /** The customer's language (Shopify `customer_locale`), when the shop knows it. */
  locale?: string;
  customer: { name: string; email: string };
  shippingAddress?: Address;
  lineItems: ShopLineItem[];
  fulfillments: ShopFulfillment[];
}

export interface ReplacementOrderInput {
  /** The same on every attempt: the order is tagged with it and found by it on a retry. */
  idempotencyKey: string;
  /** The shipment being replaced (its registration carries the shop order in `shop`). */
  original: ShipmentRegistration;
  replacementShipmentId: string;
  /** Carrier code (catalogue) and display name of the replacement's label. */
  carrier: string;
  carrierName: string;
  trackingNumber: string;
  trackingUrl?: string;
  /**
   * True when an earlier attempt with this key may have reached the shop (its answer lost). A
   * platform whose order search lags behind order creation (Shopify) then looks for the order
   * once more after a short wait before making one, so a retry right after a lost answer does
   * not make a second order.
   */
  earlierAttempt?: boolean;
}

export interface ReplacementOrder {
  orderId: string;
  orderName?: string;
  fulfillmentId?: string;
}

export interface ShopRefundInput {
  /** The same on every attempt: a retry finds the refund made with it instead of refunding again. */
  idempotencyKey: string;
  orderId: string;
  amount: number;
  currency: string;
  reason: string;
}

export interface ShopRefund {
  /** The shop's id of the refund. */
  reference: string;
}

export interface OrderPage {
  orders: ShopOrder[];
  nextCursor?: string;
  /** Orders in the whole period, when the platform says (for a progress bar). */
  total?: number;
}

/** Calls into a connected shop. Failures are `ShopApiError`s. */
export interface ShopApi {
  /** Orders with at least one fulfillment, created or updated since `since`, page by page. */
  listFulfilledOrders(opts: { since: Date; cursor?: string }): Promise<OrderPage>;
  /** One order (for webhooks that carry only a fulfillment). */
  getOrder(orderId: string): Promise<ShopOrder | undefined>;
  /** A no-charge order linked to the original, fulfilled with the replacement's tracking. */
  createReplacementOrder(input: ReplacementOrderInput): Promise<ReplacementOrder>;
  refund(input: ShopRefundInput): Promise<ShopRefund>;
}

export type ShopApiErrorKind =
  /** 429: try again after `retryAfterMs`. */
  | 'rate_limited'
  /** 5xx, timeouts, network: try again with backoff. */
  | 'unavailable'
  /** 401/403: the credentials no longer work (one ops alert per outage). */
  | 'unauthorized'
  /** Other 4xx, or a GraphQL userError: the shop refused; retrying changes nothing. */
  | 'rejected';

export class ShopApiError extends Error {
  constructor(
    readonly kind: ShopApiErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ShopApiError';
  }
}

/** The id of the shipment for a shop's fulfillment. */
export function shopShipmentId(platform: ShopPlatform, fulfillmentId: string): string {
  return `${platform}-${fulfillmentId}`;
}

/** Request headers as Node gives them (lower-case names). */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** What a shop webhook asks of intake. */
export type ShopWebhookAction =
  /** Register the order's fulfillments with tracking; update those whose tracking changed. */
  | { kind: 'order'; order: ShopOrder }
  /** The order was cancelled: cancel its shipments not yet delivered. */
  | { kind: 'cancelled'; orderId: string }
  /** A topic or state we do not act on (answered 200, recorded). */
  | { kind: 'ignored'; reason: string };

/** A body that is not the topic's shape: refused with 422 and these field messages. */
export class ShopPayloadError extends Error {
  constructor(
    message: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ShopPayloadError';
  }
}

/** How a platform's webhooks are recognised, verified and read. */
export interface ShopWebhookReceiver {
  platform: ShopPlatform;
  /** The store the delivery names (`X-Shopify-Shop-Domain`, host of `X-WC-Webhook-Source`). */
  shopDomain(headers: HeaderBag): string | undefined;
  /** The platform's delivery id, for deduplication. */
  webhookId(headers: HeaderBag): string | undefined;
  topic(headers: HeaderBag): string | undefined;
  /** Whether the raw body carries the store's signature made with `secret`. */
  verify(rawBody: Buffer, headers: HeaderBag, secret: string): Promise<boolean>;
  /**
   * The body read as the topic's shape (throws ShopPayloadError when it is not). `api` fetches
   * what the payload lacks (the order of a fulfillment topic).
   */
  read(topic: string, body: unknown, api: ShopApi): Promise<ShopWebhookAction>;
}

/** Everything platform-specific, behind one object per platform. */
export interface ShopPlatformModule {
  platform: ShopPlatform;
  receiver: ShopWebhookReceiver;
  createApi(connection: ShopConnection, deps: { fetch?: typeof fetch }): ShopApi;
}
