/**
 * The sandbox WooCommerce store: the subset of a real store's REST API that Parcelwarden uses,
 * with WooCommerce's request and response shapes and error bodies (`{code, message, data:
 * {status}}`), its key check (OAuth 1.0a over http, see woocommerce-sandbox.auth.ts), and its
 * webhooks, signed and headed as WC_Webhook::deliver() sends them. Orders, Shipment Tracking
 * items and refunds are kept in memory.
 *
 * REST (as a store with the Shipment Tracking extension serves it):
 *   GET/POST /wp-json/wc/v3/orders, GET /wp-json/wc/v3/orders/<id>,
 *   GET/POST /wp-json/wc/v3/orders/<id>/refunds,
 *   GET/POST /wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings.
 * Development (HTTP Basic with the same key pair):
 *   POST /sandbox/orders, POST /sandbox/orders/<id>/tracking, POST /sandbox/orders/<id>/cancel,
 *   GET /sandbox/orders, GET /sandbox/deliveries, POST /sandbox/webhooks/ping, POST /sandbox/faults.
 *
 * Webhooks go to `webhookTarget` only: order.created when an order is made, order.updated when
 * its tracking or status changes (through the REST API or the development routes). A real store
 * delivers them in the background; so does the sandbox for REST calls, in order, while the
 * development routes wait for their delivery and answer with its outcome.
 */
import express from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { createSandboxApp, finishSandboxApp, listenSandbox } from '../../http/sandbox-server';
import { safeEqual } from '../../http/safe-equal';
import { TRACKING_META_KEY } from '../woocommerce/woocommerce.payloads';
import { wooCommerceSignature } from '../woocommerce/woocommerce.receiver';
import { createKeyChecker } from './woocommerce-sandbox.auth';
import {
  WC_VERSION,
  USER_AGENT,
  WEBHOOK_IDS,
  type Topic,
  type WooMetaJson,
  type SandboxWooOrder,
  type SandboxTrackingItem,
  type SandboxRefund,
  type SandboxDelivery,
  type Fault,
  wcDate,
  money,
  hex,
  wpError,
  phpJson,
  type AddressIn,
  createOrderSchema,
  refundSchema,
  trackingSchema,
  sandboxOrderSchema,
  sandboxTrackingSchema,
  faultSchema,
  DEFAULT_CUSTOMER,
  DEFAULT_LINES,
  address,
  phpQuery,
  parse,
} from './woocommerce-sandbox.shapes';

export { phpJson } from './woocommerce-sandbox.shapes';
export type {
  SandboxDelivery,
  SandboxFaultMode,
  SandboxRefund,
  SandboxTrackingItem,
  SandboxWooOrder,
} from './woocommerce-sandbox.shapes';

export interface WooCommerceSandboxOptions {
  consumerKey: string;
  consumerSecret: string;
  /** The secret of the store's webhooks (X-WC-Webhook-Signature). */
  webhookSecret: string;
  /** The store's home URL as its webhooks name it (X-WC-Webhook-Source); default: where it listens. */
  storeUrl?: string;
  /** Our receiver, e.g. http://127.0.0.1:3000/v1/shop-webhooks/woocommerce; no webhooks without it. */
  webhookTarget?: string;
  log?: (message: string) => void;
}

