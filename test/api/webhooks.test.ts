import { createHash, createHmac } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client';
import * as schema from '../../src/db/schema';
import {
  claimHistory,
  claims,
  shipments,
  trackingEvents,
  webhookDeliveries,
} from '../../src/db/schema';
import { loadConfig } from '../../src/config';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import { seed } from '../../src/db/seed';
import {
  buildClaimPayload,
  buildTrackingPayload,
  type Scan,
  type TrackingPush,
} from '../../src/webhooks/webhooks.payloads';
import type { WebhookProvider } from '../../src/webhooks/webhooks.providers';
import {
  createWebhookRepository,
  TRACKING_CLAIM_LEASE_SECONDS,
} from '../../src/webhooks/webhooks.repository';
import {
  webhookSettingsFromConfig,
  type WebhookRouting,
} from '../../src/webhooks/webhooks.routing';
import { claimUpdateSignal } from '../../workflows/claim.contract';
import {
  shipmentWorkflowId,
  SHIPMENT_WORKFLOW_TYPE,
  trackingEventsSignal,
  type TrackingEvent,
} from '../../workflows/shipment.contract';
import { createSandboxCarrier } from '../../src/carriers/sandbox/sandbox.server';
import { aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import { signalsReceived, testDataConverter } from '../helpers/payload-key';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';

const SECRETS = {
  aftership: 'aftership-test-secret',
  '17track': '17track-test-api-key',
  // Composed é: EasyPost keys the HMAC with the NFKD form (e + combining acute).
  easypost: 'easypost-s\u00e9cret',
  sandbox: 'sandbox-test-secret',
} as const;

/** Each provider's signature, written out from its documentation (not from our module). */
function sign(provider: WebhookProvider, raw: string): Record<string, string> {
  switch (provider) {
    case 'aftership':
      return {
        'aftership-hmac-sha256': createHmac('sha256', SECRETS.aftership)
          .update(raw)
          .digest('base64'),
      };
    case '17track':
      return { sign: createHash('sha256').update(`${raw}/${SECRETS['17track']}`).digest('hex') };
    case 'easypost':
      return {
        'X-Hmac-Signature': `hmac-sha256-hex=${createHmac('sha256', SECRETS.easypost.normalize('NFKD')).update(raw).digest('hex')}`,
      };
    case 'sandbox':
      return {
        'x-sandbox-signature': createHmac('sha256', SECRETS.sandbox).update(raw).digest('hex'),
      };
  }
}

/**
 * The sandbox carrier tracks by default (so its receiver is mounted); each real provider serves
 * the carrier its tests register parcels with, as if the registry routed them so.
 */
const ROUTING: WebhookRouting = {
  tracking: 'sandbox',
  claims: 'sandbox',
  carriers: {
    yanwen: { tracking: 'aftership' },
    'china-post': { tracking: '17track' },
    usps: { tracking: 'easypost', claims: 'easypost' },
  },
};
/** The carrier each provider's tests register parcels with (see ROUTING). */
const CARRIER_OF: Record<WebhookProvider, string> = {
  aftership: 'yanwen',
  '17track': 'china-post',
  easypost: 'usps',
  sandbox: 'sandbox',
};

/** The receivers' clock: a week after the fixtures' scans (WEBHOOK_MAX_AGE is 30 days). */
const FIXTURES_NOW = () => Date.parse('2025-03-10T00:00:00.000Z');

let api: ApiUnderTest;
let unconfigured: ApiUnderTest;
let database: Database;
let connection: Connection;

beforeAll(async () => {
  database = connectDatabase(inject('databaseUrl'), { max: 5 });
  await seed(database.db);
  connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({
    connection,
    namespace: inject('temporalNamespace'),
    dataConverter: testDataConverter(),
  });
  const common = { db: database.db, temporal: client, queryTimeoutMs: 1500 };
  api = await serve({
    ...common,
    taskQueue: uniqueId('webhooks'),
    webhookSecrets: SECRETS,
    webhookRouting: ROUTING,
    webhookClock: FIXTURES_NOW,
  });
  unconfigured = await serve({ ...common, taskQueue: uniqueId('webhooks-off') });
});

afterAll(async () => {
  await api?.close();
  await unconfigured?.close();
  await connection?.close();
  await database?.close();
});

async function push(provider: WebhookProvider, raw: string, headers = sign(provider, raw)) {
  return api.call('POST', `/v1/webhooks/${provider}`, {
    rawBody: raw,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function registered(overrides: Parameters<typeof aRegistration>[0] = {}) {
  const reg = aRegistration(overrides);
  const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expect(res.status).toBe(201);
  return reg;
}

/** The payloads of every signal of that name the workflow has received, in order. */
const signalsOf = (workflowId: string, name: string) =>
  signalsReceived(api.client, workflowId, name);

async function storedEvents(shipmentId: string) {
  return database.db
    .select()
    .from(trackingEvents)
    .where(eq(trackingEvents.shipmentId, shipmentId))
    .orderBy(trackingEvents.occurredAt);
}

const lostScan: Scan = {
  at: '2025-03-04T10:00:00.000Z',
  kind: 'lost',
  description: 'Parcel lost in transit',
};

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

function trackingPush(trackingNumber: string, over: Partial<TrackingPush> = {}): TrackingPush {
  return {
    deliveryId: uniqueId('delivery'),
    sentAt: '2025-03-03T15:00:00.000Z',
    trackingNumber,
    carrier: 'yanwen',
    scans,
    estimatedDeliveryAt: '2025-03-09T18:00:00.000Z',
    ...over,
  };
}

const body = (provider: WebhookProvider, p: TrackingPush) =>
  JSON.stringify(buildTrackingPayload(provider, p));

describe('AfterShip webhooks', () => {
  it('a signed push stores the checkpoints as events and tells the workflow, with the revised estimate', async () => {
    const reg = await registered();
    const res = await push('aftership', body('aftership', trackingPush(reg.trackingNumber)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, duplicate: false, accepted: 2, unknown: [] });

    const rows = await storedEvents(reg.shipmentId);
    expect(rows.map((r) => [r.status, r.subStatus, r.source])).toEqual([
      ['in_transit', 'InTransit_002', 'webhook:aftership'],
      ['in_transit', 'InTransit_004', 'webhook:aftership'],
    ]);
    expect(rows[0]!.location).toEqual({ country: 'CN', city: 'Shenzhen', postalCode: '518000' });

    const signals = (await signalsOf(
      shipmentWorkflowId(reg.shipmentId),
      trackingEventsSignal.name,
    )) as TrackingEvent[][];
    expect(signals).toHaveLength(1);
    expect(signals[0]!.map((e) => e.occurredAt)).toEqual([
      '2025-03-01T08:00:00.000Z',
      '2025-03-03T14:30:00.000Z',
    ]);
    expect(signals[0]!.every((e) => e.expectedDeliveryAt === '2025-03-09T18:00:00.000Z')).toBe(
      true,
    );
    expect(signals[0]!.map((e) => e.eventId)).toEqual(rows.map((r) => r.eventId));
  });

  it('a wrong or missing signature is refused with 401 and nothing is recorded', async () => {
    const reg = await registered();
    const p = trackingPush(reg.trackingNumber);
    const raw = body('aftership', p);
    const tampered = raw.replace('Accepted at origin', 'Accepted at origin!');

    const wrong = await push('aftership', tampered, sign('aftership', raw));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(wrong.body.code).toBe('webhook.bad_signature');

    const missing = await push('aftership', raw, {});
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('webhook.missing_signature');

    expect(await storedEvents(reg.shipmentId)).toEqual([]);
    const deliveries = await database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, p.deliveryId));
    expect(deliveries).toEqual([]);
  });

  it('a redelivered push is answered as a duplicate, and an overlapping push adds only the new scan', async () => {
    const reg = await registered();
    const first = trackingPush(reg.trackingNumber);
    const raw = body('aftership', first);
    expect((await push('aftership', raw)).body.duplicate).toBe(false);

    const again = await push('aftership', raw);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, deliveryId: first.deliveryId });

    // The next push carries the whole history plus one scan, under a new delivery id.
    const next = trackingPush(reg.trackingNumber, {
      scans: [
        ...scans,
        { at: '2025-03-05T09:00:00.000Z', kind: 'out_for_delivery', description: 'Out' },
      ],
    });
    const res = await push('aftership', body('aftership', next));
    expect(res.body).toMatchObject({ duplicate: false, accepted: 1, duplicates: 2 });
    expect((await storedEvents(reg.shipmentId)).map((r) => r.status)).toEqual([
      'in_transit',
      'in_transit',
      'out_for_delivery',
    ]);
  });

  it('a push for a tracking number we do not know is acknowledged and counted for analysts', async () => {
    const stranger = uniqueId('UNKNOWN');
    const res = await push('aftership', body('aftership', trackingPush(stranger)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 0, unknown: [stranger] });

    const stats = await api.call('GET', '/v1/webhooks/stats', { as: 'analyst' });
    expect(stats.status).toBe(200);
    const aftership = (
      stats.body.providers as { provider: string; unknownReferences: number }[]
    ).find((p) => p.provider === 'aftership');
    expect(aftership?.unknownReferences).toBeGreaterThan(0);

    const forbidden = await api.call('GET', '/v1/webhooks/stats', { as: 'ingest' });
    expect(forbidden.status).toBe(403);
  });

  it('malformed JSON with a valid signature is a 400 problem, not a 500', async () => {
    const raw = '{"event":"tracking_update","msg":';
    const res = await push('aftership', raw);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('request.malformed_json');
  });

  it('a signed body in the wrong shape names the missing field', async () => {
    const raw = JSON.stringify({ ts: 1, event: 'tracking_update', event_id: 'x', msg: {} });
    const res = await push('aftership', raw);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('webhook.invalid_payload');
    expect(res.body.errors).toContainEqual(
      expect.objectContaining({ path: 'msg.tracking_number' }),
    );
  });

  it('a signed body that is not JSON by content type is refused with 415', async () => {
    const raw = body('aftership', trackingPush(uniqueId('N')));
    const res = await api.call('POST', '/v1/webhooks/aftership', {
      rawBody: raw,
      headers: { 'content-type': 'text/plain', ...sign('aftership', raw) },
    });
    expect(res.status).toBe(415);
  });
});

