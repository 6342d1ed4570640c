import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ReplacementOrderInput,
  type ShopApi,
  type ShopConnection,
} from '../../src/shops/platform';
import { shopifyPlatform } from '../../src/shops/shopify';
import { createShopifyApi } from '../../src/shops/shopify/shopify.api';
import { REPLACEMENT_TAG } from '../../src/shops/shopify/shopify.ids';
import {
  createShopifySandbox,
  type SandboxFault,
  type ShopifySandbox,
} from '../../src/shops/sandbox/shopify-sandbox';
import { shopApiError } from '../helpers/shop-api-error';

const TOKEN = 'shpat_sandbox_0123456789abcdef';
const DOMAIN = 'sandbox-shopify.myshopify.com';

let sandbox: ShopifySandbox;
let server: { url: string; close(): Promise<void> };
let api: ShopApi;

function connection(overrides: Partial<ShopConnection> = {}): ShopConnection {
  return {
    shopId: 'sandbox-shopify',
    platform: 'shopify',
    domain: DOMAIN,
    apiUrl: server.url,
    credentials: { accessToken: TOKEN, webhookSecret: 'shpss_sandbox' },
    policy: 'default',
    originCountry: 'DE',
    ...overrides,
  };
}

beforeAll(async () => {
  sandbox = createShopifySandbox({ accessToken: TOKEN, webhookSecret: 'shpss_sandbox' });
  server = await sandbox.listen(0);
  api = shopifyPlatform.createApi(connection(), {});
});
afterAll(() => server.close());
beforeEach(async () => {
  // No fault left over from a test that expected its fault to be used up.
  for (const field of [undefined, 'orderCreate', 'fulfillmentCreate', 'refundCreate'])
    await sandboxCall('/sandbox/faults', {
      mode: 'error500',
      count: 0,
      ...(field ? { field } : {}),
    });
});

