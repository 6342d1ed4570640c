/**
 * Property tests over every route that takes a body: whatever a client sends, the answer is never
 * a 500, every refusal is problem+json with a `detail`, validation errors name the field, and a
 * refused body stores nothing. The route list comes from the route declarations and the OpenAPI
 * document built from them, so a route added later is covered without touching this file (a valid sample body
 * is needed for the mutation property; the test says which route lacks one).
 */
import { is, sql } from 'drizzle-orm';
import { DEFAULT_CHANNEL_POLICY } from '../../src/channels/channel-choice';
import { PgTable, getTableConfig } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pino from 'pino';
import { openApiDocument } from '../../src/api/openapi';
import { appRoutes } from '../helpers/app-routes';
import type { Database } from '../../src/db/client';
import * as schema from '../../src/db/schema';
import { newSurveyId, signSurveyToken } from '../../src/surveys/survey-token';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createSecretBox } from '../../src/shops/secret-box';
import type { ShopPlatform } from '../../src/shops/platform';
import { createPayloadCodec } from '../../src/temporal/payload-codec';
import { buildTrackingPayload } from '../../src/webhooks/webhooks.payloads';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/webhooks/webhooks.providers';
import { SIGNATURE_HEADERS, signatureFor } from '../../src/webhooks/webhooks.signatures';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import {
  hostileValue,
  mutate,
  mutationOf,
  namesField,
  prototypePolluted,
  type Json,
} from '../helpers/hostile';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import '../helpers/provided';
import { startApi, type ApiUnderTest } from './harness';
import type { Role } from '../../src/http/auth';

/** Runs per route (split between the targets of a route: one per webhook provider). */
const RUNS = { arbitrary: 25, mutated: 30, malformed: 6 };
const SURVEY_SECRET = 'hostile-survey-secret';
/** Problems that say a dependency is down (no worker runs in this test), not that we crashed. */
const DEPENDENCY_DOWN = ['workflow.unavailable', 'temporal.unavailable'];
const WEBHOOK_SECRETS = {
  aftership: 'hostile-aftership',
  '17track': 'hostile-17track',
  easypost: 'hostile-easypost',
  sandbox: 'hostile-sandbox',
} satisfies Record<WebhookProvider, string>;

/** Connected shops whose webhook receivers get signed bodies (their own secrets). */
const SHOPS = {
  shopify: { shopId: 'hostile-shopify', domain: 'hostile.myshopify.com', secret: 'hostile-shop' },
  woocommerce: {
    shopId: 'hostile-woo',
    domain: 'hostile-woo.example.com',
    secret: 'hostile-woo',
  },
} satisfies Record<ShopPlatform, { shopId: string; domain: string; secret: string }>;
const fixture = (file: string) =>
  JSON.parse(fs.readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as Json;

// ---------- the routes ----------

const BODY_METHODS = ['POST', 'PUT', 'PATCH'];
const declared = appRoutes();
const doc = openApiDocument(declared) as {
  paths: Record<string, Record<string, { requestBody?: unknown }>>;
};
const fromDeclared = declared
  .map((r) => `${r.method.toUpperCase()} ${r.path}`)
  .filter((r) => BODY_METHODS.includes(r.split(' ')[0]!));
const fromOpenApi = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, op]) => typeof op === 'object' && op !== null && 'requestBody' in op)
    .map(([method]) => `${method.toUpperCase()} ${path}`),
);
const BODY_ROUTES = [...new Set([...fromDeclared, ...fromOpenApi])].sort();

// ---------- the app on a database of its own (row counts across whole tables) ----------

let own: OwnDatabase;
let database: Database;
let api: ApiUnderTest;
let shipmentId: string;
let surveyToken: string;

