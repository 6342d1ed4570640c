import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { parseCsv } from '../../src/cli/csv';
import { connectDatabase, type Database } from '../../src/db/client';
import { shipments } from '../../src/db/schema';
import { findFreePort } from '../../src/infra/free-port';
import { shipmentWorkflowId } from '../../workflows/shipment.contract';
import {
  runCliProcess,
  spawnService,
  type CliResult,
  type ServiceProcess,
} from '../helpers/processes';
import { testDataConverter } from '../helpers/payload-key';
import { waitUntil } from '../helpers/wait';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import '../helpers/provided';

/**
 * The CLI as a user runs it (`bin/parcelwarden.mjs`, its own process) against the API as its own
 * process, on the run's Temporal server and PostgreSQL. No worker: the workflows start and wait.
 */
const ADMIN = 'cli-e2e-admin';
const INGEST = 'cli-e2e-ingest';
const CARRIER = `cli-${randomUUID().slice(0, 8)}`;
let api: ServiceProcess;
let apiUrl: string;
let database: Database;
/**
 * A database of this file's own: the API it spawns takes API_KEYS as the whole truth about keys
 * from the environment and revokes the others at start, which would be other test files' keys.
 */
let own: OwnDatabase;
let temporal: Client;
let dir: string;

function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliProcess(args, { PARCELWARDEN_URL: apiUrl, PARCELWARDEN_API_KEY: INGEST, ...env });
}

beforeAll(async () => {
  own = await ownDatabase();
  database = connectDatabase(own.url, { max: 2 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'parcelwarden-cli-'));
  const port = await findFreePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = spawnService('src/api.main.ts', {
    DATABASE_URL: own.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE: `cli-e2e-${randomUUID()}`,
    API_KEYS: `admin:${ADMIN},ingest:${INGEST}`,
    PORT: String(port),
  });
  await api.waitForOutput(/API listening/, 120_000);
  temporal = new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
    dataConverter: testDataConverter(),
  });
});