/** Calls a development route of the sandbox store (the test's own, unless `storeUrl` names another). */
async function sandboxCall(path: string, body?: unknown, storeUrl = server.url) {
  const res = await fetch(`${storeUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function fault(
  mode: SandboxFault,
  opts: { count?: number; retryAfterSeconds?: number; field?: string } = {},
) {
  return sandboxCall('/sandbox/faults', { mode, ...opts });
}

let trackingSeq = 0;
async function placeOrder(opts: { fulfill?: boolean; storeUrl?: string } = {}) {
  trackingSeq += 1;
  const { order } = (await sandboxCall(
    '/sandbox/orders',
    {
      customer: { firstName: 'Erika', lastName: 'Mustermann', email: 'erika@example.com' },
      locale: 'de',
      currency: 'EUR',
      shippingAddress: {
        firstName: 'Erika',
        lastName: 'Mustermann',
        address1: 'Heidestraße 17',
        address2: 'Hinterhaus',
        city: 'Köln',
        zip: '51147',
        countryCode: 'DE',
      },
      items: [
        { title: 'Aviator sunglasses', sku: 'SKU2006-001', quantity: 2, price: '89.99' },
        { title: 'Coffee table', sku: 'SKU2006-035', quantity: 1, price: 119.99 },
      ],
      ...(opts.fulfill === false
        ? {}
        : {
            fulfill: {
              trackingCompany: 'DHL Express',
              trackingNumber: `JD0146000000${trackingSeq}`,
            },
          }),
    },
    opts.storeUrl,
  )) as { order: { id: number; admin_graphql_api_id: string; name: string } };
  return order;
}

const replacementCount = () =>
  sandbox.orders.filter((o) => o.tags.includes(REPLACEMENT_TAG)).length;
const calls = (field: string) => sandbox.calls.filter((c) => c.fields.includes(field)).length;

describe('reading orders', () => {
  it('getOrder maps the order with its address, customer, locale, items, value and parcel', async () => {
    const placed = await placeOrder();
    const order = await api.getOrder(placed.admin_graphql_api_id);
    expect(order).toMatchObject({
      orderId: placed.admin_graphql_api_id,
      orderName: placed.name,
      currency: 'EUR',
      totalValue: 299.97,
      locale: 'de',
      customer: { name: 'Erika Mustermann', email: 'erika@example.com' },
      shippingAddress: {
        country: 'DE',
        name: 'Erika Mustermann',
        line1: 'Heidestraße 17',
        line2: 'Hinterhaus',
        city: 'Köln',
        postalCode: '51147',
      },
    });
    expect(order!.lineItems).toEqual([
      expect.objectContaining({
        title: 'Aviator sunglasses',
        sku: 'SKU2006-001',
        quantity: 2,
        unitPrice: 89.99,
      }),
      expect.objectContaining({
        title: 'Coffee table',
        sku: 'SKU2006-035',
        quantity: 1,
        unitPrice: 119.99,
      }),
    ]);
    expect(order!.lineItems[0]!.variantId).toMatch(/^gid:\/\/shopify\/ProductVariant\/\d+$/);
    expect(order!.fulfillments).toHaveLength(1);
    expect(order!.fulfillments[0]).toMatchObject({
      fulfillmentId: expect.stringMatching(/^\d+$/),
      status: 'active',
      trackingCompany: 'DHL Express',
      trackingNumber: `JD0146000000${trackingSeq}`,
    });
    expect(order!.fulfillments[0]!.lineItems).toHaveLength(2);
  });

  it('getOrder takes the numeric id too, and answers undefined for an order the store lacks', async () => {
    const placed = await placeOrder();
    expect((await api.getOrder(String(placed.id)))?.orderName).toBe(placed.name);
    expect(await api.getOrder('gid://shopify/Order/1')).toBeUndefined();
  });

  it('listFulfilledOrders pages through shipped orders since a date, with the total', async () => {
    const since = new Date();
    const shipped = [];
    for (let i = 0; i < 53; i++) shipped.push((await placeOrder()).admin_graphql_api_id);
    await placeOrder({ fulfill: false });

    const first = await api.listFulfilledOrders({ since });
    expect(first.orders).toHaveLength(50);
    expect(first.total).toBe(53);
    expect(first.nextCursor).toBeTruthy();
    const second = await api.listFulfilledOrders({ since, cursor: first.nextCursor });
    expect(second.orders).toHaveLength(3);
    expect(second.nextCursor).toBeUndefined();
    expect([...first.orders, ...second.orders].map((o) => o.orderId)).toEqual(shipped);

    const later = await api.listFulfilledOrders({ since: new Date(Date.now() + 60_000) });
    expect(later).toEqual({ orders: [], nextCursor: undefined, total: 0 });
  });
});

function replacementInput(
  originalOrder: { admin_graphql_api_id: string; name: string },
  key: string,
) {
  return {
    idempotencyKey: key,
    replacementShipmentId: 'shopify-1001~R1',
    carrier: 'dhl',
    carrierName: 'DHL Express',
    trackingNumber: `JD0147${key.length}${Date.now()}`.slice(0, 20),
    trackingUrl: 'https://www.dhl.com/track?id=JD01470000001',
    original: {
      shipmentId: 'shopify-1001',
      orderId: originalOrder.name,
      carrier: 'dhl',
      trackingNumber: 'JD01460000001',
      policy: 'default',
      origin: { country: 'DE' },
      destination: {
        country: 'DE',
        name: 'Erika Mustermann',
        line1: 'Heidestraße 17',
        city: 'Köln',
        postalCode: '51147',
      },
      customer: { name: 'Erika Mustermann', email: 'erika@example.com', locale: 'de' },
      items: [
        { sku: 'SKU2006-001', title: 'Aviator sunglasses', quantity: 2, unitPrice: 89.99 },
        { sku: 'GIFT-CARD-NOTE', title: 'Handwritten note', quantity: 1, unitPrice: 0 },
      ],
      currency: 'EUR',
      declaredValue: 179.98,
      shippedAt: '2026-12-01T10:00:00Z',
      shop: {
        shopId: 'sandbox-shopify',
        platform: 'shopify',
        orderId: originalOrder.admin_graphql_api_id,
        orderName: originalOrder.name,
      },
    },
  } satisfies ReplacementOrderInput;
}

describe('replacement orders', () => {
  it('one order at no charge, tagged and linked to the original, shipped with the new tracking', async () => {
    const original = await placeOrder();
    const before = replacementCount();
    const input = replacementInput(original, `shipment:shopify-1001:reship:${Date.now()}`);
    const made = await api.createReplacementOrder(input);
    expect(made.orderId).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    expect(made.orderName).toMatch(/^#\d+$/);
    expect(made.fulfillmentId).toMatch(/^\d+$/);
    expect(replacementCount()).toBe(before + 1);

    const stored = sandbox.orders.find((o) => `gid://shopify/Order/${o.id}` === made.orderId)!;
    expect(stored.discountPercent).toBe(100);
    expect(stored.transactions).toEqual([]);
    expect(stored.lineItems.map((li) => [li.title, li.quantity, li.price])).toEqual([
      ['Aviator sunglasses', 2, 89.99],
      ['Handwritten note', 1, 0],
    ]);
    expect(stored.note).toContain(original.name);
    expect(stored.customAttributes).toContainEqual({
      key: 'parcelwarden_original_order',
      value: original.admin_graphql_api_id,
    });
    expect(stored.fulfillments).toHaveLength(1);
    expect(stored.fulfillments[0]).toMatchObject({
      trackingNumber: input.trackingNumber,
      trackingCompany: 'DHL Express',
      trackingUrl: input.trackingUrl,
    });
    expect(await api.getOrder(made.orderId)).toMatchObject({ totalValue: 0 });
  });

  it('the same key twice makes one order, and the second call creates nothing', async () => {
    const original = await placeOrder();
    const input = replacementInput(original, `shipment:shopify-1002:reship:${Date.now()}`);
    const first = await api.createReplacementOrder(input);
    const creates = calls('orderCreate');
    const fulfils = calls('fulfillmentCreate');
    const again = await api.createReplacementOrder(input);
    expect(again).toEqual(first);
    expect(calls('orderCreate')).toBe(creates);
    expect(calls('fulfillmentCreate')).toBe(fulfils);
    const tagged = sandbox.orders.filter(
      (o) =>
        o.tags.includes(REPLACEMENT_TAG) &&
        o.customAttributes.some((a) => a.value === original.admin_graphql_api_id),
    );
    expect(tagged).toHaveLength(1);
  });

  it('an order created by a call whose answer was lost is adopted by the retry: still one order', async () => {
    const original = await placeOrder();
    const input = replacementInput(original, `shipment:shopify-1003:reship:${Date.now()}`);
    const before = replacementCount();
    await fault('lose_answer', { field: 'orderCreate' });
    const lost = await shopApiError(api.createReplacementOrder(input));
    expect(lost.kind).toBe('unavailable');
    expect(replacementCount()).toBe(before + 1);

    const retried = await api.createReplacementOrder(input);
    expect(replacementCount()).toBe(before + 1);
    const stored = sandbox.orders.find((o) => `gid://shopify/Order/${o.id}` === retried.orderId)!;
    expect(stored.fulfillments).toHaveLength(1);
    expect(retried.fulfillmentId).toBe(String(stored.fulfillments[0]!.id));
  });

  it('a fulfillment made by a call whose answer was lost is found by the retry: one parcel', async () => {
    const original = await placeOrder();
    const input = replacementInput(original, `shipment:shopify-1004:reship:${Date.now()}`);
    await fault('lose_answer', { field: 'fulfillmentCreate' });
    expect((await shopApiError(api.createReplacementOrder(input))).kind).toBe('unavailable');
    const retried = await api.createReplacementOrder(input);
    const stored = sandbox.orders.find((o) => `gid://shopify/Order/${o.id}` === retried.orderId)!;
    expect(stored.fulfillments).toHaveLength(1);
    expect(retried.fulfillmentId).toBe(String(stored.fulfillments[0]!.id));
  });

  it('replacement orders are not listed among the fulfilled orders to import', async () => {
    const since = new Date();
    const original = await placeOrder();
    const made = await api.createReplacementOrder(
      replacementInput(original, `shipment:shopify-1005:reship:${Date.now()}`),
    );
    const page = await api.listFulfilledOrders({ since });
    const ids = page.orders.map((o) => o.orderId);
    expect(ids).toContain(original.admin_graphql_api_id);
    expect(ids).not.toContain(made.orderId);
  });
});

