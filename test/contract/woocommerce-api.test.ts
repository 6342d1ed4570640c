/**
 * The WooCommerce ShopApi (through @woocommerce/woocommerce-rest-api) against the sandbox store,
 * which checks the library's OAuth 1.0a signatures as WooCommerce does over plain http.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ShopApiError,
  type ShopApi,
  type ShopConnection,
  type ReplacementOrderInput,
} from '../../src/shops/platform';
import {
  createWooCommerceSandbox,
  type SandboxTrackingItem,
  type WooCommerceSandbox,
} from '../../src/shops/sandbox/woocommerce-sandbox';
import { wooCommercePlatform } from '../../src/shops/woocommerce';
import { aRegistration } from '../helpers/factories';
import { shopApiError } from '../helpers/shop-api-error';

const KEYS = {
  consumerKey: 'ck_3f2b9c0d7e6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
  consumerSecret: 'cs_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b',
  webhookSecret: 'wc-sandbox-webhook-secret',
};

let sandbox: WooCommerceSandbox;
let url: string;
let close: () => Promise<void>;
let api: ShopApi;

/** A store at https://example.com whose HTTP calls go to `fetchImpl`. */
function storeOnHttps(fetchImpl: typeof fetch): ShopApi {
  return wooCommercePlatform.createApi(
    {
      shopId: 'woo-https',
      platform: 'woocommerce',
      domain: 'example.com',
      apiUrl: 'https://example.com',
      credentials: KEYS,
      policy: 'default',
      originCountry: 'US',
    },
    { fetch: fetchImpl },
  );
}

function connect(credentials = KEYS, deps: { fetch?: typeof fetch } = {}): ShopApi {
  const connection: ShopConnection = {
    shopId: 'woo-test',
    platform: 'woocommerce',
    domain: new URL(url).host,
    apiUrl: url,
    credentials,
    policy: 'default',
    originCountry: 'DE',
  };
  return wooCommercePlatform.createApi(connection, deps);
}

beforeEach(async () => {
  sandbox = createWooCommerceSandbox(KEYS);
  const server = await sandbox.listen(0, '127.0.0.1');
  url = server.url;
  close = server.close;
  api = connect();
});

afterEach(async () => {
  await close();
});

/** Calls a development route of the sandbox. */
async function dev<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from(`${KEYS.consumerKey}:${KEYS.consumerSecret}`).toString('base64')}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

interface Created {
  order: { id: number; meta_data: Array<{ key: string; value: unknown }> };
}

async function anOrder(body: Record<string, unknown> = {}): Promise<number> {
  const created = await dev<Created>('POST', '/sandbox/orders', {
    tracking: { custom_tracking_provider: 'DHL Paket', tracking_number: `00340434${Date.now()}` },
    ...body,
  });
  return created.order.id;
}

function trackingOf(orderId: number): SandboxTrackingItem[] {
  const meta = sandbox.orders.get(orderId)!.meta_data;
  return (meta.find((m) => m.key === '_wc_shipment_tracking_items')?.value ??
    []) as SandboxTrackingItem[];
}

async function fault(body: Record<string, unknown>) {
  await dev('POST', '/sandbox/faults', body);
}

