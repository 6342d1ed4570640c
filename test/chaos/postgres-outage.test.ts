import fs from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import type { Database } from '../../src/db/client';
import {
  claims,
  notifications,
  reservations,
  reshipOrders,
  shipments,
  trackingEvents,
} from '../../src/db/schema';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/infra/embedded-postgres';
import { findFreePort } from '../../src/infra/free-port';
import type { Mailer } from '../../src/mail/mailer';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMessageDispatcher } from '../../src/messages/dispatcher';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import { prepareDatabase } from '../../src/services';
import { claimWorkflowId } from '../../workflows/claim.contract';
import {
  replacementShipmentId,
  shipmentWorkflowId,
  type ShipmentRegistration,
  type TrackingStatus,
} from '../../workflows/shipment.contract';
import { aFastPolicy, aRegistration, insertPolicy, uniqueId } from '../helpers/factories';
import { stateOf } from '../helpers/shipments';
import { OPS_EMAIL, startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/**
 * PostgreSQL goes away for 20 s while shipments are in flight: registrations and tracking events
 * keep coming through the API, and lost parcels are being escalated, reshipped and claimed by the
 * worker. PostgreSQL is an embedded server of this test's own (never the machine's shared one),
 * stopped and started again on the same port and data folder.
 */
const OUTAGE_MS = 20_000;
/** An answer slower than this counts as a hang. */
const HANG_MS = 10_000;
const ADMIN_KEY = 'chaos-pg-admin-key';
const LOST_BEFORE = 3;
const LOST_DURING = 2;
const MOVING = 3;

type Phase = 'before' | 'outage' | 'after';
interface Attempt {
  path: string;
  phase: Phase;
  /** HTTP status, or 'hang' (no answer within HANG_MS) / 'error' (no answer at all). */
  status: number | 'hang' | 'error';
  contentType?: string;
  // Problem bodies are asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body?: any;
}

let tmp: string | undefined;
let pg: EmbeddedPostgres | undefined;
let pgPort: number;
let dataDir: string;
let apiDatabase: Database | undefined;
let stack: TestStack | undefined;
let dispatcher: { stop(): Promise<void> } | undefined;
let dispatcherMailer: Mailer | undefined;
let server: Server | undefined;
let apiUrl: string;
let phase: Phase = 'before';
let stopped = false;
const attempts: Attempt[] = [];
const lost: ShipmentRegistration[] = [];
const moving: ShipmentRegistration[] = [];
/** Event ids the API acknowledged (202), per shipment. */
const acknowledged = new Map<string, Set<string>>();

const quiet = () => undefined;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'parcelwarden-chaos-pg-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must be able to enter tmp.
  await fs.chmod(tmp, 0o755);
  dataDir = path.join(tmp, 'postgres');
  pgPort = await findFreePort();
  pg = await startEmbeddedPostgres({ dataDir, port: pgPort, log: quiet });
  // What the API and worker do at start: migrate, connect, seed.
  apiDatabase = await prepareDatabase(pg.url);
  stack = await startTestStack({ databaseUrl: pg.url });
  // The worker's outbox loop, as src/services.ts runs it next to the worker.
  dispatcher = startMessageDispatcher({
    db: stack.db,
    mailer: (dispatcherMailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${stack.mail.smtpPort}`,
      from: 'Parcelwarden <care@parcelwarden.test>',
    })),
    settings: { ...DEFAULT_MESSAGING, opsEmail: OPS_EMAIL, pollMs: 500 },
  });
  const app = createApp({
    db: apiDatabase.db,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    apiKeys: [{ role: 'admin', key: ADMIN_KEY }],
    logger: pino({ level: 'silent' }),
  });
  server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  stopped = true;
  const step = async (what: string, fn: () => Promise<unknown> | undefined) => {
    try {
      await fn();
    } catch (err) {
      console.error(`[postgres-outage] cleanup: ${what} failed: ${(err as Error).message}`);
    }
  };
  const ids = [...lost, ...moving].flatMap((reg) => [
    shipmentWorkflowId(reg.shipmentId),
    shipmentWorkflowId(replacementShipmentId(reg.shipmentId)),
    claimWorkflowId(reg.shipmentId),
  ]);
  const client = stack?.client;
  await step('terminating workflows', () =>
    client
      ? Promise.all(
          ids.map((id) =>
            client.workflow
              .getHandle(id)
              .terminate('chaos test over')
              .catch(() => undefined),
          ),
        )
      : undefined,
  );
  await step('API', () =>
    server
      ? new Promise<void>((resolve) => {
          server!.closeAllConnections();
          server!.close(() => resolve());
        })
      : undefined,
  );
  await step('dispatcher', () => dispatcher?.stop());
  dispatcherMailer?.close?.();
  await step('stack', () => stack?.stop());
  await step('API pool', () => apiDatabase?.close());
  await step('PostgreSQL', () => pg?.stop());
  await step('temporary folder', () =>
    tmp ? fs.rm(tmp, { recursive: true, force: true }) : undefined,
  );
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A client that keeps sending the same request while the API refuses it with 503 (as a
 * well-behaved order system or tracking aggregator does), and records every answer.
 */
async function send(urlPath: string, body: unknown): Promise<Attempt> {
  for (;;) {
    if (stopped) throw new Error('test over');
    const attempt: Attempt = { path: urlPath, phase, status: 'error' };
    attempts.push(attempt);
    try {
      const res = await fetch(`${apiUrl}${urlPath}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(HANG_MS),
      });
      attempt.status = res.status;
      attempt.contentType = res.headers.get('content-type') ?? undefined;
      const text = await res.text();
      attempt.body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch (err) {
      attempt.status = (err as Error).name === 'TimeoutError' ? 'hang' : 'error';
    }
    if (typeof attempt.status === 'number' && attempt.status < 500) return attempt;
    await sleep(300);
  }
}

