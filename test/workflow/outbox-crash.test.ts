import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSandboxCarrier, type SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import {
  connectDatabase,
  type Database,
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
} from '../../src/db/client';
import { notifications } from '../../src/db/schema';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import {
  initialSearchAttributes,
  SHIPMENT_WORKFLOW_TYPE,
  shipmentWorkflowId,
  stateQuery,
} from '../../workflows/shipment.contract';
import {
  aFastPolicy,
  aRegistration,
  insertPolicy,
  insertShipmentRow,
  uniqueId,
} from '../helpers/factories';
import { testDataConverter } from '../helpers/payload-key';
import { spawnService, type ServiceProcess } from '../helpers/processes';
import { waitUntil } from '../helpers/wait';

/**
 * The worker runs as its own process (as `npm run worker` runs it) so it can die for real:
 * SIGKILL between writing the customer's message to the outbox and handing it to SMTP.
 * It gets a database of its own: outbox dispatchers of other test files' workers must not pick
 * up (or count towards) this test's message.
 */
const SANDBOX_KEY = 'outbox-crash-sandbox-key';
const OPS_EMAIL = 'ops@outbox-crash.test';
let database: Database;
let dbName: string;
let client: Client;
let sandbox: { url: string; store: SandboxStore; close(): Promise<void> };
let sink: MailSink;
let env: Record<string, string>;
const workers: ServiceProcess[] = [];

async function startWorkerProcess(extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const w = spawnService('src/worker.main.ts', { ...env, ...extra });
  workers.push(w);
  await w.waitForOutput(/worker running/, 150_000);
  return w;
}

beforeAll(async () => {
  dbName = `pw_outbox_crash_${Date.now()}`;
  const url = await ensureDatabase(inject('databaseServerUrl'), dbName);
  await migrateDatabase(url);
  database = connectDatabase(url, { max: 3 });
  client = new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
    dataConverter: testDataConverter(),
  });
  const s = createSandboxCarrier({ apiKey: SANDBOX_KEY });
  const listening = await s.listen(0);
  sandbox = { url: listening.url, store: s.store, close: listening.close };
  sink = await startMailSink({ smtpPort: 0 });
  env = {
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE: uniqueId('outbox-crash'),
    SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
    SANDBOX_CARRIER_URL: sandbox.url,
    SANDBOX_CARRIER_KEY: SANDBOX_KEY,
    OPS_EMAIL,
    // A dead sender's claim on a message runs out after 3 s; the next worker may then send it.
    OUTBOX_LEASE_SECONDS: '3',
    OUTBOX_POLL_MS: '500',
  };
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await client?.connection.close();
  await sandbox?.close();
  await sink?.stop();
  await database?.close();
  if (dbName) {
    await dropDatabase(inject('databaseServerUrl'), dbName);
  }
});

/** Registers a shipment the way the API does: read-model row, then its workflow. */
async function startShipment() {
  const policy = aFastPolicy(uniqueId('crash'));
  await insertPolicy(database.db, policy);
  const reg = aRegistration({ policy: policy.name });
  sandbox.store.addEvents(reg.trackingNumber, []);
  await insertShipmentRow(database.db, reg);
  const handle = await client.workflow.start(SHIPMENT_WORKFLOW_TYPE, {
    workflowId: shipmentWorkflowId(reg.shipmentId),
    taskQueue: env.TASK_QUEUE!,
    args: [{ registration: reg, registeredAt: new Date().toISOString() }],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: initialSearchAttributes(reg),
  });
  return { reg, handle };
}

describe('the outbox when the worker dies', () => {
  it('a worker killed between "recorded" and "sent" leaves exactly one e-mail at the SMTP server', async () => {
    // The first worker stops right after recording (and claiming) the message, before SMTP.
    const first = await startWorkerProcess({ OUTBOX_TEST_PAUSE_MS: '600000' });
    const { reg, handle } = await startShipment();
    await first.waitForOutput(/paused between recorded and sent/, 90_000);

    const [recorded] = await database.db
      .select()
      .from(notifications)
      .where(eq(notifications.shipmentId, reg.shipmentId));
    expect(recorded).toMatchObject({ kind: 'delay_notice', status: 'sending', attempts: 0 });
    expect(sink.messages().filter((m) => m.to.includes(reg.customer.email))).toHaveLength(0);

    await first.kill('SIGKILL');
    await startWorkerProcess();

    const mail = await sink.waitFor((m) => m.to.includes(reg.customer.email), 120_000);
    expect(mail.subject).toBe(`Your order ${reg.orderId} is taking longer than expected`);
    expect(mail.messageId).toBe(recorded!.messageId);
    // The killed activity is retried by Temporal and finds the message sent: the workflow goes on.
    const state = await waitUntil(
      'the workflow to record the delay notice',
      () => handle.query(stateQuery),
      (s) => s.notifications.some((n) => n.kind === 'delay_notice'),
      120_000,
    );
    expect(state.notifications.filter((n) => n.kind === 'delay_notice')).toEqual([
      expect.objectContaining({ channel: 'email', to: reg.customer.email, status: 'sent' }),
    ]);
    const [row] = await database.db
      .select()
      .from(notifications)
      .where(eq(notifications.id, recorded!.id));
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(sink.messages().filter((m) => m.to.includes(reg.customer.email))).toHaveLength(1);
  });
});
