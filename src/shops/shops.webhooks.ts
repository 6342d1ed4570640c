/**
 * `POST /v1/shop-webhooks/shopify` and `POST /v1/shop-webhooks/woocommerce`: a connected store's
 * order and fulfillment webhooks. Mounted before API-key authentication (the store signs instead);
 * each platform's module says how its deliveries name the store, identify themselves, are signed
 * and read. Checks, in this order, each refusing with a problem and storing nothing:
 *
 * 1. the store (shop domain header) is a connected shop: else 404 `shop.unknown`;
 * 2. the delivery carries its id: else 400;
 * 3. the signature made with the shop's webhook secret holds: else 401;
 * 4. the delivery id was taken before: 200 `{duplicate: true}`, nothing changes;
 * 5. the body is the topic's shape: else 422 with the fields named.
 *
 * Then intake acts and the receipt is written after it, so a failure (Temporal unreachable: 503)
 * leaves no receipt and the store's redelivery does it all again. The fast path costs the cached
 * shop look-up, the receipt look-up, one registration insert, the workflow start and the receipt.
 */
import type { CredentialsFailing } from './shops.alerts';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { unstorableTextErrors } from '../http/validate';
import {
  ShopApiError,
  ShopPayloadError,
  type ShopApi,
  type ShopConnection,
  type ShopPlatform,
  type ShopWebhookReceiver,
} from './platform';
import type { ShopPlatforms } from './platforms';
import {
  shopApiFailed,
  shopPayloadInvalid,
  shopSignatureInvalid,
  shopUnknown,
  shopWebhookIdMissing,
} from './shops.errors';
import { describeResult, outcomeOf, type IntakeResult, type ShopIntake } from './shops.intake';
import type { ShopRepository } from './shops.repository';
// The one platform-specific step here: WooCommerce's ping names no store (see mayBePing).
import { isWooCommercePing } from './woocommerce';
import { shopWebhookResponse } from './shops.schemas';

export interface ShopWebhooksDeps {
  shops: ShopRepository;
  platforms: ShopPlatforms;
  intake: ShopIntake;
  /** Outbound fetch for what a payload lacks (the order of a fulfillment topic). */
  fetch?: typeof fetch;
  /** Marks a shop whose credentials were refused, alerting ops once per outage. */
  credentialsFailing: CredentialsFailing;
  logger: Logger;
  bodyLimit: string;
}

/** The headers each platform's deliveries are recognised by, for the document and messages. */
const HEADERS: Record<
  ShopPlatform,
  { domain: string; id: string; signature: string; topic: string; name: string }
> = {
  shopify: {
    name: 'Shopify',
    domain: 'X-Shopify-Shop-Domain',
    id: 'X-Shopify-Webhook-Id',
    signature: 'X-Shopify-Hmac-Sha256',
    topic: 'X-Shopify-Topic',
  },
  woocommerce: {
    name: 'WooCommerce',
    domain: 'X-WC-Webhook-Source',
    id: 'X-WC-Webhook-Delivery-ID',
    signature: 'X-WC-Webhook-Signature',
    topic: 'X-WC-Webhook-Topic',
  },
};

/** What the checks before the body found, for the handler. */
interface Delivery {
  shop: ShopConnection;
  receiver: ShopWebhookReceiver;
  webhookId: string;
}
const DELIVERY = 'parcelwardenShopDelivery';
const PING = 'parcelwardenShopPing';

export function shopWebhooksRoutes(deps: ShopWebhooksDeps): RouteSpec[] {
  return (['shopify', 'woocommerce'] as const).map((platform) => receiverRoute(platform, deps));
}

