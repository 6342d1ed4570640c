/**
 * Calls into a Shopify store through the GraphQL Admin API, with @shopify/admin-api-client.
 *
 * The two writes are made idempotent so that a retry after a lost answer adopts what the first
 * attempt made:
 * - A refund is sent as `refundCreate(…) @idempotent(key: …)`, which Shopify requires from API
 *   2026-04 (without it the call fails with a BAD_REQUEST error, "The @idempotent directive is
 *   required for this mutation but was not provided"). The key is a UUID (v5) derived from our
 *   idempotency key, so every retry sends the same one; Shopify then answers the first refund
 *   instead of making another, and refuses the key with other variables ("The same idempotency
 *   key cannot be used with different operation parameters", a userError: rejected). Shopify
 *   keeps a key for a limited time only (about 24 hours), so the refund also carries our key in
 *   its note and the order's refunds are read first: a retry days later still finds it.
 * - `orderCreate` has no idempotency directive. A replacement order carries a tag derived from
 *   the key and is looked up by it first. Shopify's order search can lag a few seconds behind a
 *   new order, so when the caller says an earlier attempt may have reached the store
 *   (`earlierAttempt`) and the lookup finds nothing, the client waits (`searchLagWaitMs`, 5 s)
 *   and looks once more before creating an order. This narrows the window for a second order;
 *   it cannot close it (a lag longer than the wait would still make one).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdminApiClient } from '@shopify/admin-api-client';
import {
  ShopApiError,
  type OrderPage,
  type ReplacementOrder,
  type ReplacementOrderInput,
  type ShopApi,
  type ShopConnection,
  type ShopifyCredentials,
  type ShopRefund,
  type ShopRefundInput,
} from '../platform';
import { REPLACEMENT_TAG, SHOPIFY_API_VERSION, legacyId, toGid } from './shopify.ids';
import {
  FIND_TAGGED_ORDER,
  FULFILLMENT_CREATE,
  GET_ORDER,
  LIST_ORDERS,
  ORDER_CREATE,
  ORDER_REFUNDS,
  REFUND_CREATE,
  orderFromGraphql,
  type GqlOrder,
  type GqlUserError,
} from './shopify.orders';

const PAGE_SIZE = 50;
const DEFAULT_TIMEOUT_MS = 15_000;
/** How long a retry waits for Shopify's order search to catch up before looking again. */
const DEFAULT_SEARCH_LAG_WAIT_MS = 5_000;

export interface ShopifyApiOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * The wait before the second look for a replacement order on a call that may follow an earlier
   * attempt (`ReplacementOrderInput.earlierAttempt`); 5 s by default, short in tests.
   */
  searchLagWaitMs?: number;
}