describe("replacement orders while Shopify's order search lags", () => {
  // Orders show in orders(query:) 300 ms after they are made; the client waits 600 ms.
  let lagged: ShopifySandbox;
  let laggedServer: { url: string; close(): Promise<void> };
  let laggedApi: ShopApi;
  beforeAll(async () => {
    lagged = createShopifySandbox({
      accessToken: TOKEN,
      webhookSecret: 'shpss_sandbox',
      searchLagMs: 300,
    });
    laggedServer = await lagged.listen(0);
    // The Shopify client itself: the platform module takes only `fetch` and waits the default 5 s.
    laggedApi = createShopifyApi(connection({ apiUrl: laggedServer.url }), {
      searchLagWaitMs: 600,
    });
  });
  afterAll(() => laggedServer.close());

  it('a retry right after a lost answer, told of the earlier attempt, looks again and adopts the order', async () => {
    const original = await placeOrder({ storeUrl: laggedServer.url });
    const input = replacementInput(original, `shipment:shopify-1101:reship:${Date.now()}`);
    const replacements = () => lagged.orders.filter((o) => o.tags.includes(REPLACEMENT_TAG));

    await sandboxCall(
      '/sandbox/faults',
      { mode: 'lose_answer', field: 'orderCreate' },
      laggedServer.url,
    );
    expect((await shopApiError(laggedApi.createReplacementOrder(input))).kind).toBe('unavailable');
    expect(replacements()).toHaveLength(1);

    // At once, while the new order is not yet searchable.
    const retried = await laggedApi.createReplacementOrder({ ...input, earlierAttempt: true });
    expect(replacements()).toHaveLength(1);
    expect(retried.orderId).toBe(`gid://shopify/Order/${replacements()[0]!.id}`);
    expect(lagged.calls.filter((c) => c.fields.includes('orderCreate'))).toHaveLength(1);
    expect(replacements()[0]!.fulfillments).toHaveLength(1);
  });

  it('a first attempt does not wait: nothing found is created at once', async () => {
    const original = await placeOrder({ fulfill: false, storeUrl: laggedServer.url });
    const searches = () => lagged.calls.filter((c) => c.fields.includes('orders')).length;
    const before = searches();
    const started = Date.now();
    await laggedApi.createReplacementOrder(
      replacementInput(original, `shipment:shopify-1102:reship:${Date.now()}`),
    );
    expect(Date.now() - started).toBeLessThan(600);
    expect(searches()).toBe(before + 1);
  });
});

