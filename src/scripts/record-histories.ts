/**
 * `npm run histories:record`: runs representative shipments to their ends on a throwaway stack
 * (Temporal dev server, fresh database, sandbox carrier, mail sink, in-process worker) and writes
 * each run's event history to test/histories/<name>.json, which the replay test replays.
 *
 * Re-record only after an intended change that running workflows will never meet (or that is
 * guarded by patched()); see docs/testing.md, "Determinism and replay".
 *
 * Options: --only a,b (record just these scenarios, keep the other files), --keep-going (write the
 * scenarios that worked even when others failed; exits 1 all the same).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { sandboxRegistry } from '../carriers/registry';
import { SandboxCarrierClient } from '../carriers/sandbox/sandbox.client';
import { createSandboxCarrier } from '../carriers/sandbox/sandbox.server';
import { connectDatabase, dropDatabase, ensureDatabase, migrateDatabase } from '../db/client';
import { seed } from '../db/seed';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { findFreePort } from '../infra/free-port';
import { findTemporalCli } from '../infra/temporal-cli';
import { startTemporalDevServer } from '../infra/temporal-dev';
import { createSmtpMailer } from '../mail/smtp-mailer';
import { startMailSink } from '../mail/smtp-sink';
import { createPolicyRepository } from '../policies/policies.repository';
import { installRuntime } from '../services';
import { shipmentRow } from '../shipments/shipments.rows';
import { shipments } from '../db/schema';
import { bundleWorkflows, createShipmentWorker } from '../worker';
import { historyToStoredJSON } from '../temporal/history-codec';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { shipmentWorkflow } from '../../workflows/shipment.workflow';
import {
  cancelSignal,
  customerInquirySignal,
  initialSearchAttributes,
  reviewUpdate,
  SHIPMENT_WORKFLOW_TYPE,
  shipmentWorkflowId,
  stateQuery,
  trackingEventsSignal,
  trackingSummarySignal,
  type Policy,
  type ReviewDecision,
  type ShipmentRegistration,
  type ShipmentState,
  type Stage,
  type TrackingEvent,
  type TrackingStatus,
} from '../../workflows/shipment.contract';

const HISTORIES_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test',
  'histories',
);
/** Low, so the continue-as-new scenario gets there within a few dozen scans. */
const SUGGEST_CONTINUE_AS_NEW_AT = 60;
const SCENARIO_DEADLINE_MS = 150_000;

const say = (msg: string) => console.log(`[histories] ${msg}`);

/** Days are seconds: a month of a parcel's life in under a minute. */
const FAST: Policy = {
  ...DEFAULT_POLICY,
  name: 'hist-fast',
  stallAfter: {
    info_received: 'PT3S',
    in_transit: 'PT3S',
    customs: 'PT5S',
    out_for_delivery: 'PT3S',
    failed_attempt: 'PT3S',
    available_for_pickup: 'PT3S',
  },
  overdueGrace: 'PT3S',
  inquirySurge: { count: 2, window: 'PT20S' },
  reviewSla: 'PT60S',
  deliveredWatch: 'PT3S',
  claimWait: 'PT0S',
  maxFailedAttempts: 2,
};
/** A delivered parcel stays watched long enough for a "never got it" inquiry to arrive. */
const WATCHFUL: Policy = { ...FAST, name: 'hist-watchful', deliveredWatch: 'PT40S' };
/** Nobody decides in time: the SLA runs out and the policy decides a cheap parcel. */
const AUTO: Policy = {
  ...FAST,
  name: 'hist-auto',
  reviewSla: 'PT3S',
  autoDecision: { maxDeclaredValue: 50, decision: 'refund' },
};
/** In transit for an hour before it stalls: only an inquiry moves it on meanwhile. */
const QUIET: Policy = {
  ...FAST,
  name: 'hist-quiet',
  stallAfter: { ...FAST.stallAfter, in_transit: 'PT1H' },
};
const POLICIES = [FAST, WATCHFUL, AUTO, QUIET];

const BERLIN = {
  country: 'DE',
  name: 'Erika Muster',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
};

interface Run {
  client: Client;
  taskQueue: string;
  register(id: string, policy: Policy, extra?: Partial<ShipmentRegistration>): Promise<Shipment>;
}

