/**
 * Calls into a WooCommerce store through `@woocommerce/woocommerce-rest-api` (REST wc/v3, and the
 * Shipment Tracking extension's wc-shipment-tracking/v3 under the same keys). The library picks
 * the authentication as WooCommerce requires it: HTTP Basic with the key pair over https, OAuth
 * 1.0a one-legged (HMAC-SHA256, parameters in the query string) over plain http.
 *
 * Retries are safe: a replacement order carries its idempotency key in its meta and is a child
 * (`parent_id`) of the original, so a retry lists the original's children and finds it; a refund
 * carries the key in its reason and a retry finds it among the order's refunds.
 */
import WooCommerceRestApiModule, {
  type IWooCommerceRestApiOptions,
  type WooCommerceRestApiVersion,
} from '@woocommerce/woocommerce-rest-api';
import { z } from 'zod';
import { parseRetryAfter } from '../../carriers/carrier';
import {
  ShopApiError,
  type OrderPage,
  type ReplacementOrder,
  type ReplacementOrderInput,
  type ShopApi,
  type ShopConnection,
  type ShopOrder,
  type ShopRefund,
  type ShopRefundInput,
  type WooCommerceCredentials,
} from '../platform';
import {
  isOwnReplacement,
  META_IDEMPOTENCY_KEY,
  META_ORIGINAL_ORDER,
  META_SHIPMENT,
  metaValue,
  orderName,
  parseVariantId,
  toShopOrder,
  wooOrder,
  type WooOrder,
} from './woocommerce.payloads';

// The package is CommonJS with `exports.default`: Node's ESM loader hands the whole exports
// object to a default import, bundlers and vitest hand the class itself.
const WooCommerceRestApi = ((WooCommerceRestApiModule as unknown as { default?: unknown })
  .default ?? WooCommerceRestApiModule) as typeof WooCommerceRestApiModule;

const PAGE_SIZE = 50;
const CHILD_PAGE_SIZE = 100;
const DEFAULT_TIMEOUT_MS = 20_000;
/** Order statuses whose parcels have left: what a backfill reads. */
const FULFILLED_STATUSES = 'processing,completed';

/** The body WooCommerce and WordPress answer errors with. */
const errorBody = z.object({ code: z.string().optional(), message: z.string().optional() });
const trackingResponse = z.object({
  tracking_id: z.string(),
  tracking_number: z.string(),
});
const refundResponse = z.object({ id: z.number().int(), reason: z.string().nullish() });

interface Response {
  status: number;
  data: unknown;
  headers: Record<string, unknown> & { get?: (name: string) => unknown };
}

interface WooClient {
  get(endpoint: string, params?: Record<string, string | number | boolean>): Promise<Response>;
  post(endpoint: string, data: unknown): Promise<Response>;
}

export interface WooCommerceApiOptions {
  /** Another fetch (tests): the library's axios then uses its fetch adapter with it. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => Date;
}

function headerValue(headers: Response['headers'] | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const value = typeof headers.get === 'function' ? headers.get(name) : headers[name];
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}

/** Maps what axios throws to a ShopApiError of the right kind. */
export function toShopApiError(err: unknown, what: string): ShopApiError {
  if (err instanceof ShopApiError) return err;
  const e = err as { response?: Response; code?: string; message?: string };
  const response = e.response;
  if (!response) {
    const reason = [e.code, e.message].filter(Boolean).join(' ') || String(err);
    return new ShopApiError('unavailable', `${what}: the store did not answer (${reason})`);
  }
  const { status } = response;
  const body = errorBody.safeParse(response.data);
  const code = body.success ? body.data.code : undefined;
  const detail = body.success && body.data.message ? body.data.message : `HTTP ${status}`;
  const message = `${what}: the store answered ${status}${code ? ` ${code}` : ''}: ${detail}`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after') ?? null);
    return new ShopApiError('rate_limited', message, status, retryAfterMs);
  }
  if (status === 401 || status === 403) return new ShopApiError('unauthorized', message, status);
  // WooCommerce answers 500 when the gateway refuses a refund (wc_create_refund's WP_Error):
  // asking again changes nothing.
  if (code === 'woocommerce_rest_cannot_create_order_refund') {
    return new ShopApiError('rejected', message, status);
  }
  if (status === 408 || status >= 500) return new ShopApiError('unavailable', message, status);
  return new ShopApiError('rejected', message, status);
}

function credentialsOf(connection: ShopConnection): WooCommerceCredentials {
  const c = connection.credentials as Partial<WooCommerceCredentials>;
  if (!c.consumerKey || !c.consumerSecret) {
    throw new ShopApiError(
      'unauthorized',
      `shop ${connection.shopId}: WooCommerce credentials need a consumer key and secret`,
    );
  }
  return c as WooCommerceCredentials;
}