describe('receivers that are not set up', () => {
  it('a provider without a configured secret has no receiver: 404, whatever is sent', async () => {
    const raw = body('easypost', trackingPush(uniqueId('N')));
    const res = await unconfigured.call('POST', '/v1/webhooks/easypost', {
      rawBody: raw,
      headers: { 'content-type': 'application/json', ...sign('easypost', raw) },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('webhook.not_configured');
  });

  it('with TRACKING_PROVIDER=aftership the sandbox receiver is not mounted, its public secret notwithstanding', async () => {
    const config = loadConfig({
      TRACKING_PROVIDER: 'aftership',
      AFTERSHIP_API_KEY: 'as-key',
      AFTERSHIP_WEBHOOK_SECRET: SECRETS.aftership,
    });
    const production = await serve({
      db: database.db,
      temporal: api.client,
      taskQueue: uniqueId('webhooks-aftership'),
      ...webhookSettingsFromConfig(config),
    });
    try {
      const reg = aRegistration({ carrier: 'sandbox' });
      await insertShipmentRow(database.db, reg);
      // Signed with the sandbox's default secret, as anyone reading the docs could.
      const forged = body('sandbox', trackingPush(reg.trackingNumber, { scans: [lostScan] }));
      const res = await production.call('POST', '/v1/webhooks/sandbox', {
        rawBody: forged,
        headers: {
          'content-type': 'application/json',
          'x-sandbox-signature': createHmac('sha256', config.sandboxWebhookSecret)
            .update(forged)
            .digest('hex'),
        },
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await storedEvents(reg.shipmentId)).toEqual([]);
      // AfterShip's receiver is there: an unsigned push is refused by signature, not by route.
      const aftership = await production.call('POST', '/v1/webhooks/aftership', {
        rawBody: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(aftership.status).toBe(401);
    } finally {
      await production.close();
    }
  });

  it('with the default configuration (the sandbox carrier tracks) the sandbox receiver is mounted', async () => {
    const dev = await serve({
      db: database.db,
      temporal: api.client,
      taskQueue: uniqueId('webhooks-dev'),
      ...webhookSettingsFromConfig(loadConfig({})),
    });
    try {
      const res = await dev.call('POST', '/v1/webhooks/sandbox', {
        rawBody: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(401);
    } finally {
      await dev.close();
    }
  });

  it('an unknown provider is a 404 listing the known ones', async () => {
    const other = await api.call('POST', '/v1/webhooks/pigeon-post', {
      rawBody: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(other.status).toBe(404);
    expect(other.body.detail).toContain('aftership, 17track, easypost, sandbox');
  });
});

describe('17TRACK webhooks', () => {
  it('a signed TRACKING_UPDATED push stores the events of every provider leg', async () => {
    const reg = await registered({ carrier: CARRIER_OF['17track'] });
    const raw = body('17track', trackingPush(reg.trackingNumber));
    const res = await push('17track', raw);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(2);
    expect((await storedEvents(reg.shipmentId)).map((r) => r.subStatus)).toEqual([
      'InTransit_PickedUp',
      'InTransit_Arrival',
    ]);
    // 17TRACK sends no delivery id: the same bytes again are recognised by their digest.
    expect((await push('17track', raw)).body.duplicate).toBe(true);
  });

  it('a push signed with another API key is refused', async () => {
    const reg = await registered({ carrier: CARRIER_OF['17track'] });
    const raw = body('17track', trackingPush(reg.trackingNumber));
    const forged = createHash('sha256').update(`${raw}/another-key`).digest('hex');
    const res = await push('17track', raw, { sign: forged });
    expect(res.status).toBe(401);
    expect(await storedEvents(reg.shipmentId)).toEqual([]);
  });
});

describe('EasyPost webhooks', () => {
  it('a tracker.updated Event stores its tracking details', async () => {
    const reg = await registered({ carrier: 'usps' });
    const res = await push('easypost', body('easypost', trackingPush(reg.trackingNumber)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'tracking', accepted: 2 });
    expect((await storedEvents(reg.shipmentId)).map((r) => r.source)).toEqual([
      'webhook:easypost',
      'webhook:easypost',
    ]);
  });

  it('a claim.approved Event updates our claim and tells the workflow following it', async () => {
    const reg = await registered({ carrier: 'usps' });
    const claimId = `clm_${uniqueId('x')}`;
    const workflowId = shipmentWorkflowId(reg.shipmentId);
    const [row] = await database.db
      .insert(claims)
      .values({
        idempotencyKey: uniqueId('claim-key'),
        shipmentId: reg.shipmentId,
        workflowId,
        carrier: 'usps',
        trackingNumber: reg.trackingNumber,
        claimId,
        reason: 'damaged',
        status: 'filed',
        amount: 40,
        currency: 'USD',
        evidence: {},
      })
      .returning({ id: claims.id });
    const raw = JSON.stringify(
      buildClaimPayload('easypost', {
        deliveryId: `evt_${uniqueId('c')}`,
        sentAt: '2025-04-02T10:00:00.000Z',
        claimId,
        trackingNumber: reg.trackingNumber,
        status: 'partially_approved',
        amount: 40,
        currency: 'USD',
        amountApproved: 25,
        detail: 'Covered up to the declared value of the damaged item.',
      }),
    );
    const res = await push('easypost', raw);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'claim', event: 'claim.approved', unknown: [] });

    const [updated] = await database.db.select().from(claims).where(eq(claims.id, row!.id));
    expect(updated).toMatchObject({ status: 'partially_approved', amountRecovered: 25 });
    const history = await database.db
      .select()
      .from(claimHistory)
      .where(and(eq(claimHistory.claimRowId, row!.id)));
    expect(history.map((h) => h.status)).toEqual(['partially_approved']);
    expect(await signalsOf(workflowId, claimUpdateSignal.name)).toEqual([
      {
        claimId,
        status: 'partially_approved',
        amountApproved: 25,
        at: '2025-04-02T10:00:00.000Z',
        detail: 'Covered up to the declared value of the damaged item.',
      },
    ]);
  });

  it('a claim event for a claim we never filed is acknowledged and counted', async () => {
    const raw = JSON.stringify(
      buildClaimPayload('easypost', {
        deliveryId: `evt_${uniqueId('c')}`,
        sentAt: '2025-04-02T10:00:00.000Z',
        claimId: 'clm_nobody',
        trackingNumber: 'X',
        status: 'denied',
        amount: 10,
        currency: 'USD',
      }),
    );
    const res = await push('easypost', raw);
    expect(res.status).toBe(200);
    expect(res.body.unknown).toEqual(['clm_nobody']);
  });
});

describe('sandbox webhooks and lost workflow starts', () => {
  it('events for a registered shipment whose workflow never started start it with the events', async () => {
    const reg = aRegistration({ carrier: 'sandbox' });
    await insertShipmentRow(database.db, reg);
    const res = await push('sandbox', body('sandbox', trackingPush(reg.trackingNumber)));
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(2);

    const handle = api.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId));
    const description = await handle.describe();
    expect(description.type).toBe(SHIPMENT_WORKFLOW_TYPE);
    expect(description.taskQueue).toBe(api.taskQueue);
    const signals = (await signalsOf(
      shipmentWorkflowId(reg.shipmentId),
      trackingEventsSignal.name,
    )) as TrackingEvent[][];
    expect(signals.flat().map((e) => e.status)).toEqual(['in_transit', 'in_transit']);
  });
});

describe('finished shipments', () => {
  it('events for a shipment the read model shows closed are stored but never restart its workflow', async () => {
    const reg = aRegistration({ carrier: 'sandbox' });
    await database.db
      .insert(shipments)
      .values(shipmentRow(reg, { stage: 'closed', resolution: 'delivered' }));
    const res = await push('sandbox', body('sandbox', trackingPush(reg.trackingNumber)));
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(2);
    await expect(
      api.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId)).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('the sandbox carrier pushing into the receivers', () => {
  it.each(['aftership', '17track', 'easypost'] as const)(
    'a lost parcel told only through %s webhooks reaches the shipment as stored, signalled scans',
    async (format) => {
      const reg = await registered({ carrier: CARRIER_OF[format] });
      const sandbox = createSandboxCarrier({
        apiKey: 'k',
        webhookSecrets: SECRETS,
        apiBaseUrl: api.url,
      });
      const server = await sandbox.listen(0);
      try {
        const res = await fetch(`${server.url}/__control/scenarios`, {
          method: 'POST',
          headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json' },
          body: JSON.stringify({
            trackingNumber: reg.trackingNumber,
            story: 'lost',
            timeScale: 86_400 * 50,
            webhook: { format, url: `${api.url}/v1/webhooks/${format}` },
          }),
        });
        expect(res.status).toBe(201);
        const rows = await waitUntil(
          'the lost scan to be stored',
          () => storedEvents(reg.shipmentId),
          (r) => r.some((e) => e.status === 'lost'),
          20_000,
          100,
        );
        expect(rows.map((r) => r.status)).toEqual([
          'info_received',
          'in_transit',
          'in_transit',
          'in_transit',
          'lost',
        ]);
        const signalled = (await signalsOf(
          shipmentWorkflowId(reg.shipmentId),
          trackingEventsSignal.name,
        )) as TrackingEvent[][];
        expect(new Set(signalled.flat().map((e) => e.eventId))).toEqual(
          new Set(rows.map((r) => r.eventId)),
        );
      } finally {
        await server.close();
      }
    },
  );
});

/** A filed claim on a parcel of `carrier`, followed by the parcel's workflow. */
async function aFiledClaim(carrier: string) {
  const reg = await registered({ carrier });
  const claimId = `clm_${uniqueId('x')}`;
  const workflowId = shipmentWorkflowId(reg.shipmentId);
  const [row] = await database.db
    .insert(claims)
    .values({
      idempotencyKey: uniqueId('claim-key'),
      shipmentId: reg.shipmentId,
      workflowId,
      carrier,
      trackingNumber: reg.trackingNumber,
      claimId,
      reason: 'damaged',
      status: 'filed',
      amount: 40,
      currency: 'USD',
      evidence: {},
    })
    .returning({ id: claims.id });
  return { reg, claimId, workflowId, rowId: row!.id };
}

function claimDecision(
  format: 'easypost' | 'sandbox',
  claim: { claimId: string; trackingNumber: string },
  deliveryId = format === 'easypost' ? `evt_${uniqueId('c')}` : uniqueId('c'),
) {
  return JSON.stringify(
    buildClaimPayload(format, {
      deliveryId,
      sentAt: '2025-04-02T10:00:00.000Z',
      claimId: claim.claimId,
      trackingNumber: claim.trackingNumber,
      status: 'approved',
      amount: 40,
      currency: 'USD',
      amountApproved: 40,
    }),
  );
}

describe("events only for the provider's own shipments", () => {
  it('a signed sandbox "lost" scan for a parcel AfterShip tracks is ignored: not stored, not signalled, counted unknown', async () => {
    const reg = await registered({ carrier: CARRIER_OF.aftership });
    const res = await push(
      'sandbox',
      body('sandbox', trackingPush(reg.trackingNumber, { scans: [lostScan] })),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      duplicate: false,
      accepted: 0,
      unknown: [reg.trackingNumber],
    });
    expect(await storedEvents(reg.shipmentId)).toEqual([]);
    expect(await signalsOf(shipmentWorkflowId(reg.shipmentId), trackingEventsSignal.name)).toEqual(
      [],
    );
  });

  it('an AfterShip push for a parcel 17TRACK tracks is ignored, the same scans from 17TRACK are applied', async () => {
    const reg = await registered({ carrier: CARRIER_OF['17track'] });
    const other = await push('aftership', body('aftership', trackingPush(reg.trackingNumber)));
    expect(other.body).toMatchObject({ accepted: 0, unknown: [reg.trackingNumber] });
    expect(await storedEvents(reg.shipmentId)).toEqual([]);

    const own = await push('17track', body('17track', trackingPush(reg.trackingNumber)));
    expect(own.body).toMatchObject({ accepted: 2, unknown: [] });
    expect(new Set((await storedEvents(reg.shipmentId)).map((r) => r.source))).toEqual(
      new Set(['webhook:17track']),
    );
  });

  it('a tracking number shared by two parcels reaches only the one the provider serves, whatever carrier the push names', async () => {
    const theirs = await registered({ carrier: CARRIER_OF.aftership });
    // Registered later: before, the most recent parcel under a number took every push for it.
    const ours = aRegistration({ carrier: 'sandbox', trackingNumber: theirs.trackingNumber });
    await insertShipmentRow(database.db, ours);
    const res = await push(
      'aftership',
      body('aftership', trackingPush(theirs.trackingNumber, { carrier: 'sandbox' })),
    );
    expect(res.body).toMatchObject({ accepted: 2, unknown: [] });
    expect(await storedEvents(theirs.shipmentId)).toHaveLength(2);
    expect(await storedEvents(ours.shipmentId)).toEqual([]);
  });

  it('a sandbox claim decision for a claim filed through EasyPost is ignored and the claim stays as it was', async () => {
    const c = await aFiledClaim(CARRIER_OF.easypost);
    const res = await push(
      'sandbox',
      claimDecision('sandbox', { claimId: c.claimId, trackingNumber: c.reg.trackingNumber }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'claim', unknown: [c.claimId] });
    const [row] = await database.db.select().from(claims).where(eq(claims.id, c.rowId));
    expect(row).toMatchObject({ status: 'filed', amountRecovered: null });
    expect(
      await database.db.select().from(claimHistory).where(eq(claimHistory.claimRowId, c.rowId)),
    ).toEqual([]);
    expect(await signalsOf(c.workflowId, claimUpdateSignal.name)).toEqual([]);
  });
});

describe('deliveries sent at once', () => {
  it('8 identical signed deliveries at once: exactly one is processed, the others are duplicates', async () => {
    const reg = await registered({ carrier: CARRIER_OF.aftership });
    const p = trackingPush(reg.trackingNumber);
    const raw = body('aftership', p);
    const answers = await Promise.all(Array.from({ length: 8 }, () => push('aftership', raw)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(7);
    expect(await storedEvents(reg.shipmentId)).toHaveLength(2);
    expect(
      await signalsOf(shipmentWorkflowId(reg.shipmentId), trackingEventsSignal.name),
    ).toHaveLength(1);
    const [delivery] = await database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, p.deliveryId));
    expect(delivery).toMatchObject({ events: 2, redeliveries: 7 });
  });
});

describe('claim updates', () => {
  it('the same decision in two deliveries (sent one after the other, then at once) is applied and signalled once', async () => {
    const c = await aFiledClaim(CARRIER_OF.easypost);
    const claim = { claimId: c.claimId, trackingNumber: c.reg.trackingNumber };
    const first = await push('easypost', claimDecision('easypost', claim));
    expect(first.body).toMatchObject({ duplicate: false, unknown: [] });
    const second = await push('easypost', claimDecision('easypost', claim));
    expect(second.body).toMatchObject({ duplicate: false, unknown: [] });
    await Promise.all([
      push('easypost', claimDecision('easypost', claim)),
      push('easypost', claimDecision('easypost', claim)),
    ]);

    const history = await database.db
      .select()
      .from(claimHistory)
      .where(eq(claimHistory.claimRowId, c.rowId));
    expect(history.map((h) => h.status)).toEqual(['approved']);
    expect(await signalsOf(c.workflowId, claimUpdateSignal.name)).toHaveLength(1);
  });
});

describe('database round trips of a delivery', () => {
  it('a new tracking delivery is claimed, stored and completed in 3 statements, with no transaction held while its workflow is told', async () => {
    const statements: string[] = [];
    const sql = postgres(inject('databaseUrl'), {
      max: 2,
      onnotice: () => undefined,
      debug: (_connection, query) => statements.push(query.trim().split(/\s+/)[0]!.toLowerCase()),
    });
    const counted = await serve({
      db: drizzle(sql, { schema }),
      temporal: api.client,
      taskQueue: api.taskQueue,
      webhookSecrets: SECRETS,
      webhookRouting: ROUTING,
      webhookClock: FIXTURES_NOW,
    });
    try {
      // One delivery first, so what the app reads once at start is not counted.
      const warmUp = body('aftership', trackingPush(uniqueId('N')));
      await counted.call('POST', '/v1/webhooks/aftership', {
        rawBody: warmUp,
        headers: { 'content-type': 'application/json', ...sign('aftership', warmUp) },
      });
      const reg = await registered({ carrier: CARRIER_OF.aftership });
      const raw = body('aftership', trackingPush(reg.trackingNumber));
      statements.length = 0;
      const res = await counted.call('POST', '/v1/webhooks/aftership', {
        rawBody: raw,
        headers: { 'content-type': 'application/json', ...sign('aftership', raw) },
      });
      expect(res.status).toBe(200);
      // Claim + number lookup, events + counts, then (after the signal) the completion.
      expect(statements).toEqual(['with', 'with', 'update']);
    } finally {
      await counted.close();
      await sql.end({ timeout: 5 });
    }
  });
});

describe('a tracking delivery whose workflow cannot be told', () => {
  it('is answered 503 and gives its claim back: the redelivery is processed, not a duplicate', async () => {
    // A client whose connection is closed: every signal fails as when Temporal is unreachable.
    const deadConnection = await Connection.connect({ address: inject('temporalAddress') });
    await deadConnection.close();
    const unreachable = await serve({
      db: database.db,
      temporal: new Client({
        connection: deadConnection,
        namespace: inject('temporalNamespace'),
        dataConverter: testDataConverter(),
      }),
      taskQueue: api.taskQueue,
      webhookSecrets: SECRETS,
      webhookRouting: ROUTING,
      webhookClock: FIXTURES_NOW,
    });
    try {
      const reg = await registered({ carrier: CARRIER_OF.aftership });
      const p = trackingPush(reg.trackingNumber);
      const raw = body('aftership', p);
      const refused = await unreachable.call('POST', '/v1/webhooks/aftership', {
        rawBody: raw,
        headers: { 'content-type': 'application/json', ...sign('aftership', raw) },
      });
      expect(refused.status).toBe(503);
      const claimsLeft = await database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.deliveryId, p.deliveryId));
      expect(claimsLeft).toEqual([]);

      const again = await push('aftership', raw);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ duplicate: false });
      expect(await storedEvents(reg.shipmentId)).toHaveLength(2);
      const signals = (await signalsOf(
        shipmentWorkflowId(reg.shipmentId),
        trackingEventsSignal.name,
      )) as TrackingEvent[][];
      expect(signals.flat().map((e) => e.occurredAt)).toEqual(scans.map((x) => x.at));
      const [delivery] = await database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.deliveryId, p.deliveryId));
      expect(delivery).toMatchObject({ completed: true, redeliveries: 0 });
    } finally {
      await unreachable.close();
    }
  });

  it('left unfinished by a request that died, its claim is taken again once the lease ran out, never before', async () => {
    const repo = createWebhookRepository(database.db);
    const key = { provider: 'aftership' as const, deliveryId: uniqueId('died'), kind: 'tracking' };
    const first = await repo.claimTracking(key, []);
    expect(first.duplicate).toBe(false);
    // Within the lease the claim is the first request's: a redelivery is a duplicate.
    expect(await repo.claimTracking(key, [])).toEqual({ duplicate: true });
    const age = async (seconds: number) =>
      database.db
        .update(webhookDeliveries)
        .set({ receivedAt: new Date(Date.now() - seconds * 1000) })
        .where(eq(webhookDeliveries.deliveryId, key.deliveryId));
    await age(TRACKING_CLAIM_LEASE_SECONDS - 30);
    expect(await repo.claimTracking(key, [])).toEqual({ duplicate: true });
    await age(TRACKING_CLAIM_LEASE_SECONDS + 30);
    const retaken = await repo.claimTracking(key, []);
    expect(retaken.duplicate).toBe(false);
    if (retaken.duplicate) return;
    await retaken.claim.complete();
    // A finished delivery stays a duplicate however old.
    await age(TRACKING_CLAIM_LEASE_SECONDS * 10);
    expect(await repo.claimTracking(key, [])).toEqual({ duplicate: true });
    const [row] = await database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, key.deliveryId));
    expect(row).toMatchObject({ completed: true, redeliveries: 3 });
  });
});

