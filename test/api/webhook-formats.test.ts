/**
 * The receiver's refusals and acknowledgements, for every webhook format: each case runs once per
 * provider with that provider's own payload and signature scheme (the ones the sandbox carrier
 * pushes with), so no format is left covered only by another's tests.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client';
import { trackingEvents, webhookDeliveries, webhookUnknownReferences } from '../../src/db/schema';
import {
  buildTrackingPayload,
  type Scan,
  type TrackingPush,
} from '../../src/webhooks/webhooks.payloads';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/webhooks/webhooks.providers';
import type { WebhookRouting } from '../../src/webhooks/webhooks.routing';
import { SIGNATURE_HEADERS, signatureFor } from '../../src/webhooks/webhooks.signatures';
import { shipmentWorkflowId, trackingEventsSignal } from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { signalsReceived } from '../helpers/payload-key';
import { startApi, type ApiUnderTest } from './harness';

const SECRETS = {
  aftership: 'aftership-test-secret',
  '17track': '17track-test-api-key',
  // Composed é: EasyPost keys the HMAC with the NFKD form, which the signer must apply too.
  easypost: 'easypost-s\u00e9cret',
  sandbox: 'sandbox-test-secret',
} as const;

/** The carrier each format's parcels are registered with; the routing gives it to that provider. */
const CARRIER_OF: Record<WebhookProvider, string> = {
  aftership: 'yanwen',
  '17track': 'china-post',
  easypost: 'usps',
  sandbox: 'sandbox',
};
const ROUTING: WebhookRouting = {
  tracking: 'sandbox',
  claims: 'sandbox',
  carriers: {
    yanwen: { tracking: 'aftership' },
    'china-post': { tracking: '17track' },
    usps: { tracking: 'easypost' },
  },
};

let api: ApiUnderTest;
let database: Database;
let own: OwnDatabase;

beforeAll(async () => {
  // Its own database: the "nothing recorded" checks count rows across whole tables.
  own = await ownDatabase();
  const started = await startApi({
    databaseUrl: own.url,
    app: {
      webhookSecrets: SECRETS,
      webhookRouting: ROUTING,
      // A week after the fixtures' scans, inside WEBHOOK_MAX_AGE.
      webhookClock: () => Date.parse('2025-03-10T00:00:00.000Z'),
    },
  });
  api = started;
  database = started.database;
});

afterAll(async () => {
  await api?.close();
  await own?.drop();
});

/** The signature header a provider sends for these bytes, signed with `secret`. */
function signed(format: WebhookProvider, raw: string, secret: string = SECRETS[format]) {
  return { [SIGNATURE_HEADERS[format]]: signatureFor(format, Buffer.from(raw, 'utf8'), secret) };
}

function deliver(
  format: WebhookProvider,
  raw: string,
  headers: Record<string, string>,
  contentType = 'application/json',
) {
  return api.call('POST', `/v1/webhooks/${format}`, {
    rawBody: raw,
    headers: { 'content-type': contentType, ...headers },
  });
}

async function registered(format: WebhookProvider) {
  const reg = aRegistration({ carrier: CARRIER_OF[format] });
  const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expect(res.status).toBe(201);
  return reg;
}

const scans: Scan[] = [
  {
    at: '2025-03-01T08:00:00.000Z',
    kind: 'picked_up',
    description: 'Accepted at origin',
    location: { country: 'CN', city: 'Shenzhen', postalCode: '518000' },
  },
  {
    at: '2025-03-03T14:30:00.000Z',
    kind: 'arrived',
    description: 'Arrived in destination country',
    location: { country: 'US', city: 'Los Angeles' },
  },
];

/** A provider's push of both scans for this tracking number, as the exact bytes it sends. */
function pushBody(format: WebhookProvider, trackingNumber: string): string {
  const push: TrackingPush = {
    deliveryId: uniqueId('delivery'),
    sentAt: '2025-03-03T15:00:00.000Z',
    trackingNumber,
    carrier: 'yanwen',
    scans,
    estimatedDeliveryAt: '2025-03-09T18:00:00.000Z',
  };
  return JSON.stringify(buildTrackingPayload(format, push));
}

async function storedEvents(shipmentId: string) {
  return database.db
    .select()
    .from(trackingEvents)
    .where(eq(trackingEvents.shipmentId, shipmentId))
    .orderBy(trackingEvents.occurredAt);
}

/** Row counts of everything a delivery can write, in this file's own database (its tests run one at a time). */
async function recorded() {
  const [[events], [deliveries], [unknown]] = await Promise.all([
    database.db.select({ n: count() }).from(trackingEvents),
    database.db.select({ n: count() }).from(webhookDeliveries),
    database.db.select({ n: count() }).from(webhookUnknownReferences),
  ]);
  return { events: events!.n, deliveries: deliveries!.n, unknown: unknown!.n };
}

const trackingSignals = (shipmentId: string) =>
  signalsReceived(api.client, shipmentWorkflowId(shipmentId), trackingEventsSignal.name);

async function unknownReferencesOf(format: WebhookProvider): Promise<number> {
  const stats = await api.call('GET', '/v1/webhooks/stats', { as: 'analyst' });
  expect(stats.status).toBe(200);
  const row = (stats.body.providers as { provider: string; unknownReferences: number }[]).find(
    (p) => p.provider === format,
  );
  return row?.unknownReferences ?? 0;
}