/** The tag that finds the replacement order made with `idempotencyKey` (Shopify tags ≤ 40 chars). */
export function idempotencyTag(idempotencyKey: string): string {
  return `pw-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
}

/** RFC 9562 name-based UUIDs (v5) are scoped by a namespace UUID; this one is Parcelwarden's. */
const REFUND_KEY_NAMESPACE = Buffer.from('5f0d2c8e4b6a4e1f9a3c7d2b1e8f6a04', 'hex');

/**
 * The `@idempotent` key of the refund made with `idempotencyKey`: a UUID (Shopify recommends
 * one), v5 so that it is the same on every retry: SHA-1 of namespace and name, its first 16
 * bytes with the version (5) and variant (10xx) bits set (RFC 9562 §5.5).
 */
export function refundIdempotencyKey(idempotencyKey: string): string {
  const hash = createHash('sha1').update(REFUND_KEY_NAMESPACE).update(idempotencyKey).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The marker a refund's note carries for `idempotencyKey`. */
export function refundMarker(idempotencyKey: string): string {
  return `[parcelwarden:${idempotencyTag(idempotencyKey)}]`;
}

interface Throttle {
  requestedQueryCost?: number;
  throttleStatus?: { currentlyAvailable: number; restoreRate: number };
}

interface ClientErrors {
  networkStatusCode?: number;
  message?: string;
  graphQLErrors?: { message: string; extensions?: { code?: string } }[];
  response?: Response;
}

function retryAfterMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** What a failed call means for the caller (see ShopApiErrorKind). */
export function classifyShopifyError(
  op: string,
  errors: ClientErrors,
  extensions?: { cost?: Throttle },
): ShopApiError {
  const status = errors.networkStatusCode;
  const what = `Shopify ${op}`;
  if (status === 429)
    return new ShopApiError(
      'rate_limited',
      `${what}: 429 Too Many Requests`,
      429,
      retryAfterMs(errors.response?.headers.get('retry-after')) ?? 1000,
    );
  if (status === 401 || status === 403)
    return new ShopApiError(
      'unauthorized',
      `${what}: ${status} (the access token was refused; is the app still installed?)`,
      status,
    );
  if (status !== undefined && status >= 500)
    return new ShopApiError('unavailable', `${what}: ${status} ${errors.message ?? ''}`, status);
  if (status !== undefined && status >= 400)
    return new ShopApiError('rejected', `${what}: ${status} ${errors.message ?? ''}`, status);
  const gql = errors.graphQLErrors ?? [];
  const codes = gql.map((e) => e.extensions?.code);
  const messages = gql.map((e) => e.message).join('; ') || errors.message || 'no answer';
  if (codes.includes('THROTTLED')) {
    // The query waits until the bucket refills to its cost: (cost - available) / restore rate.
    const cost = extensions?.cost;
    const missing =
      (cost?.requestedQueryCost ?? 0) - (cost?.throttleStatus?.currentlyAvailable ?? 0);
    const rate = cost?.throttleStatus?.restoreRate ?? 0;
    const wait = rate > 0 && missing > 0 ? Math.ceil((missing / rate) * 1000) : 1000;
    return new ShopApiError('rate_limited', `${what}: throttled (${messages})`, status, wait);
  }
  if (codes.includes('ACCESS_DENIED'))
    return new ShopApiError('unauthorized', `${what}: access denied (${messages})`, status);
  if (codes.includes('INTERNAL_SERVER_ERROR') || gql.length === 0)
    return new ShopApiError('unavailable', `${what}: ${messages}`, status);
  return new ShopApiError('rejected', `${what}: ${messages}`, status);
}

function rejectUserErrors(op: string, errors: GqlUserError[] | undefined): void {
  if (!errors?.length) return;
  const text = errors
    .map((e) => (e.field?.length ? `${e.field.join('.')}: ${e.message}` : e.message))
    .join('; ');
  // The same idempotency key still being worked on by Shopify (an earlier attempt of ours whose
  // answer we lost): not a refusal, the retry gets the original's result.
  if (errors.every(isConcurrentRequest))
    throw new ShopApiError('unavailable', `Shopify ${op} still in progress: ${text}`);
  throw new ShopApiError('rejected', `Shopify ${op} refused: ${text}`);
}

/** Shopify's answer while a request with the same idempotency key is still in progress. */
function isConcurrentRequest(e: GqlUserError & { code?: string | null }): boolean {
  return (
    e.code === 'IDEMPOTENCY_CONCURRENT_REQUEST' || /currently in progress/i.test(e.message ?? '')
  );
}

/** `https://x.myshopify.com/admin/…` re-rooted on `apiUrl` (the sandbox's http://127.0.0.1:port). */
function rebase(url: string, apiUrl: URL): string {
  const original = new URL(url);
  const base = apiUrl.pathname.replace(/\/$/, '');
  return `${apiUrl.origin}${base}${original.pathname}${original.search}`;
}

function splitName(name: string): { firstName?: string; lastName: string } {
  const trimmed = name.trim();
  const cut = trimmed.lastIndexOf(' ');
  return cut > 0
    ? { firstName: trimmed.slice(0, cut), lastName: trimmed.slice(cut + 1) }
    : { lastName: trimmed };
}

const money = (n: number) => n.toFixed(2);

export function createShopifyApi(
  connection: ShopConnection,
  opts: ShopifyApiOptions = {},
): ShopApi {
  const { accessToken } = connection.credentials as ShopifyCredentials;
  if (!accessToken) throw new Error(`shop ${connection.shopId}: no Shopify access token`);
  const fetchImpl = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const searchLagWaitMs = opts.searchLagWaitMs ?? DEFAULT_SEARCH_LAG_WAIT_MS;
  const apiUrl = new URL(connection.apiUrl || `https://${connection.domain}`);

  const client = createAdminApiClient({
    // The library always builds https://<storeDomain>/admin/api/<version>/graphql.json; the
    // fetch below re-roots that on apiUrl so a sandbox on plain http works too.
    storeDomain: apiUrl.host,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken,
    userAgentPrefix: 'Parcelwarden',
    // Retries belong to the activity (with Retry-After and backoff), not to the client.
    retries: 0,
    customFetchApi: (url, init) =>
      fetchImpl(rebase(String(url), apiUrl), {
        ...init,
        signal: init?.signal ?? AbortSignal.timeout(timeoutMs),
      } as RequestInit),
    // A deprecation notice or version warning is not the caller's failure.
    logger: () => {},
  });

  async function call<T>(op: string, query: string, variables?: Record<string, unknown>) {
    let answer: Awaited<ReturnType<typeof client.request<T>>>;
    try {
      answer = await client.request<T>(query, { variables });
    } catch (err) {
      throw new ShopApiError('unavailable', `Shopify ${op}: ${(err as Error).message}`);
    }
    const extensions = answer.extensions as { cost?: Throttle } | undefined;
    if (answer.errors) throw classifyShopifyError(op, answer.errors as ClientErrors, extensions);
    if (!answer.data) throw new ShopApiError('unavailable', `Shopify ${op}: empty answer`);
    return answer.data;
  }

  async function getOrder(orderId: string) {
    const data = await call<{ order: GqlOrder | null }>('order', GET_ORDER, {
      id: toGid('Order', orderId),
    });
    return data.order ? orderFromGraphql(data.order) : undefined;
  }

  async function listFulfilledOrders({ since, cursor }: { since: Date; cursor?: string }) {
    const query =
      `updated_at:>='${since.toISOString()}' AND ` +
      `(fulfillment_status:shipped OR fulfillment_status:partial) AND -tag:${REPLACEMENT_TAG}`;
    const data = await call<{
      orders: { nodes: GqlOrder[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      ordersCount: { count: number; precision: string } | null;
    }>('orders', LIST_ORDERS, { first: PAGE_SIZE, after: cursor ?? null, query });
    const page: OrderPage = {
      orders: data.orders.nodes
        .filter((o) => !o.tags.includes(REPLACEMENT_TAG))
        .map(orderFromGraphql),
      nextCursor: data.orders.pageInfo.hasNextPage
        ? (data.orders.pageInfo.endCursor ?? undefined)
        : undefined,
      total: data.ordersCount?.count,
    };
    return page;
  }

  type Tagged = {
    id: string;
    name: string;
    fulfillments: {
      id: string;
      legacyResourceId?: string;
      status: string;
      trackingInfo: { number: string | null }[];
    }[];
    fulfillmentOrders: { nodes: { id: string; status: string }[] };
  };

  async function fulfil(
    order: { id: string; name: string; fulfillmentOrders: Tagged['fulfillmentOrders'] },
    input: ReplacementOrderInput,
  ): Promise<ReplacementOrder> {
    const open = order.fulfillmentOrders.nodes.filter((fo) =>
      ['OPEN', 'IN_PROGRESS', 'SCHEDULED'].includes(fo.status),
    );
    if (open.length === 0)
      throw new ShopApiError(
        'rejected',
        `Shopify replacement order ${order.name} has no open fulfillment order to ship`,
      );
    const data = await call<{
      fulfillmentCreate: {
        fulfillment: { id: string; legacyResourceId?: string } | null;
        userErrors: GqlUserError[];
      };
    }>('fulfillmentCreate', FULFILLMENT_CREATE, {
      fulfillment: {
        lineItemsByFulfillmentOrder: open.map((fo) => ({ fulfillmentOrderId: fo.id })),
        trackingInfo: {
          company: input.carrierName,
          number: input.trackingNumber,
          ...(input.trackingUrl ? { url: input.trackingUrl } : {}),
        },
        notifyCustomer: false,
      },
    });
    rejectUserErrors('fulfillmentCreate', data.fulfillmentCreate.userErrors);
    const f = data.fulfillmentCreate.fulfillment;
    return {
      orderId: order.id,
      orderName: order.name,
      fulfillmentId: f ? (f.legacyResourceId ?? legacyId(f.id)) : undefined,
    };
  }

  async function createReplacementOrder(input: ReplacementOrderInput): Promise<ReplacementOrder> {
    const tag = idempotencyTag(input.idempotencyKey);
    const findTagged = async () =>
      (
        await call<{ orders: { nodes: Tagged[] } }>('orders', FIND_TAGGED_ORDER, {
          query: `tag:'${tag}'`,
        })
      ).orders.nodes[0];
    let existing = await findTagged();
    if (!existing && input.earlierAttempt) {
      // An order made just before a lost answer may not be searchable yet: give the search
      // index time to catch up, then look once more before making a second order.
      await sleep(searchLagWaitMs);
      existing = await findTagged();
    }
    if (existing) {
      const shipped = existing.fulfillments.find(
        (f) =>
          f.status !== 'CANCELLED' && f.trackingInfo.some((t) => t.number === input.trackingNumber),
      );
      if (shipped)
        return {
          orderId: existing.id,
          orderName: existing.name,
          fulfillmentId: shipped.legacyResourceId ?? legacyId(shipped.id),
        };
      return fulfil(existing, input);
    }

    const original = input.original;
    const ref = original.shop;
    const originalName = ref?.orderName ?? ref?.orderId ?? original.orderId;
    const address = original.destination;
    const names = splitName(address.name);
    const data = await call<{
      orderCreate: {
        order: { id: string; name: string; fulfillmentOrders: Tagged['fulfillmentOrders'] } | null;
        userErrors: GqlUserError[];
      };
    }>('orderCreate', ORDER_CREATE, {
      order: {
        currency: original.currency,
        email: original.customer.email,
        lineItems: original.items.map((item) => ({
          quantity: item.quantity,
          ...(item.variantId
            ? { variantId: toGid('ProductVariant', item.variantId) }
            : { title: item.title ?? item.sku, sku: item.sku }),
          priceSet: {
            shopMoney: { amount: money(item.unitPrice), currencyCode: original.currency },
          },
          requiresShipping: true,
        })),
        shippingAddress: {
          ...names,
          address1: address.line1,
          ...(address.line2 ? { address2: address.line2 } : {}),
          city: address.city,
          ...(address.region ? { provinceCode: address.region } : {}),
          zip: address.postalCode,
          countryCode: address.country,
        },
        // No charge: the goods keep their prices (the claim needs their value), all discounted.
        discountCode: {
          itemPercentageDiscountCode: { code: 'PARCELWARDEN-REPLACEMENT', percentage: 100 },
        },
        financialStatus: 'PAID',
        tags: [REPLACEMENT_TAG, tag],
        note:
          `Replacement for order ${originalName} (shipment ${original.shipmentId}), ` +
          `sent at no charge as shipment ${input.replacementShipmentId} by Parcelwarden.`,
        customAttributes: [
          { key: 'parcelwarden_original_order', value: ref?.orderId ?? original.orderId },
          { key: 'parcelwarden_original_shipment', value: original.shipmentId },
          { key: 'parcelwarden_replacement_shipment', value: input.replacementShipmentId },
        ],
      },
      options: { sendReceipt: false, sendFulfillmentReceipt: false },
    });
    rejectUserErrors('orderCreate', data.orderCreate.userErrors);
    const created = data.orderCreate.order;
    if (!created) throw new ShopApiError('unavailable', 'Shopify orderCreate: no order in answer');
    return fulfil(created, input);
  }

  async function refund(input: ShopRefundInput): Promise<ShopRefund> {
    const marker = refundMarker(input.idempotencyKey);
    const orderId = toGid('Order', input.orderId);
    const data = await call<{
      order: {
        id: string;
        currencyCode: string;
        refunds: { id: string; note: string | null }[];
        transactions: {
          id: string;
          kind: string;
          status: string;
          gateway: string | null;
          amountSet: { shopMoney: { amount: string } };
        }[];
      } | null;
    }>('order', ORDER_REFUNDS, { id: orderId });
    const order = data.order;
    if (!order) throw new ShopApiError('rejected', `Shopify order ${input.orderId} not found`);
    const done = order.refunds.find((r) => r.note?.includes(marker));
    if (done) return { reference: done.id };

    // The refund goes back through the payment it refunds: a successful sale or capture.
    const paid = order.transactions.find(
      (t) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS',
    );
    if (!paid)
      throw new ShopApiError(
        'rejected',
        `Shopify order ${input.orderId} has no captured payment to refund`,
      );
    const created = await call<{
      refundCreate: { refund: { id: string } | null; userErrors: GqlUserError[] };
    }>('refundCreate', REFUND_CREATE, {
      idempotencyKey: refundIdempotencyKey(input.idempotencyKey),
      input: {
        orderId,
        note: `${input.reason} ${marker}`,
        notify: false,
        currency: input.currency,
        transactions: [
          {
            orderId,
            parentId: paid.id,
            kind: 'REFUND',
            gateway: paid.gateway ?? 'manual',
            amount: money(input.amount),
          },
        ],
      },
    });
    rejectUserErrors('refundCreate', created.refundCreate.userErrors);
    if (!created.refundCreate.refund)
      throw new ShopApiError('unavailable', 'Shopify refundCreate: no refund in answer');
    return { reference: created.refundCreate.refund.id };
  }

  return { getOrder, listFulfilledOrders, createReplacementOrder, refund };
}
