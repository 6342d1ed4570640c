import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSandboxCarrier, type SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import { connectDatabase, type Database } from '../../src/db/client';
import { claims, notifications, reservations, reshipOrders, shipments } from '../../src/db/schema';
import { findFreePort } from '../../src/infra/free-port';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import { claimWorkflowId } from '../../workflows/claim.contract';
import { shipmentWorkflowId } from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { testDataConverter } from '../helpers/payload-key';
import { spawnService, type ServiceProcess } from '../helpers/processes';
import { waitUntil } from '../helpers/wait';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import '../helpers/provided';

/**
 * The real stack over HTTP: the API and the worker as their own processes (as `npm run api` and
 * `npm run worker` run them), the run's Temporal server and PostgreSQL, the sandbox carrier and
 * an SMTP server standing in for the outside world.
 */
const ADMIN = 'e2e-admin-key';
const SANDBOX_KEY = 'e2e-sandbox-key';
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;
let sandbox: { url: string; store: SandboxStore; close(): Promise<void> };
let mail: MailSink;
let database: Database;
/**
 * A database of this file's own: the API it spawns takes API_KEYS as the whole truth about keys
 * from the environment and revokes the others at start, which would be other test files' keys.
 */
let own: OwnDatabase;
let temporal: Client;
let env: Record<string, string>;

/** What these tests read from API answers (the API's own tests check the shapes in full). */
interface ApiBody {
  items: {
    shipmentId: string;
    reason: string;
    carrier: string;
    destination: string;
    declaredValue: number;
  }[];
  stage: string;
  resolution?: string;
  reship?: { shipmentId: string; trackingNumber: string; warehouseId: string };
  claim?: { workflowId: string; status: string; reason: string; claimId?: string };
  [key: string]: unknown;
}

async function http(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as ApiBody };
}

async function sandboxControl(body: unknown): Promise<void> {
  const res = await fetch(`${sandbox.url}/__control/faults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SANDBOX_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

function startWorkerProcess(): Promise<ServiceProcess> {
  const w = spawnService('src/worker.main.ts', env);
  return w.waitForOutput(/worker running/, 120_000).then(() => w);
}

beforeAll(async () => {
  own = await ownDatabase();
  database = connectDatabase(own.url, { max: 3 });
  const s = createSandboxCarrier({ apiKey: SANDBOX_KEY });
  const listening = await s.listen(0);
  sandbox = { url: listening.url, store: s.store, close: listening.close };
  mail = await startMailSink({ smtpPort: 0 });
  const port = await findFreePort();
  apiUrl = `http://127.0.0.1:${port}`;
  env = {
    DATABASE_URL: own.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE: `e2e-${randomUUID()}`,
    SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
    SANDBOX_CARRIER_URL: sandbox.url,
    SANDBOX_CARRIER_KEY: SANDBOX_KEY,
    API_KEYS: `admin:${ADMIN},ingest:e2e-ingest`,
    OPS_EMAIL: 'ops@e2e.test',
    PORT: String(port),
  };
  api = spawnService('src/api.main.ts', env);
  [worker] = await Promise.all([startWorkerProcess(), api.waitForOutput(/API listening/, 120_000)]);
  temporal = new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
    dataConverter: testDataConverter(),
  });
  const policy = await http('PUT', '/v1/policies/e2e-fast', {
    stallAfter: { info_received: 'PT3S', in_transit: 'PT3S' },
    overdueGrace: 'PT1M',
    inquirySurge: { count: 2, window: 'PT1M' },
    reviewSla: 'PT5M',
    autoDecision: { maxDeclaredValue: 0, decision: 'reship' },
    deliveredWatch: 'PT1M',
    claimWait: 'PT0S',
  });
  expect(policy.status).toBe(200);
});

afterAll(async () => {
  await worker?.kill();
  await api?.kill();
  await temporal?.connection.close();
  await sandbox?.close();
  await mail?.stop();
  await database?.close();
  await own?.drop();
});

/**
 * Registers a parcel the carrier has on its books and pushes its first scan through the API.
 * The sandbox carrier's claim rule has no waiting period, so its claim is filed straight away.
 */