function expectProblem(
  res: Awaited<ReturnType<typeof deliver>>,
  status: number,
  code: string,
): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}

/**
 * Nothing of a refused delivery is kept, and it does not use up its delivery id: the intact,
 * correctly signed delivery sent next is processed as new and stores both scans.
 */
async function expectNothingRecorded(
  format: WebhookProvider,
  before: Awaited<ReturnType<typeof recorded>>,
  shipmentId: string,
  intact: string,
): Promise<void> {
  expect(await recorded()).toEqual(before);
  expect(await storedEvents(shipmentId)).toEqual([]);
  const retry = await deliver(format, intact, signed(format, intact));
  expect(retry.status).toBe(200);
  expect(retry.body).toMatchObject({ duplicate: false, accepted: 2, unknown: [] });
}

describe.each(WEBHOOK_PROVIDERS)('%s webhooks', (format) => {
  it('a delivery signed with another secret is refused with 401 and nothing is recorded', async () => {
    const reg = await registered(format);
    const raw = pushBody(format, reg.trackingNumber);
    const before = await recorded();
    const res = await deliver(format, raw, signed(format, raw, 'another-secret'));
    expectProblem(res, 401, 'webhook.bad_signature');
    await expectNothingRecorded(format, before, reg.shipmentId, raw);
  });

  it('a delivery without its signature header is refused with 401 and nothing is recorded', async () => {
    const reg = await registered(format);
    const raw = pushBody(format, reg.trackingNumber);
    const before = await recorded();
    const res = await deliver(format, raw, {});
    expectProblem(res, 401, 'webhook.missing_signature');
    await expectNothingRecorded(format, before, reg.shipmentId, raw);
  });

  it('a body cut in half under the signature of the whole body is refused with 401 and nothing is recorded', async () => {
    const reg = await registered(format);
    const raw = pushBody(format, reg.trackingNumber);
    const cut = raw.slice(0, Math.floor(raw.length / 2));
    const before = await recorded();
    const res = await deliver(format, cut, signed(format, raw));
    expectProblem(res, 401, 'webhook.bad_signature');
    await expectNothingRecorded(format, before, reg.shipmentId, raw);
  });

  it('a body cut in half and signed as cut is a 400 malformed-JSON problem and nothing is recorded', async () => {
    const reg = await registered(format);
    const raw = pushBody(format, reg.trackingNumber);
    const cut = raw.slice(0, Math.floor(raw.length / 2));
    const before = await recorded();
    const res = await deliver(format, cut, signed(format, cut));
    expectProblem(res, 400, 'request.malformed_json');
    await expectNothingRecorded(format, before, reg.shipmentId, raw);
  });

  it('a correctly signed JSON body declared as text/plain is refused with 415 and nothing is recorded', async () => {
    const reg = await registered(format);
    const raw = pushBody(format, reg.trackingNumber);
    const before = await recorded();
    const res = await deliver(format, raw, signed(format, raw), 'text/plain');
    expectProblem(res, 415, 'request.unsupported_media_type');
    await expectNothingRecorded(format, before, reg.shipmentId, raw);
  });

  // 17TRACK sends no delivery id, so a replay is recognised by the digest of its bytes; the
  // other formats carry one (AfterShip event_id, EasyPost Event id, the sandbox's deliveryId).
  it('the same signed bytes delivered twice are stored and signalled once, the second answered as a duplicate', async () => {
    const reg = await registered(format);
    const raw = pushBody(format, reg.trackingNumber);

    const first = await deliver(format, raw, signed(format, raw));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ duplicate: false, accepted: 2, unknown: [] });
    const stored = await storedEvents(reg.shipmentId);
    expect(stored.map((r) => [r.status, r.source])).toEqual([
      ['in_transit', `webhook:${format}`],
      ['in_transit', `webhook:${format}`],
    ]);
    const before = await recorded();

    const again = await deliver(format, raw, signed(format, raw));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ received: true, duplicate: true });
    expect(again.body.deliveryId).toBe(first.body.deliveryId);

    expect(await recorded()).toEqual(before);
    expect(await storedEvents(reg.shipmentId)).toEqual(stored);
    expect(await trackingSignals(reg.shipmentId)).toHaveLength(1);
    const [delivery] = await database.db
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.provider, format),
          eq(webhookDeliveries.deliveryId, first.body.deliveryId as string),
        ),
      );
    expect(delivery).toMatchObject({ events: 2, redeliveries: 1 });
  });

  it('a delivery for a tracking number we do not know is acknowledged, stores no events and is counted', async () => {
    const stranger = uniqueId('UNKNOWN');
    const raw = pushBody(format, stranger);
    const before = await recorded();
    const referencesBefore = await unknownReferencesOf(format);

    const res = await deliver(format, raw, signed(format, raw));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, accepted: 0, unknown: [stranger] });

    // Only the delivery itself and the unknown reference are kept, for analysts.
    expect(await recorded()).toEqual({
      events: before.events,
      deliveries: before.deliveries + 1,
      unknown: before.unknown + 1,
    });
    const references = await database.db
      .select()
      .from(webhookUnknownReferences)
      .where(eq(webhookUnknownReferences.reference, stranger));
    expect(references).toMatchObject([
      { provider: format, kind: 'tracking_number', deliveries: 1 },
    ]);
    expect(await unknownReferencesOf(format)).toBe(referencesBefore + 1);
  });
});
