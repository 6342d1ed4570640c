/**
 * The shop round trip with the real parts: the sandbox Shopify and WooCommerce stores send their
 * signed webhooks to the API, the real workflow and activities (the test stack's worker, reaching
 * connected shops) take the parcel through review, and the decision goes back into the store: a
 * replacement order for a reship, a refund for a refund. The customer's mails come from the
 * shop's sender name and reply-to address, and "refunded" only once the store confirmed.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, refunds, shipments, shopWebhookReceipts } from '../../src/db/schema';
import type { StoredMail } from '../../src/mail/smtp-sink';
import { REPLACEMENT_TAG, SHOPIFY_API_VERSION } from '../../src/shops/shopify';
import {
  META_IDEMPOTENCY_KEY,
  META_ORIGINAL_ORDER,
  TRACKING_META_KEY,
} from '../../src/shops/woocommerce/woocommerce.payloads';
import { aFastPolicy, aRegistration, insertWarehouse, uniqueId } from '../helpers/factories';
import { aSandboxShopifyOrder, startShopStack, type ShopStack } from '../helpers/shop-stack';
import { waitUntil } from '../helpers/wait';

// Store answers and API bodies are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let s: ShopStack;
let policy: string;
const senders = {
  shopify: { senderName: 'Grüner Laden', replyTo: 'hilfe@gruener-laden.example' },
  woocommerce: { senderName: 'Atelier Vogel', replyTo: 'service@atelier-vogel.example' },
};

beforeAll(async () => {
  s = await startShopStack();
  policy = uniqueId('shop-fast').toLowerCase();
  const { name: _name, ...body } = aFastPolicy(policy);
  expect((await s.api.call('PUT', `/v1/policies/${policy}`, { as: 'admin', body })).status).toBe(
    200,
  );
  // The stores were connected with the default policy and no reply-to: the seller sets both.
  for (const platform of ['shopify', 'woocommerce'] as const) {
    const url = s.stores.find((x) => x.platform === platform)!.url;
    const put = await s.api.call('PUT', `/v1/shops/${s.ids[platform]}`, {
      as: 'admin',
      body: {
        platform,
        domain: platform === 'shopify' ? s.shopifyDomain : new URL(url).host,
        url,
        policy,
        originCountry: 'CN',
        ...senders[platform],
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ policy, ...senders[platform] });
  }
});
afterAll(async () => {
  await s?.stop();
});

const trackingNumber = (prefix: string) =>
  `${prefix}${Date.now()}${Math.floor(Math.random() * 1e6)}`.slice(0, 24);

const rowOf = async (shipmentId: string) =>
  (await s.stack.db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId)))[0];

const view = async (shipmentId: string) =>
  (await s.api.call('GET', `/v1/shipments/${encodeURIComponent(shipmentId)}`, { as: 'ops' })).body;

/** One in-transit scan now; the fast policy stalls the parcel within seconds into review. */
async function stallIntoReview(shipmentId: string, carrier: string, tracking: string) {
  const pushed = await s.api.call('POST', '/v1/tracking-events', {
    as: 'ingest',
    body: {
      events: [
        {
          carrier,
          trackingNumber: tracking,
          eventId: uniqueId('EV'),
          occurredAt: new Date().toISOString(),
          status: 'in_transit',
        },
      ],
    },
  });
  expect(pushed.body).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
  await waitUntil(
    `${shipmentId} awaiting review`,
    () => view(shipmentId),
    (v) => v?.stage === 'awaiting_review',
    45_000,
  );
}

/** The shipment's view once it shows the replacement order made in the store. */
const replacementShown = (shipmentId: string) =>
  waitUntil(
    `${shipmentId} showing its replacement order`,
    () => view(shipmentId),
    (v) => v?.reship?.shopOrder !== undefined,
    45_000,
  );