async function registerLostParcel(sku = 'SKU-MUG') {
  const reg = aRegistration({
    carrier: 'sandbox',
    policy: 'e2e-fast',
    items: [{ sku, quantity: 1, unitPrice: 24 }],
    declaredValue: 24,
  });
  sandbox.store.addEvents(reg.trackingNumber, []);
  const created = await http('POST', '/v1/shipments', reg);
  expect(created.status).toBe(201);
  expect(created.body).toEqual({
    shipmentId: reg.shipmentId,
    workflowId: shipmentWorkflowId(reg.shipmentId),
    stage: 'monitoring',
    // Every registration answers with its advice (issue 20).
    advice: expect.objectContaining({ followedChannel: expect.any(Boolean) }),
  });
  const again = await http('POST', '/v1/shipments', reg);
  expect(again.status).toBe(200);
  const pushed = await http('POST', '/v1/tracking-events', {
    events: [
      {
        carrier: reg.carrier,
        trackingNumber: reg.trackingNumber,
        eventId: uniqueId('ev'),
        occurredAt: new Date().toISOString(),
        status: 'in_transit',
        description: 'Departed origin hub',
      },
    ],
  });
  expect(pushed.body).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
  await waitUntil(
    'the parcel in the review queue',
    () => http('GET', '/v1/reviews?limit=200'),
    (r) => r.body.items.some((i) => i.shipmentId === reg.shipmentId),
    60_000,
  );
  return reg;
}

/** Waits for the claim workflow to file the shipment's one claim, and returns its row. */
async function filedClaimOf(shipmentId: string) {
  const [claim] = await waitUntil(
    `the claim of ${shipmentId} filed`,
    () => database.db.select().from(claims).where(eq(claims.shipmentId, shipmentId)),
    (rows) => rows.length === 1 && rows[0]?.status === 'filed',
    60_000,
  );
  return claim!;
}

