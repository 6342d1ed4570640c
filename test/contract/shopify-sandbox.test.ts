/**
 * The sandbox store's webhooks as our receiver takes them: signed so that @shopify/shopify-api
 * accepts them, with bodies the receiver reads, for each topic the sandbox sends.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopOrder, ShopWebhookAction } from '../../src/shops/platform';
import { shopifyPlatform } from '../../src/shops/shopify';
import { createShopifySandbox, type ShopifySandbox } from '../../src/shops/sandbox/shopify-sandbox';

const TOKEN = 'shpat_sandbox_token';
const SECRET = 'shpss_sandbox_secret';

interface Delivery {
  raw: Buffer;
  headers: IncomingHttpHeaders;
}

let sandbox: ShopifySandbox;
let store: { url: string; close(): Promise<void> };
let receiverServer: Server;
const deliveries: Delivery[] = [];

beforeAll(async () => {
  receiverServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ raw: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiverServer.listen(0, '127.0.0.1', r));
  const { port } = receiverServer.address() as AddressInfo;
  sandbox = createShopifySandbox({
    accessToken: TOKEN,
    webhookSecret: SECRET,
    webhookTarget: `http://127.0.0.1:${port}/v1/shop-webhooks/shopify`,
  });
  store = await sandbox.listen(0);
});
afterAll(async () => {
  await store.close();
  await new Promise((r) => receiverServer.close(r));
});

async function post(path: string, body: unknown, token = TOKEN) {
  return fetch(`${store.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
    body: JSON.stringify(body),
  });
}

const api = () =>
  shopifyPlatform.createApi(
    {
      shopId: 'sandbox-shopify',
      platform: 'shopify',
      domain: 'sandbox-shopify.myshopify.com',
      apiUrl: store.url,
      credentials: { accessToken: TOKEN, webhookSecret: SECRET },
      policy: 'default',
      originCountry: 'DE',
    },
    {},
  );

/** Verifies and reads the last delivery as the receiver route would. */
async function take(): Promise<{ topic?: string; action: ShopWebhookAction; delivery: Delivery }> {
  const delivery = deliveries.at(-1)!;
  const receiver = shopifyPlatform.receiver;
  expect(await receiver.verify(delivery.raw, delivery.headers, SECRET)).toBe(true);
  expect(receiver.shopDomain(delivery.headers)).toBe('sandbox-shopify.myshopify.com');
  expect(receiver.webhookId(delivery.headers)).toMatch(/^[0-9a-f-]{36}$/);
  const topic = receiver.topic(delivery.headers);
  const action = await receiver.read(topic!, JSON.parse(delivery.raw.toString('utf8')), api());
  return { topic, action, delivery };
}

const newOrder = {
  customer: { firstName: 'Yuki', lastName: 'Tanaka', email: 'yuki@example.jp' },
  locale: 'ja',
  currency: 'JPY',
  shippingAddress: {
    firstName: 'Yuki',
    lastName: 'Tanaka',
    address1: '1-2-3 Shibuya',
    city: 'Shibuya-ku',
    provinceCode: 'JP-13',
    zip: '150-0002',
    countryCode: 'JP',
  },
  items: [{ title: 'Matcha set', sku: 'MATCHA-01', quantity: 1, price: 4800 }],
  fulfill: { trackingCompany: 'Japan Post', trackingNumber: 'EJ123456789JP' },
};