beforeAll(async () => {
  own = await ownDatabase();
  const started = await startApi({
    databaseUrl: own.url,
    app: {
      taskQueue: uniqueId('hostile'),
      queryTimeoutMs: 500,
      updateTimeoutMs: 500,
      webhookSecrets: WEBHOOK_SECRETS,
      messaging: { surveySecret: SURVEY_SECRET },
      payloadCodec: createPayloadCodec(inject('payloadKey')),
      secretBox: createSecretBox(inject('payloadKey')),
      logger: pino({ level: process.env.HOSTILE_LOG ?? 'silent' }),
    },
  });
  api = started;
  database = started.database;
  const reg = aRegistration();
  shipmentId = reg.shipmentId;
  await insertShipmentRow(database.db, reg);
  const surveyId = newSurveyId();
  await database.db
    .insert(schema.surveys)
    .values({ surveyId, idempotencyKey: uniqueId('survey'), shipmentId, locale: 'en-US' });
  surveyToken = signSurveyToken(surveyId, SURVEY_SECRET, new Date(Date.now() + 86_400_000));
  // The first authenticated call stores the keys of API_KEYS: done here, not inside a count.
  expect((await api.call('GET', '/v1/policies', { as: 'admin' })).status).toBe(200);
  const credentials = {
    shopify: { accessToken: 'shpat_hostile', webhookSecret: SHOPS.shopify.secret },
    woocommerce: {
      consumerKey: 'ck_hostile',
      consumerSecret: 'cs_hostile',
      webhookSecret: SHOPS.woocommerce.secret,
    },
  };
  for (const platform of ['shopify', 'woocommerce'] as const) {
    const put = await api.call('PUT', `/v1/shops/${SHOPS[platform].shopId}`, {
      as: 'admin',
      body: {
        platform,
        domain: SHOPS[platform].domain,
        credentials: credentials[platform],
        originCountry: 'CN',
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
  }
});

afterAll(async () => {
  await api?.close();
  await own?.drop();
});

// Rate limit counters count every attempt, refused ones included: not rows a body stored.
const TABLES = (Object.values(schema) as unknown[]).filter(
  (t): t is PgTable => is(t, PgTable) && t !== schema.rateLimitHits,
);

/** Rows in every table of the schema but the rate limit counters, in one statement. */
async function rowCounts(): Promise<Record<string, number>> {
  const columns = TABLES.map(
    (t) => sql`(select count(*) from ${t})::int as ${sql.identifier(getTableConfig(t).name)}`,
  );
  const rows = await database.db.execute(sql`select ${sql.join(columns, sql`, `)}`);
  return rows[0] as Record<string, number>;
}

// ---------- requests ----------

const ROLE_FOR: Record<string, Role> = {
  ingest: 'ingest',
  read: 'ops',
  decide: 'ops',
  analyze: 'analyst',
  configure: 'admin',
  administer: 'admin',
};

interface Target {
  route: string;
  method: string;
  path: string;
  /** Who may call it; undefined for signed routes (webhooks, survey answers). */
  as?: Role;
  provider?: WebhookProvider;
  /** A shop platform's webhook receiver: signed as that platform signs, for its hostile shop. */
  shop?: ShopPlatform;
}

function targetsOf(route: string): Target[] {
  const [method, template] = route.split(' ') as [string, string];
  const access = declared.find((r) => `${r.method.toUpperCase()} ${r.path}` === route)?.access;
  const as = access ? ROLE_FOR[access] : 'admin';
  const path = (provider?: string) =>
    template
      .replace('{provider}', provider ?? '')
      .replace('{token}', () => surveyToken)
      .replace('{name}', 'hostile-policy')
      .replace('{kind}/{locale}', 'delay_notice/en-US')
      // A backfill of a shop that does not exist: the body is judged before the shop is looked up.
      .replace('{shopId}/sync', 'hostile-none/sync')
      .replace('{id}', () =>
        template.startsWith('/v1/shipments/')
          ? shipmentId
          : template.startsWith('/v1/claims/')
            ? '987654321'
            : 'hostile-id',
      )
      .replace(/\{\w+\}/g, 'x');
  if (template.includes('{provider}'))
    return WEBHOOK_PROVIDERS.map((p) => ({ route, method, path: path(p), provider: p }));
  const shop = /^\/v1\/shop-webhooks\/(shopify|woocommerce)$/.exec(template)?.[1] as
    ShopPlatform | undefined;
  if (shop) return [{ route, method, path: path(), shop }];
  return [{ route, method, path: path(), ...(as && access !== 'signed' ? { as } : {}) }];
}

interface Answer {
  status: number;
  contentType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Sends raw text as the body, signed when the route is a webhook receiver. */
async function send(
  t: Target,
  text: string,
  contentType = 'application/json',
  extra: Record<string, string> = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': contentType, ...extra };
  if (t.as) headers.authorization = `Bearer ${api.keys[t.as]}`;
  if (t.provider)
    headers[SIGNATURE_HEADERS[t.provider]] = signatureFor(
      t.provider,
      Buffer.from(text, 'utf8'),
      WEBHOOK_SECRETS[t.provider],
    );
  if (t.shop) Object.assign(headers, shopHeaders(t.shop, text), extra);
  const res = await fetch(api.url + t.path, { method: t.method, headers, body: text });
  const raw = await res.text();
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // not JSON: kept as text for the failure message
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
}

/** What the shop platform sends with a delivery: the store, a new delivery id, the topic, the signature. */
function shopHeaders(platform: ShopPlatform, text: string): Record<string, string> {
  const { domain, secret } = SHOPS[platform];
  const signature = createHmac('sha256', secret).update(text, 'utf8').digest('base64');
  return platform === 'shopify'
    ? {
        'x-shopify-shop-domain': domain,
        'x-shopify-webhook-id': uniqueId('hostile-delivery'),
        'x-shopify-topic': 'orders/fulfilled',
        'x-shopify-api-version': '2026-07',
        'x-shopify-triggered-at': new Date().toISOString(),
        'x-shopify-hmac-sha256': signature,
      }
    : {
        'x-wc-webhook-source': `https://${domain}/`,
        'x-wc-webhook-delivery-id': uniqueId('hostile-delivery'),
        'x-wc-webhook-topic': 'order.updated',
        'x-wc-webhook-resource': 'order',
        'x-wc-webhook-event': 'updated',
        'x-wc-webhook-id': '1',
        'x-wc-webhook-signature': signature,
      };
}

/** The invariants of every answer; returns the answer for route-specific checks. */
async function check(
  t: Target,
  text: string,
  contentType?: string,
  extra?: Record<string, string>,
) {
  const before = await rowCounts();
  const a = await send(t, text, contentType, extra);
  const sent = `${contentType ?? 'application/json'} ${JSON.stringify(extra ?? {})}`;
  const where = `${t.method} ${t.path} with ${JSON.stringify(text.slice(0, 300))} as ${sent} → ${a.status} ${JSON.stringify(a.body).slice(0, 500)}`;
  // 503 is the documented answer when Temporal (or the codec) cannot do its part right now; it
  // must still be a named problem, never the catch-all internal error.
  if (a.status === 503) expect(DEPENDENCY_DOWN, where).toContain(a.body?.code);
  else expect(a.status, where).toBeLessThan(500);
  // The survey and customer pages answer browser forms with pages, not problems.
  const htmlSurveyForm =
    (t.route.startsWith('POST /survey/') || t.route.startsWith('POST /t/')) &&
    a.contentType.startsWith('text/html');
  if (a.status >= 400 && !htmlSurveyForm) {
    expect(a.contentType, where).toMatch(/^application\/problem\+json/);
    expect(typeof a.body?.detail, where).toBe('string');
    expect(a.body.status, where).toBe(a.status);
    if (a.body.code === 'validation.failed' || a.body.code === 'webhook.invalid_payload') {
      expect(a.body.errors?.length, where).toBeGreaterThan(0);
      for (const e of a.body.errors) {
        expect(typeof e.path, where).toBe('string');
        expect(typeof e.message, where).toBe('string');
      }
    }
    expect(await rowCounts(), `${where}: a refused body stored rows`).toEqual(before);
  }
  expect(prototypePolluted(), where).toBe(false);
  return { ...a, where };
}

// ---------- valid bodies ----------

const at = () => new Date(Date.now() - 60_000).toISOString();

/** A valid body per route (by OpenAPI template); the mutation property starts from it. */
function validSamples(): Record<string, () => Json> {
  const reg = () => aRegistration() as unknown as Json;
  return {
    'POST /v1/shipments': reg,
    'POST /v1/shipments:batch': () => ({ shipments: [reg()] }),
    'POST /v1/tracking-events': () => ({
      events: [
        {
          carrier: 'yanwen',
          trackingNumber: 'YWHOSTILE1',
          eventId: uniqueId('ev'),
          occurredAt: at(),
          status: 'in_transit',
          description: 'Departed facility',
          location: { country: 'CN', city: 'Shenzhen', postalCode: '518000' },
        },
      ],
    }),
    'POST /v1/shipments/{id}/inquiries': () => ({
      inquiryId: uniqueId('inq'),
      channel: 'email',
      message: 'Where is my parcel?',
      receivedAt: at(),
      locale: 'en-US',
    }),
    'POST /v1/inbound/email': () => ({
      from: 'Ada <ada@example.com>',
      to: 'support@example.com',
      subject: 'Where is my order?',
      text: 'Order ORD-1 has not arrived.',
      messageId: `<${uniqueId('m')}@example.com>`,
      receivedAt: at(),
    }),
    'POST /v1/stock:import': () => ({
      rows: [{ warehouse_id: 'wh-shenzhen', sku: 'SKU-MUG', quantity: 5 }],
    }),
    'POST /v1/shipments/{id}/review': () => ({ decision: 'reship', reviewer: 'ops@example.com' }),
    'POST /v1/advice': () => ({
      origin: { country: 'CN' },
      destination: { country: 'US' },
      items: [{ category: 'electronics', value: 250, hasBattery: true }],
      currency: 'USD',
    }),
    // The built-in default: storing it changes no reship of a parallel test.
    'PUT /v1/channel-policy': () => JSON.parse(JSON.stringify(DEFAULT_CHANNEL_POLICY)) as Json,
    // A carrier of its own on a lane nobody ships: the other carriers' rates are kept.
    'PUT /v1/channel-rates': () => ({
      rates: [
        {
          carrier: 'hostile-sample',
          service: 'standard',
          originCountry: 'AQ',
          destinationCountry: 'AQ',
          serviceDays: 3,
          postage: 4.5,
          currency: 'USD',
          insurable: true,
        },
      ],
    }),
    'POST /v1/channel-rates:import': () => ({
      rates: [
        {
          carrier: 'hostile-sample',
          service: 'standard',
          originCountry: 'AQ',
          destinationCountry: 'AQ',
          serviceDays: 3,
          postage: 4.5,
          currency: 'USD',
          insurable: true,
        },
      ],
    }),
    'PUT /v1/packaging-rules/{seller}': () => ({
      rules: [
        {
          id: 'sample',
          when: { categories: ['fragile'] },
          advice: 'Box in box.',
          source: { name: 'FedEx packaging guidelines', url: 'https://www.fedex.com/' },
        },
      ],
    }),
    'POST /v1/reviews:batch': () => ({
      decisions: [{ shipmentId: 'SHP-none', decision: 'refund', reviewer: 'ops@example.com' }],
    }),
    'POST /v1/claims/{id}/outcome': () => ({ status: 'approved', amountRecovered: 12.5 }),
    'POST /v1/shipments/{id}/policy:refresh': () => ({ policy: 'default' }),
    'PUT /v1/policies/{name}': () => {
      const { name: _name, ...policy } = DEFAULT_POLICY;
      return policy as unknown as Json;
    },
    'PUT /v1/warehouses/{id}': () => ({ name: 'Hostile DC', country: 'DE', kind: 'overseas' }),
    'PUT /v1/templates/{kind}/{locale}': () => ({
      subject: 'Your parcel {{trackingNumber}}',
      text: 'Hello {{customerName}}',
    }),
    'POST /v1/reports:run': () => ({}),
    'POST /v1/api-keys': () => ({ role: 'analyst', name: 'hostile test' }),
    'POST /v1/webhook-endpoints': () => ({
      url: 'https://hooks.example.com/hostile',
      eventTypes: ['shipment.closed'],
    }),
    'POST /survey/{token}': () => ({ rating: 4, comment: 'ok' }),
    'POST /v1/claims/{id}/answer': () => ({
      message: 'The invoice is attached.',
      attachments: [
        {
          name: 'invoice.pdf',
          contentType: 'application/pdf',
          url: 'https://files.example.com/invoice.pdf',
        },
      ],
      by: 'ops@example.com',
    }),
    'POST /v1/claims/{id}/appeal': () => ({
      message: 'The scan history shows no delivery.',
      by: 'ops@example.com',
    }),
    'POST /t/{token}/help': () => ({ csrf: 'x', nonce: 'abcdefghijklmnop', kind: 'damaged' }),
    'POST /t/{token}/chat': () => ({ csrf: 'x', q: 'Where is my parcel?' }),
    'POST /codec/encode': () => ({ payloads: [] }),
    'POST /codec/decode': () => ({ payloads: [] }),
    'POST /v1/webhooks/{provider}': () => ({}), // per provider below
    'PUT /v1/shops/{shopId}': () => ({
      platform: 'shopify',
      domain: 'hostile-x.myshopify.com',
      credentials: { accessToken: 'shpat_x', webhookSecret: 'x-secret' },
      originCountry: 'CN',
      senderName: 'Hostile Shop',
      replyTo: 'care@hostile.example.com',
    }),
    'POST /v1/shops/{shopId}/sync': () => ({ since: '2026-11-01T00:00:00Z' }),
    // Real payloads from the platforms' docs (cancelled order; order without tracking items).
    'POST /v1/shop-webhooks/shopify': () =>
      (fixture('shopify/orders-fulfilled.json') as { payload: Json }).payload,
    'POST /v1/shop-webhooks/woocommerce': () => fixture('woocommerce/order-727-retrieve.json'),
  };
}
const SAMPLES = validSamples();
/** Routes whose OpenAPI operation documents a body need a valid sample of it. */
const hasSample = (route: string) => Boolean(SAMPLES[route]) || !fromOpenApi.includes(route);

function sampleFor(t: Target): Json {
  if (t.provider) {
    return buildTrackingPayload(t.provider, {
      deliveryId: uniqueId('dlv'),
      sentAt: at(),
      trackingNumber: 'YWHOSTILE1',
      carrier: 'yanwen',
      scans: [{ at: at(), kind: 'in_transit', description: 'In transit' }],
    }) as Json;
  }
  // A POST without a documented body (POST /codec/session) still gets bodies thrown at it.
  return SAMPLES[t.route]?.() ?? {};
}

const MALFORMED = [
  '',
  '{',
  '{"a":',
  '{"a":1}}',
  "{'a':1}",
  '[1,]',
  'NaN',
  '{"a":NaN}',
  '{"a":1e999999}',
  '\u0000',
  '\uFEFF{}',
  '{"__proto__":',
  '{"a":"\\ud800"}',
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  'null',
  '"just a string"',
  '12345678901234567890123456789',
];

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-7',
  'text/csv',
  'application/octet-stream',
];

// ---------- the properties ----------

it('finds the routes that take a body, from the route declarations and the OpenAPI document', () => {
  expect(BODY_ROUTES.length).toBeGreaterThan(10);
  expect(BODY_ROUTES).toEqual(
    expect.arrayContaining([
      'POST /v1/shipments',
      'PUT /v1/policies/{name}',
      'POST /v1/tracking-events',
      'POST /v1/webhooks/{provider}',
    ]),
  );
  expect(BODY_ROUTES).toContain('POST /v1/shipments:batch');
});

it('has a valid sample body for every route that documents one', () => {
  expect(BODY_ROUTES.filter((r) => !hasSample(r))).toEqual([]);
});

describe.each(BODY_ROUTES)('%s under hostile input', (route) => {
  const targets = () => targetsOf(route);

  it('its valid sample is accepted (so mutations start from a body that passes)', async () => {
    for (const t of targets()) {
      const a = await check(t, JSON.stringify(sampleFor(t)));
      expect(a.body?.code, a.where).not.toBe('validation.failed');
      expect(a.body?.code, a.where).not.toBe('webhook.invalid_payload');
    }
  });

  it('answers any JSON value without a 500', async () => {
    for (const t of targets()) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), hostileValue()), async (value) => {
          await check(t, JSON.stringify(value) ?? 'null');
        }),
        { numRuns: Math.ceil(RUNS.arbitrary / targets().length) },
      );
    }
  });

  it('answers a valid body with one field changed with a 4xx naming that field, or takes it', async () => {
    for (const t of targets()) {
      await fc.assert(
        fc.asyncProperty(
          fc.constant(null).chain(() => {
            const valid = sampleFor(t);
            return mutationOf(valid).map((m) => ({ m, body: mutate(valid, m) }));
          }),
          async ({ m, body }) => {
            const a = await check(t, JSON.stringify(body));
            const invalid =
              a.body?.code === 'validation.failed' || a.body?.code === 'webhook.invalid_payload';
            if (invalid && m.kind !== 'add') {
              const paths: string[] = a.body.errors.map((e: { path: string }) => e.path);
              expect(
                paths.some((p) => namesField(p, m.path)),
                `${a.where}: no error names ${m.path.join('.')}`,
              ).toBe(true);
            }
          },
        ),
        { numRuns: Math.ceil(RUNS.mutated / targets().length) },
      );
    }
  });

  it('answers malformed JSON text with a problem, never a 500', async () => {
    for (const t of targets()) {
      for (const text of MALFORMED) {
        const a = await check(t, text);
        if (!t.provider && a.status === 400 && !isJson(text.replace(/^\uFEFF/, '')) && text.trim())
          expect(a.body.code, a.where).toBe('request.malformed_json');
      }
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (text) => {
          await check(t, text);
        }),
        { numRuns: RUNS.malformed },
      );
    }
  });

  it('answers wrong content types and encodings with a problem, never a 500', async () => {
    for (const t of targets()) {
      const body = JSON.stringify(sampleFor(t));
      for (const type of CONTENT_TYPES) await check(t, body, type);
      await check(t, body, 'application/json', { 'content-encoding': 'gzip' });
      await check(t, body, 'application/json', { 'content-encoding': 'br' });
      await check(t, body, 'application/json', { 'content-encoding': 'deflate, gzip' });
    }
  });
});

describe('POST /v1/stock:import as CSV under hostile input', () => {
  const csvTarget = (): Target => ({
    route: 'POST /v1/stock:import',
    method: 'POST',
    path: '/v1/stock:import',
    as: 'ingest',
  });
  const cell = fc.oneof(
    hostileValue().map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom('wh-shenzhen', 'SKU-MUG', '5', 'set', 'add', '"quoted, cell"', '"'),
  );

  it('answers any rows (odd cells, quotes, NUL, huge numbers) without a 500, naming the cell', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (rows, withHeader) => {
          const lines = rows.map((r) => r.join(','));
          const text = (withHeader ? ['warehouse_id,sku,quantity,mode', ...lines] : lines).join(
            '\n',
          );
          const a = await check(csvTarget(), text, 'text/csv');
          if (a.status === 422) expect(a.body.errors?.length, a.where).toBeGreaterThan(0);
        },
      ),
      {
        numRuns: 40,
        // Always tried: a valid row whose SKU holds text PostgreSQL cannot store.
        examples: [
          [[['wh-shenzhen', 'SKU\u0000X', '5']], true],
          [[['wh-shenzhen', 'SKU\ud800X', '5']], true],
        ],
      },
    );
  });
});
