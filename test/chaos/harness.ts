/**
 * Chaos harness: a whole stack of its own per test file, with parts that can be killed and
 * brought back. A file-backed Temporal dev server on a free port (stop with SIGTERM or SIGKILL,
 * start again on the same port and file), a database of its own, the sandbox carrier and an SMTP
 * sink in the test process, the worker as a child process in its own process group (SIGKILL and
 * restart), and the API in-process on a Temporal client that must survive server restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import {
  createSandboxCarrier,
  type FaultMode,
  type FaultRoute,
  type SandboxStore,
} from '../../src/carriers/sandbox/sandbox.server';
import { connectDatabase, type Database, type Db } from '../../src/db/client';
import { seed } from '../../src/db/seed';
import { findFreePort } from '../../src/infra/free-port';
import { findTemporalCli } from '../../src/infra/temporal-cli';
import { startTemporalCluster, type TemporalCluster } from '../../src/infra/temporal-cluster';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/infra/temporal-dev';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import { createSecretBox } from '../../src/shops/secret-box';
import { dataConverterFromConfig } from '../../src/temporal/connection';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { inject } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Where the worker's code comes from: this checkout, or CHAOS_WORKER_ROOT (a copy with a change
 * under trial, e.g. a deliberately broken idempotency key, to see that these tests catch it).
 */
const WORKER_ROOT = process.env.CHAOS_WORKER_ROOT ?? ROOT;

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
export interface SeededRandom {
  seed: number;
  /** In [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** CHAOS_SEED from the environment replays a run; otherwise a fresh seed, printed by the caller. */
export function seededRandom(
  seed = Number(process.env.CHAOS_SEED ?? randomBytes(4).readUInt32LE()),
): SeededRandom {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** The file-backed Temporal dev server of one test file; survives stop and start. */
export interface ChaosTemporal {
  address: string;
  port: number;
  dbFile: string;
  running(): boolean;
  /** Starts the server (again) on the same port and SQLite file. */
  start(): Promise<void>;
  /** SIGTERM (graceful) or SIGKILL (crash); resolves once the process has exited. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** The worker (`src/worker.main.ts`) as a child process in its own process group. */
export interface ChaosWorker {
  pid(): number | undefined;
  alive(): boolean;
  /** How many times it has been started. */
  starts(): number;
  /** Everything it printed, over all its lives. */
  output(): string;
  /** Spawns it and waits for "worker running". */
  start(): Promise<void>;
  /** SIGKILL to its whole process group: no shutdown, no cleanup, in-flight work lost. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ApiAnswer {
  status: number;
  // API bodies are asserted field by field in the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface ChaosStack {
  temporal: ChaosTemporal;
  /** The production-shaped cluster, when the stack runs on one (kill and restart its services). */
  cluster?: TemporalCluster;
  /** A client of the test's own (describe, list, query), on a connection that reconnects. */
  client: Client;
  database: Database;
  db: Db;
  taskQueue: string;
  sandbox: {
    url: string;
    key: string;
    store: SandboxStore;
    /** Sets a fault on a sandbox route; `none` releases held calls (they then complete). */
    fault(route: FaultRoute, mode: FaultMode, count?: number): Promise<void>;
  };
  mail: MailSink;
  opsEmail: string;
  worker: ChaosWorker;
  /** Every worker process of the stack (`worker` is the first); all on the same task queue. */
  workers: ChaosWorker[];
  api: { url: string; call(method: string, path: string, body?: unknown): Promise<ApiAnswer> };
  /** The environment the worker child gets (a PAYLOAD_KEY included). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface ChaosStackOptions {
  /** Names the temporary folder and the task queue. */
  name: string;
  log?: (msg: string) => void;
  /** Extra environment for the worker. */
  workerEnv?: Record<string, string>;
  /** `cluster`: the production-shaped Temporal cluster (src/infra/temporal-cluster.ts); default the dev server. */
  temporal?: 'dev' | 'cluster';
  /** Worker processes (default 1). */
  workers?: number;
}

const SANDBOX_KEY = 'chaos-sandbox-key';
const ADMIN_KEY = 'chaos-admin-key';

/**
 * Starts everything; on a failure half-way, whatever already runs is stopped again. Call `stop`
 * in afterAll: it stops every part even when some fail to stop.
 */
export async function startChaosStack(opts: ChaosStackOptions): Promise<ChaosStack> {
  const log = opts.log ?? ((m: string) => console.log(`[chaos] ${m}`));
  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const c of cleanups.splice(0).reverse()) {
      await c.run().catch((err: unknown) => {
        log(`stopping ${c.name} failed: ${(err as Error).message}`);
        errors.push(err);
      });
    }
    if (errors.length) throw new AggregateError(errors, 'chaos stack: stop failed');
  };
  try {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `parcelwarden-chaos-${opts.name}-`));
    cleanups.push({
      name: 'temporary folder',
      run: () => fs.rm(tmp, { recursive: true, force: true }),
    });