interface Shipment {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof shipmentWorkflow>;
  reg: ShipmentRegistration;
  /** Sends scans, each `ago` seconds before now. */
  scans(...events: [TrackingStatus, number, Partial<TrackingEvent>?][]): Promise<void>;
  stageIn(stages: Stage[]): Promise<ShipmentState>;
  decide(decision: ReviewDecision): Promise<void>;
  /** Waits for the workflow (and every run it continued as) to complete. */
  finished(): Promise<ShipmentState>;
}

type Scenario = (run: Run) => Promise<Shipment>;

/**
 * The plainest loss: one in-transit scan that goes quiet, the review it opens, a reship. Several
 * scenarios record this same path under a newer patch, so the recordings differ only in the code.
 */
async function stallThenReship(run: Run, shipmentId: string): Promise<Shipment> {
  const s = await run.register(shipmentId, FAST);
  await s.scans(['in_transit', 1]);
  await s.stageIn(['awaiting_review']);
  await s.decide('reship');
  return s;
}

/** Representative lives of a shipment. The file names are the scenario names. */
const SCENARIOS: Record<string, Scenario> = {
  async delivered(run) {
    const s = await run.register('hist-delivered', FAST);
    await s.scans(['info_received', 30], ['in_transit', 20], ['out_for_delivery', 1]);
    await s.scans(['delivered', 0]);
    return s;
  },

  async 'stalled-reship-claim'(run) {
    return stallThenReship(run, 'hist-reship');
  },

  async refund(run) {
    const s = await run.register('hist-refund', FAST);
    await s.scans(['info_received', 1]);
    await s.stageIn(['awaiting_review']);
    await s.decide('refund');
    return s;
  },

  async 'refund-stage'(run) {
    // A refund in its own `refunding` stage (patch `refund-stage`). `refund`, `carrier-lost-refund`,
    // `shortfall-then-refund` and `sla-auto-decision` were recorded before that patch, refunding
    // inside `notifying`: keep them as they are, they prove such runs still replay.
    const s = await run.register('hist-refund-stage', FAST);
    await s.scans(['in_transit', 1]);
    await s.stageIn(['awaiting_review']);
    await s.decide('refund');
    return s;
  },

  async 'shortfall-then-refund'(run) {
    // No warehouse stocks this SKU: the reship goes back to review, then ops refund.
    const s = await run.register('hist-shortfall', FAST, {
      items: [{ sku: 'SKU-NEVER-STOCKED', quantity: 1, unitPrice: 19.9 }],
    });
    await s.scans(['in_transit', 1]);
    await s.stageIn(['awaiting_review']);
    await s.decide('reship');
    await s.stageIn(['awaiting_review']);
    await s.decide('refund');
    return s;
  },

  async 'keep-waiting-then-delivered'(run) {
    const s = await run.register('hist-keep-waiting', FAST);
    await s.scans(['in_transit', 1]);
    await s.stageIn(['awaiting_review']);
    await s.decide('keep_waiting');
    await s.stageIn(['monitoring']);
    await s.scans(['out_for_delivery', 0], ['delivered', 0]);
    return s;
  },

  async 'sla-auto-decision'(run) {
    const s = await run.register('hist-auto', AUTO, { declaredValue: 12 });
    await s.scans(['in_transit', 1]);
    return s;
  },

  async 'carrier-lost-refund'(run) {
    const s = await run.register('hist-lost', FAST);
    await s.scans(['in_transit', 10], ['lost', 0, { subStatus: 'lost' }]);
    await s.stageIn(['awaiting_review']);
    await s.decide('refund');
    return s;
  },

  async cancelled(run) {
    const s = await run.register('hist-cancelled', FAST);
    await s.scans(['info_received', 0]);
    await s.handle.signal(cancelSignal, { reason: 'order cancelled by the customer' });
    return s;
  },

  async 'customs-hold'(run) {
    const s = await run.register('hist-customs', FAST, { destination: BERLIN });
    await s.scans(['in_transit', 20], ['customs', 1, { subStatus: 'customs_hold' }]);
    await s.stageIn(['awaiting_review']);
    await s.decide('keep_waiting');
    await s.stageIn(['monitoring']);
    await s.scans(['in_transit', 0], ['delivered', 0]);
    return s;
  },

  async 'failed-attempts'(run) {
    const s = await run.register('hist-failed-attempts', FAST);
    await s.scans(['out_for_delivery', 3], ['failed_attempt', 2], ['failed_attempt', 1]);
    await s.stageIn(['awaiting_review']);
    await s.decide('reship');
    return s;
  },

  async 'returned-to-sender'(run) {
    const s = await run.register('hist-returned', FAST);
    await s.scans(['in_transit', 20], ['returning', 10], ['returned', 0]);
    return s;
  },

  async 'delivered-not-received'(run) {
    const s = await run.register('hist-dnr', WATCHFUL);
    await s.scans(['out_for_delivery', 2], ['delivered', 1]);
    await s.stageIn(['delivered']);
    await s.handle.signal(customerInquirySignal, {
      inquiryId: 'hist-dnr-inquiry-1',
      channel: 'email',
      message: 'The tracking says delivered but I never got my parcel.',
      receivedAt: new Date().toISOString(),
      intent: 'delivered_not_received',
    });
    // Without delivered-not-received handling the watch simply ends; with it, ops decide.
    const state = await s.stageIn(['awaiting_review', 'closed']);
    if (state.stage === 'awaiting_review') await s.decide('reship');
    return s;
  },

  async 'dnr-ask-first'(run) {
    // Patch `dnr-ask-first`: the first not-received report asks the customer to look around; the
    // second opens the review.
    const s = await run.register('hist-dnr-ask-first', WATCHFUL);
    await s.scans(['out_for_delivery', 2], ['delivered', 1]);
    await s.stageIn(['delivered']);
    for (const n of [1, 2]) {
      await s.handle.signal(customerInquirySignal, {
        inquiryId: `hist-dnr-ask-first-inquiry-${n}`,
        channel: 'email',
        message: 'The tracking says delivered but I never got my parcel.',
        receivedAt: new Date().toISOString(),
        intent: 'delivered_not_received',
      });
    }
    await s.stageIn(['awaiting_review']);
    await s.decide('mark_delivered');
    return s;
  },

  async 'refund-demand'(run) {
    // Patch `inquiry-review`: a refund demand on a moving parcel opens a customer_request review,
    // and the refund decision is carried out.
    const s = await run.register('hist-refund-demand', QUIET);
    await s.scans(['in_transit', 1]);
    await s.handle.signal(customerInquirySignal, {
      inquiryId: 'hist-refund-demand-inquiry-1',
      channel: 'email',
      message: '我要退款',
      receivedAt: new Date().toISOString(),
      intent: 'wants_refund',
    });
    await s.stageIn(['awaiting_review']);
    await s.decide('refund');
    return s;
  },

  async 'notice-after-review'(run) {
    // Local activities (patch `local-activities`) and the review opened before the delay notice
    // (patch `notice-after-review`); every recording above the summary ones predates both.
    return stallThenReship(run, 'hist-notice-after-review');
  },

  async 'carrier-check-local'(run) {
    // Patch `carrier-check-local`: verification's carrier lookup runs inside the workflow task, so
    // the deadline, the lookup and the review share one task (and every patch is asked at the start).
    return stallThenReship(run, 'hist-carrier-check-local');
  },

  async 'task-clock'(run) {
    // Patch `task-clock`: deadline timers count from the newest clock a local step of the task
    // reported (the snapshot's write, the notice's send); the same path as carrier-check-local.
    return stallThenReship(run, 'hist-task-clock');
  },

  async 'carrier-stopped-tracking'(run) {
    // The provider's summary (signal `trackingSummary`): a tracking that expired with no scan
    // goes to review at once, as carrier_stopped_tracking.
    const s = await run.register('hist-expired', FAST);
    await s.handle.signal(trackingSummarySignal, {
      provider: 'aftership',
      native: 'Expired/Expired_001',
      status: 'expired',
      subStatus: 'Expired_001',
      description: 'Expired',
    });
    await s.stageIn(['awaiting_review']);
    await s.decide('refund');
    return s;
  },

  async 'summary-delivered'(run) {
    // The scans stop at out for delivery; the provider's summary says delivered, with a signature.
    const s = await run.register('hist-summary-delivered', FAST);
    await s.scans(['in_transit', 2], ['out_for_delivery', 1]);
    await s.handle.signal(trackingSummarySignal, {
      provider: 'easypost',
      native: 'delivered',
      status: 'delivered',
      proofOfDelivery: { deliveredAt: new Date().toISOString(), signedBy: 'J. Tester' },
    });
    return s;
  },

  async 'continue-as-new'(run) {
    const s = await run.register('hist-long-life', FAST);
    const first = (await s.handle.describe()).runId;
    // One scan per signal, each a little later, until the server suggests a new run.
    for (let i = 0; i < 40; i++) {
      await s.scans(['in_transit', 0, { description: `sorting centre ${i + 1}` }]);
      if ((await s.handle.describe()).runId !== first) break;
    }
    await s.scans(['out_for_delivery', 0], ['delivered', 0]);
    return s;
  },
};

