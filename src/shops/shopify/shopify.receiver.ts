/**
 * Shopify webhooks: which store and delivery a request names, whether Shopify signed it
 * (checked by @shopify/shopify-api's own validation, never by hand), and what its body asks of
 * intake.
 */
import '@shopify/shopify-api/adapters/node';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';
import type { HeaderBag, ShopApi, ShopWebhookAction, ShopWebhookReceiver } from '../platform';
import { isReplacementOrder } from './shopify.orders';
import {
  fulfillmentFromRest,
  isReplacementTags,
  orderFromRest,
  readPayload,
  restCancelledOrder,
  restFulfillment,
  restOrder,
} from './shopify.payloads';
import { toGid } from './shopify.ids';

/** Topics whose body is an order. */
export const ORDER_TOPICS = new Set([
  'orders/fulfilled',
  'orders/partially_fulfilled',
  'orders/updated',
]);
/** Topics whose body is one fulfillment (the order is fetched through the Admin API). */
export const FULFILLMENT_TOPICS = new Set(['fulfillments/create', 'fulfillments/update']);
export const CANCELLED_TOPIC = 'orders/cancelled';

/** The topics intake subscribes to (README: "Connect your store"). */
export const SHOPIFY_WEBHOOK_TOPICS = [
  ...ORDER_TOPICS,
  ...FULFILLMENT_TOPICS,
  CANCELLED_TOPIC,
] as const;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  const first = Array.isArray(v) ? v[0] : v;
  return first?.trim() || undefined;
}

/**
 * One library instance per app secret: shopifyApi() validates its config and builds its helpers,
 * which is not free, while a store's secret changes rarely. Bounded so rotated secrets drop out.
 */
const MAX_CACHED_SECRETS = 256;
const libraries = new Map<string, Shopify>();

function libraryFor(secret: string): Shopify {
  let lib = libraries.get(secret);
  if (lib) return lib;
  lib = shopifyApi({
    // Only webhook validation is used: it needs the secret; the rest is required by the config.
    apiKey: 'parcelwarden',
    apiSecretKey: secret,
    hostName: 'parcelwarden.invalid',
    apiVersion: ApiVersion.July26,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error, log: async () => {} },
  });
  if (libraries.size >= MAX_CACHED_SECRETS) {
    const oldest = libraries.keys().next().value;
    if (oldest !== undefined) libraries.delete(oldest);
  }
  libraries.set(secret, lib);
  return lib;
}

async function readFulfillmentTopic(body: unknown, api: ShopApi): Promise<ShopWebhookAction> {
  const payload = readPayload(restFulfillment, body, 'fulfillment');
  const fulfillment = fulfillmentFromRest(payload);
  const order = await api.getOrder(toGid('Order', payload.order_id));
  if (!order) return { kind: 'ignored', reason: `order ${payload.order_id} is not in the store` };
  if (isReplacementOrder(order))
    return { kind: 'ignored', reason: 'a replacement order Parcelwarden created' };
  // The delivery carries this fulfillment as Shopify changed it; it wins over the order's copy.
  const others = order.fulfillments.filter((f) => f.fulfillmentId !== fulfillment.fulfillmentId);
  return { kind: 'order', order: { ...order, fulfillments: [...others, fulfillment] } };
}

export const shopifyReceiver: ShopWebhookReceiver = {
  platform: 'shopify',
  shopDomain: (headers) => header(headers, 'x-shopify-shop-domain')?.toLowerCase(),
  webhookId: (headers) => header(headers, 'x-shopify-webhook-id'),
  topic: (headers) => header(headers, 'x-shopify-topic'),

  async verify(rawBody, headers, secret) {
    if (!secret) return false;
    const result = await libraryFor(secret).webhooks.validate({
      rawBody: rawBody.toString('utf8'),
      // The node adapter reads headers, method and url from the request; nothing is answered.
      rawRequest: { headers, method: 'POST', url: '/' } as unknown as IncomingMessage,
      rawResponse: {} as ServerResponse,
    });
    return result.valid;
  },

  async read(topic, body, api) {
    if (ORDER_TOPICS.has(topic)) {
      const payload = readPayload(restOrder, body, 'order');
      if (isReplacementTags(payload.tags))
        return { kind: 'ignored', reason: 'a replacement order Parcelwarden created' };
      if (payload.fulfillments.length === 0)
        return { kind: 'ignored', reason: 'the order has no fulfillments yet' };
      return { kind: 'order', order: orderFromRest(payload) };
    }
    if (FULFILLMENT_TOPICS.has(topic)) return readFulfillmentTopic(body, api);
    if (topic === CANCELLED_TOPIC) {
      const payload = readPayload(restCancelledOrder, body, 'order');
      return {
        kind: 'cancelled',
        orderId: payload.admin_graphql_api_id ?? toGid('Order', payload.id),
      };
    }
    return { kind: 'ignored', reason: `topic ${topic} is not one Parcelwarden acts on` };
  },
};
