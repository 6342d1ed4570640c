/**
 * The WooCommerce webhook receiver on payloads in WooCommerce's own format (test/fixtures/
 * woocommerce, see SOURCES.md): signature, ping, and the order read into what intake needs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ShopPayloadError,
  type ShopApi,
  type ShopOrder,
  type ShopWebhookAction,
} from '../../src/shops/platform';
import { phpJson } from '../../src/shops/sandbox/woocommerce-sandbox';
import { isWooCommercePing, wooCommercePlatform } from '../../src/shops/woocommerce';
import { wooCommerceSignature } from '../../src/shops/woocommerce/woocommerce.receiver';

const receiver = wooCommercePlatform.receiver;
const SECRET = 'wc-webhook-secret-1';
const fixtures = path.resolve(__dirname, '../fixtures/woocommerce');
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as Record<string, unknown>;

/** The extension's REST example (shipment-tracking-create.json) as the item it keeps in meta. */
function trackingMeta() {
  const created = load('shipment-tracking-create.json');
  return {
    id: 13107,
    key: '_wc_shipment_tracking_items',
    value: [
      {
        tracking_provider: created.tracking_provider,
        custom_tracking_provider: '',
        custom_tracking_link: '',
        tracking_number: created.tracking_number,
        date_shipped: String(Date.parse(`${String(created.date_shipped)}T00:00:00Z`) / 1000),
        tracking_id: created.tracking_id,
      },
      {
        tracking_provider: '',
        custom_tracking_provider: 'Yun Express',
        custom_tracking_link: 'https://www.yuntrack.com/parcelTracking?id=YT2409121266045217',
        tracking_number: 'YT2409121266045217',
        date_shipped: 1726099200,
        tracking_id: 'c2a1a3f0b8b64a8e9f0e5d1c2b3a4f5e',
      },
    ],
  };
}

/** The order.updated body a store sends for order 727 once tracking is added. */
function orderUpdated(change: (order: Record<string, unknown>) => void = () => {}) {
  const order = load('order-727-retrieve.json');
  order.meta_data = [...(order.meta_data as unknown[]), trackingMeta()];
  change(order);
  return order;
}

function delivery(body: unknown, secret = SECRET) {
  // As WooCommerce sends it: PHP's json_encode (`\/`, `\uXXXX`), signed over those bytes.
  const raw = Buffer.from(phpJson(body));
  const headers = {
    'content-type': 'application/json',
    'x-wc-webhook-source': 'https://example.com/',
    'x-wc-webhook-topic': 'order.updated',
    'x-wc-webhook-resource': 'order',
    'x-wc-webhook-event': 'updated',
    'x-wc-webhook-signature': wooCommerceSignature(raw, secret),
    'x-wc-webhook-id': '12',
    'x-wc-webhook-delivery-id': '5b6a3f0e2c8d4e1fa9b7c6d5e4f3a2b1',
  };
  return { raw, headers };
}

const noApi = new Proxy({} as ShopApi, {
  get: () => () => Promise.reject(new Error('the receiver should not call the store')),
});

async function readOrder(body: unknown): Promise<ShopOrder> {
  const action = await receiver.read('order.updated', body, noApi);
  expect(action.kind).toBe('order');
  return (action as Extract<ShopWebhookAction, { kind: 'order' }>).order;
}

describe('WooCommerce webhook signature', () => {
  it('an order.updated body in the real format, signed with the secret, verifies', async () => {
    const { raw, headers } = delivery(orderUpdated());
    expect(raw.toString()).toContain('https:\\/\\/example.com'); // PHP's escaping kept
    await expect(receiver.verify(raw, headers, SECRET)).resolves.toBe(true);
  });

  it('one changed byte of the body does not verify', async () => {
    const { raw, headers } = delivery(orderUpdated());
    const changed = Buffer.from(raw.toString().replace('"total":"29.35"', '"total":"29.36"'));
    expect(changed.equals(raw)).toBe(false);
    await expect(receiver.verify(changed, headers, SECRET)).resolves.toBe(false);
  });

  it('a body signed with another secret does not verify', async () => {
    const { raw, headers } = delivery(orderUpdated(), 'someone-elses-secret');
    await expect(receiver.verify(raw, headers, SECRET)).resolves.toBe(false);
  });

  it('a delivery without a signature does not verify', async () => {
    const { raw, headers } = delivery(orderUpdated());
    const { ['x-wc-webhook-signature']: _dropped, ...unsigned } = headers;
    await expect(receiver.verify(raw, unsigned, SECRET)).resolves.toBe(false);
  });

  it('names the store by the host of X-WC-Webhook-Source, the delivery and the topic', () => {
    const { headers } = delivery(orderUpdated());
    expect(receiver.shopDomain(headers)).toBe('example.com');
    expect(receiver.shopDomain({ 'x-wc-webhook-source': 'http://127.0.0.1:8091/' })).toBe(
      '127.0.0.1:8091',
    );
    expect(receiver.webhookId(headers)).toBe('5b6a3f0e2c8d4e1fa9b7c6d5e4f3a2b1');
    expect(receiver.topic(headers)).toBe('order.updated');
  });
});