function client(
  connection: ShopConnection,
  version: string,
  opts: WooCommerceApiOptions,
): WooClient {
  const { consumerKey, consumerSecret } = credentialsOf(connection);
  const options: IWooCommerceRestApiOptions = {
    url: connection.apiUrl,
    consumerKey,
    consumerSecret,
    // The extension's namespace is not in the library's list of versions, but its URL is built
    // the same way: <url>/wp-json/<version>/<endpoint>.
    version: version as WooCommerceRestApiVersion,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.fetch ? { axiosConfig: { adapter: 'fetch', env: { fetch: opts.fetch } } } : {}),
  };
  return new WooCommerceRestApi(options) as unknown as WooClient;
}

function parseWith<T extends z.ZodType>(schema: T, data: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    .join('; ');
  throw new ShopApiError('rejected', `${what}: the store answered an unexpected shape (${issues})`);
}

function positiveInt(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
}

function orderIdOf(value: string, what: string): number {
  const id = positiveInt(value);
  if (!id) throw new ShopApiError('rejected', `${what}: "${value}" is not a WooCommerce order id`);
  return id;
}

/** The marker a refund's reason carries so a retry finds it. */
function refundMarker(idempotencyKey: string): string {
  return `[parcelwarden:${idempotencyKey}]`;
}