async function register(reg: ShipmentRegistration): Promise<void> {
  stack!.sandbox.store.addEvents(reg.trackingNumber, []);
  const answer = await send('/v1/shipments', reg);
  // 200: an earlier attempt stored it before the answer was refused.
  expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
}

async function pushEvent(reg: ShipmentRegistration, status: TrackingStatus): Promise<void> {
  const eventId = uniqueId('ev');
  const answer = await send('/v1/tracking-events', {
    events: [
      {
        carrier: reg.carrier,
        trackingNumber: reg.trackingNumber,
        eventId,
        occurredAt: new Date().toISOString(),
        status,
        description: `${status} scan`,
      },
    ],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const seen = acknowledged.get(reg.shipmentId) ?? new Set<string>();
  seen.add(eventId);
  acknowledged.set(reg.shipmentId, seen);
}

/** A parcel on the move: a scan every 700 ms until told to stop. */
async function stream(reg: ShipmentRegistration, until: () => boolean): Promise<void> {
  while (!until() && !stopped) {
    await pushEvent(reg, 'in_transit');
    await sleep(700);
  }
}

describe('PostgreSQL stops for 20 s while shipments are in flight', () => {
  it('the API refuses with 503 and loses nothing it acknowledged; the worker retries; every shipment ends right, with exact counts', async () => {
    const db = stack!.db;
    const lostPolicy = aFastPolicy(uniqueId('chaos-pg-lost'), {
      // Lost originals stall on their in-transit scan; replacements (no scan) stay quiet.
      stallAfter: { ...aFastPolicy('x').stallAfter, in_transit: 'PT3S', info_received: 'PT1H' },
      reviewSla: 'PT3S',
      autoDecision: { maxDeclaredValue: 1000, decision: 'reship' },
      overdueGrace: 'P30D',
    });
    const movingPolicy = aFastPolicy(uniqueId('chaos-pg-moving'), {
      stallAfter: {
        info_received: 'PT1H',
        in_transit: 'PT1H',
        customs: 'PT1H',
        out_for_delivery: 'PT1H',
        failed_attempt: 'PT1H',
        available_for_pickup: 'PT1H',
      },
      overdueGrace: 'P30D',
      deliveredWatch: 'PT1S',
    });
    await insertPolicy(db, lostPolicy);
    await insertPolicy(db, movingPolicy);
    const lostParcel = () =>
      aRegistration({
        carrier: 'sandbox',
        policy: lostPolicy.name,
        items: [{ sku: 'SKU-MUG', quantity: 1, unitPrice: 24 }],
        declaredValue: 24,
      });

    // Before: some lost parcels and some moving ones, registered with a first scan each.
    for (let i = 0; i < LOST_BEFORE; i++) lost.push(lostParcel());
    for (let i = 0; i < MOVING; i++)
      moving.push(aRegistration({ carrier: 'sandbox', policy: movingPolicy.name }));
    for (const reg of [...lost, ...moving]) {
      await register(reg);
      await pushEvent(reg, 'in_transit');
    }
    let streaming = true;
    const streams = moving.map((reg) => stream(reg, () => !streaming));
    // The escalations are under way (stalled, being verified or reviewed) when PostgreSQL stops.
    await waitUntil(
      'the lost parcels to stall',
      () =>
        Promise.all(
          lost.map((reg) =>
            stateOf(stack!.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId))),
          ),
        ),
      (states) => states.every((s) => s.stage !== 'monitoring'),
      30_000,
      100,
    );

    // Outage: stop PostgreSQL and keep sending for 20 s.
    await pg!.stop();
    phase = 'outage';
    const outageStarted = Date.now();
    const late = [lostParcel(), lostParcel()].slice(0, LOST_DURING);
    lost.push(...late);
    const lateRegistrations = late.map(async (reg) => {
      await register(reg);
      await pushEvent(reg, 'in_transit');
    });
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));

    // Back on the same port and data folder.
    pg = await startEmbeddedPostgres({ dataDir, port: pgPort, log: quiet });
    phase = 'after';
    await Promise.all(lateRegistrations);
    await sleep(2_000);
    streaming = false;
    await Promise.all(streams);
    for (const reg of moving) await pushEvent(reg, 'delivered');

    const outageAnswers = attempts.filter((a) => a.phase === 'outage');
    console.log(
      `[postgres-outage] ${attempts.length} requests, ${outageAnswers.length} during the outage ` +
        `(${outageAnswers.filter((a) => a.status === 503).length} refused with 503)`,
    );
    // The API answered every refused request with 503 problem+json, never 500, never hung.
    const refused = attempts.filter(
      (a) => a.status !== 200 && a.status !== 201 && a.status !== 202,
    );
    expect(
      refused.filter((a) => a.status !== 503),
      'answers other than 503 to refused requests',
    ).toEqual([]);
    for (const a of refused) {
      expect(a.contentType).toMatch(/^application\/problem\+json/);
      expect(a.body).toMatchObject({ status: 503, code: 'database.unavailable' });
    }
    for (const route of ['/v1/shipments', '/v1/tracking-events']) {
      expect(
        outageAnswers.filter((a) => a.path === route && a.status === 503).length,
        `503s on ${route} during the outage`,
      ).toBeGreaterThan(0);
    }

    // Every shipment ends where it should.
    const handleOf = (reg: ShipmentRegistration) =>
      stack!.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId));
    for (const reg of lost) {
      const state = await waitUntil(
        `${reg.shipmentId} reshipped and closed`,
        () => stateOf(handleOf(reg)),
        (s) => s.stage === 'closed',
        120_000,
        500,
      );
      expect(state.resolution).toBe('reshipped');
      expect(state.review).toMatchObject({
        decision: 'reship',
        reviewer: 'policy',
        automatic: true,
      });
    }
    for (const reg of moving) {
      const state = await waitUntil(
        `${reg.shipmentId} delivered and closed`,
        () => stateOf(handleOf(reg)),
        (s) => s.stage === 'closed',
        60_000,
        500,
      );
      expect(state.resolution).toBe('delivered');
      // The workflow got every acknowledged scan once.
      expect(state.eventCount).toBe(acknowledged.get(reg.shipmentId)!.size);
    }
    const lostIds = lost.map((r) => r.shipmentId);
    const claimRows = await waitUntil(
      'every claim filed',
      () => db.select().from(claims).where(inArray(claims.shipmentId, lostIds)),
      (rows) => rows.length === lost.length && rows.every((r) => r.status === 'filed'),
      60_000,
      500,
    );

    // Nothing acknowledged was lost, nothing stored twice.
    for (const reg of [...lost, ...moving]) {
      const [row] = await db
        .select()
        .from(shipments)
        .where(eq(shipments.shipmentId, reg.shipmentId));
      expect(row?.registration.trackingNumber).toBe(reg.trackingNumber);
      const stored = await db
        .select({ eventId: trackingEvents.eventId })
        .from(trackingEvents)
        .where(eq(trackingEvents.shipmentId, reg.shipmentId));
      expect(stored.map((e) => e.eventId).sort()).toEqual(
        [...acknowledged.get(reg.shipmentId)!].sort(),
      );
    }

    // One reservation, one label, one customer message of each kind, one claim per decision.
    const store = stack!.sandbox.store;
    await waitUntil(
      'every message sent',
      () => db.select().from(notifications),
      (rows) => rows.length > 0 && rows.every((r) => r.status === 'sent'),
      60_000,
      500,
    );
    const mails = stack!.mail.messages();
    for (const reg of lost) {
      const reserved = await db
        .select()
        .from(reservations)
        .where(eq(reservations.shipmentId, reg.shipmentId));
      expect(reserved, `reservations of ${reg.shipmentId}`).toHaveLength(1);
      const orders = await db
        .select()
        .from(reshipOrders)
        .where(eq(reshipOrders.originalShipmentId, reg.shipmentId));
      expect(orders, `labels of ${reg.shipmentId}`).toHaveLength(1);
      const labels = [...store.labels.values()].filter(
        (l) => l.reference === replacementShipmentId(reg.shipmentId),
      );
      expect(labels.map((l) => l.labelId)).toEqual([orders[0]!.labelId]);

      const messages = await db
        .select()
        .from(notifications)
        .where(eq(notifications.shipmentId, reg.shipmentId));
      for (const kind of ['delay_notice', 'ops_alert', 'reshipped']) {
        const ofKind = messages.filter((m) => m.kind === kind);
        expect(ofKind, `${kind} messages of ${reg.shipmentId}`).toHaveLength(1);
        const row = ofKind[0]!;
        expect(row.to).toBe(kind === 'ops_alert' ? OPS_EMAIL : reg.customer.email);
        expect(
          mails.filter((m) => m.messageId === row.messageId),
          `${kind} mails of ${reg.shipmentId}`,
        ).toHaveLength(1);
      }
      const claim = claimRows.filter((c) => c.shipmentId === reg.shipmentId);
      expect(claim).toHaveLength(1);
      const carrierClaims = [...store.claims.values()].filter(
        (c) => c.trackingNumber === reg.trackingNumber,
      );
      expect(carrierClaims.map((c) => c.claimId)).toEqual([claim[0]!.claimId]);
    }
    expect(store.labels.size).toBe(lost.length);
    expect(store.claims.size).toBe(lost.length);
  }, 170_000);
});