async function decide(shipmentId: string, decision: 'reship' | 'refund') {
  const res = await s.api.call('POST', `/v1/shipments/${encodeURIComponent(shipmentId)}/review`, {
    as: 'ops',
    body: { decision, reviewer: 'olga@ops' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const mailsTo = (email: string) => s.stack.mail.messages().filter((m) => m.to.includes(email));

async function outboxOf(shipmentId: string) {
  return s.stack.db
    .select({
      kind: notifications.kind,
      status: notifications.status,
      messageId: notifications.messageId,
    })
    .from(notifications)
    .where(eq(notifications.shipmentId, shipmentId));
}

/** The customer mail of one outbox kind, once the sink has it. */
async function customerMail(shipmentId: string, email: string, kind: string): Promise<StoredMail> {
  return waitUntil(
    `the ${kind} mail of ${shipmentId}`,
    async () => {
      const row = (await outboxOf(shipmentId)).find((n) => n.kind === kind && n.messageId);
      return row && mailsTo(email).find((m) => m.messageId === row.messageId);
    },
    (m) => m !== undefined,
    45_000,
    100,
  ) as Promise<StoredMail>;
}

function expectShopSender(mail: StoredMail, platform: keyof typeof senders) {
  expect(mail.from).toContain(senders[platform].senderName);
  expect(mail.replyTo).toBe(senders[platform].replyTo);
}

/**
 * While the store fails the refund: the activity has tried and failed, the store holds no refund
 * and the customer has no "refunded" mail (nor an outbox row for one).
 */
async function expectNoRefundedMailWhileFailing(
  shipmentId: string,
  email: string,
  storeRefunds: () => Promise<number>,
) {
  await waitUntil(
    `a failed refund attempt of ${shipmentId}`,
    async () =>
      (await s.stack.db.select().from(refunds).where(eq(refunds.shipmentId, shipmentId)))[0],
    (r) => r?.lastError != null,
    45_000,
    25,
  );
  const outbox = await outboxOf(shipmentId);
  expect(await storeRefunds()).toBe(0);
  expect(outbox.map((n) => n.kind)).not.toContain('refunded');
  const told = new Set(outbox.map((n) => n.messageId));
  // Every mail the customer has is one of the earlier messages (the delay notice).
  expect(mailsTo(email).every((m) => told.has(m.messageId ?? null))).toBe(true);
}

/**
 * Decides a refund for a parcel in review whose store fails the refund first, and follows it to
 * the end: no "refunded" mail while the store fails; once the customer was told, the store holds
 * exactly one refund and the mail came from the shop's sender; the shipment shows the refund (the
 * declared value, in EUR, with the shop) and its row is refunded after `attempts` attempts.
 * Returns the mail, the store's refund and the shipment's view for the platform's own checks.
 */
async function refundOnceInStore(
  got: { shipmentId: string; email: string },
  platform: keyof typeof senders,
  expected: { refundsInStore: () => Promise<Json[]>; amount: number; attempts: number },
) {
  await decide(got.shipmentId, 'refund');
  await expectNoRefundedMailWhileFailing(
    got.shipmentId,
    got.email,
    async () => (await expected.refundsInStore()).length,
  );

  const mail = await customerMail(got.shipmentId, got.email, 'refunded');
  // By the time the customer was told, the store had the refund: exactly one.
  const inStore = await expected.refundsInStore();
  expect(inStore).toHaveLength(1);
  expectShopSender(mail, platform);

  const shown = await waitUntil(
    `${got.shipmentId} showing its refund`,
    () => view(got.shipmentId),
    (v) => v?.refund?.status === 'refunded',
  );
  expect(shown.refund).toMatchObject({
    amount: expected.amount,
    currency: 'EUR',
    shopId: s.ids[platform],
  });
  const [row] = await s.stack.db
    .select()
    .from(refunds)
    .where(eq(refunds.shipmentId, got.shipmentId));
  expect(row).toMatchObject({
    status: 'refunded',
    shopId: s.ids[platform],
    attempts: expected.attempts,
  });
  return { mail, inStore: inStore[0] as Json, shown };
}

// ---------------------------------------------------------------------------------------------
// Shopify
// ---------------------------------------------------------------------------------------------

function aShopifyOrder(email: string, tracking: string, skus: [string, string]) {
  return aSandboxShopifyOrder({
    email,
    tracking,
    locale: 'de-DE',
    currency: 'EUR',
    items: [
      { title: 'Blue Mug', sku: skus[0], quantity: 2, price: '19.90' },
      { title: 'Wool Cap', sku: skus[1], quantity: 1, price: 15 },
    ],
  });
}

/** A fulfilled order in the sandbox store, registered through its webhook; its parcel known to the carrier. */
async function aShopifyShipment() {
  const email = `${uniqueId('ada')}@example.com`;
  const tracking = trackingNumber('1Z');
  const skus: [string, string] = [uniqueId('MUG'), uniqueId('CAP')];
  await insertWarehouse(s.stack.db, {
    country: 'US',
    kind: 'overseas',
    stock: { [skus[0]]: 5, [skus[1]]: 5 },
  });
  s.stack.sandbox.store.addEvents(tracking, []);
  const started = Date.now();
  const { order, webhook } = await s.shopify.post(
    '/sandbox/orders',
    aShopifyOrder(email, tracking, skus),
  );
  const fulfillmentId = String(order.fulfillments[0].id);
  const shipmentId = `shopify-${fulfillmentId}`;
  const row = await waitUntil(
    `${shipmentId} registered`,
    () => rowOf(shipmentId),
    (r) => r !== undefined,
    2000,
    25,
  );
  return { email, tracking, skus, order, webhook, fulfillmentId, shipmentId, row: row!, started };
}

const shopifyOrders = async (): Promise<Json[]> => (await s.shopify.get('/sandbox/orders')).orders;
const attribute = (order: Json, name: string) =>
  order.note_attributes.find((a: { name: string }) => a.name === name)?.value;

function signShopify(raw: string, secret: string) {
  return createHmac('sha256', secret).update(raw).digest('base64');
}

/** Sends a webhook to our Shopify receiver as Shopify does, with the given signature. */
function sendShopifyWebhook(raw: string, webhookId: string, signature: string) {
  return s.api.call('POST', '/v1/shop-webhooks/shopify', {
    rawBody: raw,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/fulfilled',
      'x-shopify-hmac-sha256': signature,
      'x-shopify-shop-domain': s.shopifyDomain,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-api-version': SHOPIFY_API_VERSION,
      'x-shopify-triggered-at': new Date().toISOString(),
    },
  });
}

const receiptsOf = (webhookId: string) =>
  s.stack.db
    .select()
    .from(shopWebhookReceipts)
    .where(
      and(
        eq(shopWebhookReceipts.shopId, s.ids.shopify),
        eq(shopWebhookReceipts.webhookId, webhookId),
      ),
    );

describe('a Shopify store plugged in', () => {
  it('a signed orders/fulfilled webhook registers shopify-<fulfillment id> within 2 s with the order’s data; the same webhook again changes nothing; a wrong signature is a 401 that stores nothing', async () => {
    const got = await aShopifyShipment();
    expect(got.webhook).toMatchObject({ topic: 'orders/fulfilled', status: 200, attempts: 1 });
    expect(Date.now() - got.started).toBeLessThan(2000);
    expect(got.row.registration).toMatchObject({
      shipmentId: got.shipmentId,
      orderId: got.order.name,
      carrier: 'ups',
      trackingNumber: got.tracking,
      policy,
      // The sandbox order ships to the factory's buyer.
      destination: aRegistration().destination,
      customer: { email: got.email, locale: 'de-DE' },
      items: [
        { title: 'Blue Mug', sku: got.skus[0], quantity: 2, unitPrice: 19.9 },
        { title: 'Wool Cap', sku: got.skus[1], quantity: 1, unitPrice: 15 },
      ],
      currency: 'EUR',
      declaredValue: 54.8,
    });
    const shown = await view(got.shipmentId);
    expect(shown).toMatchObject({
      shipmentId: got.shipmentId,
      orderId: got.order.name,
      carrier: 'ups',
      trackingNumber: got.tracking,
      destination: 'US',
      currency: 'EUR',
      declaredValue: 54.8,
      policy,
      shop: {
        shopId: s.ids.shopify,
        platform: 'shopify',
        orderName: got.order.name,
        fulfillmentId: got.fulfillmentId,
      },
    });
    expect(String(shown.shop.orderId)).toContain(String(got.order.id));

    // The same delivery again (same X-Shopify-Webhook-Id, signed with the store's secret).
    const raw = JSON.stringify(got.order);
    const again = await sendShopifyWebhook(
      raw,
      got.webhook.webhookId,
      signShopify(raw, s.secrets.shopify),
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true });
    expect(await receiptsOf(got.webhook.webhookId)).toHaveLength(1);
    // What a webhook could change (the workflow's own snapshot moves on meanwhile).
    const taken = (r: typeof got.row) => ({
      registration: r.registration,
      requestHash: r.requestHash,
      carrier: r.carrier,
      trackingNumber: r.trackingNumber,
      createdAt: r.createdAt,
    });
    expect(taken((await rowOf(got.shipmentId))!)).toEqual(taken(got.row));
    const same = await s.stack.db
      .select({ id: shipments.shipmentId })
      .from(shipments)
      .where(eq(shipments.trackingNumber, got.tracking));
    expect(same).toHaveLength(1);

    // A new order in the real format, signed with another secret: refused, nothing stored.
    const forgedFulfillment = got.order.fulfillments[0].id + 7_000_000;
    const forged = JSON.stringify({
      ...got.order,
      id: got.order.id + 7_000_000,
      fulfillments: [
        { ...got.order.fulfillments[0], id: forgedFulfillment, tracking_number: '1ZFORGED0001' },
      ],
    });
    const forgedId = randomUUID();
    const refused = await sendShopifyWebhook(
      forged,
      forgedId,
      signShopify(forged, 'not-the-secret'),
    );
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await rowOf(`shopify-${forgedFulfillment}`)).toBeUndefined();
    expect(await receiptsOf(forgedId)).toHaveLength(0);
  });

  it('a reship creates exactly one replacement order in the store (no charge, tagged, linked, fulfilled with the new number), shown as reship.shopOrder; its own fulfillment webhook registers nothing', async () => {
    const got = await aShopifyShipment();
    await stallIntoReview(got.shipmentId, 'ups', got.tracking);
    const decidedAt = new Date();
    await decide(got.shipmentId, 'reship');
    const shown = await replacementShown(got.shipmentId);
    const replacements = (await shopifyOrders()).filter(
      (o) => attribute(o, 'parcelwarden_original_shipment') === got.shipmentId,
    );
    expect(replacements).toHaveLength(1);
    const replacement = replacements[0];
    expect(replacement.tags.split(', ')).toContain(REPLACEMENT_TAG);
    expect(replacement.tags.split(', ').length).toBe(2); // ours and the idempotency tag
    expect(attribute(replacement, 'parcelwarden_original_order')).toBe(
      got.row.registration.shop!.orderId,
    );
    expect(attribute(replacement, 'parcelwarden_replacement_shipment')).toBe(
      shown.reship.shipmentId,
    );
    expect(replacement.total_price).toBe('0.00');
    expect(replacement.email).toBe(got.email);
    expect(replacement.note).toContain(got.order.name);
    expect(replacement.line_items.map((li: Json) => [li.sku, li.quantity, li.price])).toEqual([
      [got.skus[0], 2, '19.90'],
      [got.skus[1], 1, '15.00'],
    ]);
    expect(replacement.fulfillments).toHaveLength(1);
    expect(replacement.fulfillments[0]).toMatchObject({
      status: 'success',
      tracking_number: shown.reship.trackingNumber,
    });
    expect(shown.reship.shopOrder).toMatchObject({
      shopId: s.ids.shopify,
      orderName: replacement.name,
    });
    expect(String(shown.reship.shopOrder.orderId)).toContain(String(replacement.id));

    // The store told our receiver of the replacement's fulfillment: taken, and ignored.
    const receipt = await waitUntil(
      'the replacement’s fulfillments/create webhook',
      async () =>
        (
          await s.stack.db
            .select()
            .from(shopWebhookReceipts)
            .where(
              and(
                eq(shopWebhookReceipts.shopId, s.ids.shopify),
                eq(shopWebhookReceipts.topic, 'fulfillments/create'),
              ),
            )
        ).filter((r) => r.receivedAt >= decidedAt),
      (r) => r.length > 0,
      20_000,
    );
    expect(receipt).toHaveLength(1);
    expect(receipt[0]!.outcome).toBe('ignored');
    expect(await rowOf(`shopify-${replacement.fulfillments[0].id}`)).toBeUndefined();
    // Other test files' sandbox stores number their orders from #1001 too: this shop's only.
    const ofShop = await s.stack.db
      .select({ id: shipments.shipmentId })
      .from(shipments)
      .where(and(eq(shipments.orderId, replacement.name), eq(shipments.shopId, s.ids.shopify)));
    expect(ofShop).toEqual([]);

    const reshipped = await customerMail(got.shipmentId, got.email, 'reshipped');
    expectShopSender(reshipped, 'shopify');
    const notice = await customerMail(got.shipmentId, got.email, 'delay_notice');
    expectShopSender(notice, 'shopify');
  });

  it('a refund decision refunds the declared value once in the store, and the customer hears "refunded" only after the store confirmed', async () => {
    const got = await aShopifyShipment();
    await stallIntoReview(got.shipmentId, 'ups', got.tracking);
    // The store answers the refund with 429 (Retry-After 3 s) first.
    await s.shopify.post('/sandbox/faults', {
      mode: 'rate_limit',
      count: 1,
      retryAfterSeconds: 3,
      field: 'refundCreate',
    });
    const { mail, inStore, shown } = await refundOnceInStore(got, 'shopify', {
      refundsInStore: async () =>
        (await shopifyOrders()).find((o) => o.id === got.order.id).refunds as Json[],
      amount: 54.8,
      attempts: 2,
    });
    expect(inStore.transactions.map((t: Json) => t.amount)).toEqual(['54.80']);
    expect(Date.parse(mail.receivedAt)).toBeGreaterThanOrEqual(
      Date.parse(inStore.created_at) - 1000,
    );
    expect(String(shown.refund.reference)).toContain(String(inStore.id));
  });
});

// ---------------------------------------------------------------------------------------------
// WooCommerce
// ---------------------------------------------------------------------------------------------

/** A processing order with a Shipment Tracking item: registered through its webhooks. */
async function aWooShipment() {
  const email = `${uniqueId('lena')}@example.com`;
  const tracking = trackingNumber('JD');
  const sku = uniqueId('SCARF');
  await insertWarehouse(s.stack.db, { country: 'DE', kind: 'overseas', stock: { [sku]: 5 } });
  s.stack.sandbox.store.addEvents(tracking, []);
  const started = Date.now();
  const { order, webhooks } = await s.woo.post('/sandbox/orders', {
    status: 'processing',
    currency: 'EUR',
    billing: {
      first_name: 'Lena',
      last_name: 'Vogel',
      address_1: 'Torstraße 112',
      city: 'Berlin',
      postcode: '10119',
      country: 'DE',
      email,
    },
    line_items: [{ name: 'Merino Wool Scarf', sku, quantity: 2, price: 24.5 }],
    tracking: { tracking_provider: 'DHL', tracking_number: tracking },
  });
  expect(webhooks.map((w: { status: number }) => w.status)).toEqual([200, 200]);
  const row = await waitUntil(
    `the shipment of WooCommerce order ${order.id}`,
    async () =>
      (await s.stack.db.select().from(shipments).where(eq(shipments.trackingNumber, tracking)))[0],
    (r) => r !== undefined,
    2000,
    25,
  );
  return { email, tracking, sku, order, shipmentId: row!.shipmentId, row: row!, started };
}

const wooOrders = async (): Promise<Json[]> => (await s.woo.get('/sandbox/orders')).orders;
const meta = (order: Json, key: string) =>
  order.meta_data.find((m: { key: string }) => m.key === key)?.value;

describe('a WooCommerce store plugged in', () => {
  it('an order with tracking registers within 2 s with the order’s data', async () => {
    const got = await aWooShipment();
    expect(Date.now() - got.started).toBeLessThan(2000);
    expect(got.shipmentId).toMatch(/^woocommerce-/);
    expect(got.row.registration).toMatchObject({
      carrier: 'dhl',
      trackingNumber: got.tracking,
      policy,
      destination: { country: 'DE', city: 'Berlin', postalCode: '10119', line1: 'Torstraße 112' },
      customer: { email: got.email },
      items: [{ sku: got.sku, quantity: 2, unitPrice: 24.5 }],
      currency: 'EUR',
      declaredValue: 49,
    });
    const shown = await view(got.shipmentId);
    expect(shown).toMatchObject({
      carrier: 'dhl',
      trackingNumber: got.tracking,
      currency: 'EUR',
      declaredValue: 49,
      shop: { shopId: s.ids.woocommerce, platform: 'woocommerce', orderId: String(got.order.id) },
    });
  });

  it('a reship creates exactly one replacement order in the store (a free child order with the key and the new tracking number), shown as reship.shopOrder; its own webhooks register nothing', async () => {
    const got = await aWooShipment();
    await stallIntoReview(got.shipmentId, 'dhl', got.tracking);
    await decide(got.shipmentId, 'reship');
    const shown = await replacementShown(got.shipmentId);
    const children = (await wooOrders()).filter((o) => o.parent_id === got.order.id);
    expect(children).toHaveLength(1);
    const replacement = children[0];
    expect(meta(replacement, META_ORIGINAL_ORDER)).toBe(String(got.order.id));
    expect(meta(replacement, META_IDEMPOTENCY_KEY)).toEqual(expect.any(String));
    expect(Number(replacement.total)).toBe(0);
    expect(replacement.billing.email).toBe(got.email);
    expect(replacement.line_items.map((li: Json) => li.quantity)).toEqual([2]);
    expect((meta(replacement, TRACKING_META_KEY) as Json[]).map((t) => t.tracking_number)).toEqual([
      shown.reship.trackingNumber,
    ]);
    expect(shown.reship.shopOrder).toMatchObject({
      shopId: s.ids.woocommerce,
      orderId: String(replacement.id),
    });

    // The store sends order.created and order.updated for the replacement: neither registers.
    await waitUntil(
      'the replacement’s webhooks delivered',
      async () =>
        ((await s.woo.get('/sandbox/deliveries')).deliveries as Json[]).filter(
          (d) => d.orderId === replacement.id && d.status !== undefined,
        ),
      (d) => d.length >= 2,
      20_000,
    );
    const registered = await s.stack.db
      .select({ id: shipments.shipmentId })
      .from(shipments)
      .where(eq(shipments.shopId, s.ids.woocommerce));
    expect(registered.filter((r) => r.id.includes(`woocommerce-${replacement.id}`))).toEqual([]);
    expect(
      await s.stack.db
        .select({ id: shipments.shipmentId })
        .from(shipments)
        .where(eq(shipments.trackingNumber, shown.reship.trackingNumber)),
    ).toEqual([{ id: shown.reship.shipmentId }]);

    expectShopSender(await customerMail(got.shipmentId, got.email, 'reshipped'), 'woocommerce');
  });

  it('a refund decision refunds the declared value once in the store, and the customer hears "refunded" only after the store confirmed', async () => {
    const got = await aWooShipment();
    await stallIntoReview(got.shipmentId, 'dhl', got.tracking);
    // The store fails the refund twice with 500 (retried with backoff).
    await s.woo.post('/sandbox/faults', {
      mode: 'server_error',
      count: 2,
      method: 'POST',
      path: `wc/v3/orders/${got.order.id}/refunds`,
    });
    const { inStore, shown } = await refundOnceInStore(got, 'woocommerce', {
      refundsInStore: async () =>
        (await wooOrders()).find((o) => o.id === got.order.id).refund_details as Json[],
      amount: 49,
      attempts: 3,
    });
    expect(inStore.amount).toBe('49.00');
    expect(shown.refund.reference).toBe(String(inStore.id));
  });
});