function registration(id: string, policy: Policy): ShipmentRegistration {
  return {
    shipmentId: id,
    orderId: `ORD-${id}`,
    marketplace: 'shopify',
    carrier: 'yanwen',
    trackingNumber: `YW${id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    policy: policy.name,
    origin: { country: 'CN', warehouseId: 'wh-shenzhen' },
    destination: {
      country: 'US',
      name: 'Ada Buyer',
      line1: '1 Market St',
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94105',
    },
    customer: { name: 'Ada Buyer', email: `${id}@example.com`, locale: 'en-US' },
    items: [{ sku: 'SKU-MUG', quantity: 1, unitPrice: 19.9 }],
    currency: 'USD',
    declaredValue: 19.9,
    shippedAt: new Date(Date.now() - 3600_000).toISOString(),
  };
}

async function poll<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + SCENARIO_DEADLINE_MS;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe().catch(() => undefined);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

/** Every run of one workflow id, oldest first, following continue-as-new. */
async function historiesOf(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<History[]> {
  const runs: History[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push(history);
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

interface Database {
  url: string;
  stop(): Promise<void>;
}

async function throwawayDatabase(tmp: string): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    say('no DATABASE_URL: starting an embedded PostgreSQL');
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(tmp, 'postgres'),
      port: await findFreePort(),
      log: say,
    });
    return { url: pg.url, stop: () => pg.stop() };
  }
  const name = `pw_histories_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = await ensureDatabase(serverUrl, name);
  say(`created database ${name} on ${new URL(serverUrl).host}`);
  return {
    url,
    async stop() {
      await dropDatabase(serverUrl, name);
    },
  };
}

function parseArgs(argv: string[]): { only?: Set<string>; keepGoing: boolean } {
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',')) : undefined;
  for (const name of only ?? []) {
    if (!(name in SCENARIOS))
      throw new Error(`unknown scenario "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  }
  return { only, keepGoing: argv.includes('--keep-going') };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'parcelwarden-histories-'));
  await fs.chmod(tmp, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    say('starting the Temporal dev server and a fresh database');
    const cliPath = await findTemporalCli({ env: process.env, log: say });
    const temporal = await startTemporalDevServer({
      cliPath,
      port: await findFreePort(),
      dbFile: path.join(tmp, 'temporal.db'),
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_CONTINUE_AS_NEW_AT },
      log: say,
    });
    cleanups.push(() => temporal.stop());
    const database = await throwawayDatabase(tmp);
    cleanups.push(() => database.stop());
    await migrateDatabase(database.url);
    const { db, close } = connectDatabase(database.url, { max: 5 });
    cleanups.push(close);
    await seed(db);
    const policies = createPolicyRepository(db);
    for (const policy of POLICIES) await policies.put(policy);

    const sandbox = createSandboxCarrier({ apiKey: 'histories' });
    const sandboxHttp = await sandbox.listen(0);
    cleanups.push(() => sandboxHttp.close());
    const mail = await startMailSink({ smtpPort: 0 });
    cleanups.push(() => mail.stop());
    const mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${mail.smtpPort}`,
      from: 'Parcelwarden <care@parcelwarden.test>',
    });

    installRuntime();
    say('bundling the workflows');
    const workflowBundle = await bundleWorkflows();
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    cleanups.push(() => nativeConnection.close());
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace });
    const taskQueue = 'histories';
    const worker = await createShipmentWorker({
      connection: nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowBundle,
      // No payload encryption here, on purpose: the histories are test fixtures with made-up
      // customers, committed to the repository; plaintext keeps them reviewable in a diff, and
      // the replay test then proves the codec passes unencrypted payloads through (what a worker
      // meets in workflows started before PAYLOAD_KEY was set).
      dataConverter: {},
      activities: createActivities({
        db,
        carriers: sandboxRegistry(
          new SandboxCarrierClient({ baseUrl: sandboxHttp.url, apiKey: 'histories' }),
        ),
        mailer,
        opsEmail: 'ops@parcelwarden.test',
      }),
    });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
    });

    const run: Run = {
      client,
      taskQueue,
      async register(id, policy, extra = {}) {
        const reg = { ...registration(id, policy), ...extra };
        sandbox.store.addEvents(reg.trackingNumber, []);
        await db.insert(shipments).values(shipmentRow(reg));
        const handle = await client.workflow.start<typeof shipmentWorkflow>(
          SHIPMENT_WORKFLOW_TYPE,
          {
            workflowId: shipmentWorkflowId(id),
            taskQueue,
            args: [{ registration: reg, registeredAt: new Date().toISOString() }],
            typedSearchAttributes: initialSearchAttributes(reg),
          },
        );
        let seq = 0;
        const shipment: Shipment = {
          handle,
          reg,
          async scans(...events) {
            await handle.signal(
              trackingEventsSignal,
              events.map(([status, ago, more]) => ({
                eventId: `${id}-ev-${++seq}`,
                occurredAt: new Date(Date.now() - ago * 1000).toISOString(),
                status,
                ...more,
              })),
            );
          },
          stageIn: (stages) =>
            poll(
              `${id} to reach ${stages.join(' or ')}`,
              () => handle.query(stateQuery),
              (s) => stages.includes(s.stage),
            ),
          async decide(decision) {
            await handle.executeUpdate(reviewUpdate, {
              args: [{ decision, reviewer: 'ops@parcelwarden.test' }],
            });
          },
          async finished() {
            // result() follows continue-as-new to the last run.
            return client.withDeadline(Date.now() + SCENARIO_DEADLINE_MS, () => handle.result());
          },
        };
        return shipment;
      },
    };

    const chosen = Object.entries(SCENARIOS).filter(([name]) => !args.only || args.only.has(name));
    say(`running ${chosen.length} scenarios on one worker`);
    const results = await Promise.all(
      chosen.map(async ([name, scenario]) => {
        const t = Date.now();
        try {
          const shipment = await scenario(run);
          const end = await shipment.finished();
          const runs = await historiesOf(
            client,
            shipment.handle.workflowId,
            shipment.handle.firstExecutionRunId,
          );
          say(
            `✓ ${name}: ${end.stage}${end.resolution ? ` (${end.resolution})` : ''}, ` +
              `${runs.length} run(s), ${runs.reduce((n, h) => n + (h.events?.length ?? 0), 0)} events, ` +
              `${((Date.now() - t) / 1000).toFixed(0)} s`,
          );
          return { name, runs };
        } catch (err) {
          say(`✗ ${name}: ${(err as Error).message}`);
          return { name, error: err as Error };
        }
      }),
    );

    const failed = results.filter((r) => r.error);
    if (failed.length && !args.keepGoing) {
      say(
        `${failed.length} scenario(s) failed; nothing written (use --keep-going to write the rest)`,
      );
      return 1;
    }
    await fs.mkdir(HISTORIES_DIR, { recursive: true });
    for (const { name, runs } of results) {
      if (!runs) continue;
      // A scenario's files are replaced as a whole: its run count may have changed.
      for (const f of await fs.readdir(HISTORIES_DIR)) {
        if (f === `${name}.json` || (f.startsWith(`${name}.run`) && f.endsWith('.json')))
          await fs.rm(path.join(HISTORIES_DIR, f));
      }
      for (const [i, history] of runs.entries()) {
        const file = runs.length === 1 ? `${name}.json` : `${name}.run${i + 1}.json`;
        await fs.writeFile(path.join(HISTORIES_DIR, file), historyToStoredJSON(history));
        say(`wrote test/histories/${file}`);
      }
    }
    say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return failed.length ? 1 : 0;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
    }
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(err);
  return 1;
});
