/**
 * The sandbox WooCommerce store: the webhooks it sends are the ones our receiver reads (headers,
 * signature, body), and its key check refuses what WooCommerce refuses.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShopApi, ShopWebhookAction } from '../../src/shops/platform';
import {
  createWooCommerceSandbox,
  type WooCommerceSandbox,
} from '../../src/shops/sandbox/woocommerce-sandbox';
import {
  isWooCommercePing,
  wooCommerceDomain,
  wooCommercePlatform,
} from '../../src/shops/woocommerce';
import { aRegistration } from '../helpers/factories';

const KEYS = {
  consumerKey: 'ck_sandbox_test_key',
  consumerSecret: 'cs_sandbox_test_secret',
  webhookSecret: 'sandbox-webhook-secret',
};
const receiver = wooCommercePlatform.receiver;

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

let received: Received[];
let hook: Server;
let sandbox: WooCommerceSandbox;
let url: string;
let closeStore: () => Promise<void>;

beforeEach(async () => {
  received = [];
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const target = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/v1/shop-webhooks/woocommerce`;
  sandbox = createWooCommerceSandbox({ ...KEYS, webhookTarget: target });
  const server = await sandbox.listen(0, '127.0.0.1');
  url = server.url;
  closeStore = server.close;
});

afterEach(async () => {
  await closeStore();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
});

async function dev(method: string, path: string, body?: unknown, auth = true) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(auth
        ? {
            Authorization: `Basic ${Buffer.from(`${KEYS.consumerKey}:${KEYS.consumerSecret}`).toString('base64')}`,
          }
        : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** What our receiver makes of a delivery the sandbox sent, after checking its signature. */
async function readDelivery(d: Received): Promise<ShopWebhookAction> {
  expect(await receiver.verify(d.raw, d.headers, KEYS.webhookSecret)).toBe(true);
  const topic = receiver.topic(d.headers)!;
  return receiver.read(topic, JSON.parse(d.raw.toString()), {} as ShopApi);
}