describe('getOrder', () => {
  it('reads an order with its customer, address, lines and tracking items', async () => {
    const id = await anOrder({
      currency: 'EUR',
      billing: {
        first_name: 'Camille',
        last_name: 'Durand',
        email: 'camille.durand@example.fr',
        address_1: '12 rue de la Paix',
        address_2: 'Bâtiment B',
        city: 'Paris',
        postcode: '75002',
        country: 'FR',
      },
      line_items: [
        {
          name: 'Linen Shirt – Size M',
          sku: 'SHIRT-LIN-M',
          quantity: 2,
          price: 39.5,
          product_id: 22,
          variation_id: 23,
        },
        { name: 'Gift card', quantity: 1, price: 10 },
      ],
      shipping_total: 5,
      tracking: {
        custom_tracking_provider: 'Colissimo',
        custom_tracking_link: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901',
        tracking_number: '6A12345678901',
        date_shipped: '2026-11-03',
      },
    });
    const order = await api.getOrder(String(id));
    const [item] = trackingOf(id);
    expect(order).toMatchObject({
      orderId: String(id),
      orderName: `#${id}`,
      currency: 'EUR',
      totalValue: 94,
      customer: { name: 'Camille Durand', email: 'camille.durand@example.fr' },
      shippingAddress: {
        country: 'FR',
        name: 'Camille Durand',
        line1: '12 rue de la Paix',
        line2: 'Bâtiment B',
        city: 'Paris',
        postalCode: '75002',
      },
      lineItems: [
        {
          title: 'Linen Shirt – Size M',
          sku: 'SHIRT-LIN-M',
          quantity: 2,
          unitPrice: 39.5,
          variantId: '22:23',
        },
        { title: 'Gift card', quantity: 1, unitPrice: 10 },
      ],
      fulfillments: [
        {
          fulfillmentId: `${id}-${item!.tracking_id}`,
          status: 'active',
          trackingCompany: 'Colissimo',
          trackingNumber: '6A12345678901',
          trackingUrl: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901',
          shippedAt: '2026-11-03T00:00:00.000Z',
        },
      ],
    });
  });

  it('an order the store does not have is undefined', async () => {
    await expect(api.getOrder('999999')).resolves.toBeUndefined();
    await expect(api.getOrder('not-a-number')).resolves.toBeUndefined();
  });

  it('goes through an injected fetch when one is given', async () => {
    const id = await anOrder();
    const seen: string[] = [];
    const viaFetch = connect(KEYS, {
      fetch: (input, init) => {
        seen.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    await expect(viaFetch.getOrder(String(id))).resolves.toMatchObject({ orderId: String(id) });
    expect(seen).toEqual([expect.stringContaining(`/wp-json/wc/v3/orders/${id}?`)]);
  });
});

describe('a store on https', () => {
  it('is called with HTTP Basic (no OAuth) and its documented order 727 is read', async () => {
    const order727 = readFileSync(
      path.resolve(__dirname, '../fixtures/woocommerce/order-727-retrieve.json'),
      'utf8',
    );
    const seen: Request[] = [];
    const store = storeOnHttps((input, init) => {
      seen.push(new Request(input, init));
      return Promise.resolve(
        new Response(order727, { headers: { 'Content-Type': 'application/json' } }),
      );
    });
    await expect(store.getOrder('727')).resolves.toMatchObject({
      orderId: '727',
      currency: 'USD',
      totalValue: 29.35,
      fulfillments: [],
    });
    const [request] = seen;
    expect(request!.url).toBe('https://example.com/wp-json/wc/v3/orders/727');
    expect(request!.headers.get('authorization')).toBe(
      `Basic ${Buffer.from(`${KEYS.consumerKey}:${KEYS.consumerSecret}`).toString('base64')}`,
    );
  });
});

describe('refunds in the documented shapes', () => {
  it('looks through the listed refunds, then posts one and takes its id as the reference', async () => {
    const fixture = (name: string) =>
      readFileSync(path.resolve(__dirname, `../fixtures/woocommerce/${name}`), 'utf8');
    const posted: unknown[] = [];
    const store = storeOnHttps(async (input, init) => {
      const request = new Request(input, init);
      const json = { 'Content-Type': 'application/json' };
      if (request.method === 'GET') {
        return new Response(fixture('refunds-723-list.json'), {
          headers: { ...json, 'X-WP-Total': '2', 'X-WP-TotalPages': '1' },
        });
      }
      posted.push(await request.json());
      return new Response(fixture('refund-726-create.json'), { status: 201, headers: json });
    });
    const refund = await store.refund({
      idempotencyKey: 'shipment:woo-723/refund/1',
      orderId: '723',
      amount: 10,
      currency: 'USD',
      reason: 'Parcel lost in transit',
    });
    expect(refund).toEqual({ reference: '726' });
    expect(posted).toEqual([
      {
        amount: '10.00',
        reason: 'Parcel lost in transit [parcelwarden:shipment:woo-723/refund/1]',
        api_refund: true,
      },
    ]);
  });
});

describe('listFulfilledOrders', () => {
  it('pages through the orders with tracking modified since the date, 50 a page', async () => {
    const old = await anOrder({ date_created_gmt: '2026-01-05T10:00:00Z' });
    const untracked = (await dev<Created>('POST', '/sandbox/orders', {})).order.id;
    const recent: number[] = [];
    for (let i = 0; i < 57; i++) recent.push(await anOrder());

    const since = new Date('2026-06-01T00:00:00Z');
    const first = await api.listFulfilledOrders({ since });
    // 50 store orders a page; the one without tracking is read and left out.
    expect(first.orders).toHaveLength(49);
    expect(first.nextCursor).toBe('2');
    expect(first.total).toBe(58); // every order modified since, tracked or not
    const second = await api.listFulfilledOrders({ since, cursor: first.nextCursor });
    expect(second.nextCursor).toBeUndefined();

    const ids = [...first.orders, ...second.orders].map((o) => Number(o.orderId));
    expect(ids).toEqual(recent);
    expect(ids).not.toContain(old);
    expect(ids).not.toContain(untracked);
    expect(second.orders[0]!.fulfillments).toHaveLength(1);
  });

  it('a cursor that is not a page is refused', async () => {
    const err = await shopApiError(api.listFulfilledOrders({ since: new Date(0), cursor: 'x' }));
    expect(err.kind).toBe('rejected');
  });
});

describe('createReplacementOrder', () => {
  async function replacementFor(originalId: number, key = 'shipment:woo-1/reship/1') {
    const original = aRegistration({
      shipmentId: `woocommerce-${originalId}-t1`,
      items: [
        {
          sku: 'SCARF-MER-GRY',
          quantity: 1,
          unitPrice: 49,
          title: 'Merino Wool Scarf',
          variantId: '93',
        },
        { sku: 'CUSTOM-1', quantity: 2, unitPrice: 5, title: 'Gift wrap' },
      ],
      shop: { shopId: 'woo-test', platform: 'woocommerce', orderId: String(originalId) },
    });
    const input: ReplacementOrderInput = {
      idempotencyKey: key,
      original,
      replacementShipmentId: `${original.shipmentId}~R1`,
      carrier: 'dhl',
      carrierName: 'DHL Express',
      trackingNumber: '1234567890',
      trackingUrl: 'https://www.dhl.com/track?id=1234567890',
    };
    return input;
  }

  const children = (originalId: number) =>
    [...sandbox.orders.values()].filter((o) => o.parent_id === originalId);

  it('twice with the same key makes one order, at no charge, linked and tracked', async () => {
    const originalId = await anOrder();
    const input = await replacementFor(originalId);
    const first = await api.createReplacementOrder(input);
    const again = await api.createReplacementOrder(input);
    expect(again).toEqual(first);

    expect(children(originalId)).toHaveLength(1);
    const made = sandbox.orders.get(Number(first.orderId))!;
    const original = sandbox.orders.get(originalId)!;
    expect(first.orderName).toBe(`#${made.number}`);
    expect(made).toMatchObject({
      status: 'processing',
      total: '0.00',
      shipping: original.shipping,
      billing: original.billing,
    });
    expect(made.date_paid).not.toBeNull();
    expect(made.line_items).toMatchObject([
      { product_id: 93, name: 'Merino Wool Scarf', quantity: 1, total: '0.00' },
      { product_id: 0, name: 'Gift wrap', quantity: 2, total: '0.00' },
    ]);
    expect(made.meta_data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: '_parcelwarden_idempotency_key',
          value: input.idempotencyKey,
        }),
        expect.objectContaining({ key: '_parcelwarden_original_order', value: String(originalId) }),
        expect.objectContaining({
          key: '_parcelwarden_shipment',
          value: input.replacementShipmentId,
        }),
      ]),
    );
    const items = trackingOf(made.id);
    expect(items).toMatchObject([
      {
        custom_tracking_provider: 'DHL Express',
        custom_tracking_link: 'https://www.dhl.com/track?id=1234567890',
        tracking_number: '1234567890',
      },
    ]);
    expect(first.fulfillmentId).toBe(`${made.id}-${items[0]!.tracking_id}`);
  });

  it('another key makes another order; a key that only starts the same is not taken for it', async () => {
    const originalId = await anOrder();
    const a = await api.createReplacementOrder(await replacementFor(originalId, 'k-1'));
    const b = await api.createReplacementOrder(await replacementFor(originalId, 'k-10'));
    expect(b.orderId).not.toBe(a.orderId);
    expect(children(originalId)).toHaveLength(2);
  });

  it('the order made by a call whose answer was lost is found on the retry, not made again', async () => {
    const originalId = await anOrder();
    const input = await replacementFor(originalId);
    await fault({ mode: 'lost_answer', method: 'POST', path: 'wc/v3/orders' });
    const lost = await shopApiError(api.createReplacementOrder(input));
    expect(lost.kind).toBe('unavailable');
    expect(children(originalId)).toHaveLength(1); // made, though the caller never heard
    expect(trackingOf(children(originalId)[0]!.id)).toHaveLength(0);

    const retried = await api.createReplacementOrder(input);
    expect(children(originalId)).toHaveLength(1);
    expect(retried.orderId).toBe(String(children(originalId)[0]!.id));
    expect(trackingOf(Number(retried.orderId))).toHaveLength(1);
  });

  it('tracking added by a call whose answer was lost is not added again', async () => {
    const originalId = await anOrder();
    const input = await replacementFor(originalId);
    await fault({ mode: 'lost_answer', method: 'POST' }); // the next POST: the order itself
    await expect(api.createReplacementOrder(input)).rejects.toBeInstanceOf(ShopApiError);
    const [made] = children(originalId);
    await fault({
      mode: 'lost_answer',
      method: 'POST',
      path: `wc-shipment-tracking/v3/orders/${made!.id}/shipment-trackings`,
    });
    await expect(api.createReplacementOrder(input)).rejects.toBeInstanceOf(ShopApiError);
    expect(trackingOf(made!.id)).toHaveLength(1);
    const done = await api.createReplacementOrder(input);
    expect(trackingOf(made!.id)).toHaveLength(1);
    expect(done.fulfillmentId).toBe(`${made!.id}-${trackingOf(made!.id)[0]!.tracking_id}`);
  });

  it('an original the store does not have is rejected', async () => {
    const err = await shopApiError(api.createReplacementOrder(await replacementFor(424242)));
    expect(err.kind).toBe('rejected');
  });
});

