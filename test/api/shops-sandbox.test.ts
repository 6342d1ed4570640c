/**
 * The shop intake end to end with the real platform modules: the sandbox Shopify and WooCommerce
 * stores (as `npm start` runs them) send their signed webhooks in the platforms' formats to the
 * API, which registers, updates and cancels shipments; backfill reads the stores' APIs; the CLI
 * adds, lists, syncs and removes shops against the API.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/cli';
import { shipments } from '../../src/db/schema/shipments';
import { createSecretBox } from '../../src/shops/secret-box';
import { createShopRepository } from '../../src/shops/shops.repository';
import {
  SANDBOX_SHOPIFY_TOKEN,
  SANDBOX_WOOCOMMERCE_KEYS,
  startSandboxStores,
  type SandboxStore,
} from '../../src/shops/shops.sandbox';
import { shipmentWorkflowId } from '../../workflows/shipment.contract';
import { uniqueId } from '../helpers/factories';
import { testPayloadKey } from '../helpers/payload-key';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';

let stack: TestStack;
let api: ApiUnderTest;
let stores: SandboxStore[];
const box = createSecretBox(testPayloadKey());
const ids = { shopify: uniqueId('sbx-shopify'), woocommerce: uniqueId('sbx-woo') };

beforeAll(async () => {
  stack = await startTestStack();
  api = await serve({
    db: stack.db,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    queryTimeoutMs: 1500,
    secretBox: box,
  });
  stores = await startSandboxStores({
    apiBaseUrl: api.url,
    shopify: { port: 0, secret: uniqueId('shopify-secret') },
    woocommerce: { port: 0, secret: uniqueId('woo-secret') },
    shops: createShopRepository(stack.db, box),
    shopIds: ids,
    shopifyDomain: `${uniqueId('sandbox')}.myshopify.com`,
  });
});
afterAll(async () => {
  for (const s of stores ?? []) await s.close();
  await api?.close();
  await stack?.stop();
});

const storeUrl = (platform: 'shopify' | 'woocommerce') =>
  stores.find((s) => s.platform === platform)!.url;

async function shopify(path: string, body: unknown) {
  const res = await fetch(`${storeUrl('shopify')}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-access-token': SANDBOX_SHOPIFY_TOKEN,
    },
    body: JSON.stringify(body),
  });
  expect(res.status, path).toBeLessThan(300);
  // The sandbox's own answer (REST order, webhook results).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await res.json()) as any;
}

async function woo(path: string, body: unknown) {
  const basic = Buffer.from(
    `${SANDBOX_WOOCOMMERCE_KEYS.consumerKey}:${SANDBOX_WOOCOMMERCE_KEYS.consumerSecret}`,
  ).toString('base64');
  const res = await fetch(`${storeUrl('woocommerce')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` },
    body: JSON.stringify(body),
  });
  expect(res.status, path).toBeLessThan(300);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await res.json()) as any;
}

const rowOf = async (shipmentId: string) =>
  (await stack.db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId)))[0];

const trackingNumber = () => `1Z${Date.now()}${Math.floor(Math.random() * 1e6)}`.slice(0, 30);

function aShopifyOrder(tracking = trackingNumber()) {
  return {
    customer: { firstName: 'Ada', lastName: 'Buyer', email: `${uniqueId('ada')}@example.com` },
    locale: 'en-US',
    currency: 'USD',
    shippingAddress: {
      firstName: 'Ada',
      lastName: 'Buyer',
      address1: '1 Market St',
      city: 'San Francisco',
      provinceCode: 'CA',
      zip: '94105',
      countryCode: 'US',
    },
    items: [
      { title: 'Blue Mug', sku: 'MUG-1', quantity: 2, price: '19.90' },
      { title: 'Wool Cap', quantity: 1, price: 15 },
    ],
    fulfill: { trackingCompany: 'UPS', trackingNumber: tracking },
  };
}

describe('the sandbox Shopify store', () => {
  it('a fulfilled order registers shopify-<fulfillment id> with its order’s data within 2 s', async () => {
    const tracking = trackingNumber();
    const started = Date.now();
    const { order, webhook } = await shopify('/sandbox/orders', aShopifyOrder(tracking));
    expect(webhook).toMatchObject({ topic: 'orders/fulfilled', status: 200 });
    const fulfillmentId = String(order.fulfillments[0].id);
    const row = await waitUntil(
      'the shipment of the fulfilled order',
      () => rowOf(`shopify-${fulfillmentId}`),
      (r) => r !== undefined,
      2000,
      50,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(row!.registration).toMatchObject({
      orderId: order.name,
      carrier: 'ups',
      trackingNumber: tracking,
      destination: { country: 'US', city: 'San Francisco', postalCode: '94105' },
      customer: { email: order.email, locale: 'en-US' },
      items: [
        { title: 'Blue Mug', sku: 'MUG-1', quantity: 2, unitPrice: 19.9 },
        { title: 'Wool Cap', quantity: 1, unitPrice: 15 },
      ],
      currency: 'USD',
      declaredValue: 54.8,
      shop: { shopId: ids.shopify, platform: 'shopify', orderName: order.name, fulfillmentId },
    });
    const described = await stack.client.workflow
      .getHandle(shipmentWorkflowId(`shopify-${fulfillmentId}`))
      .describe();
    expect(described.status.name).toBe('RUNNING');
  });

  it('a tracking number changed on the fulfillment updates the shipment', async () => {
    const { order } = await shopify('/sandbox/orders', aShopifyOrder());
    const fulfillmentId = order.fulfillments[0].id as number;
    const shipmentId = `shopify-${fulfillmentId}`;
    await waitUntil(
      'registration',
      () => rowOf(shipmentId),
      (r) => r !== undefined,
    );
    const changed = trackingNumber();
    const { webhook } = await shopify(`/sandbox/orders/${order.id}/fulfillments`, {
      fulfillmentId,
      trackingCompany: 'DHL Express',
      trackingNumber: changed,
    });
    expect(webhook).toMatchObject({ topic: 'fulfillments/update', status: 200 });
    expect(await rowOf(shipmentId)).toMatchObject({ carrier: 'dhl', trackingNumber: changed });
  });

  it('an order cancelled in the store cancels its shipment', async () => {
    const { order } = await shopify('/sandbox/orders', aShopifyOrder());
    const shipmentId = `shopify-${order.fulfillments[0].id}`;
    await waitUntil(
      'registration',
      () => rowOf(shipmentId),
      (r) => r !== undefined,
    );
    const { webhook } = await shopify(`/sandbox/orders/${order.id}/cancel`, {});
    expect(webhook).toMatchObject({ topic: 'orders/cancelled', status: 200 });
    const handle = stack.client.workflow.getHandle(shipmentWorkflowId(shipmentId));
    await waitUntil(
      'the shipment to close',
      async () => (await handle.describe()).status.name,
      (s) => s === 'COMPLETED',
    );
    expect((await handle.result()).resolution).toBe('cancelled');
  });
});

describe('the sandbox WooCommerce store', () => {
  it('an order with a Shipment Tracking item registers its shipment', async () => {
    const tracking = `JD${Date.now()}`;
    const { order, webhooks } = await woo('/sandbox/orders', {
      status: 'processing',
      tracking: { tracking_provider: 'DHL', tracking_number: tracking },
    });
    expect(webhooks.map((w: { status: number }) => w.status)).toEqual([200, 200]);
    const [row] = await stack.db
      .select()
      .from(shipments)
      .where(eq(shipments.trackingNumber, tracking));
    expect(row).toMatchObject({ carrier: 'dhl', shopId: ids.woocommerce });
    expect(row!.shipmentId).toMatch(/^woocommerce-/);
    expect(row!.registration.shop).toMatchObject({ orderId: String(order.id) });
  });
});

describe('WooCommerce webhook set-up', () => {
  it('answers the ping WooCommerce sends when a webhook is saved, which names no store', async () => {
    const { webhooks } = await woo('/sandbox/webhooks/ping', {});
    expect(webhooks[0]).toMatchObject({ status: 200 });
  });
});

function cliIo() {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { PARCELWARDEN_URL: api.url, PARCELWARDEN_API_KEY: api.keys.admin },
    readFile: () => Promise.reject(new Error('no files')),
    writeFile: () => Promise.resolve(),
  };
  return { io, out: () => out, err: () => err };
}

describe('parcelwarden shops', () => {
  it('syncs a store twice: the second run imports nothing new', async () => {
    const first = cliIo();
    expect(await run(['shops', 'sync', ids.shopify, '--since', '2020-01-01'], first.io)).toBe(0);
    const orders = Number(/^(\d+) orders/.exec(first.out())?.[1]);
    expect(orders).toBeGreaterThan(0);
    const second = cliIo();
    expect(
      await run(['shops', 'sync', ids.shopify, '--since', '2020-01-01', '--json'], second.io),
    ).toBe(0);
    expect(JSON.parse(second.out())).toMatchObject({ orders, imported: 0, pages: 1 });
    const shop = await api.call('GET', `/v1/shops/${ids.shopify}`, { as: 'admin' });
    expect(shop.body.lastSyncedAt).not.toBeNull();
  });

  it('adds, lists and removes a store', async () => {
    const shopId = uniqueId('cli-shop');
    const add = cliIo();
    const code = await run(
      [
        'shops',
        'add',
        shopId,
        '--platform',
        'shopify',
        '--domain',
        `${shopId}.myshopify.com`,
        '--token',
        'shpat_cli_token',
        '--webhook-secret',
        'cli-secret',
        '--origin-country',
        'cn',
      ],
      add.io,
    );
    expect(code, add.err()).toBe(0);
    expect(add.out()).toContain(`Shop ${shopId} connected`);
    expect(add.out()).toContain('accessToken, webhookSecret');
    expect(add.out()).not.toContain('shpat_cli_token');

    const list = cliIo();
    expect(await run(['shops', 'list'], list.io)).toBe(0);
    expect(list.out()).toContain(shopId);
    expect(list.out()).toContain(ids.woocommerce);

    const bad = cliIo();
    expect(await run(['shops', 'add', shopId, '--platform', 'shopify'], bad.io)).toBe(2);
    expect(bad.err()).toContain('--domain');
    const unknownPolicy = cliIo();
    const refused = await run(
      [
        'shops',
        'add',
        shopId,
        '--platform',
        'shopify',
        '--domain',
        `${shopId}.myshopify.com`,
        '--origin-country',
        'CN',
        '--policy',
        'nope',
      ],
      unknownPolicy.io,
    );
    expect(refused).toBe(1);
    expect(unknownPolicy.err()).toContain('422');

    const remove = cliIo();
    expect(await run(['shops', 'remove', shopId], remove.io)).toBe(0);
    const after = cliIo();
    await run(['shops', 'list'], after.io);
    expect(after.out()).not.toContain(shopId);
    const again = cliIo();
    expect(await run(['shops', 'remove', uniqueId('nope')], again.io)).toBe(1);
    expect(again.err()).toContain('shop.not_found');
  });
});
