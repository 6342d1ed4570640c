/**
 * The shop round trip's test stack: the test stack (its worker reaching connected shops), the
 * API with the run's secret box, and the sandbox Shopify and WooCommerce stores connected to it
 * as shops of their own (unique ids and domains, so test files can share the database). Plus
 * small clients for the stores' development routes and a sandbox Shopify order.
 */
import { createSecretBox } from '../../src/shops/secret-box';
import { createShopRepository } from '../../src/shops/shops.repository';
import {
  SANDBOX_SHOPIFY_TOKEN,
  SANDBOX_WOOCOMMERCE_KEYS,
  startSandboxStores,
  type SandboxStore,
} from '../../src/shops/shops.sandbox';
import { serve, type ApiUnderTest } from '../api/harness';
import { uniqueId } from './factories';
import { testPayloadKey } from './payload-key';
import { startTestStack, type TestStack, type TestStackOptions } from './stack';

// The stores' answers are asserted field by field; typing each one would add nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A sandbox store's development routes, as its own clients call them. */
export interface SandboxStoreClient {
  url: string;
  post(path: string, body: unknown): Promise<Json>;
  get(path: string): Promise<Json>;
}

async function answer(res: Response, what: string): Promise<Json> {
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function storeClient(url: string, headers: Record<string, string>): SandboxStoreClient {
  return {
    url,
    async post(path, body) {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return answer(res, `POST ${path}`);
    },
    async get(path) {
      return answer(await fetch(`${url}${path}`, { headers }), `GET ${path}`);
    },
  };
}

/** The sandbox Shopify store at `url` (its Admin API token authorises the development routes). */
export function sandboxShopifyClient(url: string): SandboxStoreClient {
  return storeClient(url, { 'x-shopify-access-token': SANDBOX_SHOPIFY_TOKEN });
}

/** The sandbox WooCommerce store at `url` (HTTP Basic with its key pair). */
export function sandboxWooClient(url: string): SandboxStoreClient {
  const basic = Buffer.from(
    `${SANDBOX_WOOCOMMERCE_KEYS.consumerKey}:${SANDBOX_WOOCOMMERCE_KEYS.consumerSecret}`,
  ).toString('base64');
  return storeClient(url, { authorization: `Basic ${basic}` });
}

/** A line of a sandbox Shopify order (`price` as Shopify's REST API writes it, or a number). */
export interface SandboxShopifyItem {
  title: string;
  sku?: string;
  quantity: number;
  price: string | number;
}

/**
 * An order for the sandbox Shopify store's `POST /sandbox/orders`, fulfilled by UPS with
 * `tracking`: Ada Buyer at 1 Market St, San Francisco (the buyer and address of `aRegistration`).
 */
export function aSandboxShopifyOrder(order: {
  tracking: string;
  items: SandboxShopifyItem[];
  email?: string;
  locale?: string;
  currency?: string;
}) {
  return {
    customer: {
      firstName: 'Ada',
      lastName: 'Buyer',
      email: order.email ?? `${uniqueId('ada')}@example.com`,
    },
    ...(order.locale === undefined ? {} : { locale: order.locale }),
    currency: order.currency ?? 'USD',
    shippingAddress: {
      firstName: 'Ada',
      lastName: 'Buyer',
      address1: '1 Market St',
      city: 'San Francisco',
      provinceCode: 'CA',
      zip: '94105',
      countryCode: 'US',
    },
    items: order.items,
    fulfill: { trackingCompany: 'UPS', trackingNumber: order.tracking },
  };
}

export interface ShopStack {
  stack: TestStack;
  api: ApiUnderTest;
  stores: SandboxStore[];
  ids: { shopify: string; woocommerce: string };
  /** The secrets the stores sign their webhooks with. */
  secrets: { shopify: string; woocommerce: string };
  shopifyDomain: string;
  shopify: SandboxStoreClient;
  woo: SandboxStoreClient;
  stop(): Promise<void>;
}

/**
 * Starts the stack with `shops: true`, serves the API with the run's secret box (the worker opens
 * the credentials it sealed) and connects both sandbox stores to it.
 */
export async function startShopStack(
  opts: { stack?: Omit<TestStackOptions, 'shops'> } = {},
): Promise<ShopStack> {
  const box = createSecretBox(testPayloadKey());
  const ids = { shopify: uniqueId('rt-shopify'), woocommerce: uniqueId('rt-woo') };
  const secrets = { shopify: uniqueId('shopify-secret'), woocommerce: uniqueId('woo-secret') };
  const shopifyDomain = `${uniqueId('round-trip')}.myshopify.com`;
  const stack = await startTestStack({ ...opts.stack, shops: true });
  let api: ApiUnderTest | undefined;
  try {
    api = await serve({
      db: stack.db,
      temporal: stack.client,
      taskQueue: stack.taskQueue,
      queryTimeoutMs: 1500,
      secretBox: box,
    });
    const stores = await startSandboxStores({
      apiBaseUrl: api.url,
      shopify: { port: 0, secret: secrets.shopify },
      woocommerce: { port: 0, secret: secrets.woocommerce },
      shops: createShopRepository(stack.db, box),
      shopIds: ids,
      shopifyDomain,
    });
    const urlOf = (platform: SandboxStore['platform']) =>
      stores.find((s) => s.platform === platform)!.url;
    const served = api;
    return {
      stack,
      api: served,
      stores,
      ids,
      secrets,
      shopifyDomain,
      shopify: sandboxShopifyClient(urlOf('shopify')),
      woo: sandboxWooClient(urlOf('woocommerce')),
      async stop() {
        for (const s of stores) await s.close();
        await served.close();
        await stack.stop();
      },
    };
  } catch (err) {
    await api?.close().catch(() => undefined);
    await stack.stop().catch(() => undefined);
    throw err;
  }
}