function receiverRoute(platform: ShopPlatform, deps: ShopWebhooksDeps): RouteSpec {
  const h = HEADERS[platform];
  const receiverOf = (): ShopWebhookReceiver => {
    const receiver = deps.platforms.module(platform)?.receiver;
    if (!receiver)
      throw new ProblemError(
        404,
        'shop.platform_unavailable',
        'No receiver for this platform',
        `This server has no ${h.name} module.`,
      );
    return receiver;
  };

  /** Which connected shop the delivery is from, and its id (404 and 400 otherwise). */
  const identify = async (req: Request, res: Response): Promise<void> => {
    const receiver = receiverOf();
    const domain = receiver.shopDomain(req.headers)?.trim().toLowerCase();
    if (!domain) throw shopUnknown(platform, undefined);
    const shop = await deps.shops.byDomain(platform, domain);
    if (!shop) throw shopUnknown(platform, domain);
    const webhookId = receiver.webhookId(req.headers)?.trim();
    if (!webhookId) throw shopWebhookIdMissing(h.id);
    res.locals[DELIVERY] = { shop, receiver, webhookId } satisfies Delivery;
  };

  /**
   * WooCommerce pings a webhook's URL when it is saved (a form body, no topic, no signature, no
   * store named) and saves it only when the answer is 200: such a request is looked at once its
   * body is read, before anything else.
   */
  const mayBePing = (req: Request) =>
    platform === 'woocommerce' && !receiverOf().topic(req.headers);

  // Before the body is read: a store we do not know, or a delivery without an id, costs nothing.
  const known: RequestHandler = async (req, res, next) => {
    if (mayBePing(req)) res.locals[PING] = true;
    else await identify(req, res);
    next();
  };

  const verified: RequestHandler = async (req, res, next) => {
    if (res.locals[PING]) {
      if (isWooCommercePing(req.headers, req.body)) {
        res.status(200).json({ duplicate: false, outcome: 'ignored', detail: 'webhook ping' });
        return;
      }
      await identify(req, res);
    }
    const { shop, receiver } = res.locals[DELIVERY] as Delivery;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!(await receiver.verify(raw, req.headers, shop.credentials.webhookSecret)))
      throw shopSignatureInvalid(h.signature);
    next();
  };

  return route({
    method: 'post',
    path: `/v1/shop-webhooks/${platform}`,
    access: 'signed',
    operationId: platform === 'shopify' ? 'receiveShopifyWebhook' : 'receiveWooCommerceWebhook',
    tag: 'Shops',
    summary: `Receive a ${h.name} order or fulfillment webhook, signed with the shop's webhook secret`,
    description: `${h.domain} names the connected shop, ${h.id} deduplicates, ${h.signature} is checked over the raw body with the shop's webhookSecret, ${h.topic} says what the body is. Fulfillments with a tracking number become shipments ${platform}-<fulfillment id>.`,
    headers: [
      { name: h.domain, description: 'The store (a connected shop’s domain)', required: true },
      { name: h.id, description: 'Delivery id, for deduplication', required: true },
      { name: h.signature, description: 'Signature over the raw body', required: true },
      { name: h.topic, description: 'The topic of the body', required: true },
    ],
    bodyContent: { 'application/json': { type: 'object' } },
    bodyParser: 'raw',
    // Raw bytes: the signature covers them, not a re-serialization.
    before: [known, express.raw({ type: () => true, limit: deps.bodyLimit }), verified],
    answer: {
      description: '{duplicate, outcome, detail}: what intake did (or had done) with the delivery',
      schema: shopWebhookResponse,
    },
    responses: {
      '400': `No ${h.id} header; nothing stored`,
      '401': 'Missing or wrong signature; nothing stored',
      '404': 'The store is not a connected shop (shop.unknown); nothing stored',
      '422': 'The body is not JSON or not the topic’s shape (shop.payload_invalid); nothing stored',
      '503': 'Temporal or the shop unreachable; nothing stored, deliver again',
    },
    handler: async ({ req, res }) => {
      const { shop, receiver, webhookId } = res.locals[DELIVERY] as Delivery;
      const { shops } = deps;
      const log = req.log ?? deps.logger;
      const topic = receiver.topic(req.headers)?.trim() ?? '';
      const before = await shops.receipt(shop.shopId, webhookId);
      if (before) return { duplicate: true, outcome: before.outcome, detail: before.detail };

      const body = readBody(req, topic);
      // Made on first use: most topics carry the whole order and never call the shop.
      let made: ShopApi | undefined;
      const shopApi = () => (made ??= deps.platforms.shopApiFor(shop, { fetch: deps.fetch }));
      const api: ShopApi = {
        listFulfilledOrders: (o) => shopApi().listFulfilledOrders(o),
        getOrder: (id) => shopApi().getOrder(id),
        createReplacementOrder: (input) => shopApi().createReplacementOrder(input),
        refund: (input) => shopApi().refund(input),
      };
      let action;
      try {
        action = await receiver.read(topic, body, api);
      } catch (err) {
        if (err instanceof ShopPayloadError)
          throw shopPayloadInvalid(topic, err.message, err.errors);
        if (err instanceof ShopApiError) {
          log.warn(
            { shopId: shop.shopId, kind: err.kind, topic },
            'shop API failed reading a webhook',
          );
          if (err.kind === 'unauthorized')
            await deps.credentialsFailing(shop, `read the order of a ${topic} webhook`, err);
          throw shopApiFailed(shop.shopId, err.kind, err.message);
        }
        throw err;
      }

      let outcome: string;
      let detail: string;
      if (action.kind === 'ignored') {
        outcome = 'ignored';
        detail = action.reason;
      } else {
        const result: IntakeResult =
          action.kind === 'order'
            ? await deps.intake.takeOrders(shop, [action.order], `${platform} ${topic}`)
            : await deps.intake.cancelOrder(shop, action.orderId);
        outcome = outcomeOf(result);
        detail = describeResult(result);
      }
      await shops.recordReceipt({ shopId: shop.shopId, webhookId, topic, outcome, detail });
      return { duplicate: false, outcome, detail };
    },
  });
}

/** The raw body as JSON; anything else is not the topic's shape (422). */
function readBody(req: Request, topic: string): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw shopPayloadInvalid(topic, 'the body is not JSON', [
      { path: 'body', message: 'must be a JSON document' },
    ]);
  }
  const unstorable = unstorableTextErrors(body);
  if (unstorable.length)
    throw shopPayloadInvalid(topic, 'the body holds text we cannot store', unstorable);
  return body;
}
