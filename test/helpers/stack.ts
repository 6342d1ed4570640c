import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { sandboxRegistry } from '../../src/carriers/registry';
import { SandboxCarrierClient } from '../../src/carriers/sandbox/sandbox.client';
import { createSandboxCarrier, type SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import { connectDatabase, type Database } from '../../src/db/client';
import { seed } from '../../src/db/seed';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import { createShopAccess, installRuntime } from '../../src/services';
import { createSecretBox } from '../../src/shops/secret-box';
import type { WebhookProvider } from '../../src/webhooks/webhooks.providers';
import { bundleWorkflows, createShipmentWorker } from '../../src/worker';
import { ownDatabase } from './own-database';
import { testDataConverter, testPayloadKey } from './payload-key';
import './provided';

let bundle: Promise<WorkflowBundle> | undefined;
/** Workflows are bundled once per test process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflows();
  return bundle;
}

export const SANDBOX_KEY = 'test-sandbox-key';
export const OPS_EMAIL = 'ops@parcelwarden.test';

export interface TestStack {
  database: Database;
  db: Database['db'];
  client: Client;
  /** The real activities the worker runs, for tests that call one directly. */
  activities: ReturnType<typeof createActivities>;
  namespace: string;
  taskQueue: string;
  sandbox: {
    url: string;
    store: SandboxStore;
    control(body: unknown): Promise<void>;
    /** Stops scenario timers and webhook pushes; the carrier API keeps answering until stop. */
    stopScenarios(): void;
    /** The API scenario webhooks go to (the only one the sandbox pushes to). */
    pushTo(apiUrl: string): void;
  };
  mail: MailSink;
  worker?: Worker;
  /** Starts (again) an in-process worker on the stack's task queue. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Real parts for workflow and API tests: the run's Temporal server and database, an in-process
 * sandbox carrier and SMTP sink, and a worker with the real activities on a task queue of its own.
 */
export interface TestStackOptions {
  /** Start the in-process worker right away (default true). */
  worker?: boolean;
  /**
   * A fresh, migrated database of its own instead of the run's shared one, dropped on stop: for
   * tests that read global lists (the review queue) that other test files fill at the same time.
   */
  ownDatabase?: boolean;
  /** A database the test runs itself (migrated), e.g. an embedded PostgreSQL it stops and starts. */
  databaseUrl?: string;
  /** Secrets the sandbox carrier signs its scenario webhook pushes with. */
  webhookSecrets?: Partial<Record<WebhookProvider, string>>;
  /**
   * Activities reach connected shops (the shops table, credentials sealed with the run's
   * PAYLOAD_KEY, so shops put through an API with `secretBox: createSecretBox(testPayloadKey())`).
   */
  shops?: boolean;
}

export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  installRuntime();
  const address = inject('temporalAddress');
  const namespace = 'default';
  const own = opts.ownDatabase ? await ownDatabase() : undefined;
  const database = connectDatabase(own?.url ?? opts.databaseUrl ?? inject('databaseUrl'), {
    max: 5,
  });
  await seed(database.db);
  const sandboxServer = createSandboxCarrier({
    apiKey: SANDBOX_KEY,
    webhookSecrets: opts.webhookSecrets,
  });
  const sandboxHttp = await sandboxServer.listen(0);
  const mail = await startMailSink({ smtpPort: 0 });
  const mailer = createSmtpMailer({
    url: `smtp://127.0.0.1:${mail.smtpPort}`,
    from: 'Parcelwarden <care@parcelwarden.test>',
  });
  const carriers = sandboxRegistry(
    new SandboxCarrierClient({ baseUrl: sandboxHttp.url, apiKey: SANDBOX_KEY, timeoutMs: 5000 }),
  );
  const activities = createActivities({
    db: database.db,
    carriers,
    mailer,
    opsEmail: OPS_EMAIL,
    ...(opts.shops
      ? { shops: createShopAccess(database.db, createSecretBox(testPayloadKey()), fetch) }
      : {}),
  });
  const connection = await Connection.connect({ address });
  // Payloads encrypted with the run's PAYLOAD_KEY, by the client and the worker alike.
  const client = new Client({ connection, namespace, dataConverter: testDataConverter() });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = `test-${randomUUID()}`;
  let running: { worker: Worker; done: Promise<void> } | undefined;

  const stack: TestStack = {
    database,
    db: database.db,
    client,
    activities,
    namespace,
    taskQueue,
    sandbox: {
      url: sandboxHttp.url,
      store: sandboxServer.store,
      async control(body) {
        const res = await fetch(`${sandboxHttp.url}/__control/faults`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SANDBOX_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`sandbox control failed: ${res.status} ${await res.text()}`);
      },
      stopScenarios: () => sandboxServer.close(),
      pushTo: (apiUrl) => sandboxServer.setApiBaseUrl(apiUrl),
    },
    mail,
    async startWorker() {
      if (running) return;
      const worker = await createShipmentWorker({
        connection: nativeConnection,
        namespace,
        taskQueue,
        activities,
        workflowBundle: await workflowBundle(),
        dataConverter: testDataConverter(),
      });
      running = { worker, done: worker.run() };
      stack.worker = worker;
    },
    async stopWorker() {
      if (!running) return;
      running.worker.shutdown();
      await running.done;
      running = undefined;
      stack.worker = undefined;
    },
    async stop() {
      await stack.stopWorker();
      await nativeConnection.close();
      await connection.close();
      await sandboxHttp.close();
      await mail.stop();
      mailer.close?.();
      await database.close();
      await own?.drop();
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}
