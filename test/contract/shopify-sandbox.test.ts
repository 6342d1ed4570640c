/**
 * The sandbox store's webhooks as our receiver takes them: signed so that @shopify/shopify-api
 * accepts them, with bodies the receiver reads, for each topic the sandbox sends.
 */
import { randomUUID } from 'node:crypto';
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

describe('sandbox refundCreate and @idempotent (required from API 2026-04)', () => {
  const REFUND = /* GraphQL */ `
    mutation Refund($input: RefundInput!, $key: String!) {
      refundCreate(input: $input) @idempotent(key: $key) {
        refund {
          id
        }
        userErrors {
          field
          message
        }
      }
    }
  `;

  /** A paid order and the refund input for `amount` of its sale. */
  async function paidOrder(amount: string) {
    const res = await post('/sandbox/orders', newOrder);
    const { order } = (await res.json()) as { order: { admin_graphql_api_id: string } };
    const read = await graphql(
      'query ($id: ID!) { order(id: $id) { transactions { id kind gateway } } }',
      { id: order.admin_graphql_api_id },
    );
    const sale = (read.data as { order: { transactions: { id: string; gateway: string }[] } }).order
      .transactions[0]!;
    const input = {
      orderId: order.admin_graphql_api_id,
      note: 'Parcel lost',
      transactions: [
        {
          orderId: order.admin_graphql_api_id,
          parentId: sale.id,
          kind: 'REFUND',
          gateway: sale.gateway,
          amount,
        },
      ],
    };
    const stored = () =>
      sandbox.orders.find((o) => `gid://shopify/Order/${o.id}` === order.admin_graphql_api_id)!;
    return { input, stored };
  }

  async function graphql(query: string, variables: Record<string, unknown>, version = '2026-07') {
    const res = await post(`/admin/api/${version}/graphql.json`, { query, variables });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; path?: string[]; extensions?: { code?: string } }[];
    };
  }

  type Payload = { refundCreate: { refund: { id: string } | null; userErrors: unknown[] } };
  /** REFUND without the @idempotent directive. */
  const REFUND_WITHOUT_KEY = /* GraphQL */ `
    mutation Refund($input: RefundInput!) {
      refundCreate(input: $input) {
        refund {
          id
        }
        userErrors {
          field
          message
        }
      }
    }
  `;

  it('without the directive the refund is refused with a BAD_REQUEST error, and nothing is refunded', async () => {
    const { input, stored } = await paidOrder('100');
    const answer = await graphql(REFUND_WITHOUT_KEY, { input });
    expect(answer.data).toEqual({ refundCreate: null });
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: 'The @idempotent directive is required for this mutation but was not provided.',
        path: ['refundCreate'],
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);
    expect(stored().refunds).toEqual([]);
    // Before 2026-04 the directive was optional.
    const older = await graphql(REFUND_WITHOUT_KEY, { input }, '2026-01');
    expect((older.data as Payload).refundCreate.refund?.id).toMatch(/^gid:\/\/shopify\/Refund\//);
    expect(stored().refunds).toHaveLength(1);
  });

  it('the same key twice answers the first refund and refunds once', async () => {
    const { input, stored } = await paidOrder('100');
    const key = randomUUID();
    const first = (await graphql(REFUND, { input, key })).data as Payload;
    const again = (await graphql(REFUND, { input, key })).data as Payload;
    expect(first.refundCreate.userErrors).toEqual([]);
    expect(first.refundCreate.refund!.id).toMatch(/^gid:\/\/shopify\/Refund\/\d+$/);
    expect(again.refundCreate).toEqual(first.refundCreate);
    expect(stored().refunds).toHaveLength(1);
    // Another key is another refund.
    const other = (await graphql(REFUND, { input, key: randomUUID() })).data as Payload;
    expect(other.refundCreate.refund!.id).not.toBe(first.refundCreate.refund!.id);
    expect(stored().refunds).toHaveLength(2);
  });

  it('the same key with other variables is refused, and nothing more is refunded', async () => {
    const { input, stored } = await paidOrder('100');
    const key = randomUUID();
    await graphql(REFUND, { input, key });
    const changed = {
      ...input,
      transactions: [{ ...input.transactions[0]!, amount: '50' }],
    };
    const answer = (await graphql(REFUND, { input: changed, key })).data as Payload;
    expect(answer.refundCreate).toEqual({
      refund: null,
      userErrors: [
        {
          field: null,
          message: 'The same idempotency key cannot be used with different operation parameters.',
        },
      ],
    });
    expect(stored().refunds).toHaveLength(1);
  });
});

describe('sandbox order search lag', () => {
  it('with searchLagMs an order shows in orders(query:) only that long after it is made', async () => {
    const lagged = createShopifySandbox({
      accessToken: TOKEN,
      webhookSecret: SECRET,
      searchLagMs: 300,
    });
    const server = await lagged.listen(0);
    try {
      const call = (path: string, body: unknown) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<Record<string, unknown>>);
      const { order } = (await call('/sandbox/orders', newOrder)) as { order: { name: string } };
      const search = async () => {
        const answer = (await call('/admin/api/2026-07/graphql.json', {
          query: `{ orders(first: 5, query: "name:${order.name.slice(1)}") { nodes { name } } }`,
        })) as { data: { orders: { nodes: { name: string }[] } } };
        return answer.data.orders.nodes.map((n) => n.name);
      };
      expect(await search()).toEqual([]);
      await new Promise((r) => setTimeout(r, 350));
      expect(await search()).toEqual([order.name]);
    } finally {
      await server.close();
    }
  });
});