    const own: OwnDatabase = await ownDatabase();
    cleanups.push({ name: 'database', run: () => own.drop() });
    const database = connectDatabase(own.url, { max: 5 });
    cleanups.push({ name: 'database pool', run: () => database.close() });
    await seed(database.db);

    let temporal: ChaosTemporal;
    let cluster: TemporalCluster | undefined;
    if (opts.temporal === 'cluster') {
      const started = await startTemporalCluster({
        databaseUrl: inject('databaseServerUrl'),
        databasePrefix: `pw_chaos_${randomBytes(4).toString('hex')}`,
        dropDatabasesOnStop: true,
        runDir: path.join(tmp, 'cluster'),
        log,
      });
      cluster = started;
      cleanups.push({ name: 'Temporal cluster', run: () => started.stop() });
      temporal = clusterAsChaosTemporal(started);
    } else {
      temporal = await chaosTemporal(path.join(tmp, 'temporal.db'), log);
      cleanups.push({ name: 'Temporal dev server', run: () => temporal.stop('SIGTERM') });
      await temporal.start();
    }

    const sandboxServer = createSandboxCarrier({ apiKey: SANDBOX_KEY });
    const sandboxHttp = await sandboxServer.listen(0);
    // Its close releases calls held by a fault and stops scenario timers.
    cleanups.push({ name: 'sandbox carrier', run: () => sandboxHttp.close() });
    const mail = await startMailSink({ smtpPort: 0 });
    cleanups.push({ name: 'mail sink', run: () => mail.stop() });

    // The payload codec's key: the worker encrypts payloads with it, our client decrypts.
    const payloadKey = `chaos:${randomBytes(32).toString('base64')}`;
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push({ name: 'Temporal client', run: () => connection.close() });
    const client = new Client({
      connection,
      namespace: 'default',
      dataConverter: dataConverterFromConfig({ payloadKey }),
    });

    const taskQueue = `chaos-${opts.name}-${randomUUID().slice(0, 8)}`;
    const opsEmail = `ops@chaos.test`;
    const env: Record<string, string> = {
      DATABASE_URL: own.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: taskQueue,
      SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
      MAIL_FROM: 'Parcelwarden <care@chaos.test>',
      OPS_EMAIL: opsEmail,
      SANDBOX_CARRIER_URL: sandboxHttp.url,
      SANDBOX_CARRIER_KEY: SANDBOX_KEY,
      PAYLOAD_KEY: payloadKey,
      REPORT_ENABLED: 'false',
      // A message whose sender was killed mid-send is due again after its lease.
      OUTBOX_LEASE_SECONDS: '10',
      OUTBOX_POLL_MS: '500',
      DATABASE_POOL_MAX: '5',
      LOG_LEVEL: 'info',
      ...opts.workerEnv,
    };
    const workers = Array.from({ length: opts.workers ?? 1 }, (_, i) =>
      chaosWorker(env, i === 0 ? log : (m) => log(m.replace(/^worker /, `worker ${i + 1} `))),
    );
    const worker = workers[0]!;
    for (const w of workers) cleanups.push({ name: 'worker', run: () => w.kill('SIGKILL') });