describe('a lost parcel, end to end over HTTP', () => {
  it('walks from registration through stall, review, reship, customer email and claim, and the replacement is watched', async () => {
    const reg = await registerLostParcel();
    const review = (await http('GET', '/v1/reviews?limit=200')).body.items.find(
      (i) => i.shipmentId === reg.shipmentId,
    );
    expect(review).toMatchObject({
      reason: 'stalled',
      carrier: reg.carrier,
      destination: 'US',
      declaredValue: 24,
    });

    const decided = await http('POST', `/v1/shipments/${reg.shipmentId}/review`, {
      decision: 'reship',
      reviewer: 'olga@ops',
    });
    expect(decided.status).toBe(200);
    const done = await waitUntil(
      'closed',
      () => http('GET', `/v1/shipments/${reg.shipmentId}`),
      (r) => r.body.stage === 'closed',
      60_000,
    );
    expect(done.body.resolution).toBe('reshipped');

    // Each stage really happened:
    const [reservation, ...moreReservations] = await database.db
      .select()
      .from(reservations)
      .where(eq(reservations.shipmentId, reg.shipmentId));
    expect(moreReservations).toHaveLength(0);
    expect(reservation).toMatchObject({ warehouseId: 'wh-us-ca', status: 'reserved' });
    const [order] = await database.db
      .select()
      .from(reshipOrders)
      .where(eq(reshipOrders.originalShipmentId, reg.shipmentId));
    expect(order?.trackingNumber).toMatch(/^SBX\d{10}$/);
    expect(done.body.reship).toMatchObject({
      shipmentId: `${reg.shipmentId}~R1`,
      trackingNumber: order?.trackingNumber,
      warehouseId: 'wh-us-ca',
    });
    expect(sandbox.store.parcels.has(order!.trackingNumber)).toBe(true);
    const email = await mail.waitFor(
      (m) => m.to.includes(reg.customer.email) && m.text.includes(order!.trackingNumber),
      10_000,
    );
    expect(email.subject).toBe(`We have sent a replacement for order ${reg.orderId}`);
    // The claim has a workflow of its own, which outlives the shipment and files it.
    expect(done.body.claim).toMatchObject({
      workflowId: claimWorkflowId(reg.shipmentId),
      reason: 'lost',
    });
    expect(['pending_eligibility', 'filed']).toContain(done.body.claim!.status);
    const claim = await filedClaimOf(reg.shipmentId);
    expect(claim).toMatchObject({
      workflowId: claimWorkflowId(reg.shipmentId),
      amount: 24,
      currency: 'USD',
    });
    expect(sandbox.store.claims.get(claim.claimId!)).toBeDefined();
    // The shipment shows the claim as the claim workflow keeps it, not as it was handed over.
    const shown = await http('GET', `/v1/shipments/${reg.shipmentId}`);
    expect(shown.body.claim).toMatchObject({ status: 'filed', claimId: claim.claimId });
    const replacement = await temporal.workflow
      .getHandle(shipmentWorkflowId(`${reg.shipmentId}~R1`))
      .describe();
    expect(replacement.status.name).toBe('RUNNING');
    const [replacementRow] = await database.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, `${reg.shipmentId}~R1`));
    expect(replacementRow).toMatchObject({
      replacesShipmentId: reg.shipmentId,
      trackingNumber: order?.trackingNumber,
    });
    const again = await http('POST', `/v1/shipments/${reg.shipmentId}/review`, {
      decision: 'refund',
      reviewer: 'olga@ops',
    });
    expect(again.status).toBe(409);
  });

  it('killing the worker in the middle of the reship and starting it again gives exactly one reservation, label, email and claim', async () => {
    const reg = await registerLostParcel();
    // The carrier holds the label request: the worker dies while it is in flight.
    await sandboxControl({ route: 'label', mode: 'hold' });
    const labelCallsBefore = sandbox.store.counters.labelCalls;
    const decided = await http('POST', `/v1/shipments/${reg.shipmentId}/review`, {
      decision: 'reship',
      reviewer: 'olga@ops',
    });
    expect(decided.status).toBe(200);
    await waitUntil(
      'the label request in flight',
      async () => sandbox.store.counters.labelCalls,
      (n) => n > labelCallsBefore,
      30_000,
    );
    await worker.kill('SIGKILL');
    // The carrier finishes booking after the worker is gone: its answer is lost with the worker.
    await sandboxControl({ route: 'label', mode: 'none' });
    worker = await startWorkerProcess();

    const done = await waitUntil(
      'closed after the restart',
      () => http('GET', `/v1/shipments/${reg.shipmentId}`),
      (r) => r.body.stage === 'closed',
      90_000,
    );
    expect(done.body.resolution).toBe('reshipped');
    // The label booking really ran twice: once on the killed worker, once on the new one.
    const history = await temporal.workflow
      .getHandle(shipmentWorkflowId(reg.shipmentId))
      .fetchHistory();
    const scheduled = new Map<string, string>();
    let labelAttempts = 0;
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
      const started = e.activityTaskStartedEventAttributes;
      if (started && scheduled.get(String(started.scheduledEventId)) === 'bookReshipLabel')
        labelAttempts = Math.max(labelAttempts, started.attempt ?? 0);
    }
    expect(labelAttempts).toBeGreaterThanOrEqual(2);
    expect(
      await database.db
        .select()
        .from(reservations)
        .where(eq(reservations.shipmentId, reg.shipmentId)),
    ).toHaveLength(1);
    const orders = await database.db
      .select()
      .from(reshipOrders)
      .where(eq(reshipOrders.originalShipmentId, reg.shipmentId));
    expect(orders).toHaveLength(1);
    const labels = [...sandbox.store.labels.values()].filter(
      (l) => l.reference === `${reg.shipmentId}~R1`,
    );
    expect(labels).toHaveLength(1);
    expect(labels[0]?.trackingNumber).toBe(orders[0]?.trackingNumber);
    const sentRows = await database.db
      .select()
      .from(notifications)
      .where(eq(notifications.shipmentId, reg.shipmentId));
    expect(sentRows.filter((n) => n.kind === 'reshipped')).toHaveLength(1);
    await mail.waitFor(
      (m) => m.to.includes(reg.customer.email) && m.subject.includes('replacement'),
      10_000,
    );
    expect(
      mail
        .messages()
        .filter((m) => m.to.includes(reg.customer.email) && m.subject.includes('replacement')),
    ).toHaveLength(1);
    await filedClaimOf(reg.shipmentId);
    expect(
      await database.db.select().from(claims).where(eq(claims.shipmentId, reg.shipmentId)),
    ).toHaveLength(1);
    expect(
      [...sandbox.store.claims.values()].filter((c) => c.trackingNumber === reg.trackingNumber),
    ).toHaveLength(1);
  });
});
