/**
 * Shops as records and their webhooks, through the API on the run's PostgreSQL and Temporal
 * server, with a worker running the shipments it registers. The platform is a stand-in module
 * (shops.helpers.ts) speaking the platform interface; the real modules are tested on their own.
 */
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shops, shopWebhookReceipts } from '../../src/db/schema/shops';
import { shipments } from '../../src/db/schema/shipments';
import { createLogger } from '../../src/logger';
import type { ShopOrder } from '../../src/shops/platform';
import { shopPlatforms } from '../../src/shops/platforms';
import { createSecretBox } from '../../src/shops/secret-box';
import { createShopRepository } from '../../src/shops/shops.repository';
import { shipmentWorkflowId, type TrackingChange } from '../../workflows/shipment.contract';
import { uniqueId } from '../helpers/factories';
import { signalsReceived, testPayloadKey } from '../helpers/payload-key';
import { completedResult } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';
import { anOrder, fakeShopify, sign, type FakeShopify } from './shops.helpers';

let stack: TestStack;
let api: ApiUnderTest;
let fake: FakeShopify;
let logText = '';
const box = createSecretBox(testPayloadKey());

beforeAll(async () => {
  stack = await startTestStack();
  fake = fakeShopify();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  api = await serve({
    db: stack.db,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    queryTimeoutMs: 1500,
    secretBox: box,
    shopPlatforms: shopPlatforms([fake.module]),
    logger: createLogger('debug', 'parcelwarden-api', destination),
  });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

interface TestShop {
  shopId: string;
  domain: string;
  token: string;
  secret: string;
}

async function connectShop(extra: Record<string, unknown> = {}): Promise<TestShop> {
  const shopId = uniqueId('shop');
  const shop = {
    shopId,
    domain: `${shopId}.myshopify.com`,
    token: `shpat_${uniqueId('token')}`,
    secret: uniqueId('app-secret'),
  };
  const res = await api.call('PUT', `/v1/shops/${shopId}`, {
    as: 'admin',
    body: {
      platform: 'shopify',
      domain: shop.domain,
      credentials: { accessToken: shop.token, webhookSecret: shop.secret },
      originCountry: 'CN',
      ...extra,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return shop;
}

async function deliver(
  shop: TestShop,
  topic: string,
  body: unknown,
  opts: { id?: string; secret?: string | null; domain?: string; raw?: string } = {},
) {
  const raw = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-shopify-shop-domain': opts.domain ?? shop.domain,
    'x-shopify-topic': topic,
  };
  if (opts.id !== '') headers['x-shopify-webhook-id'] = opts.id ?? uniqueId('delivery');
  if (opts.secret !== null)
    headers['x-shopify-hmac-sha256'] = sign(raw, opts.secret ?? shop.secret);
  return api.call('POST', '/v1/shop-webhooks/shopify', { rawBody: raw, headers });
}

const rowOf = async (shipmentId: string) =>
  (await stack.db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId)))[0];
const receiptsOf = (shopId: string) =>
  stack.db.select().from(shopWebhookReceipts).where(eq(shopWebhookReceipts.shopId, shopId));
const shipmentsOf = (shopId: string) =>
  stack.db.select().from(shipments).where(eq(shipments.shopId, shopId));
const fulfillment = (o: ShopOrder) => o.fulfillments[0]!;

describe('shops as records', () => {
  it('keeps credentials sealed: never in an answer, a log line or the row as plain text', async () => {
    const shop = await connectShop();
    const again = await api.call('PUT', `/v1/shops/${shop.shopId}`, {
      as: 'admin',
      body: {
        platform: 'shopify',
        domain: shop.domain.toUpperCase(),
        credentials: { accessToken: shop.token, webhookSecret: shop.secret },
        originCountry: 'CN',
        senderName: 'Kumo Tea',
        replyTo: 'care@kumo.example',
      },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      shopId: shop.shopId,
      platform: 'shopify',
      domain: shop.domain,
      apiUrl: `https://${shop.domain}`,
      policy: 'default',
      senderName: 'Kumo Tea',
      credentials: { accessToken: 'set', webhookSecret: 'set' },
      credentialsFailingSince: null,
      removedAt: null,
    });
    const one = await api.call('GET', `/v1/shops/${shop.shopId}`, { as: 'ops' });
    const list = await api.call('GET', '/v1/shops', { as: 'analyst' });
    expect(one.status).toBe(200);
    expect(list.body.items.map((s: { shopId: string }) => s.shopId)).toContain(shop.shopId);

    const [row] = await stack.db.select().from(shops).where(eq(shops.shopId, shop.shopId));
    for (const text of [
      JSON.stringify(again.body),
      JSON.stringify(one.body),
      JSON.stringify(list.body),
      row!.credentials,
      logText,
    ]) {
      expect(text).not.toContain(shop.token);
      expect(text).not.toContain(shop.secret);
    }
    expect(JSON.parse(box.open(row!.credentials))).toEqual({
      accessToken: shop.token,
      webhookSecret: shop.secret,
    });
  });

  it('keeps the stored credentials when a PUT leaves them out', async () => {
    const shop = await connectShop();
    const res = await api.call('PUT', `/v1/shops/${shop.shopId}`, {
      as: 'admin',
      body: { platform: 'shopify', domain: shop.domain, originCountry: 'DE' },
    });
    expect(res.status).toBe(200);
    expect(res.body.originCountry).toBe('DE');
    expect(res.body.credentials).toEqual({ accessToken: 'set', webhookSecret: 'set' });
    // The webhook secret still verifies deliveries.
    const order = anOrder();
    const delivered = await deliver(shop, 'orders/fulfilled', { order });
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
  });

  it('refuses an unknown policy, a new shop without credentials and a store another shop has', async () => {
    const shopId = uniqueId('shop');
    const body = {
      platform: 'shopify',
      domain: `${shopId}.myshopify.com`,
      credentials: { accessToken: 'shpat_x', webhookSecret: 'y' },
      originCountry: 'CN',
    };
    const policy = await api.call('PUT', `/v1/shops/${shopId}`, {
      as: 'admin',
      body: { ...body, policy: 'no-such-policy' },
    });
    expect(policy.status).toBe(422);
    expect(policy.body.code).toBe('policy.not_found');
    const bare = await api.call('PUT', `/v1/shops/${shopId}`, {
      as: 'admin',
      body: { ...body, credentials: undefined },
    });
    expect(bare.status).toBe(422);
    expect(bare.body.code).toBe('shop.credentials_required');
    const badDomain = await api.call('PUT', `/v1/shops/${shopId}`, {
      as: 'admin',
      body: { ...body, domain: 'https://x.example.com/' },
    });
    expect(badDomain.status).toBe(400);
    expect(badDomain.body.errors[0].path).toBe('domain');
    const wrongCredentials = await api.call('PUT', `/v1/shops/${shopId}`, {
      as: 'admin',
      body: { ...body, platform: 'woocommerce' },
    });
    expect(wrongCredentials.status).toBe(400);

    const taken = await connectShop();
    const twice = await api.call('PUT', `/v1/shops/${shopId}`, {
      as: 'admin',
      body: { ...body, domain: taken.domain },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('shop.domain_taken');
    expect((await api.call('GET', `/v1/shops/${shopId}`, { as: 'admin' })).status).toBe(404);
  });

  it('lets only admins change shops', async () => {
    const shopId = uniqueId('shop');
    const res = await api.call('PUT', `/v1/shops/${shopId}`, {
      as: 'ops',
      body: { platform: 'shopify', domain: 'x.myshopify.com', originCountry: 'CN' },
    });
    expect(res.status).toBe(403);
    expect((await api.call('DELETE', `/v1/shops/${shopId}`, { as: 'ingest' })).status).toBe(403);
  });

  it('removes a shop: intake stops, its connection stays for running shipments', async () => {
    const shop = await connectShop();
    const removed = await api.call('DELETE', `/v1/shops/${shop.shopId}`, { as: 'admin' });
    expect(removed.status).toBe(204);
    expect((await api.call('DELETE', `/v1/shops/${shop.shopId}`, { as: 'admin' })).status).toBe(
      204,
    );
    const got = await api.call('GET', `/v1/shops/${shop.shopId}`, { as: 'admin' });
    expect(got.body.removedAt).not.toBeNull();
    const list = await api.call('GET', '/v1/shops', { as: 'admin' });
    expect(list.body.items.map((s: { shopId: string }) => s.shopId)).not.toContain(shop.shopId);

    const res = await deliver(shop, 'orders/fulfilled', { order: anOrder() });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('shop.unknown');
    const sync = await api.call('POST', `/v1/shops/${shop.shopId}/sync`, {
      as: 'admin',
      body: { since: '2026-11-01T00:00:00Z' },
    });
    expect(sync.status).toBe(409);

    const connection = await createShopRepository(stack.db, box).connection(shop.shopId);
    expect(connection?.credentials).toEqual({
      accessToken: shop.token,
      webhookSecret: shop.secret,
    });
    const unknown = await api.call('DELETE', `/v1/shops/${uniqueId('nope')}`, { as: 'admin' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('shop.not_found');
  });

  it('remembers a failing credential outage once', async () => {
    const shop = await connectShop();
    const repo = createShopRepository(stack.db, box);
    expect(await repo.markCredentialsFailing(shop.shopId)).toBe(true);
    expect(await repo.markCredentialsFailing(shop.shopId)).toBe(false);
    const failing = await api.call('GET', `/v1/shops/${shop.shopId}`, { as: 'admin' });
    expect(failing.body.credentialsFailingSince).not.toBeNull();
    await repo.markCredentialsWorking(shop.shopId);
    expect(await repo.markCredentialsFailing(shop.shopId)).toBe(true);
  });
});

describe('shop webhooks', () => {
  it('registers a fulfilled order once: a repeated delivery is a duplicate', async () => {
    const shop = await connectShop();
    const order = anOrder();
    const id = uniqueId('delivery');
    const first = await deliver(shop, 'orders/fulfilled', { order }, { id });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ duplicate: false, outcome: 'registered' });
    const second = await deliver(shop, 'orders/fulfilled', { order }, { id });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ duplicate: true, outcome: 'registered' });

    const shipmentId = `shopify-${fulfillment(order).fulfillmentId}`;
    const rows = await shipmentsOf(shop.shopId);
    expect(rows.map((r) => r.shipmentId)).toEqual([shipmentId]);
    expect(await receiptsOf(shop.shopId)).toHaveLength(1);
    const row = rows[0]!;
    expect(row.registration).toMatchObject({
      shipmentId,
      orderId: order.orderName,
      marketplace: 'shopify',
      carrier: 'dhl',
      trackingNumber: fulfillment(order).trackingNumber,
      policy: 'default',
      origin: { country: 'CN' },
      destination: order.shippingAddress,
      customer: { name: 'Grete Kunde', email: order.customer.email, locale: 'de-DE' },
      items: [
        { sku: 'MUG-1', title: 'Blue Mug', quantity: 2, unitPrice: 19.9, variantId: '4711' },
        { sku: 'variant-4712', title: 'Wool Cap', quantity: 1, unitPrice: 20, variantId: '4712' },
      ],
      currency: 'EUR',
      declaredValue: 59.8,
      shippedAt: '2026-11-04T08:30:00Z',
      shop: {
        shopId: shop.shopId,
        platform: 'shopify',
        orderId: order.orderId,
        orderName: order.orderName,
        fulfillmentId: fulfillment(order).fulfillmentId,
      },
    });
    const described = await stack.client.workflow
      .getHandle(shipmentWorkflowId(shipmentId))
      .describe();
    expect(described.taskQueue).toBe(stack.taskQueue);

    // Another delivery of the same fulfillment, same data: nothing changes.
    const third = await deliver(shop, 'orders/fulfilled', { order });
    expect(third.body).toMatchObject({ duplicate: false, outcome: 'unchanged' });
    expect(await shipmentsOf(shop.shopId)).toHaveLength(1);
  });

  it('refuses a store that is not connected and stores nothing', async () => {
    const shop = await connectShop();
    const res = await deliver(
      shop,
      'orders/fulfilled',
      { order: anOrder() },
      {
        domain: `${uniqueId('stranger')}.myshopify.com`,
      },
    );
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('shop.unknown');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await receiptsOf(shop.shopId)).toHaveLength(0);
    expect(await shipmentsOf(shop.shopId)).toHaveLength(0);
  });

  it('refuses a wrong or missing signature and a missing delivery id, storing nothing', async () => {
    const shop = await connectShop();
    const order = anOrder();
    const wrong = await deliver(shop, 'orders/fulfilled', { order }, { secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('shop.signature_invalid');
    const missing = await deliver(shop, 'orders/fulfilled', { order }, { secret: null });
    expect(missing.status).toBe(401);
    const noId = await deliver(shop, 'orders/fulfilled', { order }, { id: '' });
    expect(noId.status).toBe(400);
    expect(noId.body.code).toBe('shop.webhook_id_missing');
    expect(await receiptsOf(shop.shopId)).toHaveLength(0);
    expect(await shipmentsOf(shop.shopId)).toHaveLength(0);
  });

  it('refuses a body that is not JSON or not the topic’s shape, naming the fields', async () => {
    const shop = await connectShop();
    const notJson = await deliver(shop, 'orders/fulfilled', undefined, { raw: '{"order": ' });
    expect(notJson.status).toBe(422);
    expect(notJson.body.code).toBe('shop.payload_invalid');
    const shape = await deliver(shop, 'orders/fulfilled', { nothing: true });
    expect(shape.status).toBe(422);
    expect(shape.body.errors).toEqual([{ path: 'order', message: 'required' }]);
    expect(await receiptsOf(shop.shopId)).toHaveLength(0);
  });

  it('keeps an unknown carrier as an unlisted code and says so; skips what it cannot watch', async () => {
    const shop = await connectShop();
    const base = anOrder();
    const order = anOrder({
      fulfillments: [
        { ...fulfillment(base), trackingCompany: 'Speedy Regional Post' },
        {
          ...fulfillment(base),
          fulfillmentId: `${fulfillment(base).fulfillmentId}9`,
          trackingNumber: undefined,
        },
      ],
    });
    const res = await deliver(shop, 'orders/fulfilled', { order });
    expect(res.body.outcome).toBe('registered');
    expect(res.body.detail).toContain('"Speedy Regional Post" is not in the catalogue');
    expect(res.body.detail).toContain('no tracking number');
    const [row] = await shipmentsOf(shop.shopId);
    expect(row!.carrier).toBe('speedy-regional-post');
    const [receipt] = await receiptsOf(shop.shopId);
    expect(receipt!.detail).toContain('speedy-regional-post');
  });

  it('tells the workflow when the shop changes the tracking number', async () => {
    const shop = await connectShop();
    const order = anOrder();
    await deliver(shop, 'orders/fulfilled', { order });
    const shipmentId = `shopify-${fulfillment(order).fulfillmentId}`;
    const changed: ShopOrder = {
      ...order,
      fulfillments: [
        {
          ...fulfillment(order),
          trackingCompany: 'UPS',
          trackingNumber: `1Z${fulfillment(order).fulfillmentId}`,
        },
      ],
    };
    const res = await deliver(shop, 'orders/fulfilled', { order: changed });
    expect(res.body).toMatchObject({ outcome: 'updated' });
    const row = await rowOf(shipmentId);
    expect(row).toMatchObject({
      carrier: 'ups',
      trackingNumber: `1Z${fulfillment(order).fulfillmentId}`,
    });
    expect(row!.registration).toMatchObject({
      carrier: 'ups',
      trackingNumber: row!.trackingNumber,
    });
    // A signal that arrives while a workflow task runs is written to the history when it ends.
    const signals = await waitUntil(
      'the tracking change in the workflow history',
      () =>
        signalsReceived<TrackingChange>(
          stack.client,
          shipmentWorkflowId(shipmentId),
          'trackingChanged',
        ),
      (s) => s.length > 0,
    );
    expect(signals).toEqual([
      { carrier: 'ups', trackingNumber: row!.trackingNumber, source: 'shopify orders/fulfilled' },
    ]);
    // The same change again: nothing new.
    const again = await deliver(shop, 'orders/fulfilled', { order: changed });
    expect(again.body.outcome).toBe('unchanged');
  });

  it('leaves another shop’s shipment alone when a fulfillment of this shop names the same id', async () => {
    const [mine, theirs] = [await connectShop(), await connectShop()];
    const order = anOrder();
    await deliver(mine, 'orders/fulfilled', { order });
    const shipmentId = `shopify-${fulfillment(order).fulfillmentId}`;
    const before = await rowOf(shipmentId);
    const clash: ShopOrder = {
      ...order,
      fulfillments: [{ ...fulfillment(order), trackingNumber: `OTHER${uniqueId('n')}` }],
    };
    const res = await deliver(theirs, 'orders/fulfilled', { order: clash });
    expect(res.body).toMatchObject({ outcome: 'skipped' });
    expect(res.body.detail).toContain(`taken by shop ${mine.shopId}`);
    expect(await rowOf(shipmentId)).toMatchObject({
      shopId: mine.shopId,
      trackingNumber: before!.trackingNumber,
    });
  });

  it('cancels the shipments of an order cancelled in the shop', async () => {
    const shop = await connectShop();
    const order = anOrder();
    await deliver(shop, 'orders/fulfilled', { order });
    const shipmentId = `shopify-${fulfillment(order).fulfillmentId}`;
    const res = await deliver(shop, 'orders/cancelled', { id: order.orderId });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'cancelled' });
    expect((await completedResult(stack.client, shipmentId)).resolution).toBe('cancelled');
  });

  it('records no receipt when Temporal cannot be reached, so the redelivery registers', async () => {
    const shop = await connectShop();
    // A namespace the server does not have: every start fails, as with Temporal down.
    const down = await serve({
      db: stack.db,
      temporal: new Client({ connection: stack.client.connection, namespace: uniqueId('gone') }),
      taskQueue: stack.taskQueue,
      secretBox: box,
      shopPlatforms: shopPlatforms([fake.module]),
    });
    const order = anOrder();
    const raw = JSON.stringify({ order });
    const headers = {
      'content-type': 'application/json',
      'x-shopify-shop-domain': shop.domain,
      'x-shopify-topic': 'orders/fulfilled',
      'x-shopify-webhook-id': uniqueId('delivery'),
      'x-shopify-hmac-sha256': sign(raw, shop.secret),
    };
    try {
      const res = await down.call('POST', '/v1/shop-webhooks/shopify', { rawBody: raw, headers });
      expect(res.status).toBe(503);
    } finally {
      await down.close();
    }
    expect(await receiptsOf(shop.shopId)).toHaveLength(0);
    const again = await api.call('POST', '/v1/shop-webhooks/shopify', { rawBody: raw, headers });
    expect(again.body).toMatchObject({ duplicate: false, outcome: 'registered' });
  });
});

describe('backfill', () => {
  it('imports every page once; running it again imports nothing new', async () => {
    const shop = await connectShop();
    const orders = [anOrder(), anOrder(), anOrder(), anOrder(), anOrder()];
    orders[4] = { ...orders[4]!, shippingAddress: undefined };
    fake.orders.set(shop.shopId, [...orders, anOrder({ createdAt: '2026-10-01T00:00:00Z' })]);
    const syncAll = async () => {
      const sum = { pages: 0, orders: 0, imported: 0, unchanged: 0, skipped: 0 };
      let cursor: string | undefined;
      do {
        const res = await api.call('POST', `/v1/shops/${shop.shopId}/sync`, {
          as: 'admin',
          body: { since: '2026-11-01T00:00:00Z', ...(cursor ? { cursor } : {}) },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.total).toBe(5);
        sum.pages++;
        for (const k of ['orders', 'imported', 'unchanged', 'skipped'] as const)
          sum[k] += res.body[k];
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      return sum;
    };
    expect(await syncAll()).toEqual({ pages: 3, orders: 5, imported: 4, unchanged: 0, skipped: 1 });
    expect(await shipmentsOf(shop.shopId)).toHaveLength(4);
    expect(await syncAll()).toEqual({ pages: 3, orders: 5, imported: 0, unchanged: 4, skipped: 1 });
    expect(await shipmentsOf(shop.shopId)).toHaveLength(4);
    const got = await api.call('GET', `/v1/shops/${shop.shopId}`, { as: 'admin' });
    expect(got.body.lastSyncedAt).not.toBeNull();
  });

  it('a shipment registered by backfill is the one its webhook names', async () => {
    const shop = await connectShop();
    const order = anOrder();
    fake.orders.set(shop.shopId, [order]);
    await api.call('POST', `/v1/shops/${shop.shopId}/sync`, {
      as: 'admin',
      body: { since: '2026-11-01T00:00:00Z' },
    });
    const res = await deliver(shop, 'orders/fulfilled', { order });
    expect(res.body.outcome).toBe('unchanged');
    const rows = await stack.db
      .select()
      .from(shipments)
      .where(and(eq(shipments.shopId, shop.shopId)));
    expect(rows).toHaveLength(1);
  });
});
