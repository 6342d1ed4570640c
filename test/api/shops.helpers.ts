/**
 * A stand-in Shopify module for the shop route tests: it reads a small JSON shape of its own
 * (`{order: ShopOrder}`, `{id}` for a cancellation), signs as Shopify does (base64 HMAC-SHA256 of
 * the raw body) and pages a list of orders for backfill. What it stands for is the interface of
 * src/shops/platform.ts, which the routes, intake and sync speak; the real modules have their own
 * tests.
 */
import { createHmac, randomInt } from 'node:crypto';
import { z } from 'zod';
import {
  ShopPayloadError,
  type HeaderBag,
  type ShopApi,
  type ShopOrder,
  type ShopPlatformModule,
} from '../../src/shops/platform';

const headerOf = (h: HeaderBag, name: string) => {
  const v = h[name];
  return (Array.isArray(v) ? v[0] : v) || undefined;
};

export const sign = (raw: string, secret: string) =>
  createHmac('sha256', secret).update(raw).digest('base64');

const orderBody = z.object({ order: z.object({ orderId: z.string() }).passthrough() });
const cancelledBody = z.object({ id: z.string() });

export interface FakeShopify {
  module: ShopPlatformModule;
  /** Orders the shop lists for backfill, by shop id. */
  orders: Map<string, ShopOrder[]>;
  /** Orders per page of listFulfilledOrders. */
  pageSize: number;
}

export function fakeShopify(): FakeShopify {
  const fake: FakeShopify = { orders: new Map(), pageSize: 2, module: undefined as never };
  fake.module = {
    platform: 'shopify',
    receiver: {
      platform: 'shopify',
      shopDomain: (h) => headerOf(h, 'x-shopify-shop-domain'),
      webhookId: (h) => headerOf(h, 'x-shopify-webhook-id'),
      topic: (h) => headerOf(h, 'x-shopify-topic'),
      verify: (raw, h, secret) =>
        Promise.resolve(headerOf(h, 'x-shopify-hmac-sha256') === sign(raw.toString(), secret)),
      read(topic, body) {
        if (topic === 'orders/cancelled') {
          const parsed = cancelledBody.safeParse(body);
          if (!parsed.success)
            throw new ShopPayloadError('not a cancelled order', [
              { path: 'id', message: 'required' },
            ]);
          return Promise.resolve({ kind: 'cancelled', orderId: parsed.data.id });
        }
        if (topic === 'orders/fulfilled') {
          const parsed = orderBody.safeParse(body);
          if (!parsed.success)
            throw new ShopPayloadError('not an order', [{ path: 'order', message: 'required' }]);
          return Promise.resolve({
            kind: 'order',
            order: parsed.data.order as unknown as ShopOrder,
          });
        }
        return Promise.resolve({ kind: 'ignored', reason: `topic ${topic} is not read` });
      },
    },
    createApi(connection): ShopApi {
      const all = () => fake.orders.get(connection.shopId) ?? [];
      return {
        listFulfilledOrders({ since, cursor }) {
          const orders = all().filter((o) => Date.parse(o.createdAt) >= since.getTime());
          const from = cursor ? Number(cursor) : 0;
          const next = from + fake.pageSize;
          return Promise.resolve({
            orders: orders.slice(from, next),
            nextCursor: next < orders.length ? String(next) : undefined,
            total: orders.length,
          });
        },
        getOrder: (orderId) => Promise.resolve(all().find((o) => o.orderId === orderId)),
        createReplacementOrder: () => Promise.reject(new Error('not used by these tests')),
        refund: () => Promise.reject(new Error('not used by these tests')),
      };
    },
  };
  return fake;
}

/** An order as a Shopify store in Germany would hand it to intake, with one fulfillment. */
export function anOrder(overrides: Partial<ShopOrder> = {}): ShopOrder {
  const n = randomInt(1_000_000_000, 9_999_999_999);
  return {
    orderId: `gid://shopify/Order/${n}`,
    orderName: `#${n % 100_000}`,
    createdAt: '2026-11-03T10:00:00Z',
    currency: 'EUR',
    totalValue: 59.8,
    locale: 'de-DE',
    customer: { name: 'Grete Kunde', email: `grete.${n}@example.com` },
    shippingAddress: {
      country: 'DE',
      name: 'Grete Kunde',
      line1: 'Hauptstraße 1',
      city: 'Berlin',
      postalCode: '10115',
    },
    lineItems: [
      { title: 'Blue Mug', sku: 'MUG-1', quantity: 2, unitPrice: 19.9, variantId: '4711' },
      { title: 'Wool Cap', quantity: 1, unitPrice: 20, variantId: '4712' },
    ],
    fulfillments: [
      {
        fulfillmentId: String(n),
        status: 'active',
        trackingCompany: 'DHL Express',
        trackingNumber: `JD${n}`,
        shippedAt: '2026-11-04T08:30:00Z',
      },
    ],
    ...overrides,
  };
}
