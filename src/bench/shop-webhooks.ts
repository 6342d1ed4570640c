/**
 * Section `shop-webhooks`: a burst of Shopify `orders/fulfilled` webhooks (the real REST body,
 * signed as Shopify signs it) through POST /v1/shop-webhooks/shopify, against our own batch
 * registration route registering the same shipments: the goal is at least 0.8× its rate. Both
 * keep 32 registrations in flight (32 webhooks; 4 batch requests of 8, as in `registrations`),
 * alternate which goes first over 3 rounds, and wait for the worker to run every new workflow's
 * first task before the next path, so neither competes with the other's backlog. Each figure is
 * the median of its rounds; the settled rate (until every first task ran) is reported too.
 */
import { createHmac } from 'node:crypto';
import { restOrder, ShopifySandboxStore } from '../shops/sandbox/shopify-sandbox.store';
import type { RegistrationBody } from '../shipments/shipments.schemas';
import { api, mapLimited, median, registration, round, runTag } from './kit';
import { startMeter } from './meter';
import { apiBatch, CLIENTS, ROUNDS, roundOrder, settle, type PathResult } from './registrations';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

const PATHS = ['webhooks', 'batch'] as const;
type PathName = (typeof PATHS)[number];

const SHOP_ID = 'bench-shopify';
const SECRET = 'bench-shopify-webhook-secret';

interface Delivery {
  shipmentId: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * One fulfilled order per shipment, as the sandbox store writes Shopify's webhook body; the ids
 * are made unique per run so a second run on the same database registers new shipments.
 */
function deliveries(domain: string, tag: string, path: string, n: number): Delivery[] {
  const store = new ShopifySandboxStore();
  const base = Date.now() * 1000 + (path.length % 10) * 100_000;
  return Array.from({ length: n }, (_, i) => {
    const order = store.createOrder({
      email: 'erika@example.com',
      locale: 'de-DE',
      currency: 'EUR',
      customer: { firstName: 'Erika', lastName: 'Mustermann', email: 'erika@example.com' },
      shippingAddress: {
        firstName: 'Erika',
        lastName: 'Mustermann',
        address1: 'Invalidenstraße 117',
        city: 'Berlin',
        zip: '10115',
        countryCode: 'DE',
      },
      items: [{ title: 'Bench mug', sku: 'BENCH-SKU', quantity: 1, price: 25 }],
    });
    store.fulfil(order, { company: 'USPS', number: `BW${tag}${path}N${i}`.toUpperCase() });
    const json = restOrder(order);
    const orderId = base + i * 2;
    const fulfillmentId = orderId + 1;
    json.id = orderId;
    json.admin_graphql_api_id = `gid://shopify/Order/${orderId}`;
    for (const f of json.fulfillments) {
      f.id = fulfillmentId;
      f.admin_graphql_api_id = `gid://shopify/Fulfillment/${fulfillmentId}`;
      f.order_id = orderId;
    }
    const body = JSON.stringify(json);
    return {
      shipmentId: `shopify-${fulfillmentId}`,
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/fulfilled',
        'x-shopify-shop-domain': domain,
        'x-shopify-api-version': '2026-07',
        'x-shopify-webhook-id': `bench-${tag}-${path}-${i}`,
        'x-shopify-triggered-at': new Date().toISOString(),
        'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
      },
    };
  });
}

async function webhooks(
  stack: BenchStack,
  ctx: BenchContext,
  items: Delivery[],
): Promise<PathResult> {
  const meter = startMeter(ctx, 'webhooks: POST /v1/shop-webhooks/shopify', items.length);
  await mapLimited(items, CLIENTS, async (d) => {
    const res = await fetch(`${stack.apiUrl}/v1/shop-webhooks/shopify`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (res.status !== 200)
      throw new Error(`webhook answered ${res.status}: ${text.slice(0, 300)}`);
    meter.tick();
  });
  meter.finish();
  const seconds = meter.seconds();
  const ids = items.map((d) => ({ shipmentId: d.shipmentId }));
  const settleSeconds = await settle(stack, ctx, 'webhooks', ids as RegistrationBody[]);
  return {
    rate: items.length / seconds,
    seconds,
    settleSeconds,
    settledRate: items.length / (seconds + settleSeconds),
  };
}

export const shopWebhooksSection: BenchSection = {
  id: 'shop-webhooks',
  title: 'Shopify fulfilled-order webhooks per second against the batch registration route',
  async run(stack, ctx) {
    const n = Math.max(CLIENTS, Math.round(1000 * ctx.scale));
    const tag = runTag();
    const domain = `bench-${tag}.myshopify.com`.toLowerCase();
    await api(stack, 'PUT', `/v1/shops/${SHOP_ID}`, {
      platform: 'shopify',
      domain,
      credentials: { accessToken: 'bench-token', webhookSecret: SECRET },
      policy: 'default',
      originCountry: 'CN',
    });
    const runs: Record<PathName, PathResult[]> = { webhooks: [], batch: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const path of roundOrder(PATHS, r)) {
        ctx.progress(`round ${r + 1}/${ROUNDS}: ${path} (${n} shipments)`);
        if (path === 'webhooks') {
          runs.webhooks.push(await webhooks(stack, ctx, deliveries(domain, tag, `w${r}`, n)));
        } else {
          const bodies = Array.from({ length: n }, (_, i) =>
            registration({
              shipmentId: `bench-shopb-${tag}-${r}-${i}`,
              trackingNumber: `BS${tag}B${r}N${i}`.toUpperCase(),
              carrier: 'usps',
              policy: 'default',
              sku: 'BENCH-SKU',
            }),
          );
          runs.batch.push(await apiBatch(stack, ctx, bodies));
        }
      }
    }
    const med = (path: PathName, key: 'rate' | 'settledRate') =>
      median(runs[path].map((x) => x[key]));
    const detail = (path: PathName, how: string) => ({
      shipments: n,
      rounds: ROUNDS,
      how,
      rates: runs[path].map((x) => round(x.rate, 1)),
      settledRates: runs[path].map((x) => round(x.settledRate, 1)),
    });
    const howHooks = `${CLIENTS} signed orders/fulfilled deliveries in flight; counted at each 200`;
    const howBatch = 'POST /v1/shipments:batch, 4 requests of 8 in flight';
    const figure = (
      id: string,
      label: string,
      key: 'rate' | 'settledRate',
      limitLabel: string,
    ): BenchFigure => ({
      id,
      section: 'shop-webhooks',
      label,
      value: round(med('webhooks', key), 1),
      unit: 'shipments/s',
      better: 'higher',
      limit: { label: limitLabel, value: round(med('batch', key), 1), unit: 'shipments/s' },
      detail: { webhooks: detail('webhooks', howHooks), batch: detail('batch', howBatch) },
    });
    return [
      figure(
        'shop-webhooks.shopify',
        'Shopify orders/fulfilled webhooks',
        'rate',
        'POST /v1/shipments:batch, same shipments in flight',
      ),
      figure(
        'shop-webhooks.shopify.settled',
        'Shopify webhooks, first tasks run',
        'settledRate',
        'batch route, until every first task ran',
      ),
    ];
  },
};