afterAll(async () => {
  await api?.kill();
  await temporal?.connection.close();
  await database?.close();
  await own?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const HEADER =
  'order_id,tracking_number,carrier,origin_country,destination_country,destination_line1,destination_city,destination_postal_code,customer_name,customer_email,customer_locale,items,declared_value,currency,shipped_at,carrier_unlisted';

/**
 * Row i of the export; `bad` rows carry one mistake each, at known lines. The carrier is one of
 * this run's own, outside the catalogue, so the rows mark it unlisted; row 333 misspells a
 * catalogue carrier instead.
 */
function row(i: number, run: string): string {
  const order = `${run}-${i}`;
  const cells = {
    order,
    tracking: `TN${run}${String(i).padStart(5, '0')}`,
    country: 'US',
    email: `buyer${i}@example.com`,
    items: 'MUG-1:2:9.95;CAP:1:15',
    value: '34.90',
    carrier: CARRIER,
    unlisted: 'yes',
  };
  switch (i) {
    case 100:
      cells.email = 'not-an-email';
      break;
    case 250:
      cells.items = 'MUG-1:0:9.95';
      break;
    case 333:
      cells.carrier = 'yanwn';
      cells.unlisted = '';
      break;
    case 500:
      cells.country = 'XX';
      break;
    case 750:
      cells.value = '12,50';
      break;
    case 999:
      cells.tracking = '';
      break;
  }
  return [
    cells.order,
    cells.tracking,
    cells.carrier,
    'CN',
    cells.country,
    '"1 Market St, Apt 2"',
    'San Francisco',
    '94105',
    `"Buyer ""${i}"""`,
    cells.email,
    'en-US',
    cells.items,
    `"${cells.value}"`,
    'USD',
    '2026-03-01T10:00:00Z',
    cells.unlisted,
  ].join(',');
}

describe('the parcelwarden CLI against the running API', () => {
  it('imports a 1,000-row export with 6 bad rows: 994 shipments start, the 6 errors come by row and field, and a re-run changes nothing', async () => {
    const run = randomUUID().slice(0, 6).toUpperCase();
    const file = path.join(dir, 'orders.csv');
    const lines = [HEADER, ...Array.from({ length: 1000 }, (_, i) => row(i, run))];
    await writeFile(file, `${lines.join('\r\n')}\r\n`);
    const errorsFile = path.join(dir, 'errors.csv');

    const first = await runCli(['import', 'shipments', file, '--errors', errorsFile]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toContain('1000 rows: 994 registered, 0 already registered, 6 failed');
    // Data row i is line i + 2 of the file (the header is line 1).
    const report = parseCsv(await readFile(errorsFile, 'utf8')).map((r) => r.fields);
    expect(report[0]).toEqual(['row', 'field', 'message']);
    expect(report.slice(1).map(([line, field]) => [line, field])).toEqual([
      ['102', 'customer_email'],
      ['252', 'items'],
      ['335', 'carrier'],
      ['502', 'destination_country'],
      ['752', 'declared_value'],
      ['1001', 'tracking_number'],
    ]);
    expect(report[2]![2]).toBe('item 1 quantity: must be at least 1');
    expect(report[3]![2]).toMatch(/^unknown carrier "yanwn"; did you mean "yanwen"\?/);
    expect(first.stdout).toMatch(/752\s+declared_value\s+"12,50" must be a decimal number/);
    // Not a terminal: progress comes as lines on stderr.
    expect(first.stderr).toContain('rows 1000/1000 (6 failed)');

    const stored = await database.db
      .select({ id: shipments.shipmentId, workflowId: shipments.workflowId })
      .from(shipments)
      .where(eq(shipments.carrier, CARRIER));
    expect(stored).toHaveLength(994);
    const sample = stored.find((s) => s.id === `${run}-1-TN${run}00001`)!;
    expect(sample.workflowId).toBe(shipmentWorkflowId(sample.id));
    for (const s of [stored[0]!, stored[494]!, stored[993]!]) {
      const d = await temporal.workflow.getHandle(s.workflowId).describe();
      expect(d.status.name).toBe('RUNNING');
    }
    await waitUntil(
      '994 running shipment workflows of the carrier',
      () => temporal.workflow.count(`Carrier = '${CARRIER}' AND ExecutionStatus = 'Running'`),
      (c) => c.count === 994,
      60_000,
      1000,
    );

    const again = await runCli(['import', 'shipments', file]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('1000 rows: 0 registered, 994 already registered, 6 failed');
    const after = await database.db
      .select({ id: shipments.shipmentId })
      .from(shipments)
      .where(eq(shipments.carrier, CARRIER));
    expect(after).toHaveLength(994);

    const shown = await runCli(['shipment', 'show', sample.id], { PARCELWARDEN_API_KEY: ADMIN });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Shipment   ${sample.id}`);
    expect(shown.stdout).toMatch(/Stage\s+monitoring/);

    const report2 = await runCli(['report', 'carriers', '--carrier', CARRIER], {
      PARCELWARDEN_API_KEY: ADMIN,
    });
    expect(report2.code, report2.stderr).toBe(0);
    expect(report2.stdout).toMatch(new RegExp(`${CARRIER}\\s+994\\s+0\\s+0`));
  }, 300_000);

  it('says what is wrong and how to fix it: a refused key, an unknown shipment, an API that is not there', async () => {
    const badKey = await runCli(['reviews', 'list'], { PARCELWARDEN_API_KEY: 'wrong' });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('The API refused the key (auth.invalid_key)');

    const missing = await runCli(['shipment', 'show', 'NO-SUCH-1'], {
      PARCELWARDEN_API_KEY: ADMIN,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      '404 Shipment not found (shipment.not_found): There is no shipment "NO-SUCH-1".',
    );

    const forbidden = await runCli(['report', 'carriers']);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('403 Forbidden (auth.forbidden)');

    const down = await runCli(['reviews', 'list'], {
      PARCELWARDEN_URL: `http://127.0.0.1:${await findFreePort()}`,
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(
      /Cannot reach the Parcelwarden API at http:\/\/127\.0\.0\.1:\d+\/v1\/reviews/,
    );
    expect(down.stderr).toContain('npm run api');
  });
});