describe('the freshness window (WEBHOOK_MAX_AGE, 30 days by default)', () => {
  it('a delivery the provider sent more than 30 days ago is refused with 422 naming it and the window; nothing is recorded', async () => {
    const reg = await registered({ carrier: CARRIER_OF.aftership });
    const old = trackingPush(reg.trackingNumber, { sentAt: '2025-02-01T15:00:00.000Z' });
    const res = await push('aftership', body('aftership', old));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('webhook.stale_event');
    expect(res.body.detail).toContain(old.deliveryId);
    expect(res.body.detail).toContain('2025-02-01T15:00:00.000Z');
    expect(res.body.detail).toContain('30 days');
    expect(await storedEvents(reg.shipmentId)).toEqual([]);
    expect(
      await database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.deliveryId, old.deliveryId)),
    ).toEqual([]);
  });

  it('a fresh delivery carrying a months-old scan history is taken: the window is per delivery', async () => {
    const reg = await registered({ carrier: CARRIER_OF.aftership });
    const history: Scan[] = [
      { at: '2024-11-02T08:00:00.000Z', kind: 'picked_up', description: 'Accepted at origin' },
      ...scans,
    ];
    const res = await push(
      'aftership',
      body('aftership', trackingPush(reg.trackingNumber, { scans: history })),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, accepted: 3 });
  });

  it('17TRACK sends no time of its own: its delivery is judged by its newest scan', async () => {
    const reg = await registered({ carrier: CARRIER_OF['17track'] });
    const old: Scan[] = [
      { at: '2024-12-01T08:00:00.000Z', kind: 'picked_up', description: 'Accepted at origin' },
    ];
    const res = await push(
      '17track',
      body('17track', trackingPush(reg.trackingNumber, { scans: old })),
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('webhook.stale_event');
    expect(res.body.detail).toContain('newest event');
    expect(await storedEvents(reg.shipmentId)).toEqual([]);
  });

  it('a stale claim decision is refused and the claim stays as it was', async () => {
    const c = await aFiledClaim(CARRIER_OF.easypost);
    const raw = JSON.stringify(
      buildClaimPayload('easypost', {
        deliveryId: `evt_${uniqueId('c')}`,
        sentAt: '2024-06-02T10:00:00.000Z',
        claimId: c.claimId,
        trackingNumber: c.reg.trackingNumber,
        status: 'denied',
        amount: 40,
        currency: 'USD',
      }),
    );
    const res = await push('easypost', raw);
    expect(res.status).toBe(422);
    const [row] = await database.db.select().from(claims).where(eq(claims.id, c.rowId));
    expect(row!.status).toBe('filed');
  });
});
