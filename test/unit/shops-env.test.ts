import { describe, expect, it } from 'vitest';
import { addBody, sinceInstant } from '../../src/cli/shops';
import { CliError } from '../../src/cli/client';
import {
  ConfigError,
  DEV_SANDBOX_SHOPIFY_SECRET,
  DEV_SANDBOX_WOOCOMMERCE_SECRET,
} from '../../src/config';
import { parseShopUrl, retireSandboxShops } from '../../src/shops/shops.env';

describe('SHOP_URL, the one-store shortcut', () => {
  it('reads a Shopify store: token and secret, the store, the parameters', () => {
    expect(
      parseShopUrl(
        'shopify://shpat_abc:s%40cret@Kumo-Tea.myshopify.com?originCountry=CN&policy=default&senderName=Kumo%20Tea',
      ),
    ).toEqual({
      shopId: 'default',
      platform: 'shopify',
      domain: 'kumo-tea.myshopify.com',
      apiUrl: 'https://kumo-tea.myshopify.com',
      credentials: { accessToken: 'shpat_abc', webhookSecret: 's@cret' },
      policy: 'default',
      originCountry: 'CN',
      senderName: 'Kumo Tea',
    });
  });

  it('reads a WooCommerce store with its webhook secret, shop id and base URL', () => {
    expect(
      parseShopUrl(
        'woocommerce://ck_1:cs_2@shop.example.com?webhookSecret=w&originCountry=DE&shopId=eu&url=https://shop.example.com/store/',
      ),
    ).toMatchObject({
      shopId: 'eu',
      platform: 'woocommerce',
      domain: 'shop.example.com',
      apiUrl: 'https://shop.example.com/store',
      credentials: { consumerKey: 'ck_1', consumerSecret: 'cs_2', webhookSecret: 'w' },
    });
  });

  it.each([
    ['https://t:s@x.myshopify.com?originCountry=CN', 'scheme must be shopify:// or woocommerce://'],
    ['shopify://x.myshopify.com?originCountry=CN', 'access token and the webhook secret'],
    ['woocommerce://ck:cs@shop.example.com?originCountry=CN', 'webhookSecret'],
    ['shopify://t:s@x.myshopify.com', 'originCountry'],
    ['shopify://t:s@x.myshopify.com?originCountry=XX', 'originCountry'],
    ['shopify://t:s@x.myshopify.com?originCountry=CN&colour=red', 'unknown parameter colour'],
    ['shopify://t:s@x.myshopify.com?originCountry=CN&shopId=a/b', 'shopId'],
    ['not a url', 'is not a URL'],
  ])('refuses %s, naming SHOP_URL and the fix', (value, why) => {
    let error: unknown;
    try {
      parseShopUrl(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('SHOP_URL');
    expect(message).toContain(why);
    expect(message).toContain('Expected shopify://');
  });

  it('never repeats a credential in its messages', () => {
    const attempt = () =>
      parseShopUrl('shopify://shpat_very_secret:hush-hush@x.myshopify.com?originCountry=ZZ');
    expect(attempt).toThrow(ConfigError);
    expect(() => attempt()).not.toThrow(/shpat_very_secret|hush-hush/);
  });
});

describe('parcelwarden shops add and sync options', () => {
  it('builds the PUT body of each platform', () => {
    expect(
      addBody({
        platform: 'shopify',
        domain: 'x.myshopify.com',
        token: 't',
        'webhook-secret': 's',
        'origin-country': 'cn',
      }),
    ).toEqual({
      platform: 'shopify',
      domain: 'x.myshopify.com',
      credentials: { accessToken: 't', webhookSecret: 's' },
      originCountry: 'CN',
    });
    expect(
      addBody({ platform: 'woocommerce', url: 'https://s.example', 'origin-country': 'DE' }),
    ).toEqual({ platform: 'woocommerce', url: 'https://s.example', originCountry: 'DE' });
  });

  it.each([
    [{}, '--platform shopify'],
    [{ platform: 'magento' }, 'not "magento"'],
    [{ platform: 'shopify', 'origin-country': 'CN' }, '--domain'],
    [{ platform: 'shopify', domain: 'x.myshopify.com' }, '--origin-country'],
    [
      { platform: 'shopify', domain: 'x', 'origin-country': 'CN', token: 't' },
      'missing --webhook-secret',
    ],
    [
      { platform: 'shopify', domain: 'x', 'origin-country': 'CN', 'consumer-key': 'k' },
      '--consumer-key is not a shopify credential',
    ],
  ])('says what to fix: %j', (values, message) => {
    expect(() => addBody(values)).toThrow(CliError);
    expect(() => addBody(values)).toThrow(message);
  });

  it('takes a day as its midnight UTC and refuses what is not a date', () => {
    expect(sinceInstant('2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
    expect(sinceInstant('2026-11-01T08:00:00+01:00')).toBe('2026-11-01T07:00:00.000Z');
    expect(() => sinceInstant('last week')).toThrow('not a date');
    expect(() => sinceInstant(undefined)).toThrow('--since 2026-11-01');
  });
});

describe('sandbox shops in production mode', () => {
  const shop = (shopId: string, webhookSecret: string, removed = false) => ({
    shopId,
    removedAt: removed ? new Date() : null,
    webhookSecret,
  });
  function repo(shops: ReturnType<typeof shop>[]) {
    const removed: string[] = [];
    return {
      removed,
      get: (id: string) => Promise.resolve(shops.find((s) => s.shopId === id) as never),
      connection: (id: string) =>
        Promise.resolve({
          credentials: { webhookSecret: shops.find((s) => s.shopId === id)!.webhookSecret },
        } as never),
      remove: (id: string) => {
        removed.push(id);
        return Promise.resolve(true);
      },
    };
  }

  it('are removed when connected with the public development secrets, and only then', async () => {
    const shops = repo([
      shop('sandbox-shopify', DEV_SANDBOX_SHOPIFY_SECRET),
      shop('sandbox-woocommerce', 'a-secret-of-its-own'),
    ]);
    expect(await retireSandboxShops(shops)).toEqual(['sandbox-shopify']);
    expect(shops.removed).toEqual(['sandbox-shopify']);
    const already = repo([shop('sandbox-woocommerce', DEV_SANDBOX_WOOCOMMERCE_SECRET, true)]);
    expect(await retireSandboxShops(already)).toEqual([]);
  });
});