export function createWooCommerceApi(
  connection: ShopConnection,
  opts: WooCommerceApiOptions = {},
): ShopApi {
  const wc = client(connection, 'wc/v3', opts);
  const tracking = client(connection, 'wc-shipment-tracking/v3', opts);
  const now = opts.now ?? (() => new Date());

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toShopApiError(err, `${connection.shopId}: ${what}`);
    }
  }

  async function fetchOrder(id: number): Promise<WooOrder | undefined> {
    try {
      const res = await wc.get(`orders/${id}`);
      return parseWith(wooOrder, res.data, `GET orders/${id}`);
    } catch (err) {
      const mapped = toShopApiError(err, `${connection.shopId}: GET orders/${id}`);
      if (mapped.status === 404) return undefined;
      throw mapped;
    }
  }

  /** The replacement made under `key`: among the original's child orders, matched exactly. */
  async function findReplacement(originalId: number, key: string): Promise<WooOrder | undefined> {
    for (let page = 1; ; page++) {
      const res = await call(`GET orders?parent=${originalId}`, () =>
        wc.get('orders', {
          parent: String(originalId),
          status: 'any',
          per_page: CHILD_PAGE_SIZE,
          page,
        }),
      );
      const orders = parseWith(z.array(wooOrder), res.data, 'GET orders?parent');
      const found = orders.find((o) => metaValue(o, META_IDEMPOTENCY_KEY) === key);
      if (found) return found;
      const pages = positiveInt(headerValue(res.headers, 'x-wp-totalpages')) ?? 1;
      if (page >= pages || orders.length === 0) return undefined;
    }
  }

  async function ensureTracking(order: WooOrder, input: ReplacementOrderInput): Promise<string> {
    const path = `orders/${order.id}/shipment-trackings`;
    const listed = await call(`GET ${path}`, () => tracking.get(path));
    const items = parseWith(z.array(trackingResponse), listed.data, `GET ${path}`);
    const existing = items.find((i) => i.tracking_number === input.trackingNumber);
    if (existing) return existing.tracking_id;
    // A predefined provider gets its link from the extension; a link of our own needs the
    // custom provider fields.
    const provider = input.trackingUrl
      ? { custom_tracking_provider: input.carrierName, custom_tracking_link: input.trackingUrl }
      : { tracking_provider: input.carrierName };
    const created = await call(`POST ${path}`, () =>
      tracking.post(path, {
        ...provider,
        tracking_number: input.trackingNumber,
        date_shipped: now().toISOString().slice(0, 10),
      }),
    );
    return parseWith(trackingResponse, created.data, `POST ${path}`).tracking_id;
  }

  function replacementBody(original: WooOrder, input: ReplacementOrderInput) {
    const lines = input.original.items.map((item) => {
      const product = parseVariantId(item.variantId);
      const name = item.title ?? item.sku;
      return {
        ...(product ?? { name }),
        ...(product && item.title ? { name: item.title } : {}),
        quantity: item.quantity,
        subtotal: '0.00',
        total: '0.00',
        ...(item.sku ? { meta_data: [{ key: 'SKU', value: item.sku }] } : {}),
      };
    });
    return {
      parent_id: original.id,
      status: 'processing',
      set_paid: true,
      currency: original.currency,
      ...(original.customer_id ? { customer_id: original.customer_id } : {}),
      payment_method_title: 'Replacement (no charge)',
      billing: original.billing,
      shipping: original.shipping,
      line_items: lines,
      shipping_lines: [
        { method_id: 'parcelwarden_replacement', method_title: input.carrierName, total: '0.00' },
      ],
      customer_note:
        `Replacement for order ${orderName(original)} (parcel ${input.original.trackingNumber}), ` +
        `sent with ${input.carrierName} under tracking number ${input.trackingNumber}.`,
      meta_data: [
        { key: META_IDEMPOTENCY_KEY, value: input.idempotencyKey },
        { key: META_ORIGINAL_ORDER, value: String(original.id) },
        { key: META_SHIPMENT, value: input.replacementShipmentId },
      ],
    };
  }

  return {
    async listFulfilledOrders({ since, cursor }): Promise<OrderPage> {
      const page = cursor === undefined ? 1 : positiveInt(cursor);
      if (!page) throw new ShopApiError('rejected', `"${cursor}" is not a page cursor`);
      const res = await call('GET orders', () =>
        wc.get('orders', {
          modified_after: since.toISOString(),
          dates_are_gmt: true,
          status: FULFILLED_STATUSES,
          orderby: 'id',
          order: 'asc',
          per_page: PAGE_SIZE,
          page,
        }),
      );
      const raw = parseWith(z.array(z.unknown()), res.data, 'GET orders');
      const orders: ShopOrder[] = [];
      for (const [i, body] of raw.entries()) {
        const order = parseWith(wooOrder, body, `GET orders (item ${i})`);
        if (isOwnReplacement(order)) continue;
        let shopOrder: ShopOrder;
        try {
          shopOrder = toShopOrder(order);
        } catch (err) {
          throw new ShopApiError('rejected', `order ${order.id}: ${(err as Error).message}`);
        }
        if (shopOrder.fulfillments.length > 0) orders.push(shopOrder);
      }
      const totalPages = positiveInt(headerValue(res.headers, 'x-wp-totalpages')) ?? page;
      const total = positiveInt(headerValue(res.headers, 'x-wp-total'));
      return {
        orders,
        ...(page < totalPages && raw.length > 0 ? { nextCursor: String(page + 1) } : {}),
        ...(total !== undefined ? { total } : {}),
      };
    },

    async getOrder(orderId): Promise<ShopOrder | undefined> {
      const id = positiveInt(orderId);
      if (!id) return undefined;
      const order = await fetchOrder(id);
      if (!order) return undefined;
      try {
        return toShopOrder(order);
      } catch (err) {
        throw new ShopApiError('rejected', `order ${id}: ${(err as Error).message}`);
      }
    },

    async createReplacementOrder(input): Promise<ReplacementOrder> {
      const shop = input.original.shop;
      if (!shop || shop.platform !== 'woocommerce') {
        throw new ShopApiError(
          'rejected',
          `shipment ${input.original.shipmentId} did not come from a WooCommerce order`,
        );
      }
      const originalId = orderIdOf(shop.orderId, 'replacement order');
      let order = await findReplacement(originalId, input.idempotencyKey);
      if (!order) {
        const original = await fetchOrder(originalId);
        if (!original) {
          throw new ShopApiError(
            'rejected',
            `${connection.shopId}: the original order ${originalId} is not in the store`,
            404,
          );
        }
        const res = await call('POST orders', () =>
          wc.post('orders', replacementBody(original, input)),
        );
        order = parseWith(wooOrder, res.data, 'POST orders');
      }
      const trackingId = await ensureTracking(order, input);
      return {
        orderId: String(order.id),
        orderName: orderName(order),
        fulfillmentId: `${order.id}-${trackingId}`,
      };
    },

    async refund(input: ShopRefundInput): Promise<ShopRefund> {
      const id = orderIdOf(input.orderId, 'refund');
      const path = `orders/${id}/refunds`;
      const marker = refundMarker(input.idempotencyKey);
      for (let page = 1; ; page++) {
        const res = await call(`GET ${path}`, () => wc.get(path, { per_page: 100, page }));
        const refunds = parseWith(z.array(refundResponse), res.data, `GET ${path}`);
        const found = refunds.find((r) => r.reason?.includes(marker));
        if (found) return { reference: String(found.id) };
        const pages = positiveInt(headerValue(res.headers, 'x-wp-totalpages')) ?? 1;
        if (page >= pages || refunds.length === 0) break;
      }
      if (!(input.amount > 0)) {
        throw new ShopApiError('rejected', `refund of order ${id}: the amount must be above 0`);
      }
      const res = await call(`POST ${path}`, () =>
        wc.post(path, {
          amount: input.amount.toFixed(2),
          reason: `${input.reason} ${marker}`.trim(),
          api_refund: true,
        }),
      );
      return { reference: String(parseWith(refundResponse, res.data, `POST ${path}`).id) };
    },
  };
}
