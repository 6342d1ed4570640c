import { describe, expect, it } from 'vitest';
import type { ShopConnection, ShopOrder } from '../../src/shops/platform';
import { carrierOf, planOrder, skuOf, slug } from '../../src/shops/shops.intake';

const shop: ShopConnection = {
  shopId: 'kumo',
  platform: 'shopify',
  domain: 'kumo.myshopify.com',
  apiUrl: 'https://kumo.myshopify.com',
  credentials: { accessToken: 't', webhookSecret: 's' },
  policy: 'gentle',
  originCountry: 'CN',
};

function order(overrides: Partial<ShopOrder> = {}): ShopOrder {
  return {
    orderId: 'gid://shopify/Order/1',
    orderName: '#1001',
    createdAt: '2026-11-03T10:00:00Z',
    currency: 'USD',
    totalValue: 50,
    customer: { name: 'Ada Buyer', email: 'ada@example.com' },
    shippingAddress: {
      country: 'US',
      name: 'Ada Buyer',
      line1: '1 Market St',
      city: 'San Francisco',
      postalCode: '94105',
    },
    lineItems: [
      { title: 'Blue Mug', sku: 'MUG-1', quantity: 2, unitPrice: 10.1 },
      { title: 'Wool Cap', quantity: 1, unitPrice: 29.85, variantId: '77' },
    ],
    fulfillments: [
      {
        fulfillmentId: '501',
        status: 'active',
        trackingCompany: 'DHL Express',
        trackingNumber: 'JD0001',
        shippedAt: '2026-11-04T08:00:00Z',
      },
    ],
    ...overrides,
  };
}

describe('a shop order as shipment registrations', () => {
  it('registers a fulfillment with tracking as <platform>-<fulfillment id>, in the seller’s words', () => {
    const [plan] = planOrder(shop, order());
    expect(plan).toEqual({
      kind: 'register',
      fulfillmentId: '501',
      registration: {
        shipmentId: 'shopify-501',
        orderId: '#1001',
        marketplace: 'shopify',
        carrier: 'dhl',
        trackingNumber: 'JD0001',
        policy: 'gentle',
        origin: { country: 'CN' },
        destination: order().shippingAddress,
        customer: { name: 'Ada Buyer', email: 'ada@example.com', locale: 'en' },
        items: [
          { sku: 'MUG-1', title: 'Blue Mug', quantity: 2, unitPrice: 10.1 },
          { sku: 'variant-77', title: 'Wool Cap', quantity: 1, unitPrice: 29.85, variantId: '77' },
        ],
        currency: 'USD',
        declaredValue: 50.05,
        shippedAt: '2026-11-04T08:00:00Z',
        shop: {
          shopId: 'kumo',
          platform: 'shopify',
          orderId: 'gid://shopify/Order/1',
          orderName: '#1001',
          fulfillmentId: '501',
        },
      },
    });
  });

  it('takes the fulfillment’s own items and the order’s locale when the shop gives them', () => {
    const o = order({ locale: 'fr-CA' });
    o.fulfillments[0]!.lineItems = [
      { title: 'Blue Mug', sku: 'MUG-1', quantity: 1, unitPrice: 10.1 },
    ];
    const [plan] = planOrder(shop, o);
    expect(plan?.kind === 'register' && plan.registration).toMatchObject({
      customer: { locale: 'fr-CA' },
      items: [{ sku: 'MUG-1', quantity: 1 }],
      declaredValue: 10.1,
    });
  });

  it('falls back to English for a locale that is not a language tag', () => {
    const [plan] = planOrder(shop, order({ locale: 'not a locale!' }));
    expect(plan?.kind === 'register' && plan.registration.customer.locale).toBe('en');
  });

  it('keeps a carrier the catalogue does not know as an unlisted code, with a note', () => {
    const o = order();
    o.fulfillments[0]!.trackingCompany = 'Speedy Regional Post';
    const [plan] = planOrder(shop, o);
    expect(plan).toMatchObject({
      kind: 'register',
      registration: { carrier: 'speedy-regional-post' },
      note: expect.stringContaining('not in the catalogue') as string,
    });
  });

  it('skips what it cannot watch and says why; cancels what the shop cancelled', () => {
    const o = order({
      shippingAddress: undefined,
      fulfillments: [
        { fulfillmentId: '1', status: 'active', shippedAt: '2026-11-04T08:00:00Z' },
        {
          fulfillmentId: '2',
          status: 'active',
          trackingNumber: 'X1',
          shippedAt: '2026-11-04T08:00:00Z',
        },
        {
          fulfillmentId: '3',
          status: 'cancelled',
          trackingNumber: 'X2',
          shippedAt: '2026-11-04T08:00:00Z',
        },
      ],
    });
    expect(planOrder(shop, o)).toEqual([
      { kind: 'skip', fulfillmentId: '1', reason: 'shopify-1: no tracking number' },
      { kind: 'skip', fulfillmentId: '2', reason: 'shopify-2: the order has no shipping address' },
      { kind: 'cancel', fulfillmentId: '3', shipmentId: 'shopify-3' },
    ]);
    expect(planOrder(shop, order({ cancelledAt: '2026-11-05T00:00:00Z' }))[0]?.kind).toBe('cancel');
  });

  it('skips a registration POST /v1/shipments would refuse, naming the field', () => {
    const [plan] = planOrder(shop, order({ customer: { name: 'Ada', email: 'not-an-email' } }));
    expect(plan).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('customer.email') as string,
    });
  });
});

describe('names', () => {
  it('maps shop carrier names through the catalogue, else a slug, else other', () => {
    expect(carrierOf('DHL Express')).toEqual({ code: 'dhl', unlisted: false });
    expect(carrierOf('usps')).toEqual({ code: 'usps', unlisted: false });
    expect(carrierOf('Royal  Parcel Co.')).toEqual({ code: 'royal-parcel-co', unlisted: true });
    expect(carrierOf(undefined)).toEqual({ code: 'other', unlisted: true });
  });

  it('gives every line item a SKU: its own, the variant, else its title', () => {
    expect(skuOf({ title: 'Mug', sku: ' M-1 ', quantity: 1, unitPrice: 1 })).toBe('M-1');
    expect(skuOf({ title: 'Mug', variantId: '9', quantity: 1, unitPrice: 1 })).toBe('variant-9');
    expect(skuOf({ title: 'Grüner Tee (50 g)', quantity: 1, unitPrice: 1 })).toBe(
      'gruner-tee-50-g',
    );
    expect(slug('x'.repeat(80))).toHaveLength(64);
  });
});
