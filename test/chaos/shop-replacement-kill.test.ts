/**
 * The worker killed while the replacement order is being made in the shop. A small HTTP layer in
 * front of the sandbox Shopify store holds the GraphQL call that carries `orderCreate`; once it is
 * held the worker (a child process, as `npm run worker` runs it) gets SIGKILL, then the call is
 * let through: the store makes the order for a worker that is gone and never hears the answer.
 * The worker comes back, the activity is retried after its start-to-close timeout (1 minute) and
 * must find the order by its tag instead of making a second one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipments, shopOrders } from '../../src/db/schema';
import { createSecretBox } from '../../src/shops/secret-box';
import { REPLACEMENT_TAG } from '../../src/shops/shopify';
import { createShopRepository } from '../../src/shops/shops.repository';
import { startSandboxStores, type SandboxStore } from '../../src/shops/shops.sandbox';
import { aFastPolicy, insertWarehouse, uniqueId } from '../helpers/factories';
import {
  aSandboxShopifyOrder,
  sandboxShopifyClient,
  type SandboxStoreClient,
} from '../helpers/shop-stack';
import { waitUntil } from '../helpers/wait';
import { startChaosStack, type ChaosStack } from './harness';

// Store answers and API bodies are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Forwards everything to the store; holds the first call whose body contains `marker` when armed. */
interface HoldingProxy {
  url: string;
  arm(marker: string): void;
  /** Whether a call is being held. */
  holding(): boolean;
  /** Lets the held call through; resolves with the store's status once it answered. */
  release(): Promise<number>;
  close(): Promise<void>;
}