describe('webhooks of the sandbox store', () => {
  it('an order with tracking sends order.created then a signed order.updated that reads as an order', async () => {
    const created = await dev('POST', '/sandbox/orders', {
      tracking: { tracking_provider: 'DHL', tracking_number: 'JJD000390007788' },
    });
    expect(created.status).toBe(201);
    const orderId = (created.body.order as { id: number }).id;
    expect(created.body.webhooks).toMatchObject([
      { topic: 'order.created', status: 200 },
      { topic: 'order.updated', status: 200 },
    ]);
    expect(received).toHaveLength(2);
    const [first, second] = received as [Received, Received];
    expect(second.headers).toMatchObject({
      'content-type': 'application/json',
      'x-wc-webhook-source': `${url}/`,
      'x-wc-webhook-topic': 'order.updated',
      'x-wc-webhook-resource': 'order',
      'x-wc-webhook-event': 'updated',
      'x-wc-webhook-id': '12',
    });
    expect(second.headers['user-agent']).toMatch(
      /^WooCommerce\/[\d.]+ Hookshot \(WordPress\/[\d.]+\)$/,
    );
    expect(receiver.webhookId(second.headers)).toMatch(/^[0-9a-f]{32}$/);
    expect(receiver.webhookId(second.headers)).not.toBe(receiver.webhookId(first.headers));
    expect(receiver.shopDomain(second.headers)).toBe(wooCommerceDomain(url));

    expect(await readDelivery(first)).toMatchObject({ kind: 'ignored' }); // no tracking yet
    const action = await readDelivery(second);
    expect(action).toMatchObject({
      kind: 'order',
      order: {
        orderId: String(orderId),
        customer: { name: 'Lena Vogel', email: 'lena.vogel@example.com' },
        shippingAddress: { country: 'DE', city: 'Berlin', line1: 'Torstraße 112' },
        fulfillments: [{ trackingCompany: 'DHL', trackingNumber: 'JJD000390007788' }],
      },
    });
    // PHP's encoding: the body carries `\/` and `\u00df` (ß), and is signed over those bytes.
    expect(second.raw.toString()).toContain('Torstra\\u00dfe');
  });

  it('a tracking number replaced keeps its item id, so it reads as the same parcel', async () => {
    const created = await dev('POST', '/sandbox/orders', {
      tracking: { tracking_provider: 'UPS', tracking_number: '1Z999AA10123456784' },
    });
    const orderId = (created.body.order as { id: number }).id;
    const before = (await readDelivery(received[1]!)) as Extract<
      ShopWebhookAction,
      { kind: 'order' }
    >;
    const trackingId = before.order.fulfillments[0]!.fulfillmentId.split('-')[1];
    const replaced = await dev('POST', `/sandbox/orders/${orderId}/tracking`, {
      tracking_provider: 'UPS',
      tracking_number: '1Z999AA10123456799',
      replace_tracking_id: trackingId,
    });
    expect(replaced.status).toBe(201);
    const after = (await readDelivery(received[2]!)) as Extract<
      ShopWebhookAction,
      { kind: 'order' }
    >;
    expect(after.order.fulfillments).toEqual([
      expect.objectContaining({
        fulfillmentId: before.order.fulfillments[0]!.fulfillmentId,
        trackingNumber: '1Z999AA10123456799',
      }),
    ]);
  });

  it('a cancelled order sends order.updated that reads as cancelled', async () => {
    const created = await dev('POST', '/sandbox/orders', {
      tracking: { tracking_provider: 'DHL', tracking_number: 'JJD000390007799' },
    });
    const orderId = (created.body.order as { id: number }).id;
    expect((await dev('POST', `/sandbox/orders/${orderId}/cancel`)).status).toBe(200);
    expect(await readDelivery(received.at(-1)!)).toEqual({
      kind: 'cancelled',
      orderId: String(orderId),
    });
  });

  it('the ping is the unsigned form body WooCommerce sends, and our receiver knows it', async () => {
    await dev('POST', '/sandbox/webhooks/ping');
    const [ping] = received;
    expect(ping!.raw.toString()).toBe('webhook_id=12');
    expect(ping!.headers['x-wc-webhook-topic']).toBeUndefined();
    expect(isWooCommercePing(ping!.headers, ping!.raw)).toBe(true);
  });

  it('a replacement order made through the REST API is sent, and read as ours (ignored)', async () => {
    const created = await dev('POST', '/sandbox/orders', {
      tracking: { tracking_provider: 'DHL', tracking_number: 'JJD000390007800' },
    });
    const originalId = (created.body.order as { id: number }).id;
    const api = wooCommercePlatform.createApi(
      {
        shopId: 'sandbox-woocommerce',
        platform: 'woocommerce',
        domain: wooCommerceDomain(url)!,
        apiUrl: url,
        credentials: KEYS,
        policy: 'default',
        originCountry: 'DE',
      },
      {},
    );
    await api.createReplacementOrder({
      idempotencyKey: 'k',
      original: aRegistration({
        shop: {
          shopId: 'sandbox-woocommerce',
          platform: 'woocommerce',
          orderId: String(originalId),
        },
      }),
      replacementShipmentId: 'S~R1',
      carrier: 'dhl',
      carrierName: 'DHL',
      trackingNumber: 'JJD000390007801',
    });
    await sandbox.settled();
    const later = received.slice(2);
    expect(later.map((d) => d.headers['x-wc-webhook-topic'])).toEqual([
      'order.created',
      'order.updated',
    ]);
    for (const d of later) expect(await readDelivery(d)).toMatchObject({ kind: 'ignored' });
  });
});

describe('keys of the sandbox store', () => {
  it('the development routes want the key pair as HTTP Basic', async () => {
    expect((await dev('GET', '/sandbox/orders', undefined, false)).status).toBe(401);
    expect((await dev('GET', '/sandbox/orders')).status).toBe(200);
  });

  it('over http, Basic credentials are not taken for the REST API (WooCommerce wants OAuth)', async () => {
    const res = await fetch(`${url}/wp-json/wc/v3/orders`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`${KEYS.consumerKey}:${KEYS.consumerSecret}`).toString('base64')}`,
      },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      code: 'woocommerce_rest_cannot_view',
      data: { status: 401 },
    });
  });

  it('a signed request sent again is refused: its nonce is used', async () => {
    const urls: string[] = [];
    const api = wooCommercePlatform.createApi(
      {
        shopId: 's',
        platform: 'woocommerce',
        domain: 'x',
        apiUrl: url,
        credentials: KEYS,
        policy: 'default',
        originCountry: 'DE',
      },
      {
        fetch: (input, init) => {
          urls.push(input instanceof Request ? input.url : String(input));
          return fetch(input, init);
        },
      },
    );
    await api.getOrder('1');
    const replay = await fetch(urls[0]!);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({
      message: 'Invalid nonce - nonce has already been used.',
    });
  });
});