    const app = createApp({
      db: database.db,
      temporal: client,
      taskQueue,
      apiKeys: [{ role: 'admin', key: ADMIN_KEY }],
      logger: pino({ level: 'silent' }),
      // Shop credentials sealed with the worker's PAYLOAD_KEY, so its activities can open them.
      secretBox: createSecretBox(payloadKey),
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    cleanups.push({
      name: 'API',
      run: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    });
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    return {
      temporal,
      ...(cluster ? { cluster } : {}),
      client,
      database,
      db: database.db,
      taskQueue,
      sandbox: {
        url: sandboxHttp.url,
        key: SANDBOX_KEY,
        store: sandboxServer.store,
        async fault(route, mode, count = 1) {
          const res = await fetch(`${sandboxHttp.url}/__control/faults`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${SANDBOX_KEY}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ route, mode, count }),
          });
          if (!res.ok)
            throw new Error(`sandbox fault ${route} ${mode}: ${res.status} ${await res.text()}`);
        },
      },
      mail,
      opsEmail,
      worker,
      workers,
      api: {
        url: apiUrl,
        async call(method, urlPath, body) {
          const res = await fetch(`${apiUrl}${urlPath}`, {
            method,
            headers: {
              authorization: `Bearer ${ADMIN_KEY}`,
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            body: body !== undefined ? JSON.stringify(body) : undefined,
          });
          const text = await res.text();
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text for the assertion message
          }
          return { status: res.status, body: parsed };
        },
      },
      env,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

async function chaosTemporal(dbFile: string, log: (m: string) => void): Promise<ChaosTemporal> {
  const cliPath = await findTemporalCli({ env: process.env, log });
  const port = await findFreePort();
  let server: TemporalDevServer | undefined;
  return {
    address: `127.0.0.1:${port}`,
    port,
    dbFile,
    running: () => server !== undefined,
    async start() {
      if (server) throw new Error('the Temporal dev server is already running');
      // The same flags as `npm start`: a SQLite file in WAL mode (see devServerArgs).
      server = await startTemporalDevServer({
        cliPath,
        port,
        dbFile,
        // A killed worker's dropped calls make the server complain; that noise is expected.
        log: (m) => {
          if (!m.includes('error="context canceled"')) log(m);
        },
      });
    },
    async stop(signal) {
      const s = server;
      if (!s) return;
      server = undefined;
      if (signal === 'SIGKILL') {
        process.kill(s.pid, 'SIGKILL');
        await s.exited;
      }
      // After a SIGKILL this only forgets the exit hook; otherwise SIGTERM and wait.
      await s.stop();
    },
  };
}

/** The cluster seen as a whole: stopping it kills every service; its services restart one by one. */
function clusterAsChaosTemporal(cluster: TemporalCluster): ChaosTemporal {
  const port = Number(cluster.address.split(':').pop());
  return {
    address: cluster.address,
    port,
    dbFile: `${cluster.databases.persistence} on ${cluster.databases.serverHost}`,
    running: () => cluster.running('frontend') && cluster.running('history'),
    start: () =>
      Promise.reject(
        new Error('the cluster is not restarted as a whole: use stack.cluster.restart(service)'),
      ),
    async stop(signal) {
      for (const service of ['worker', 'frontend', 'matching', 'history'] as const) {
        await cluster.kill(service, signal);
      }
    },
  };
}

function chaosWorker(env: Record<string, string>, log: (m: string) => void): ChaosWorker {
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let out = '';
  let starts = 0;
  const isAlive = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const worker: ChaosWorker = {
    pid: () => proc?.pid,
    alive: isAlive,
    starts: () => starts,
    output: () => out,
    async start() {
      if (isAlive()) throw new Error('the worker is already running');
      starts++;
      const life = starts;
      const marker = out.length;
      // `node --import tsx`: one process that runs the entry point (no tsx wrapper in between).
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(WORKER_ROOT, 'src', 'worker.main.ts')],
        {
          cwd: WORKER_ROOT,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so a kill reaches anything it started.
          detached: true,
        },
      );
      proc = child;
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      // A test process that dies must not leave a worker running.
      const killOnExit = () => {
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      };
      process.once('exit', killOnExit);
      child.once('exit', () => process.removeListener('exit', killOnExit));
      const deadline = Date.now() + 180_000;
      while (!/"msg":"worker running"/.test(out.slice(marker))) {
        if (!isAlive() || proc !== child) {
          throw new Error(
            `worker life ${life} exited before it ran; output:\n${out.slice(marker).slice(-3000)}`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(
            `worker life ${life} did not start within 180 s; output:\n${out.slice(marker).slice(-3000)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      log(`worker life ${life} running (pid ${child.pid})`);
    },
    async kill(signal = 'SIGKILL') {
      if (!proc || !isAlive()) return;
      try {
        process.kill(-proc.pid!, signal);
      } catch {
        // exited between the check and the kill
      }
      await exited;
    },
  };
  return worker;
}

// ---------- a batch of lost parcels, and what each must have caused exactly once ----------

/** How the parcels of a batch go lost. */
export type LossKind =
  /** The carrier scans the parcel `lost`: no waiting, straight to verification and review. */
  | 'carrier_lost'
  /** One in-transit scan, then silence: the stall timer of the policy fires. */
  | 'stalled';

/**
 * A policy that decides by itself: every parcel reships once its review SLA runs out. In-transit
 * parcels stall after `stallAfter`; a replacement (only its label scan) waits days, so it stays
 * quietly in monitoring and adds no messages of its own.
 */
export function autoReshipPolicy(opts: { reviewSla: string; stallAfter: string }) {
  return {
    stallAfter: {
      info_received: 'P5D',
      in_transit: opts.stallAfter,
      customs: 'P10D',
      out_for_delivery: 'P2D',
      failed_attempt: 'P3D',
      available_for_pickup: 'P7D',
    },
    overdueGrace: 'P3D',
    inquirySurge: { count: 50, window: 'PT1M' },
    reviewSla: opts.reviewSla,
    autoDecision: { maxDeclaredValue: 1000, decision: 'reship' },
    deliveredWatch: 'P14D',
    claimWait: 'PT0S',
  };
}

export interface BatchParcel {
  shipmentId: string;
  trackingNumber: string;
  email: string;
}

/**
 * Registers `count` sandbox parcels under `policy` through the API and sends each its scan
 * through the API. The sandbox carrier holds the same scan, so a lookup finds nothing newer.
 */
export async function registerBatch(
  stack: ChaosStack,
  opts: { count: number; policy: string; loss: LossKind; prefix: string },
): Promise<BatchParcel[]> {
  const parcels: BatchParcel[] = [];
  const events = [];
  for (let i = 0; i < opts.count; i++) {
    const shipmentId = `${opts.prefix}-${randomUUID().slice(0, 8)}`;
    const trackingNumber = stack.sandbox.store.newTrackingNumber();
    const email = `buyer.${shipmentId.toLowerCase()}@example.com`;
    const event = {
      eventId: `${trackingNumber}-1`,
      // Now: a stall timer of the policy runs its full length from here.
      occurredAt: new Date().toISOString(),
      status: opts.loss === 'carrier_lost' ? ('lost' as const) : ('in_transit' as const),
      description: opts.loss === 'carrier_lost' ? 'Item could not be located' : 'Departed hub',
    };
    stack.sandbox.store.addEvents(trackingNumber, [event]);
    const created = await stack.api.call('POST', '/v1/shipments', {
      shipmentId,
      orderId: `ORD-${shipmentId}`,
      carrier: 'sandbox',
      trackingNumber,
      policy: opts.policy,
      origin: { country: 'CN', warehouseId: 'wh-shenzhen' },
      destination: {
        country: 'US',
        name: 'Ada Buyer',
        line1: '1 Market St',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94105',
      },
      customer: { name: 'Ada Buyer', email, locale: 'en-US' },
      items: [{ sku: 'SKU-MUG', quantity: 1, unitPrice: 24 }],
      currency: 'USD',
      declaredValue: 24,
      shippedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    if (created.status !== 201) {
      throw new Error(
        `registering ${shipmentId}: ${created.status} ${JSON.stringify(created.body)}`,
      );
    }
    parcels.push({ shipmentId, trackingNumber, email });
    events.push({ carrier: 'sandbox', trackingNumber, ...event });
  }
  const pushed = await stack.api.call('POST', '/v1/tracking-events', { events });
  if (pushed.status !== 202 || pushed.body.accepted !== opts.count) {
    throw new Error(`pushing scans: ${pushed.status} ${JSON.stringify(pushed.body)}`);
  }
  return parcels;
}

/** Side effects recorded so far for a batch, per kind (rows in PostgreSQL). */
export interface Progress {
  delayNotices: number;
  reservations: number;
  reshipOrders: number;
  reshippedNotices: number;
  claimsFiled: number;
  closed: number;
}

export async function batchProgress(db: Db, parcels: BatchParcel[]): Promise<Progress> {
  const ids = parcels.map((p) => p.shipmentId);
  const [n] = await db.execute<{
    delay: string;
    reshipped: string;
    reservations: string;
    orders: string;
    claims: string;
    closed: string;
  }>(sql`select
      (select count(*) from notifications where shipment_id in ${ids} and kind = 'delay_notice') as delay,
      (select count(*) from notifications where shipment_id in ${ids} and kind = 'reshipped') as reshipped,
      (select count(*) from reservations where shipment_id in ${ids}) as reservations,
      (select count(*) from reship_orders where original_shipment_id in ${ids}) as orders,
      (select count(*) from claims where shipment_id in ${ids} and claim_id is not null) as claims,
      (select count(*) from shipments where shipment_id in ${ids} and stage = 'closed') as closed`);
  return {
    delayNotices: Number(n!.delay),
    reservations: Number(n!.reservations),
    reshipOrders: Number(n!.orders),
    reshippedNotices: Number(n!.reshipped),
    claimsFiled: Number(n!.claims),
    closed: Number(n!.closed),
  };
}

/** Every parcel of the batch closed and its claim filed: what a finished batch looks like. */
export function batchDone(p: Progress, count: number): boolean {
  return p.closed === count && p.claimsFiled === count && p.reshippedNotices === count;
}

/** Messages of the batch not sent yet (recorded, being sent, or failing). */
export async function unsentMessages(db: Db, parcels: BatchParcel[]): Promise<number> {
  const ids = parcels.map((p) => p.shipmentId);
  const [n] = await db.execute<{ n: string }>(
    sql`select count(*) as n from notifications where shipment_id in ${ids} and status <> 'sent'`,
  );
  return Number(n!.n);
}

/** What one lost parcel must have caused, each exactly once (compared as a whole per parcel). */
export interface ParcelEffects {
  shipmentId: string;
  stage: string;
  resolution: string | null;
  replacement: string | null;
  reservations: number;
  reshipOrders: number;
  /** Outbox rows per kind, and how many of them are sent. */
  messages: Record<string, number>;
  messagesSent: number;
  /**
   * Distinct mails (by Message-ID) the SMTP sink received for the customer, and those whose
   * Message-ID is an outbox row's. A worker killed after the SMTP server took a mail and before
   * the outbox recorded it sends it again once the lease ends, under the same Message-ID: SMTP
   * delivery is at least once, and receivers drop the copy by its Message-ID.
   */
  customerMails: number;
  customerMailsMatchingOutbox: number;
  opsMails: number;
  claims: number;
  claimsFiled: number;
  /** The sandbox carrier's own records. */
  providerLabels: number;
  providerClaims: number;
  /** Temporal: the shipment, its replacement and its claim workflow. */
  workflows: { shipment: string; replacement: string; claim: string };
}

export function expectedEffects(shipmentId: string): ParcelEffects {
  return {
    shipmentId,
    stage: 'closed',
    resolution: 'reshipped',
    replacement: `${shipmentId}~R1`,
    reservations: 1,
    reshipOrders: 1,
    messages: { delay_notice: 1, ops_alert: 1, reshipped: 1 },
    messagesSent: 3,
    customerMails: 2,
    customerMailsMatchingOutbox: 2,
    opsMails: 1,
    claims: 1,
    claimsFiled: 1,
    providerLabels: 1,
    providerClaims: 1,
    workflows: { shipment: 'COMPLETED', replacement: 'RUNNING', claim: 'RUNNING' },
  };
}

async function statusOf(client: Client, workflowId: string): Promise<string> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name;
  } catch (err) {
    return `missing (${(err as Error).name})`;
  }
}

/** Reads what one parcel caused, from the read model, the outbox, the sink, the carrier and Temporal. */
export async function effectsOf(stack: ChaosStack, parcel: BatchParcel): Promise<ParcelEffects> {
  const id = parcel.shipmentId;
  const shown = await stack.api.call('GET', `/v1/shipments/${encodeURIComponent(id)}`);
  const [reservationRows, orderRows, messageRows, claimRows] = await Promise.all([
    stack.db.execute<{ n: string }>(
      sql`select count(*) as n from reservations where shipment_id = ${id}`,
    ),
    stack.db.execute<{ label_id: string }>(
      sql`select label_id from reship_orders where original_shipment_id = ${id}`,
    ),
    stack.db.execute<{ kind: string; status: string; message_id: string | null }>(
      sql`select kind, status, message_id from notifications where shipment_id = ${id}`,
    ),
    stack.db.execute<{ claim_id: string | null; status: string }>(
      sql`select claim_id, status from claims where shipment_id = ${id}`,
    ),
  ]);
  const messages: Record<string, number> = {};
  for (const m of messageRows) messages[m.kind] = (messages[m.kind] ?? 0) + 1;
  const outboxIds = new Set(messageRows.map((m) => m.message_id));
  const mails = stack.mail.messages();
  const distinct = <T extends { messageId?: string | null }>(list: T[]) => [
    ...new Map(list.map((m, i) => [m.messageId ?? `no-id-${i}`, m])).values(),
  ];
  const customerMails = distinct(mails.filter((m) => m.to.some((to) => to.includes(parcel.email))));
  const opsMails = distinct(
    mails.filter((m) => m.to.some((to) => to.includes(stack.opsEmail)) && m.subject.includes(id)),
  );
  const replacement = `${id}~R1`;
  const [shipment, replacementStatus, claim] = await Promise.all([
    statusOf(stack.client, `shipment:${id}`),
    statusOf(stack.client, `shipment:${replacement}`),
    statusOf(stack.client, `claim:${id}`),
  ]);
  return {
    shipmentId: id,
    stage: shown.body?.stage ?? `HTTP ${shown.status}`,
    resolution: shown.body?.resolution ?? null,
    replacement: shown.body?.reship?.shipmentId ?? null,
    reservations: Number(reservationRows[0]!.n),
    reshipOrders: orderRows.length,
    messages,
    messagesSent: messageRows.filter((m) => m.status === 'sent').length,
    customerMails: customerMails.length,
    customerMailsMatchingOutbox: customerMails.filter((m) => outboxIds.has(m.messageId ?? null))
      .length,
    opsMails: opsMails.length,
    claims: claimRows.length,
    claimsFiled: claimRows.filter((c) => c.status === 'filed' && c.claim_id !== null).length,
    providerLabels: [...stack.sandbox.store.labels.values()].filter(
      (l) => l.reference === replacement,
    ).length,
    providerClaims: [...stack.sandbox.store.claims.values()].filter(
      (c) => c.trackingNumber === parcel.trackingNumber,
    ).length,
    workflows: { shipment, replacement: replacementStatus, claim },
  };
}