describe('refunds', () => {
  it('the same key twice refunds once, with the key in the note', async () => {
    const placed = await placeOrder();
    const input = {
      idempotencyKey: `shipment:shopify-2001:refund:${Date.now()}`,
      orderId: placed.admin_graphql_api_id,
      amount: 179.98,
      currency: 'EUR',
      reason: 'Parcel lost in transit (shipment shopify-2001).',
    };
    const first = await api.refund(input);
    expect(first.reference).toMatch(/^gid:\/\/shopify\/Refund\/\d+$/);
    const again = await api.refund(input);
    expect(again).toEqual(first);
    const stored = sandbox.orders.find((o) => o.id === placed.id)!;
    expect(stored.refunds).toHaveLength(1);
    expect(stored.refunds[0]!.amount).toBe(179.98);
    expect(stored.refunds[0]!.note).toContain('Parcel lost in transit');
    expect(stored.financialStatus).toBe('partially_refunded');
  });

  it('a refund made by a call whose answer was lost is found by the retry: one refund', async () => {
    const placed = await placeOrder();
    const input = {
      idempotencyKey: `shipment:shopify-2002:refund:${Date.now()}`,
      orderId: String(placed.id),
      amount: 299.97,
      currency: 'EUR',
      reason: 'Parcel lost.',
    };
    await fault('lose_answer', { field: 'refundCreate' });
    expect((await shopApiError(api.refund(input))).kind).toBe('unavailable');
    const retried = await api.refund(input);
    const stored = sandbox.orders.find((o) => o.id === placed.id)!;
    expect(stored.refunds).toHaveLength(1);
    expect(retried.reference).toBe(`gid://shopify/Refund/${stored.refunds[0]!.id}`);
    expect(stored.financialStatus).toBe('refunded');
  });

  it('a refund above what was paid is rejected by the shop, and nothing is refunded', async () => {
    const placed = await placeOrder();
    const err = await shopApiError(
      api.refund({
        idempotencyKey: `shipment:shopify-2003:refund:${Date.now()}`,
        orderId: placed.admin_graphql_api_id,
        amount: 5000,
        currency: 'EUR',
        reason: 'Parcel lost.',
      }),
    );
    expect(err.kind).toBe('rejected');
    expect(err.message).toMatch(/Amount cannot be greater than 299.97/);
    expect(sandbox.orders.find((o) => o.id === placed.id)!.refunds).toEqual([]);
  });
});

describe('failures', () => {
  it('429 is rate_limited with the wait from Retry-After', async () => {
    await fault('rate_limit', { retryAfterSeconds: 3 });
    const err = await shopApiError(api.getOrder('gid://shopify/Order/1'));
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3000 });
  });

  it('a THROTTLED answer is rate_limited with the wait until the bucket holds the query cost', async () => {
    // The sandbox answers 2 of 2000 points left, cost 202, restoring 200/4 = 50 points a second.
    await fault('throttled', { retryAfterSeconds: 4 });
    const err = await shopApiError(api.listFulfilledOrders({ since: new Date() }));
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 4000 });
  });

  it('401 is unauthorized, as is a token the store does not know', async () => {
    await fault('unauthorized');
    expect((await shopApiError(api.getOrder('gid://shopify/Order/1'))).kind).toBe('unauthorized');
    const revoked = shopifyPlatform.createApi(
      connection({ credentials: { accessToken: 'shpat_revoked', webhookSecret: 'x' } }),
      {},
    );
    expect(await shopApiError(revoked.getOrder('gid://shopify/Order/1'))).toMatchObject({
      kind: 'unauthorized',
      status: 401,
    });
  });

  it('5xx and an unreachable store are unavailable', async () => {
    await fault('error500');
    expect(await shopApiError(api.getOrder('gid://shopify/Order/1'))).toMatchObject({
      kind: 'unavailable',
      status: 500,
    });
    const down = shopifyPlatform.createApi(connection({ apiUrl: 'http://127.0.0.1:1' }), {});
    expect((await shopApiError(down.getOrder('gid://shopify/Order/1'))).kind).toBe('unavailable');
  });
});
