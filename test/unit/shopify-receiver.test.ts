import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ShopPayloadError, type ShopApi, type ShopOrder } from '../../src/shops/platform';
import { shopifyPlatform } from '../../src/shops/shopify';

const receiver = shopifyPlatform.receiver;
const SECRET = 'shpss_0123456789abcdef0123456789abcdef';

/** A payload copied from shopify.dev (test/fixtures/shopify; each file names its source). */
function fixture(name: string): Record<string, unknown> {
  const file = JSON.parse(
    readFileSync(new URL(`../fixtures/shopify/${name}.json`, import.meta.url), 'utf8'),
  ) as { source: string; payload: Record<string, unknown> };
  expect(file.source).toMatch(/^https:\/\/shopify\.dev\/docs\/api\/webhooks\//);
  return file.payload;
}

/**
 * Shopify's orders/fulfilled sample has no fulfillments (and is marked cancelled); a real
 * delivery for a shipped order carries its fulfillment, the fulfillments/create sample of the same
 * page (same order id).
 */
function fulfilledOrder(): Record<string, unknown> {
  const { order_id: _orderId, ...fulfillment } = fixture('fulfillments-create');
  return {
    ...fixture('orders-fulfilled'),
    cancelled_at: null,
    cancel_reason: null,
    fulfillment_status: 'fulfilled',
    fulfillments: [{ ...fulfillment, status: 'success' }],
  };
}

function signedHeaders(raw: Buffer, secret = SECRET, topic = 'orders/fulfilled') {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(raw).digest('base64'),
    'x-shopify-shop-domain': 'jsmith.myshopify.com',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-api-version': '2026-07',
    'x-shopify-triggered-at': '2026-12-07T04:00:00.000Z',
  };
}

const noApi: ShopApi = {
  getOrder: () => Promise.reject(new Error('not expected')),
  listFulfilledOrders: () => Promise.reject(new Error('not expected')),
  createReplacementOrder: () => Promise.reject(new Error('not expected')),
  refund: () => Promise.reject(new Error('not expected')),
};

describe('Shopify webhook signatures', () => {
  const raw = Buffer.from(JSON.stringify(fulfilledOrder()));

  it('an orders/fulfilled delivery signed with the store secret verifies', async () => {
    expect(await receiver.verify(raw, signedHeaders(raw), SECRET)).toBe(true);
  });

  it('a body with one byte changed does not verify', async () => {
    const changed = Buffer.from(raw);
    changed[20] = changed[20]! ^ 1;
    expect(await receiver.verify(changed, signedHeaders(raw), SECRET)).toBe(false);
  });

  it('a delivery signed with another secret does not verify', async () => {
    const headers = signedHeaders(raw, 'shpss_another_app_secret');
    expect(await receiver.verify(raw, headers, SECRET)).toBe(false);
  });

  it('a delivery without its signature header does not verify', async () => {
    const { 'x-shopify-hmac-sha256': _sig, ...headers } = signedHeaders(raw);
    expect(await receiver.verify(raw, headers, SECRET)).toBe(false);
  });

  it('the store, delivery id and topic come from the Shopify headers', () => {
    const headers = signedHeaders(raw);
    expect(receiver.shopDomain(headers)).toBe('jsmith.myshopify.com');
    expect(receiver.webhookId(headers)).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    expect(receiver.topic(headers)).toBe('orders/fulfilled');
    expect(receiver.shopDomain({})).toBeUndefined();
  });
});

