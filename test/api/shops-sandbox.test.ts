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
import { shipmentWorkflowId } from '../../workflows/shipment.contract';
import { uniqueId } from '../helpers/factories';
import { completedResult } from '../helpers/shipments';
import { aSandboxShopifyOrder, startShopStack, type ShopStack } from '../helpers/shop-stack';
import { waitUntil } from '../helpers/wait';

let s: ShopStack;

beforeAll(async () => {
  s = await startShopStack();
});
afterAll(async () => {
  await s?.stop();
});

const rowOf = async (shipmentId: string) =>
  (await s.stack.db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId)))[0];

const trackingNumber = () => `1Z${Date.now()}${Math.floor(Math.random() * 1e6)}`.slice(0, 30);

function aShopifyOrder(tracking = trackingNumber()) {
  return aSandboxShopifyOrder({
    tracking,
    locale: 'en-US',
    items: [
      { title: 'Blue Mug', sku: 'MUG-1', quantity: 2, price: '19.90' },
      { title: 'Wool Cap', quantity: 1, price: 15 },
    ],
  });
}

describe('the sandbox Shopify store', () => {
  it('a fulfilled order registers shopify-<fulfillment id> with its order’s data within 2 s', async () => {
    const tracking = trackingNumber();
    const started = Date.now();
    const { order, webhook } = await s.shopify.post('/sandbox/orders', aShopifyOrder(tracking));
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
      shop: { shopId: s.ids.shopify, platform: 'shopify', orderName: order.name, fulfillmentId },
    });
    const described = await s.stack.client.workflow
      .getHandle(shipmentWorkflowId(`shopify-${fulfillmentId}`))
      .describe();
    expect(described.status.name).toBe('RUNNING');
  });

  it('a tracking number changed on the fulfillment updates the shipment', async () => {
    const { order } = await s.shopify.post('/sandbox/orders', aShopifyOrder());
    const fulfillmentId = order.fulfillments[0].id as number;
    const shipmentId = `shopify-${fulfillmentId}`;
    await waitUntil(
      'registration',
      () => rowOf(shipmentId),
      (r) => r !== undefined,
    );
    const changed = trackingNumber();
    const { webhook } = await s.shopify.post(`/sandbox/orders/${order.id}/fulfillments`, {
      fulfillmentId,
      trackingCompany: 'DHL Express',
      trackingNumber: changed,
    });
    expect(webhook).toMatchObject({ topic: 'fulfillments/update', status: 200 });
    expect(await rowOf(shipmentId)).toMatchObject({ carrier: 'dhl', trackingNumber: changed });
  });

  it('an order cancelled in the store cancels its shipment', async () => {
    const { order } = await s.shopify.post('/sandbox/orders', aShopifyOrder());
    const shipmentId = `shopify-${order.fulfillments[0].id}`;
    await waitUntil(
      'registration',
      () => rowOf(shipmentId),
      (r) => r !== undefined,
    );
    const { webhook } = await s.shopify.post(`/sandbox/orders/${order.id}/cancel`, {});
    expect(webhook).toMatchObject({ topic: 'orders/cancelled', status: 200 });
    expect((await completedResult(s.stack.client, shipmentId)).resolution).toBe('cancelled');
  });
});

describe('the sandbox WooCommerce store', () => {
  it('an order with a Shipment Tracking item registers its shipment', async () => {
    const tracking = `JD${Date.now()}`;
    const { order, webhooks } = await s.woo.post('/sandbox/orders', {
      status: 'processing',
      tracking: { tracking_provider: 'DHL', tracking_number: tracking },
    });
    expect(webhooks.map((w: { status: number }) => w.status)).toEqual([200, 200]);
    const [row] = await s.stack.db
      .select()
      .from(shipments)
      .where(eq(shipments.trackingNumber, tracking));
    expect(row).toMatchObject({ carrier: 'dhl', shopId: s.ids.woocommerce });
    expect(row!.shipmentId).toMatch(/^woocommerce-/);
    expect(row!.registration.shop).toMatchObject({ orderId: String(order.id) });
  });
});

describe('WooCommerce webhook set-up', () => {
  it('answers the ping WooCommerce sends when a webhook is saved, which names no store', async () => {
    const { webhooks } = await s.woo.post('/sandbox/webhooks/ping', {});
    expect(webhooks[0]).toMatchObject({ status: 200 });
  });
});

function cliIo() {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { PARCELWARDEN_URL: s.api.url, PARCELWARDEN_API_KEY: s.api.keys.admin },
    readFile: () => Promise.reject(new Error('no files')),
    writeFile: () => Promise.resolve(),
  };
  return { io, out: () => out, err: () => err };
}

describe('parcelwarden shops', () => {
  it('syncs a store twice: the second run imports nothing new', async () => {
    const first = cliIo();
    expect(await run(['shops', 'sync', s.ids.shopify, '--since', '2020-01-01'], first.io)).toBe(0);
    const orders = Number(/^(\d+) orders/.exec(first.out())?.[1]);
    expect(orders).toBeGreaterThan(0);
    const second = cliIo();
    expect(
      await run(['shops', 'sync', s.ids.shopify, '--since', '2020-01-01', '--json'], second.io),
    ).toBe(0);
    expect(JSON.parse(second.out())).toMatchObject({ orders, imported: 0, pages: 1 });
    const shop = await s.api.call('GET', `/v1/shops/${s.ids.shopify}`, { as: 'admin' });
    expect(shop.body.lastSyncedAt).not.toBeNull();
  });

  it('adds, lists and removes a store', async () => {
    const shopId = uniqueId('cli-shop');
    const addShopify = ['shops', 'add', shopId, '--platform', 'shopify'];
    const domain = ['--domain', `${shopId}.myshopify.com`];
    const add = cliIo();
    const code = await run(
      [
        ...addShopify,
        ...domain,
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
    expect(list.out()).toContain(s.ids.woocommerce);

    const bad = cliIo();
    expect(await run(addShopify, bad.io)).toBe(2);
    expect(bad.err()).toContain('--domain');
    const unknownPolicy = cliIo();
    const refused = await run(
      [...addShopify, ...domain, '--origin-country', 'CN', '--policy', 'nope'],
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