async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  let marker: string | undefined;
  let held: { forward: () => Promise<number> } | undefined;

  async function forward(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k))
        headers[k] = v;
    }
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      ...(body.length ? { body } : {}),
    });
    const text = Buffer.from(await answer.arrayBuffer());
    if (!res.destroyed) {
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
        ...(answer.headers.get('retry-after')
          ? { 'retry-after': answer.headers.get('retry-after')! }
          : {}),
      });
      res.end(text);
    }
    return answer.status;
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (marker && body.toString().includes(marker)) {
        marker = undefined;
        held = { forward: () => forward(req, body, res) };
        return;
      }
      forward(req, body, res).catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arm: (m) => {
      marker = m;
    },
    holding: () => held !== undefined,
    async release() {
      const call = held;
      held = undefined;
      if (!call) throw new Error('no call is held');
      return call.forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const began = Date.now();
const log = (m: string) =>
  console.log(`[shop-replacement-kill +${((Date.now() - began) / 1000).toFixed(1)}s] ${m}`);

let stack: ChaosStack;
let stores: SandboxStore[] = [];
let proxy: HoldingProxy;
let shopify: SandboxStoreClient;
const shopId = uniqueId('chaos-shopify');
const shopifyDomain = `${uniqueId('chaos')}.myshopify.com`;
const policy = uniqueId('chaos-shop').toLowerCase();

beforeAll(async () => {
  stack = await startChaosStack({ name: 'shop-replacement-kill', log });
  const { name: _name, ...body } = aFastPolicy(policy);
  expect((await stack.api.call('PUT', `/v1/policies/${policy}`, body)).status).toBe(200);
  stores = await startSandboxStores({
    apiBaseUrl: stack.api.url,
    shopify: { port: 0, secret: uniqueId('shopify-secret') },
    woocommerce: { port: 0, secret: uniqueId('woo-secret') },
    // Sealed with the worker's PAYLOAD_KEY, as the chaos API seals them.
    shops: createShopRepository(stack.db, createSecretBox(stack.env.PAYLOAD_KEY!)),
    shopIds: { shopify: shopId, woocommerce: uniqueId('chaos-woo') },
    shopifyDomain,
  });
  const storeUrl = stores.find((x) => x.platform === 'shopify')!.url;
  shopify = sandboxShopifyClient(storeUrl);
  proxy = await startHoldingProxy(storeUrl);
  // The shop's API is reached through the proxy; its webhooks still come from the store.
  const put = await stack.api.call('PUT', `/v1/shops/${shopId}`, {
    platform: 'shopify',
    domain: shopifyDomain,
    url: proxy.url,
    policy,
    originCountry: 'CN',
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  await stack.worker.start();
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  for (const s of stores) await s.close();
  await stack?.stop();
}, 120_000);

const view = async (id: string) =>
  (await stack.api.call('GET', `/v1/shipments/${encodeURIComponent(id)}`)).body;

describe('the worker killed while the replacement order is being made in the shop', () => {
  it('still leaves exactly one replacement order in the store, shown as reship.shopOrder', async () => {
    const sku = uniqueId('MUG');
    await insertWarehouse(stack.db, { country: 'US', kind: 'overseas', stock: { [sku]: 5 } });
    const tracking = `1Z${Date.now()}`;
    stack.sandbox.store.addEvents(tracking, []);
    const { order } = await shopify.post(
      '/sandbox/orders',
      aSandboxShopifyOrder({
        tracking,
        items: [{ title: 'Blue Mug', sku, quantity: 1, price: '19.90' }],
      }),
    );
    const shipmentId = `shopify-${order.fulfillments[0].id}`;
    await waitUntil(
      `${shipmentId} registered`,
      async () =>
        (await stack.db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId)))[0],
      (r) => r !== undefined,
      5000,
    );

    proxy.arm('orderCreate');
    const pushed = await stack.api.call('POST', '/v1/tracking-events', {
      events: [
        {
          carrier: 'ups',
          trackingNumber: tracking,
          eventId: uniqueId('EV'),
          occurredAt: new Date().toISOString(),
          status: 'in_transit',
        },
      ],
    });
    expect(pushed.body).toMatchObject({ accepted: 1 });
    await waitUntil(
      `${shipmentId} awaiting review`,
      () => view(shipmentId),
      (v) => v?.stage === 'awaiting_review',
      45_000,
    );
    const decided = await stack.api.call(
      'POST',
      `/v1/shipments/${encodeURIComponent(shipmentId)}/review`,
      { decision: 'reship', reviewer: 'olga@ops' },
    );
    expect(decided.status).toBe(200);

    await waitUntil('the orderCreate call held', async () => proxy.holding(), Boolean, 45_000, 50);
    log('orderCreate held: killing the worker');
    await stack.worker.kill('SIGKILL');
    expect(await proxy.release()).toBe(200);
    const replacementsOf = async () =>
      ((await shopify.get('/sandbox/orders')).orders as Json[]).filter((o) =>
        o.note_attributes.some(
          (a: { name: string; value: string }) =>
            a.name === 'parcelwarden_original_shipment' && a.value === shipmentId,
        ),
      );
    // The store made the order for a worker that is gone (not fulfilled yet: nobody asked).
    const madeForTheDead = await replacementsOf();
    expect(madeForTheDead).toHaveLength(1);
    expect(madeForTheDead[0].fulfillments).toEqual([]);
    log('the store made the order for the killed worker; starting the worker again');
    await stack.worker.start();

    // The activity's start-to-close timeout (1 minute) ends the lost attempt; the retry adopts it.
    const shown = await waitUntil(
      `${shipmentId} showing its replacement order`,
      () => view(shipmentId),
      (v) => v?.reship?.shopOrder !== undefined,
      100_000,
      500,
    );
    const replacements = await replacementsOf();
    expect(replacements).toHaveLength(1);
    const [replacement] = replacements;
    expect(replacement.tags.split(', ')).toContain(REPLACEMENT_TAG);
    expect(replacement.id).toBe(madeForTheDead[0].id);
    expect(replacement.fulfillments.map((f: Json) => f.tracking_number)).toEqual([
      shown.reship.trackingNumber,
    ]);
    expect(shown.reship.shopOrder).toMatchObject({ shopId, orderName: replacement.name });
    const [row] = await stack.db
      .select()
      .from(shopOrders)
      .where(eq(shopOrders.shipmentId, shipmentId));
    expect(row).toMatchObject({ status: 'created', attempts: 2 });
    expect(stack.worker.starts()).toBe(2);
  }, 200_000);
});