describe('reading Shopify order topics', () => {
  it('a fulfilled order gives its address, customer, locale, items, currency, value and parcel', async () => {
    const action = await receiver.read('orders/fulfilled', fulfilledOrder(), noApi);
    expect(action.kind).toBe('order');
    const order = (action as { order: ShopOrder }).order;
    // From admin_graphql_api_id: the numeric id of the sample is past 2^53 and JSON.parse rounds it.
    expect(order.orderId).toBe('gid://shopify/Order/820982911946154508');
    expect(order.orderName).toBe('#9999');
    expect(order.currency).toBe('USD');
    expect(order.totalValue).toBe(414.95);
    expect(order.locale).toBe('en');
    expect(order.cancelledAt).toBeUndefined();
    expect(order.customer).toEqual({ name: 'John Smith', email: 'jon@example.com' });
    expect(order.shippingAddress).toEqual({
      country: 'US',
      name: 'Steve Shipper',
      line1: '123 Shipping Street',
      line2: undefined,
      city: 'Shippington',
      region: 'KY',
      postalCode: '40003',
    });
    expect(order.lineItems).toHaveLength(5);
    expect(order.lineItems[0]).toEqual({
      title: 'Aviator sunglasses',
      sku: 'SKU2006-001',
      quantity: 1,
      unitPrice: 89.99,
      variantId: undefined,
    });
    expect(order.lineItems.map((i) => i.unitPrice)).toEqual([89.99, 19.99, 24.99, 159.99, 119.99]);
    expect(order.fulfillments).toEqual([
      expect.objectContaining({
        fulfillmentId: '123456',
        status: 'active',
        trackingCompany: 'UPS',
        trackingNumber: '1z827wk74630',
        trackingUrl:
          'https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630',
        shippedAt: '2021-12-31T19:00:00-05:00',
      }),
    ]);
    expect(order.fulfillments[0]!.lineItems?.map((i) => i.sku)).toContain('CASE-LEATHER-PREM');
  });

  it('variant ids become Admin API global ids, so a replacement order names the same product', async () => {
    const body = fulfilledOrder();
    (body.line_items as Record<string, unknown>[])[0]!.variant_id = 49148385;
    const action = await receiver.read('orders/partially_fulfilled', body, noApi);
    const order = (action as { order: ShopOrder }).order;
    expect(order.lineItems[0]!.variantId).toBe('gid://shopify/ProductVariant/49148385');
  });

  it('a failed or cancelled fulfillment is read as cancelled', async () => {
    for (const status of ['cancelled', 'failure', 'error']) {
      const body = fulfilledOrder();
      (body.fulfillments as Record<string, unknown>[])[0]!.status = status;
      const action = await receiver.read('orders/updated', body, noApi);
      expect((action as { order: ShopOrder }).order.fulfillments[0]!.status).toBe('cancelled');
    }
  });

  it("Shopify's sample order without fulfillments asks nothing of intake", async () => {
    const action = await receiver.read('orders/fulfilled', fixture('orders-fulfilled'), noApi);
    expect(action).toEqual({ kind: 'ignored', reason: 'the order has no fulfillments yet' });
  });

  it('a replacement order Parcelwarden created is not taken in again', async () => {
    const body = { ...fulfilledOrder(), tags: 'parcelwarden-replacement, pw-0123456789abcdef0123' };
    const action = await receiver.read('orders/fulfilled', body, noApi);
    expect(action.kind).toBe('ignored');
  });

  it('a body without the fulfillments of an order is refused with the field named', async () => {
    const { fulfillments: _f, ...body } = fulfilledOrder();
    const err = await receiver.read('orders/fulfilled', body, noApi).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopPayloadError);
    expect((err as ShopPayloadError).errors.map((e) => e.path)).toEqual(['fulfillments']);
  });

  it('a fulfillment without its id and status is refused with each field named', async () => {
    const body = { ...fulfilledOrder(), fulfillments: [{ tracking_number: '1Z999' }] };
    const err = await receiver.read('orders/fulfilled', body, noApi).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopPayloadError);
    const paths = (err as ShopPayloadError).errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'fulfillments.0.id',
        'fulfillments.0.status',
        'fulfillments.0.created_at',
      ]),
    );
  });

  it('orders/cancelled names the order to cancel', async () => {
    // Shopify's orders/cancelled sample is the same order as its orders/fulfilled sample.
    const action = await receiver.read('orders/cancelled', fixture('orders-fulfilled'), noApi);
    expect(action).toEqual({
      kind: 'cancelled',
      orderId: 'gid://shopify/Order/820982911946154508',
    });
  });

  it('a topic intake does not act on is ignored', async () => {
    const action = await receiver.read('products/update', { id: 1 }, noApi);
    expect(action.kind).toBe('ignored');
  });
});

describe('reading Shopify fulfillment topics', () => {
  const stored: ShopOrder = {
    orderId: 'gid://shopify/Order/5900000001234',
    orderName: '#1001',
    createdAt: '2026-12-01T10:00:00Z',
    currency: 'EUR',
    totalValue: 120,
    locale: 'de',
    customer: { name: 'Erika Mustermann', email: 'erika@example.com' },
    shippingAddress: {
      country: 'DE',
      name: 'Erika Mustermann',
      line1: 'Heidestraße 17',
      city: 'Köln',
      postalCode: '51147',
    },
    lineItems: [{ title: 'Aviator sunglasses', sku: 'SKU2006-001', quantity: 1, unitPrice: 120 }],
    fulfillments: [
      {
        fulfillmentId: '123456',
        status: 'active',
        trackingCompany: 'UPS',
        trackingNumber: 'OLD-NUMBER',
        shippedAt: '2026-12-02T10:00:00Z',
      },
      {
        fulfillmentId: '777',
        status: 'active',
        trackingNumber: 'OTHER',
        shippedAt: '2026-12-02T10:00:00Z',
      },
    ],
  };

  // The sample's order id is past 2^53 (JSON.parse rounds it); real stores' ids are not.
  const payload = () => ({ ...fixture('fulfillments-create'), order_id: 5900000001234 });

  it('fulfillments/update fetches the order and carries the changed tracking', async () => {
    const getOrder = vi.fn(async () => structuredClone(stored));
    const action = await receiver.read('fulfillments/update', payload(), { ...noApi, getOrder });
    expect(getOrder).toHaveBeenCalledWith('gid://shopify/Order/5900000001234');
    expect(action.kind).toBe('order');
    const order = (action as { order: ShopOrder }).order;
    expect(order.customer.email).toBe('erika@example.com');
    const byId = new Map(order.fulfillments.map((f) => [f.fulfillmentId, f]));
    expect(byId.get('123456')?.trackingNumber).toBe('1z827wk74630');
    expect(byId.get('777')?.trackingNumber).toBe('OTHER');
    expect(order.fulfillments).toHaveLength(2);
  });

  it('fulfillments/create for an order the store no longer has is ignored', async () => {
    const action = await receiver.read('fulfillments/create', payload(), {
      ...noApi,
      getOrder: async () => undefined,
    });
    expect(action.kind).toBe('ignored');
  });

  it('a fulfillment body without its order is refused', async () => {
    const { order_id: _o, ...body } = payload();
    const err = await receiver.read('fulfillments/create', body, noApi).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopPayloadError);
    expect((err as ShopPayloadError).errors.map((e) => e.path)).toEqual(['order_id']);
  });
});
