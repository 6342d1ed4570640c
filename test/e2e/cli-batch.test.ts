import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSandboxCarrier, type SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import { parseCsv } from '../../src/cli/csv';
import { connectDatabase, type Database } from '../../src/db/client';
import { stock } from '../../src/db/schema';
import { findFreePort } from '../../src/infra/free-port';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import { aRegistration, uniqueId } from '../helpers/factories';
import {
  runCliProcess,
  spawnService,
  type CliResult,
  type ServiceProcess,
} from '../helpers/processes';
import { waitUntil } from '../helpers/wait';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import '../helpers/provided';

/**
 * `parcelwarden reviews batch` and `parcelwarden stock import` as a user runs them (their own
 * process) against the API and the worker as their own processes, on the run's Temporal server
 * and PostgreSQL, with the sandbox carrier and an SMTP sink standing in for the outside world.
 */
const ADMIN = 'cli-batch-admin';
const OPS = 'cli-batch-ops';
const INGEST = 'cli-batch-ingest';
const SANDBOX_KEY = 'cli-batch-sandbox';
const POLICY = `cli-batch-${randomUUID().slice(0, 8)}`;
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;
let sandbox: { store: SandboxStore; close(): Promise<void> };
let mail: MailSink;
let database: Database;
/**
 * A database of this file's own: the API it spawns takes API_KEYS as the whole truth about keys
 * from the environment and revokes the others at start, which would be other test files' keys.
 */
let own: OwnDatabase;
let dir: string;

function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliProcess(args, { PARCELWARDEN_URL: apiUrl, PARCELWARDEN_API_KEY: OPS, ...env });
}

