/**
 * The sandbox Shopify store: the GraphQL Admin API endpoint Parcelwarden's client calls
 * (`POST /admin/api/<version>/graphql.json`, the subset in shopify-sandbox.schema.ts), orders,
 * fulfillments and refunds kept in memory, and Shopify's webhooks (REST JSON, signed
 * X-Shopify-Hmac-Sha256) pushed to our receiver. Development routes under `/sandbox/…` (not
 * Shopify's) create and ship orders, cancel them, list everything and inject faults.
 */
import { createHmac, randomUUID } from 'node:crypto';
import express from 'express';
import type { Request, Response } from 'express';
import { execute, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { z } from 'zod';
import {
  createSandboxApp,
  finishSandboxApp,
  listenSandbox,
  sendSandboxError as sendError,
} from '../../http/sandbox-server';
import { safeEqual } from '../../http/safe-equal';
import { SHOPIFY_API_VERSION } from '../shopify/shopify.ids';
import { createRootValue, sandboxSchema, type SandboxContext } from './shopify-sandbox.schema';
import {
  restFulfillment,
  restOrder,
  ShopifySandboxStore,
  type SandboxFulfillment,
  type SandboxOrder,
} from './shopify-sandbox.store';

export type { SandboxOrder } from './shopify-sandbox.store';

export interface ShopifySandboxOptions {
  /** The Admin API access token the store accepts (X-Shopify-Access-Token). */
  accessToken: string;
  /** The app secret its webhooks are signed with. */
  webhookSecret: string;
  /** The store's myshopify domain (X-Shopify-Shop-Domain). */
  shopDomain?: string;
  /** Our receiver's URL (http://127.0.0.1:3000/v1/shop-webhooks/shopify); without it, no pushes. */
  webhookTarget?: string;
  /**
   * Orders appear in `orders(query:)` searches only this many ms after they are made, as in
   * Shopify, whose search index lags behind a new order by a few seconds. Off (0) by default.
   */
  searchLagMs?: number;
  log?: (m: string) => void;
}

/**
 * `rate_limit`: HTTP 429 with Retry-After; `throttled`: 200 with a THROTTLED GraphQL error and the
 * cost extension, as Shopify's leaky bucket answers; `error500`; `unauthorized`: 401;
 * `lose_answer`: the call takes effect, then the connection is cut before the answer.
 */
export const SANDBOX_FAULTS = [
  'rate_limit',
  'throttled',
  'error500',
  'unauthorized',
  'lose_answer',
] as const;
export type SandboxFault = (typeof SANDBOX_FAULTS)[number];

export interface SandboxWebhookResult {
  topic: string;
  webhookId: string;
  attempts: number;
  status?: number;
  error?: string;
}

/** One GraphQL call as the sandbox saw it (for tests that count calls). */
export interface SandboxGraphqlCall {
  fields: string[];
  fault?: SandboxFault;
}

export interface ShopifySandbox {
  app: express.Express;
  listen(port: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
  /** Every order in the store, replacement orders included (a snapshot, for tests). */
  readonly orders: SandboxOrder[];
  /** Every GraphQL call in arrival order. */
  readonly calls: SandboxGraphqlCall[];
  /** For in-process wiring where the API starts after the sandbox. */
  setWebhookTarget(url: string): void;
}

const faultSchema = z.object({
  mode: z.enum(SANDBOX_FAULTS),
  count: z.number().int().min(0).max(1000).default(1),
  retryAfterSeconds: z.number().min(0).max(600).default(2),
  /** Only calls whose operation selects this root field (e.g. `orderCreate`); any call if absent. */
  field: z.string().min(1).max(100).optional(),
});

const nonEmpty = z.string().trim().min(1).max(200);
const addressSchema = z.object({
  firstName: nonEmpty.optional(),
  lastName: nonEmpty,
  address1: nonEmpty,
  address2: nonEmpty.optional(),
  city: nonEmpty,
  provinceCode: z.string().trim().max(10).optional(),
  zip: z.string().trim().max(20).default(''),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE'),
});
const trackingSchema = z.object({
  trackingCompany: nonEmpty,
  trackingNumber: z.string().regex(/^[A-Za-z0-9-]{4,64}$/),
  trackingUrl: z.url().optional(),
});
const newOrderSchema = z.object({
  customer: z.object({
    firstName: nonEmpty.optional(),
    lastName: nonEmpty,
    email: z.email(),
  }),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
    .default('en'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  shippingAddress: addressSchema,
  items: z
    .array(
      z.object({
        title: nonEmpty,
        sku: z.string().trim().max(100).optional(),
        quantity: z.number().int().min(1).max(1000),
        price: z.union([
          z.number(),
          z
            .string()
            .regex(/^\d+(\.\d{1,2})?$/)
            .transform(Number),
        ]),
        variantId: z.number().int().positive().optional(),
      }),
    )
    .min(1)
    .max(100),
  fulfill: trackingSchema.optional(),
});
const fulfillmentSchema = trackingSchema.extend({
  /** The fulfillment to change (its tracking, or `cancelled`); a new one when absent. */
  fulfillmentId: z.number().int().positive().optional(),
  status: z.enum(['success', 'cancelled']).optional(),
});

function parseBody<T extends z.ZodType>(schema: T, req: Request, res: Response) {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data as z.output<T>;
  sendError(res, 400, 'request.invalid', 'The body is not valid.', {
    fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
  return undefined;
}

const WEBHOOK_RETRY_DELAYS_MS = [500, 1000];

export function createShopifySandbox(opts: ShopifySandboxOptions): ShopifySandbox {
  if (!opts.accessToken) throw new Error('createShopifySandbox: accessToken must not be empty');
  if (!opts.webhookSecret) throw new Error('createShopifySandbox: webhookSecret must not be empty');
  const shopDomain = opts.shopDomain ?? 'sandbox-shopify.myshopify.com';
  let webhookTarget = opts.webhookTarget;
  const store = new ShopifySandboxStore();
  const calls: SandboxGraphqlCall[] = [];
  const faults: {
    mode: SandboxFault;
    remaining: number;
    retryAfterSeconds: number;
    field?: string;
  }[] = [];

  async function push(topic: string, payload: unknown): Promise<SandboxWebhookResult | undefined> {
    if (!webhookTarget) return undefined;
    const raw = JSON.stringify(payload);
    const webhookId = randomUUID();
    const headers = {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': createHmac('sha256', opts.webhookSecret)
        .update(raw)
        .digest('base64'),
      'X-Shopify-Shop-Domain': shopDomain,
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Event-Id': randomUUID(),
      'X-Shopify-API-Version': SHOPIFY_API_VERSION,
      'X-Shopify-Triggered-At': new Date().toISOString(),
    };
    const result: SandboxWebhookResult = { topic, webhookId, attempts: 0 };
    for (let attempt = 0; attempt <= WEBHOOK_RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0)
        await new Promise((r) => setTimeout(r, WEBHOOK_RETRY_DELAYS_MS[attempt - 1]));
      result.attempts = attempt + 1;
      try {
        // Shopify waits 5 s for an answer.
        const res = await fetch(webhookTarget, {
          method: 'POST',
          headers,
          body: raw,
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        result.status = res.status;
        delete result.error;
        opts.log?.(`shopify sandbox: ${topic} webhook → ${res.status}`);
        // A 4xx is the receiver's verdict on the delivery: sending it again changes nothing.
        if (res.status < 500) return result;
      } catch (err) {
        result.error = (err as Error).message;
        opts.log?.(`shopify sandbox: ${topic} webhook failed: ${result.error}`);
      }
    }
    return result;
  }

  const root = createRootValue(
    store,
    {
      // Shopify tells subscribers about fulfillments made through the API too.
      fulfillmentCreated: (order, f) => void push('fulfillments/create', restFulfillment(f, order)),
    },
    { searchLagMs: opts.searchLagMs },
  );

  const app = createSandboxApp({ log: opts.log });
  app.use((req, res, next) => {
    if (safeEqual(req.get('X-Shopify-Access-Token') ?? '', opts.accessToken)) return next();
    // Shopify's own answer to a missing or wrong token.
    res.status(401).json({
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
  });
  app.use(express.json({ limit: '1mb' }));

  function takeFault(fields: string[]) {
    const fault = faults.find((f) => f.remaining > 0 && (!f.field || fields.includes(f.field)));
    if (fault) fault.remaining -= 1;
    return fault;
  }

  app.post('/admin/api/:version/graphql.json', async (req, res) => {
    const { query, variables } = (req.body ?? {}) as { query?: unknown; variables?: unknown };
    if (typeof query !== 'string')
      return res.status(400).json({ errors: { query: 'Required parameter missing or invalid' } });
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      return res.json({ errors: [{ message: (err as Error).message }] });
    }
    const fields = document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
      .flatMap((op) =>
        op.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : [])),
      );
    const fault = takeFault(fields);
    calls.push({ fields, fault: fault?.mode });
    switch (fault?.mode) {
      case 'rate_limit':
        res.set('Retry-After', String(fault.retryAfterSeconds));
        return res.status(429).json({
          errors:
            'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        });
      case 'error500':
        return res.status(500).json({ errors: 'Internal Server Error' });
      case 'unauthorized':
        return res.status(401).json({
          errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
        });
      case 'throttled':
        return res.json({
          errors: [
            {
              message: 'Throttled',
              extensions: {
                code: 'THROTTLED',
                documentation: 'https://shopify.dev/api/usage/rate-limits',
              },
            },
          ],
          extensions: {
            cost: {
              requestedQueryCost: 202,
              actualQueryCost: null,
              throttleStatus: {
                maximumAvailable: 2000,
                currentlyAvailable: 2,
                restoreRate: fault.retryAfterSeconds > 0 ? 200 / fault.retryAfterSeconds : 100,
              },
            },
          },
        });
      default:
    }
    const errors = validate(sandboxSchema, document);
    if (errors.length)
      return res.json({
        errors: errors.map((e) => ({ message: e.message, locations: e.locations })),
      });
    const result = await execute({
      schema: sandboxSchema,
      document,
      rootValue: root,
      contextValue: { apiVersion: String(req.params.version) } satisfies SandboxContext,
      variableValues: (variables ?? {}) as Record<string, unknown>,
    });
    if (fault?.mode === 'lose_answer') {
      // The write happened; the caller never hears of it.
      req.socket.destroy();
      return;
    }
    res.json({
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(result.errors?.length
        ? {
            errors: result.errors.map((e) => ({
              message: e.message,
              locations: e.locations,
              path: e.path,
              extensions: e.extensions,
            })),
          }
        : {}),
      extensions: {
        cost: {
          requestedQueryCost: 10,
          actualQueryCost: 10,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 },
        },
      },
    });
  });

  // ---------- development routes ----------

  function findOrder(req: Request, res: Response): SandboxOrder | undefined {
    const order = store.orders.get(Number(req.params.orderId));
    if (!order) sendError(res, 404, 'order.not_found', 'No such order in the sandbox store.');
    return order;
  }

  app.post('/sandbox/orders', async (req, res) => {
    const body = parseBody(newOrderSchema, req, res);
    if (!body) return;
    const order = store.createOrder({
      email: body.customer.email,
      locale: body.locale,
      currency: body.currency,
      customer: body.customer,
      shippingAddress: body.shippingAddress,
      items: body.items,
    });
    let webhook: SandboxWebhookResult | undefined;
    if (body.fulfill) {
      store.fulfil(order, {
        company: body.fulfill.trackingCompany,
        number: body.fulfill.trackingNumber,
        url: body.fulfill.trackingUrl,
      });
      webhook = await push('orders/fulfilled', restOrder(order));
    }
    res.status(201).json({ order: restOrder(order), ...(webhook ? { webhook } : {}) });
  });

  app.post('/sandbox/orders/:orderId/fulfillments', async (req, res) => {
    const order = findOrder(req, res);
    if (!order) return;
    const body = parseBody(fulfillmentSchema, req, res);
    if (!body) return;
    let f: SandboxFulfillment | undefined;
    let topic: string;
    if (body.fulfillmentId !== undefined) {
      f = order.fulfillments.find((x) => x.id === body.fulfillmentId);
      if (!f)
        return sendError(res, 404, 'fulfillment.not_found', 'No such fulfillment on the order.');
      f.trackingCompany = body.trackingCompany;
      f.trackingNumber = body.trackingNumber;
      f.trackingUrl = body.trackingUrl;
      if (body.status) f.status = body.status;
      f.updatedAt = order.updatedAt = store.timestamp();
      topic = 'fulfillments/update';
    } else {
      f = store.fulfil(order, {
        company: body.trackingCompany,
        number: body.trackingNumber,
        url: body.trackingUrl,
      });
      if (f.lineItemIds.length === 0) f.lineItemIds = order.lineItems.map((li) => li.id);
      topic = 'fulfillments/create';
    }
    const webhook = await push(topic, restFulfillment(f, order));
    res
      .status(201)
      .json({ fulfillment: restFulfillment(f, order), ...(webhook ? { webhook } : {}) });
  });

  app.post('/sandbox/orders/:orderId/cancel', async (req, res) => {
    const order = findOrder(req, res);
    if (!order) return;
    if (!order.cancelledAt) {
      order.cancelledAt = order.updatedAt = store.timestamp();
      for (const fo of order.fulfillmentOrders) if (fo.status === 'OPEN') fo.status = 'CANCELLED';
    }
    const webhook = await push('orders/cancelled', restOrder(order));
    res.json({ order: restOrder(order), ...(webhook ? { webhook } : {}) });
  });

  app.get('/sandbox/orders', (_req, res) => {
    res.json({ orders: [...store.orders.values()].map(restOrder) });
  });

  app.post('/sandbox/faults', (req, res) => {
    const body = parseBody(faultSchema, req, res);
    if (!body) return;
    for (const f of faults) if (f.field === body.field) f.remaining = 0;
    faults.push({
      mode: body.mode,
      remaining: body.count,
      retryAfterSeconds: body.retryAfterSeconds,
      field: body.field,
    });
    res.json(body);
  });

  finishSandboxApp(app, { name: 'shopify sandbox', log: opts.log, send: sendError });

  const listen = (port: number, host?: string) => listenSandbox(app, port, host);

  return {
    app,
    listen,
    get orders() {
      return [...store.orders.values()];
    },
    calls,
    setWebhookTarget: (url) => {
      webhookTarget = url;
    },
  };
}
