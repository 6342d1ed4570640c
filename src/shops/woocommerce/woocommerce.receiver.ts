/**
 * WooCommerce's webhooks, as WC_Webhook::deliver() sends them: the REST v3 order as JSON, with
 * X-WC-Webhook-Source (the store's home URL), -Topic (`order.updated`), -Resource, -Event,
 * -ID (the webhook), -Delivery-ID (this delivery) and -Signature: base64 of HMAC-SHA256 over the
 * raw body with the webhook's secret. WooCommerce ships no verification library; the check is
 * ours, in constant time.
 *
 * When a webhook is created WooCommerce first posts a ping: the form body `webhook_id=<id>` with
 * none of those headers, unsigned. It must be answered 200 or the store refuses to save the
 * webhook; `isWooCommercePing` recognises it before any shop lookup.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../http/safe-equal';
import type { HeaderBag, ShopWebhookAction, ShopWebhookReceiver } from '../platform';
import {
  ENDED_STATUSES,
  isOwnReplacement,
  parseOrder,
  payloadError,
  toShopOrder,
  wooDeleted,
} from './woocommerce.payloads';

/** Topics that carry an order. */
const ORDER_TOPICS = new Set(['order.created', 'order.updated', 'order.restored']);

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * The shop domain of a store URL as its webhooks name it: the host of X-WC-Webhook-Source
 * (`https://shop.example.com/` → `shop.example.com`; a non-default port stays, as in
 * `127.0.0.1:8091`). Shops are registered under this same value.
 */
export function wooCommerceDomain(storeUrl: string): string | undefined {
  try {
    const url = new URL(storeUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The signature WooCommerce puts in X-WC-Webhook-Signature for `body`. */
export function wooCommerceSignature(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

const PING_BODY = /^webhook_id=\d+$/;

/**
 * WooCommerce's ping on webhook creation: no X-WC-Webhook-Topic and a `webhook_id=<n>` form body
 * (raw, or as body-parser's urlencoded object).
 */
export function isWooCommercePing(headers: HeaderBag, body: Buffer | string | unknown): boolean {
  if (header(headers, 'x-wc-webhook-topic')) return false;
  return isPingBody(body);
}

function isPingBody(body: unknown): boolean {
  if (Buffer.isBuffer(body)) return PING_BODY.test(body.toString('utf8').trim());
  if (typeof body === 'string') return PING_BODY.test(body.trim());
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    const value = (body as Record<string, unknown>).webhook_id;
    return keys.length === 1 && /^\d+$/.test(String(value));
  }
  return false;
}

export const wooCommerceReceiver: ShopWebhookReceiver = {
  platform: 'woocommerce',

  shopDomain(headers) {
    const source = header(headers, 'x-wc-webhook-source');
    return source ? wooCommerceDomain(source) : undefined;
  },

  webhookId(headers) {
    return header(headers, 'x-wc-webhook-delivery-id');
  },

  topic(headers) {
    return header(headers, 'x-wc-webhook-topic')?.toLowerCase();
  },

  verify(rawBody, headers, secret) {
    const given = header(headers, 'x-wc-webhook-signature');
    if (!given || !secret) return Promise.resolve(false);
    return Promise.resolve(safeEqual(given, wooCommerceSignature(rawBody, secret)));
  },

  read(topic, body): Promise<ShopWebhookAction> {
    // A payload error rejects the promise rather than throwing at the call.
    return Promise.resolve().then(() => readWebhook(topic, body));
  },
};

function readWebhook(topic: string, body: unknown): ShopWebhookAction {
  if (isPingBody(body)) return { kind: 'ignored', reason: 'webhook ping' };
  if (topic === 'order.deleted') {
    const parsed = wooDeleted.safeParse(body);
    if (!parsed.success) throw payloadError('not an order.deleted body', parsed.error);
    return { kind: 'cancelled', orderId: String(parsed.data.id) };
  }
  if (!ORDER_TOPICS.has(topic)) return { kind: 'ignored', reason: `topic ${topic} is not read` };
  const order = parseOrder(body, `not the body of ${topic} (a WooCommerce REST v3 order)`);
  if (ENDED_STATUSES.has(order.status)) return { kind: 'cancelled', orderId: String(order.id) };
  if (isOwnReplacement(order)) {
    return { kind: 'ignored', reason: 'a replacement order Parcelwarden created' };
  }
  const shopOrder = toShopOrder(order);
  if (shopOrder.fulfillments.length === 0) {
    return { kind: 'ignored', reason: 'order has no Shipment Tracking items' };
  }
  return { kind: 'order', order: shopOrder };
}