describe('WooCommerce webhook ping', () => {
  it('the ping sent when a webhook is created is recognised and ignored', async () => {
    const headers = {
      'user-agent': 'WooCommerce/9.8.5 Hookshot (WordPress/6.8.1)',
      'content-type': 'application/x-www-form-urlencoded',
    };
    expect(isWooCommercePing(headers, Buffer.from('webhook_id=12'))).toBe(true);
    expect(isWooCommercePing(headers, { webhook_id: '12' })).toBe(true);
    await expect(receiver.read('order.updated', { webhook_id: '12' }, noApi)).resolves.toEqual({
      kind: 'ignored',
      reason: 'webhook ping',
    });
  });

  it('a signed order delivery is not taken for a ping', () => {
    const { raw, headers } = delivery(orderUpdated());
    expect(isWooCommercePing(headers, raw)).toBe(false);
    expect(isWooCommercePing({ 'x-wc-webhook-topic': 'order.updated' }, 'webhook_id=12')).toBe(
      false,
    );
  });
});

describe('reading an order.updated webhook', () => {
  it('maps the address, customer, line items, currency, value and tracking items', async () => {
    const order = await readOrder(orderUpdated());
    expect(order).toMatchObject({
      orderId: '727',
      orderName: '#727',
      createdAt: '2017-03-22T19:28:02.000Z',
      currency: 'USD',
      totalValue: 29.35,
      customer: { name: 'John Doe', email: 'john.doe@example.com' },
      shippingAddress: {
        country: 'US',
        name: 'John Doe',
        line1: '969 Market',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94103',
      },
    });
    expect(order.shippingAddress).not.toHaveProperty('line2');
    expect(order.lineItems).toEqual([
      { title: 'Woo Single #1', quantity: 2, unitPrice: 3, variantId: '93' },
      {
        title: 'Ship Your Idea &ndash; Color: Black, Size: M Test',
        sku: 'Bar3',
        quantity: 1,
        unitPrice: 12,
        variantId: '22:23',
      },
    ]);
    expect(order.fulfillments).toEqual([
      {
        fulfillmentId: '727-7f4978c390ee633c6294ae0f258656f9',
        status: 'active',
        trackingCompany: 'TNT Express (consignment)',
        trackingNumber: '12345678',
        shippedAt: '2016-08-11T00:00:00.000Z',
      },
      {
        fulfillmentId: '727-c2a1a3f0b8b64a8e9f0e5d1c2b3a4f5e',
        status: 'active',
        trackingCompany: 'Yun Express',
        trackingNumber: 'YT2409121266045217',
        trackingUrl: 'https://www.yuntrack.com/parcelTracking?id=YT2409121266045217',
        shippedAt: '2024-09-12T00:00:00.000Z',
      },
    ]);
  });

  it('ships to the billing address when the order has no shipping address', async () => {
    const order = await readOrder(
      orderUpdated((o) => {
        o.shipping = { ...(o.shipping as object), address_1: '', country: '' };
        o.billing = { ...(o.billing as object), address_1: '1 Billing Way', city: 'Oakland' };
      }),
    );
    expect(order.shippingAddress).toMatchObject({ line1: '1 Billing Way', city: 'Oakland' });
  });

  it('an order without tracking items is ignored', async () => {
    const action = await receiver.read('order.updated', load('order-727-retrieve.json'), noApi);
    expect(action).toEqual({ kind: 'ignored', reason: 'order has no Shipment Tracking items' });
  });

  it.each(['cancelled', 'refunded', 'trash'])(
    'an order %s cancels its shipments',
    async (status) => {
      const action = await receiver.read(
        'order.updated',
        orderUpdated((o) => (o.status = status)),
        noApi,
      );
      expect(action).toEqual({ kind: 'cancelled', orderId: '727' });
    },
  );

  it('order.deleted (only the id) cancels the order', async () => {
    await expect(receiver.read('order.deleted', { id: 727 }, noApi)).resolves.toEqual({
      kind: 'cancelled',
      orderId: '727',
    });
  });

  it('a replacement order Parcelwarden made itself is ignored', async () => {
    const action = await receiver.read(
      'order.updated',
      orderUpdated((o) =>
        (o.meta_data as unknown[]).push({ key: '_parcelwarden_shipment', value: 'S-1~R1' }),
      ),
      noApi,
    );
    expect(action).toMatchObject({ kind: 'ignored' });
  });

  it('other topics are ignored', async () => {
    await expect(receiver.read('product.updated', { id: 1 }, noApi)).resolves.toMatchObject({
      kind: 'ignored',
    });
  });
});

describe('a body that is not an order', () => {
  async function payloadError(body: unknown, topic = 'order.updated') {
    const err = await receiver.read(topic, body, noApi).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ShopPayloadError);
    return (err as ShopPayloadError).errors.map((e) => e.path);
  }

  it('names the fields that are wrong', async () => {
    const paths = await payloadError(
      orderUpdated((o) => {
        o.currency = 'dollars';
        (o.line_items as Array<Record<string, unknown>>)[1]!.price = 'twelve';
        delete o.shipping;
      }),
    );
    expect(paths).toEqual(expect.arrayContaining(['currency', 'line_items.1.price', 'shipping']));
  });

  it('names a tracking item without a number by its place in meta_data', async () => {
    const paths = await payloadError(
      orderUpdated((o) => {
        const meta = o.meta_data as Array<{ key: string; value: Array<Record<string, unknown>> }>;
        delete meta.find((m) => m.key === '_wc_shipment_tracking_items')!.value[0]!.tracking_number;
      }),
    );
    expect(paths).toEqual(['meta_data.1.value.0.tracking_number']);
  });

  it('refuses a list, a string and an order.deleted body without an id', async () => {
    expect(await payloadError([])).toEqual(['body']);
    expect(await payloadError('order')).toEqual(['body']);
    expect(await payloadError({}, 'order.deleted')).toEqual(['id']);
  });
});