describe('sandbox webhooks', () => {
  it('a fulfilled order sends orders/fulfilled, signed as Shopify signs, read into a shipment-ready order', async () => {
    const res = await post('/sandbox/orders', newOrder);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { order: { id: number }; webhook: { status: number } };
    expect(body.webhook.status).toBe(200);
    const { topic, action, delivery } = await take();
    expect(topic).toBe('orders/fulfilled');
    expect(delivery.headers['x-shopify-api-version']).toBe('2026-07');
    expect(action.kind).toBe('order');
    const order = (action as { order: ShopOrder }).order;
    expect(order).toMatchObject({
      currency: 'JPY',
      totalValue: 4800,
      locale: 'ja',
      customer: { name: 'Yuki Tanaka', email: 'yuki@example.jp' },
      shippingAddress: { country: 'JP', city: 'Shibuya-ku', postalCode: '150-0002' },
    });
    expect(order.fulfillments).toEqual([
      expect.objectContaining({ trackingCompany: 'Japan Post', trackingNumber: 'EJ123456789JP' }),
    ]);

    // The same bytes with one changed no longer verify.
    const changed = Buffer.from(delivery.raw);
    changed[changed.length - 2] = changed[changed.length - 2]! ^ 1;
    expect(await shopifyPlatform.receiver.verify(changed, delivery.headers, SECRET)).toBe(false);
  });

  it('a changed tracking number sends fulfillments/update, read with the order fetched', async () => {
    const res = await post('/sandbox/orders', newOrder);
    const { order } = (await res.json()) as {
      order: { id: number; fulfillments: { id: number }[] };
    };
    const fulfillmentId = order.fulfillments[0]!.id;
    await post(`/sandbox/orders/${order.id}/fulfillments`, {
      fulfillmentId,
      trackingCompany: 'Japan Post',
      trackingNumber: 'EJ987654321JP',
    });
    const { topic, action } = await take();
    expect(topic).toBe('fulfillments/update');
    const read = (action as { order: ShopOrder }).order;
    expect(read.orderId).toBe(`gid://shopify/Order/${order.id}`);
    expect(read.fulfillments).toEqual([
      expect.objectContaining({
        fulfillmentId: String(fulfillmentId),
        trackingNumber: 'EJ987654321JP',
      }),
    ]);
  });

  it('a cancelled order sends orders/cancelled', async () => {
    const res = await post('/sandbox/orders', newOrder);
    const { order } = (await res.json()) as { order: { id: number } };
    await post(`/sandbox/orders/${order.id}/cancel`, {});
    const { topic, action } = await take();
    expect(topic).toBe('orders/cancelled');
    expect(action).toEqual({ kind: 'cancelled', orderId: `gid://shopify/Order/${order.id}` });
  });

  it("the replacement order's fulfillment is announced too, and the receiver leaves it alone", async () => {
    const res = await post('/sandbox/orders', newOrder);
    const { order } = (await res.json()) as {
      order: { id: number; admin_graphql_api_id: string; name: string };
    };
    const before = deliveries.length;
    await api().createReplacementOrder({
      idempotencyKey: `shipment:shopify-9:reship:${order.id}`,
      replacementShipmentId: 'shopify-9~R1',
      carrier: 'japanpost',
      carrierName: 'Japan Post',
      trackingNumber: 'EJ555555555JP',
      original: {
        shipmentId: 'shopify-9',
        orderId: order.name,
        carrier: 'japanpost',
        trackingNumber: 'EJ123456789JP',
        policy: 'default',
        origin: { country: 'JP' },
        destination: {
          country: 'JP',
          name: 'Yuki Tanaka',
          line1: '1-2-3 Shibuya',
          city: 'Shibuya-ku',
          postalCode: '150-0002',
        },
        customer: { name: 'Yuki Tanaka', email: 'yuki@example.jp', locale: 'ja' },
        items: [{ sku: 'MATCHA-01', title: 'Matcha set', quantity: 1, unitPrice: 4800 }],
        currency: 'JPY',
        declaredValue: 4800,
        shippedAt: '2026-12-01T00:00:00Z',
        shop: {
          shopId: 'sandbox-shopify',
          platform: 'shopify',
          orderId: order.admin_graphql_api_id,
          orderName: order.name,
        },
      },
    });
    await expect.poll(() => deliveries.length, { timeout: 5000 }).toBe(before + 1);
    const { topic, action } = await take();
    expect(topic).toBe('fulfillments/create');
    expect(action).toEqual({ kind: 'ignored', reason: 'a replacement order Parcelwarden created' });
  });
});

describe('sandbox access', () => {
  it('the Admin API and the sandbox routes refuse a wrong token with Shopify’s 401', async () => {
    const res = await post(
      '/admin/api/2026-07/graphql.json',
      { query: '{ orders(first: 1) { nodes { id } } }' },
      'shpat_wrong',
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
    expect((await post('/sandbox/orders', newOrder, 'shpat_wrong')).status).toBe(401);
  });

  it('a sandbox order with a bad body is refused with the fields named, and nothing is stored', async () => {
    const count = sandbox.orders.length;
    const res = await post('/sandbox/orders', { ...newOrder, items: [] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: { path: string }[] } };
    expect(body.error.fields.map((f) => f.path)).toEqual(['items']);
    expect(sandbox.orders.length).toBe(count);
  });

  it('GET /sandbox/orders lists every order with its refunds and tags', async () => {
    const res = await fetch(`${store.url}/sandbox/orders`, {
      headers: { 'x-shopify-access-token': TOKEN },
    });
    const { orders } = (await res.json()) as { orders: { tags: string; refunds: unknown[] }[] };
    expect(orders.length).toBe(sandbox.orders.length);
    expect(orders.some((o) => o.tags.includes('parcelwarden-replacement'))).toBe(true);
  });
});