export interface WooCommerceSandbox {
  app: express.Express;
  /** The store's orders by id, as the REST API shows them. */
  orders: Map<number, SandboxWooOrder>;
  /** Refunds by order id. */
  refunds: Map<number, SandboxRefund[]>;
  /** Webhook deliveries, oldest first. */
  deliveries: SandboxDelivery[];
  listen(port: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
  /** Resolves once every webhook queued so far has been delivered (or failed). */
  settled(): Promise<void>;
}

// ---------- the store ----------

export function createWooCommerceSandbox(opts: WooCommerceSandboxOptions): WooCommerceSandbox {
  if (!opts.consumerKey || !opts.consumerSecret || !opts.webhookSecret) {
    throw new Error('createWooCommerceSandbox: consumer key, secret and webhook secret are needed');
  }
  const log = opts.log ?? (() => {});
  const orders = new Map<number, SandboxWooOrder>();
  const refunds = new Map<number, SandboxRefund[]>();
  const deliveries: SandboxDelivery[] = [];
  const faults: Fault[] = [];
  const keys = createKeyChecker(opts);
  // Orders and refunds share WordPress's post ids.
  let nextPostId = 1001;
  let nextItemId = 501;
  let nextMetaId = 9001;
  let storeUrl = opts.storeUrl?.replace(/\/+$/, '');
  let queue: Promise<unknown> = Promise.resolve();

  const home = () => `${storeUrl ?? 'http://127.0.0.1'}/`;
  const meta = (key: string, value: unknown): WooMetaJson => ({ id: nextMetaId++, key, value });

  // --- webhooks ---

  async function deliver(topic: Topic | 'ping', order?: SandboxWooOrder): Promise<SandboxDelivery> {
    const record: SandboxDelivery = {
      deliveryId: hex(16),
      topic,
      ...(order ? { orderId: order.id } : {}),
      at: new Date().toISOString(),
    };
    deliveries.push(record);
    if (!opts.webhookTarget) {
      record.error = 'no webhook target configured';
      return record;
    }
    const body =
      topic === 'ping'
        ? `webhook_id=${WEBHOOK_IDS['order.updated']}`
        : phpJson(topic === 'order.deleted' ? { id: order!.id } : orderView(order!));
    const headers: Record<string, string> =
      topic === 'ping'
        ? { 'Content-Type': 'application/x-www-form-urlencoded' }
        : {
            'Content-Type': 'application/json',
            'X-WC-Webhook-Source': home(),
            'X-WC-Webhook-Topic': topic,
            'X-WC-Webhook-Resource': 'order',
            'X-WC-Webhook-Event': topic.split('.')[1]!,
            'X-WC-Webhook-Signature': wooCommerceSignature(body, opts.webhookSecret),
            'X-WC-Webhook-ID': String(WEBHOOK_IDS[topic]),
            'X-WC-Webhook-Delivery-ID': record.deliveryId,
          };
    try {
      const res = await fetch(opts.webhookTarget, {
        method: 'POST',
        headers: { 'User-Agent': USER_AGENT, ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      record.error = (err as Error).message;
    }
    log(`webhook ${topic}${order ? ` order ${order.id}` : ''} → ${record.status ?? record.error}`);
    return record;
  }

  /** Queues a delivery behind the earlier ones, so the receiver sees them in order. */
  function enqueue(topic: Topic | 'ping', order?: SandboxWooOrder): Promise<SandboxDelivery> {
    // A snapshot: later changes to the order belong to later deliveries.
    const snapshot = order ? (structuredClone(order) as SandboxWooOrder) : undefined;
    const next = queue.then(() => deliver(topic, snapshot));
    queue = next.catch(() => undefined);
    return next;
  }

  // --- orders ---

  function touch(order: SandboxWooOrder) {
    const now = Date.now();
    order.date_modified = wcDate(now);
    order.date_modified_gmt = wcDate(now);
  }

  /** A product's name and SKU as earlier orders of the store show them. */
  function knownProduct(productId: number, variationId: number) {
    for (const o of orders.values()) {
      const line = o.line_items.find(
        (l) => l.product_id === productId && l.variation_id === variationId,
      );
      if (line) return { name: line.name, sku: line.sku, price: line.price };
    }
    return undefined;
  }

  function addOrder(input: {
    parent_id?: number;
    status: string;
    currency: string;
    customer_id?: number;
    customer_note?: string;
    payment_method?: string;
    payment_method_title?: string;
    transaction_id?: string;
    paid: boolean;
    billing?: AddressIn;
    shipping?: AddressIn;
    lines: Array<{
      product_id: number;
      variation_id: number;
      name: string;
      sku: string;
      quantity: number;
      subtotal: number;
      total: number;
      meta_data?: Array<{ key: string; value: unknown }>;
    }>;
    shipping_lines: Array<{ method_id: string; method_title: string; total: number }>;
    meta_data: Array<{ key: string; value: unknown }>;
    createdAt?: number;
    createdVia: string;
  }): SandboxWooOrder {
    const id = nextPostId++;
    const created = input.createdAt ?? Date.now();
    const shippingTotal = input.shipping_lines.reduce((n, l) => n + l.total, 0);
    const total = input.lines.reduce((n, l) => n + l.total, 0) + shippingTotal;
    const paidAt = input.paid ? wcDate(created) : null;
    const completed = input.status === 'completed' ? wcDate(created) : null;
    const order: SandboxWooOrder = {
      id,
      parent_id: input.parent_id ?? 0,
      number: String(id),
      order_key: `wc_order_${hex(7).slice(0, 13)}`,
      created_via: input.createdVia,
      version: WC_VERSION,
      status: input.status,
      currency: input.currency,
      date_created: wcDate(created),
      date_created_gmt: wcDate(created),
      date_modified: wcDate(created),
      date_modified_gmt: wcDate(created),
      discount_total: '0.00',
      discount_tax: '0.00',
      shipping_total: money(shippingTotal),
      shipping_tax: '0.00',
      cart_tax: '0.00',
      total: money(total),
      total_tax: '0.00',
      prices_include_tax: false,
      customer_id: input.customer_id ?? 0,
      customer_ip_address: '',
      customer_user_agent: '',
      customer_note: input.customer_note ?? '',
      billing: address(input.billing, true),
      shipping: address(input.shipping ?? input.billing, false),
      payment_method: input.payment_method ?? '',
      payment_method_title: input.payment_method_title ?? '',
      transaction_id: input.transaction_id ?? '',
      date_paid: paidAt,
      date_paid_gmt: paidAt,
      date_completed: completed,
      date_completed_gmt: completed,
      cart_hash: '',
      meta_data: input.meta_data.map((m) => meta(m.key, m.value)),
      line_items: input.lines.map((l) => ({
        id: nextItemId++,
        name: l.name,
        product_id: l.product_id,
        variation_id: l.variation_id,
        quantity: l.quantity,
        tax_class: '',
        subtotal: money(l.subtotal),
        subtotal_tax: '0.00',
        total: money(l.total),
        total_tax: '0.00',
        taxes: [],
        meta_data: (l.meta_data ?? []).map((m) => meta(m.key, m.value)),
        sku: l.sku,
        price: l.quantity ? Math.round((l.total / l.quantity) * 100) / 100 : 0,
      })),
      tax_lines: [],
      shipping_lines: input.shipping_lines.map((l) => ({
        id: nextItemId++,
        method_title: l.method_title,
        method_id: l.method_id,
        total: money(l.total),
        total_tax: '0.00',
        taxes: [],
        meta_data: [],
      })),
      fee_lines: [],
      coupon_lines: [],
      refunds: [],
    };
    orders.set(id, order);
    return order;
  }

  function trackingOf(order: SandboxWooOrder): SandboxTrackingItem[] {
    const entry = order.meta_data.find((m) => m.key === TRACKING_META_KEY);
    return Array.isArray(entry?.value) ? (entry.value as SandboxTrackingItem[]) : [];
  }

  function setTracking(order: SandboxWooOrder, items: SandboxTrackingItem[]) {
    const entry = order.meta_data.find((m) => m.key === TRACKING_META_KEY);
    if (entry) entry.value = items;
    else order.meta_data.push(meta(TRACKING_META_KEY, items));
    touch(order);
  }

  /** The extension's add_tracking_item: date_shipped through strtotime, a fresh md5-like id. */
  function addTracking(
    order: SandboxWooOrder,
    input: z.infer<typeof trackingSchema>,
    replaceId?: string,
  ): SandboxTrackingItem | undefined {
    const shippedMs = input.date_shipped ? Date.parse(input.date_shipped) : Number.NaN;
    const item: SandboxTrackingItem = {
      tracking_provider: input.tracking_provider ?? '',
      custom_tracking_provider: input.custom_tracking_provider ?? '',
      custom_tracking_link: input.custom_tracking_link ?? '',
      tracking_number: input.tracking_number,
      date_shipped: String(Math.floor((Number.isNaN(shippedMs) ? Date.now() : shippedMs) / 1000)),
      tracking_id: replaceId ?? hex(16),
    };
    const items = trackingOf(order);
    if (replaceId) {
      const at = items.findIndex((i) => i.tracking_id === replaceId);
      if (at < 0) return undefined;
      items[at] = item;
      setTracking(order, items);
    } else {
      setTracking(order, [...items, item]);
    }
    return item;
  }

  function trackingView(order: SandboxWooOrder, item: SandboxTrackingItem) {
    const base = `${home()}wp-json/wc-shipment-tracking/v3/orders/${order.id}/shipment-trackings`;
    return {
      tracking_id: item.tracking_id,
      tracking_provider: item.custom_tracking_provider || item.tracking_provider,
      tracking_link: item.custom_tracking_link,
      tracking_number: item.tracking_number,
      date_shipped: new Date(Number(item.date_shipped) * 1000).toISOString().slice(0, 10),
      _links: {
        self: [{ href: `${base}/${item.tracking_id}` }],
        collection: [{ href: base }],
        up: [{ href: `${home()}wp-json/wc/v3/orders/${order.id}` }],
      },
    };
  }

  function orderView(order: SandboxWooOrder) {
    const self = `${home()}wp-json/wc/v3/orders/${order.id}`;
    return {
      ...order,
      _links: {
        self: [{ href: self }],
        collection: [{ href: `${home()}wp-json/wc/v3/orders` }],
      },
    };
  }

  function setStatus(order: SandboxWooOrder, status: string) {
    order.status = status;
    if (status === 'completed' && !order.date_completed) {
      order.date_completed = wcDate(Date.now());
      order.date_completed_gmt = order.date_completed;
    }
    touch(order);
  }

  function refundedTotal(order: SandboxWooOrder): number {
    return (refunds.get(order.id) ?? []).reduce((n, r) => n + Number(r.amount), 0);
  }

  // --- the app ---

  // The loopback-host guard comes before any key check. The log leaves out the query string:
  // over plain http it carries the OAuth signature.
  const app = createSandboxApp({ log, logWithoutQuery: true });
  app.use(express.json({ limit: '1mb' }));

  // --- faults, then keys, for everything under /wp-json ---

  app.use('/wp-json', (req, res, next) => {
    const path = req.path.replace(/^\/+|\/+$/g, '');
    const at = faults.findIndex(
      (f) => (!f.method || f.method === req.method) && (!f.path || f.path === path),
    );
    if (at < 0) return next();
    const fault = faults[at]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(at, 1);
    switch (fault.mode) {
      case 'rate_limit':
        res.set('Retry-After', String(fault.retryAfterSeconds));
        return wpError(
          res,
          429,
          'rate_limit_exceeded',
          `Too many requests. Please wait ${fault.retryAfterSeconds} seconds before trying again.`,
        );
      case 'server_error':
        return wpError(
          res,
          500,
          'internal_server_error',
          '<p>There has been a critical error on this website.</p>',
        );
      case 'unauthorized':
        return wpError(
          res,
          401,
          'woocommerce_rest_authentication_error',
          'Consumer key is invalid.',
        );
      case 'lost_answer':
        // The work is done; the answer never arrives (the connection drops).
        res.json = () => {
          res.socket?.destroy();
          return res;
        };
        return next();
    }
  });

  app.use('/wp-json', (req, res, next) => {
    const raw = req.originalUrl.split('?');
    const failure = keys.check({
      method: req.method,
      baseUrl: `${req.protocol}://${req.get('host')}${raw[0]}`,
      rawQuery: raw.slice(1).join('?'),
      authorization: req.get('authorization'),
      secure: req.secure,
    });
    if (!failure) return next();
    wpError(res, failure.status, failure.code, failure.message);
  });

  /** The order of `:id`, or WooCommerce's 404 (the orders route and its sub-routes word it differently). */
  function orderOr404(req: Request, res: Response, of: 'order' | 'sub' = 'order') {
    const order = orders.get(Number(req.params.id));
    if (order) return order;
    if (of === 'order') wpError(res, 404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
    else wpError(res, 404, 'woocommerce_rest_order_invalid_id', 'Invalid order ID.');
    return undefined;
  }

  // --- wc/v3 orders ---

  app.get('/wp-json/wc/v3/orders', (req, res) => {
    const q = phpQuery(req);
    const str = (name: string) => q.get(name);
    const page = Number(str('page') ?? 1);
    const perPage = Number(str('per_page') ?? 10);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      return wpError(res, 400, 'rest_invalid_param', 'Invalid parameter(s): per_page', {
        params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' },
      });
    }
    if (!Number.isInteger(page) || page < 1) {
      return wpError(res, 400, 'rest_invalid_param', 'Invalid parameter(s): page', {
        params: { page: 'page must be greater than or equal to 1' },
      });
    }
    const dates: Record<string, number> = {};
    for (const name of ['after', 'before', 'modified_after', 'modified_before']) {
      const value = str(name);
      if (value === undefined) continue;
      const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
      if (Number.isNaN(ms)) {
        return wpError(res, 400, 'rest_invalid_param', `Invalid parameter(s): ${name}`, {
          params: { [name]: `${name} is not a valid date.` },
        });
      }
      dates[name] = ms;
    }
    const statuses = (str('status') ?? 'any').split(',').filter(Boolean);
    const parents = str('parent')?.split(',').filter(Boolean).map(Number);
    const search = str('search')?.toLowerCase();
    const gmt = (d: string) => Date.parse(`${d}Z`);
    let list = [...orders.values()].filter((o) => {
      if (statuses.includes('any') ? o.status === 'trash' : !statuses.includes(o.status))
        return false;
      if (parents && !parents.includes(o.parent_id)) return false;
      if (dates.after !== undefined && !(gmt(o.date_created_gmt) > dates.after)) return false;
      if (dates.before !== undefined && !(gmt(o.date_created_gmt) < dates.before)) return false;
      if (dates.modified_after !== undefined && !(gmt(o.date_modified_gmt) > dates.modified_after))
        return false;
      if (
        dates.modified_before !== undefined &&
        !(gmt(o.date_modified_gmt) < dates.modified_before)
      )
        return false;
      if (search) {
        const hay = [
          String(o.id),
          o.billing.first_name,
          o.billing.last_name,
          o.billing.email ?? '',
          ...o.line_items.map((l) => l.name),
        ]
          .join(' ')
          .toLowerCase();
        if (!hay.includes(search)) return false;
      }
      return true;
    });
    const orderby = str('orderby') ?? 'date';
    const desc = (str('order') ?? 'desc') === 'desc';
    const key = (o: SandboxWooOrder) =>
      orderby === 'id'
        ? o.id
        : orderby === 'modified'
          ? gmt(o.date_modified_gmt)
          : gmt(o.date_created_gmt) * 1e4 + o.id;
    list = list.sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)));
    const total = list.length;
    const totalPages = Math.ceil(total / perPage);
    res.set('X-WP-Total', String(total));
    res.set('X-WP-TotalPages', String(totalPages));
    const link = (p: number, rel: string) => {
      const u = new URL(`${home()}wp-json/wc/v3/orders`);
      for (const [k, v] of q) if (!k.startsWith('oauth_')) u.searchParams.set(k, v);
      u.searchParams.set('page', String(p));
      return `<${u.href}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev')] : []),
      ...(page < totalPages ? [link(page + 1, 'next')] : []),
    ];
    if (links.length) res.set('Link', links.join(', '));
    res.json(list.slice((page - 1) * perPage, page * perPage).map(orderView));
  });

  app.get('/wp-json/wc/v3/orders/:id', (req, res) => {
    const order = orderOr404(req, res);
    if (order) res.json(orderView(order));
  });

  app.post('/wp-json/wc/v3/orders', (req, res) => {
    const body = parse(createOrderSchema, req, res);
    if (!body) return;
    if (body.parent_id && !orders.has(body.parent_id)) {
      return wpError(res, 400, 'woocommerce_rest_invalid_parent_id', 'Invalid parent ID.');
    }
    const lines = (body.line_items ?? []).map((l) => {
      const known = l.product_id ? knownProduct(l.product_id, l.variation_id ?? 0) : undefined;
      const total = l.total ?? l.subtotal ?? (known?.price ?? 0) * l.quantity;
      return {
        product_id: l.product_id ?? 0,
        variation_id: l.variation_id ?? 0,
        name: known?.name ?? l.name ?? '',
        sku: known?.sku ?? '',
        quantity: l.quantity,
        subtotal: l.subtotal ?? total,
        total,
        meta_data: l.meta_data,
      };
    });
    // set_paid marks the order paid and, as payment_complete() does, moves it to processing.
    const status = body.set_paid && body.status === 'pending' ? 'processing' : body.status;
    const order = addOrder({
      ...body,
      status,
      currency: body.currency ?? 'EUR',
      paid: body.set_paid ?? false,
      lines,
      shipping_lines: (body.shipping_lines ?? []).map((l) => ({ ...l, total: l.total ?? 0 })),
      meta_data: body.meta_data ?? [],
      createdVia: 'rest-api',
    });
    res.status(201).json(orderView(order));
    void enqueue('order.created', order);
  });

  // --- wc/v3 refunds ---

  app.get('/wp-json/wc/v3/orders/:id/refunds', (req, res) => {
    const order = orderOr404(req, res, 'sub');
    if (!order) return;
    const q = phpQuery(req);
    const perPage = Math.min(100, Math.max(1, Number(q.get('per_page') ?? 10) || 10));
    const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
    const list = [...(refunds.get(order.id) ?? [])].reverse();
    res.set('X-WP-Total', String(list.length));
    res.set('X-WP-TotalPages', String(Math.ceil(list.length / perPage)));
    res.json(list.slice((page - 1) * perPage, page * perPage).map((r) => refundView(order, r)));
  });

  function refundView(order: SandboxWooOrder, r: SandboxRefund) {
    const base = `${home()}wp-json/wc/v3/orders/${order.id}`;
    return {
      ...r,
      _links: {
        self: [{ href: `${base}/refunds/${r.id}` }],
        collection: [{ href: `${base}/refunds` }],
        up: [{ href: base }],
      },
    };
  }

  app.post('/wp-json/wc/v3/orders/:id/refunds', (req, res) => {
    const order = orderOr404(req, res, 'sub');
    if (!order) return;
    const body = parse(refundSchema, req, res);
    if (!body) return;
    const amount = Math.round((body.amount ?? 0) * 100) / 100;
    if (!(amount > 0)) {
      return wpError(
        res,
        400,
        'woocommerce_rest_invalid_order_refund',
        'Refund amount must be greater than zero.',
      );
    }
    const remaining = Number(order.total) - refundedTotal(order);
    if (amount > remaining + 0.001) {
      // wc_create_refund's WP_Error, which the REST controller answers with 500.
      return wpError(
        res,
        500,
        'woocommerce_rest_cannot_create_order_refund',
        'Invalid refund amount.',
      );
    }
    const now = Date.now();
    const refund: SandboxRefund = {
      id: nextPostId++,
      date_created: wcDate(now),
      date_created_gmt: wcDate(now),
      amount: money(amount),
      reason: body.reason ?? '',
      refunded_by: 1,
      refunded_payment: body.api_refund ?? true,
      meta_data: [],
      line_items: [],
    };
    refunds.set(order.id, [...(refunds.get(order.id) ?? []), refund]);
    order.refunds.unshift({ id: refund.id, reason: refund.reason, total: money(-amount) });
    const fullyRefunded = remaining - amount < 0.005;
    if (fullyRefunded) setStatus(order, 'refunded');
    else touch(order);
    res.status(201).json(refundView(order, refund));
    void enqueue('order.updated', order);
  });

  // --- the Shipment Tracking extension ---

  const TRACKING_PATH = '/wp-json/wc-shipment-tracking/v3/orders/:id/shipment-trackings';

  app.get(TRACKING_PATH, (req, res) => {
    const order = orderOr404(req, res, 'sub');
    if (order) res.json(trackingOf(order).map((i) => trackingView(order, i)));
  });

  app.post(TRACKING_PATH, (req, res) => {
    const order = orderOr404(req, res, 'sub');
    if (!order) return;
    if (typeof req.body?.tracking_number !== 'string' || !req.body.tracking_number.trim()) {
      return wpError(
        res,
        400,
        'rest_missing_callback_param',
        'Missing parameter(s): tracking_number',
        {
          params: ['tracking_number'],
        },
      );
    }
    const body = parse(trackingSchema, req, res);
    if (!body) return;
    const item = addTracking(order, body)!;
    res.status(201).json(trackingView(order, item));
    void enqueue('order.updated', order);
  });

  // --- development routes ---

  app.use('/sandbox', (req, res, next) => {
    const expected = `Basic ${Buffer.from(`${opts.consumerKey}:${opts.consumerSecret}`).toString('base64')}`;
    if (safeEqual(req.get('authorization') ?? '', expected)) return next();
    res.set('WWW-Authenticate', 'Basic realm="sandbox WooCommerce store"');
    wpError(
      res,
      401,
      'sandbox_unauthorized',
      'Use the consumer key and secret as HTTP Basic credentials.',
    );
  });

  app.post('/sandbox/orders', async (req, res) => {
    const body = parse(sandboxOrderSchema, req, res);
    if (!body) return;
    const billing = { ...DEFAULT_CUSTOMER, ...body.billing };
    const createdAt = body.date_created_gmt ? Date.parse(body.date_created_gmt) : undefined;
    const order = addOrder({
      status: body.status,
      currency: body.currency,
      paid: body.status !== 'pending',
      payment_method: 'bacs',
      payment_method_title: 'Direct bank transfer',
      billing,
      shipping: { ...billing, email: undefined, ...body.shipping },
      lines: (body.line_items ?? DEFAULT_LINES).map((l) => ({
        product_id: l.product_id ?? 0,
        variation_id: l.variation_id ?? 0,
        name: l.name,
        sku: l.sku ?? '',
        quantity: l.quantity ?? 1,
        subtotal: l.price * (l.quantity ?? 1),
        total: l.price * (l.quantity ?? 1),
      })),
      shipping_lines: [
        { method_id: 'flat_rate', method_title: 'Flat rate', total: body.shipping_total },
      ],
      meta_data: body.meta_data,
      createdAt,
      createdVia: 'checkout',
    });
    const webhooks = [await enqueue('order.created', order)];
    if (body.tracking) {
      addTracking(order, body.tracking);
      if (createdAt !== undefined) {
        order.date_modified = order.date_created;
        order.date_modified_gmt = order.date_created_gmt;
      }
      webhooks.push(await enqueue('order.updated', order));
    }
    res.status(201).json({ order: orderView(order), webhooks });
  });

  app.post('/sandbox/orders/:id/tracking', async (req, res) => {
    const order = orderOr404(req, res);
    if (!order) return;
    const body = parse(sandboxTrackingSchema, req, res);
    if (!body) return;
    const item = addTracking(order, body, body.replace_tracking_id);
    if (!item) {
      return wpError(
        res,
        404,
        'woocommerce_rest_order_shipment_tracking_invalid_id',
        'Invalid shipment tracking ID.',
      );
    }
    const webhook = await enqueue('order.updated', order);
    res.status(201).json({ tracking: trackingView(order, item), webhooks: [webhook] });
  });

  app.post('/sandbox/orders/:id/cancel', async (req, res) => {
    const order = orderOr404(req, res);
    if (!order) return;
    setStatus(order, 'cancelled');
    const webhook = await enqueue('order.updated', order);
    res.json({ order: orderView(order), webhooks: [webhook] });
  });

  app.get('/sandbox/orders', (_req, res) => {
    res.json({
      orders: [...orders.values()].map((o) => ({
        ...orderView(o),
        refund_details: refunds.get(o.id) ?? [],
      })),
    });
  });

  app.get('/sandbox/deliveries', (_req, res) => {
    res.json({ deliveries });
  });

  app.post('/sandbox/webhooks/ping', async (_req, res) => {
    res.json({ webhooks: [await enqueue('ping')] });
  });

  app.post('/sandbox/faults', (req, res) => {
    const body = parse(faultSchema, req, res);
    if (!body) return;
    if (body.mode === 'none') faults.length = 0;
    else
      faults.push({
        mode: body.mode,
        remaining: body.count,
        retryAfterSeconds: body.retryAfterSeconds,
        ...(body.method ? { method: body.method } : {}),
        ...(body.path ? { path: body.path.replace(/^\/+|\/+$/g, '') } : {}),
      });
    res.json({ faults });
  });

  finishSandboxApp(app, {
    name: 'woocommerce sandbox',
    log,
    notFound: (_req, res) =>
      wpError(res, 404, 'rest_no_route', 'No route was found matching the URL and request method.'),
    // WordPress answers any body it cannot read as invalid JSON.
    send: (res, status, _code, message) =>
      status >= 500
        ? wpError(res, 500, 'internal_server_error', message)
        : wpError(res, 400, 'rest_invalid_json', 'Invalid JSON body passed.'),
  });

  async function listen(port: number, host?: string) {
    const listening = await listenSandbox(app, port, host);
    storeUrl ??= listening.url;
    return listening;
  }

  return { app, orders, refunds, deliveries, listen, settled: () => queue.then(() => undefined) };
}