async function http(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${apiUrl}${urlPath}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

beforeAll(async () => {
  own = await ownDatabase();
  database = connectDatabase(own.url, { max: 2 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'parcelwarden-cli-batch-'));
  const s = createSandboxCarrier({ apiKey: SANDBOX_KEY });
  const listening = await s.listen(0);
  sandbox = { store: s.store, close: listening.close };
  mail = await startMailSink({ smtpPort: 0 });
  const port = await findFreePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: own.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE: `cli-batch-${randomUUID()}`,
    SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
    SANDBOX_CARRIER_URL: listening.url,
    SANDBOX_CARRIER_KEY: SANDBOX_KEY,
    API_KEYS: `admin:${ADMIN},ops:${OPS},ingest:${INGEST}`,
    OPS_EMAIL: 'ops@cli-batch.test',
    PORT: String(port),
  };
  api = spawnService('src/api.main.ts', env);
  worker = spawnService('src/worker.main.ts', env);
  await Promise.all([
    api.waitForOutput(/API listening/, 120_000),
    worker.waitForOutput(/worker running/, 120_000),
  ]);
  // Days are seconds: a parcel without a new scan for 3 s is stalled and goes to review.
  const policy = await http('PUT', `/v1/policies/${POLICY}`, {
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
  await sandbox?.close();
  await mail?.stop();
  await database?.close();
  await own?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Registers a parcel, gives it one scan and waits until it stalls into the review queue. */
async function parcelAwaitingReview(): Promise<string> {
  const reg = aRegistration({ carrier: 'sandbox', policy: POLICY, declaredValue: 24 });
  sandbox.store.addEvents(reg.trackingNumber, []);
  expect((await http('POST', '/v1/shipments', reg)).status).toBe(201);
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
  return reg.shipmentId;
}

describe('batch decisions and stock imports from the parcelwarden CLI', () => {
  it('decides three stalled parcels and an unknown one from a CSV: progress shown, 3 succeed, the unknown one fails with its code, exit 1', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => parcelAwaitingReview()));
    await waitUntil(
      'the three parcels in the review queue',
      () => http('GET', '/v1/reviews?limit=200'),
      (r) =>
        ids.every((id) =>
          (r.body.items as { shipmentId: string }[]).some((i) => i.shipmentId === id),
        ),
      90_000,
      500,
    );
    const unknown = `NO-SUCH-${randomUUID().slice(0, 8)}`;
    const file = path.join(dir, 'decisions.csv');
    await writeFile(
      file,
      [
        'shipment_id,decision,note',
        ...ids.map((id) => `${id},refund,"lost, refund the customer"`),
        `${unknown},refund,`,
      ].join('\n'),
    );
    const batchId = `cli-e2e-${randomUUID().slice(0, 8)}`;

    const res = await runCli([
      'reviews',
      'batch',
      file,
      '--reviewer',
      'olga@ops',
      '--batch-id',
      batchId,
    ]);

    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toContain(`Batch ${batchId}: 4 decisions accepted.`);
    // Not a terminal: progress comes as lines on stderr, the last one the final count.
    const progress = res.stderr.split('\n').filter((l) => /^\d+\/4 done/.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toBe('4/4 done, 3 succeeded, 1 failed');
    expect(res.stdout).toContain('4 decisions: 3 succeeded, 1 failed');
    expect(res.stdout).toMatch(new RegExp(`${unknown}\\s+refund\\s+shipment\\.not_found\\s+`));
    // Only the unknown shipment is listed under the failures (after the header and the rule).
    const failed = res.stdout.split('Failed decisions:\n')[1]!.trim().split('\n').slice(2);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain(unknown);

    for (const id of ids) {
      const shipment = await http('GET', `/v1/shipments/${id}`);
      expect(shipment.body.review).toMatchObject({
        decision: 'refund',
        reviewer: 'olga@ops',
        note: 'lost, refund the customer',
      });
    }
    // The batch API agrees with what the CLI printed.
    const batch = await http('GET', `/v1/reviews:batch/${batchId}`);
    expect(batch.body).toMatchObject({ total: 4, done: 4, succeeded: 3, failed: 1 });
  }, 240_000);

  it('refuses a stock file with a bad row, naming the row and column, and imports it once fixed', async () => {
    const wh = `wh-cli-${randomUUID().slice(0, 8)}`;
    const created = await http('PUT', `/v1/warehouses/${wh}`, {
      name: 'CLI test warehouse',
      country: 'DE',
      kind: 'overseas',
    });
    expect(created.status).toBe(201);
    const file = path.join(dir, 'stock.csv');
    const errorsFile = path.join(dir, 'stock-errors.csv');
    const rows = (qty: string) =>
      ['warehouse_id,sku,quantity', `${wh},MUG-1,12`, `${wh},CAP-1,${qty}`, `${wh},TEE-1,3`].join(
        '\n',
      );
    await writeFile(file, rows('2.5'));

    const refused = await runCli(['stock', 'import', file, '--errors', errorsFile], {
      PARCELWARDEN_API_KEY: INGEST,
    });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toContain('no row was applied');
    expect(refused.stdout).toMatch(/\n\s*3\s+quantity\s+must be a whole number/);
    const report = parseCsv(await readFile(errorsFile, 'utf8')).map((r) => r.fields);
    expect(report).toEqual([
      ['row', 'field', 'message'],
      ['3', 'quantity', 'must be a whole number'],
    ]);
    const none = await database.db.select().from(stock).where(eq(stock.warehouseId, wh));
    expect(none).toEqual([]);

    await writeFile(file, rows('4'));
    const fixed = await runCli(['stock', 'import', file], { PARCELWARDEN_API_KEY: INGEST });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/^Imported 3 rows: 3 new stock levels, 0 updated/);

    // --mode add for a file without a mode column: the levels grow instead of being replaced.
    await writeFile(file, ['warehouse_id,sku,quantity', `${wh},CAP-1,6`].join('\n'));
    const added = await runCli(['stock', 'import', file, '--mode', 'add'], {
      PARCELWARDEN_API_KEY: INGEST,
    });
    expect(added.code, added.stderr).toBe(0);
    const [cap] = await database.db
      .select({ onHand: stock.onHand })
      .from(stock)
      .where(and(eq(stock.warehouseId, wh), eq(stock.sku, 'CAP-1')));
    expect(cap?.onHand).toBe(10);
  }, 120_000);
});