describe('refund', () => {
  const refundsOf = (orderId: number) => sandbox.refunds.get(orderId) ?? [];

  it('twice with the same key refunds once', async () => {
    const orderId = await anOrder();
    const input = {
      idempotencyKey: 'shipment:woo-2/refund/1',
      orderId: String(orderId),
      amount: 20,
      currency: 'EUR',
      reason: 'Parcel lost in transit',
    };
    const first = await api.refund(input);
    const again = await api.refund(input);
    expect(again).toEqual(first);
    expect(refundsOf(orderId)).toHaveLength(1);
    expect(refundsOf(orderId)[0]).toMatchObject({
      id: Number(first.reference),
      amount: '20.00',
      refunded_payment: true,
    });
    expect(refundsOf(orderId)[0]!.reason).toContain('Parcel lost in transit');
  });

  it('a refund made by a call whose answer was lost is found on the retry', async () => {
    const orderId = await anOrder();
    const input = {
      idempotencyKey: 'shipment:woo-3/refund/1',
      orderId: String(orderId),
      amount: 10,
      currency: 'EUR',
      reason: 'Parcel lost',
    };
    await fault({ mode: 'lost_answer', method: 'POST', path: `wc/v3/orders/${orderId}/refunds` });
    expect((await shopApiError(api.refund(input))).kind).toBe('unavailable');
    const retried = await api.refund(input);
    expect(refundsOf(orderId)).toHaveLength(1);
    expect(retried.reference).toBe(String(refundsOf(orderId)[0]!.id));
  });

  it('another key refunds again; more than the order is worth is rejected', async () => {
    const orderId = await anOrder(); // 49.00 + 4.90 shipping
    const base = { orderId: String(orderId), currency: 'EUR', reason: 'Lost' };
    await api.refund({ ...base, idempotencyKey: 'r-1', amount: 20 });
    await api.refund({ ...base, idempotencyKey: 'r-2', amount: 20 });
    expect(refundsOf(orderId)).toHaveLength(2);
    const err = await shopApiError(api.refund({ ...base, idempotencyKey: 'r-3', amount: 20 }));
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('woocommerce_rest_cannot_create_order_refund');
  });
});

