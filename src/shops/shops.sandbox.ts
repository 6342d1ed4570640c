/**
 * The sandbox stores of development (`npm start`): a Shopify and a WooCommerce store that speak
 * the subset of the platforms' APIs we use and send their webhooks to this API, connected as
 * shops `sandbox-shopify` and `sandbox-woocommerce`. Production never starts them.
 */
import { createShopifySandbox } from './sandbox/shopify-sandbox';
import { createWooCommerceSandbox } from './sandbox/woocommerce-sandbox';
import { SANDBOX_SHOP_IDS, sandboxShopInput } from './shops.env';
import type { ShopRepository } from './shops.repository';

/** The sandbox Shopify store's Admin API token and WooCommerce key pair (development only). */
export const SANDBOX_SHOPIFY_TOKEN = 'shpat_sandbox_development';
export const SANDBOX_WOOCOMMERCE_KEYS = {
  consumerKey: 'ck_sandbox_development',
  consumerSecret: 'cs_sandbox_development',
};
export const SANDBOX_SHOPIFY_DOMAIN = 'sandbox-shopify.myshopify.com';

export interface SandboxStore {
  shopId: string;
  platform: 'shopify' | 'woocommerce';
  url: string;
  close(): Promise<void>;
}

export interface SandboxStoresOptions {
  /** This API's base URL: the stores send their webhooks to its receivers. */
  apiBaseUrl: string;
  shopify: { port: number; secret: string };
  woocommerce: { port: number; secret: string };
  shops: Pick<ShopRepository, 'put'>;
  /** Shop ids other than the defaults (tests sharing a database). */
  shopIds?: { shopify: string; woocommerce: string };
  /** The Shopify store's domain (default sandbox-shopify.myshopify.com). */
  shopifyDomain?: string;
  host?: string;
  log?: (m: string) => void;
}

/** Starts both sandbox stores and connects them as shops (created, or updated to match). */
export async function startSandboxStores(opts: SandboxStoresOptions): Promise<SandboxStore[]> {
  const host = opts.host ?? '127.0.0.1';
  const ids = opts.shopIds ?? SANDBOX_SHOP_IDS;
  const shopifyDomain = opts.shopifyDomain ?? SANDBOX_SHOPIFY_DOMAIN;
  const started: SandboxStore[] = [];
  try {
    const shopify = await createShopifySandbox({
      accessToken: SANDBOX_SHOPIFY_TOKEN,
      webhookSecret: opts.shopify.secret,
      shopDomain: shopifyDomain,
      webhookTarget: `${opts.apiBaseUrl}/v1/shop-webhooks/shopify`,
      log: opts.log,
    }).listen(opts.shopify.port, host);
    started.push({ shopId: ids.shopify, platform: 'shopify', ...shopify });
    await connect(opts, {
      ...sandboxShopInput('shopify', {
        url: shopify.url,
        domain: shopifyDomain,
        credentials: { accessToken: SANDBOX_SHOPIFY_TOKEN, webhookSecret: opts.shopify.secret },
      }),
      shopId: ids.shopify,
    });

    const woo = await createWooCommerceSandbox({
      ...SANDBOX_WOOCOMMERCE_KEYS,
      webhookSecret: opts.woocommerce.secret,
      webhookTarget: `${opts.apiBaseUrl}/v1/shop-webhooks/woocommerce`,
      log: opts.log,
    }).listen(opts.woocommerce.port, host);
    started.push({ shopId: ids.woocommerce, platform: 'woocommerce', ...woo });
    await connect(opts, {
      ...sandboxShopInput('woocommerce', {
        url: woo.url,
        // Its webhooks name the store by its home URL, this URL (X-WC-Webhook-Source).
        domain: new URL(woo.url).host,
        credentials: { ...SANDBOX_WOOCOMMERCE_KEYS, webhookSecret: opts.woocommerce.secret },
      }),
      shopId: ids.woocommerce,
    });
    return started;
  } catch (err) {
    for (const s of started) await s.close().catch(() => undefined);
    throw err;
  }
}

async function connect(
  opts: SandboxStoresOptions,
  input: Parameters<ShopRepository['put']>[0],
): Promise<void> {
  const outcome = await opts.shops.put(input);
  if (outcome.kind === 'domain_taken')
    throw new Error(
      `The sandbox ${input.platform} store ${input.domain} is already connected as shop "${outcome.holder}"; remove that shop or change SANDBOX_${input.platform.toUpperCase()}_PORT.`,
    );
}