describe('failures', () => {
  it('429 is rate_limited with the Retry-After in milliseconds', async () => {
    const id = await anOrder();
    await fault({ mode: 'rate_limit', retryAfterSeconds: 7 });
    const err = await shopApiError(api.getOrder(String(id)));
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7000 });
    await expect(api.getOrder(String(id))).resolves.toBeDefined(); // one call only
  });

  it('401 is unauthorized', async () => {
    const id = await anOrder();
    await fault({ mode: 'unauthorized' });
    expect(await shopApiError(api.getOrder(String(id)))).toMatchObject({
      kind: 'unauthorized',
      status: 401,
    });
  });

  it('a wrong consumer secret fails the OAuth signature check: unauthorized', async () => {
    const id = await anOrder();
    const wrong = connect({ ...KEYS, consumerSecret: 'cs_revoked' });
    const err = await shopApiError(wrong.getOrder(String(id)));
    expect(err.kind).toBe('unauthorized');
    expect(err.message).toContain('Invalid signature - provided signature does not match.');
  });

  it('500 and an unreachable store are unavailable', async () => {
    const id = await anOrder();
    await fault({ mode: 'server_error' });
    expect((await shopApiError(api.getOrder(String(id)))).kind).toBe('unavailable');
    await close();
    expect((await shopApiError(api.getOrder(String(id)))).kind).toBe('unavailable');
    close = () => Promise.resolve();
  });
});
