/**
 * Privacy: what Temporal stores about a shipment holds nothing personal in plaintext. A real
 * shipment runs from registration to a refund through the API (in-process, its logs captured) and
 * a worker run as `npm run worker` runs it (its own process, its output captured), both with the
 * run's PAYLOAD_KEY. Then the histories are fetched from the server by a client WITHOUT the codec
 * and searched byte for byte for the customer's e-mail, names and street.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import protoPkg from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client';
import { createSandboxCarrier, type SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import { createLogger } from '../../src/logger';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import { ENCRYPTED_ENCODING } from '../../src/temporal/payload-codec';
import { claimWorkflowId } from '../../workflows/claim.contract';
import {
  initialSearchAttributes,
  SHIPMENT_WORKFLOW_TYPE,
  shipmentWorkflowId,
  type ShipmentRegistration,
} from '../../workflows/shipment.contract';
import { serve, type ApiUnderTest } from '../api/harness';
import { aFastPolicy, aRegistration, insertPolicy, uniqueId } from '../helpers/factories';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { testDataConverter, testPayloadCodec } from '../helpers/payload-key';
import { spawnService, type ServiceProcess } from '../helpers/processes';
import { waitUntil } from '../helpers/wait';
import '../helpers/provided';

const { History } = protoPkg.temporal.api.history.v1;
const SANDBOX_KEY = 'privacy-sandbox-key';

let own: OwnDatabase;
let database: Database;
let sandbox: { url: string; store: SandboxStore; close(): Promise<void> };
let mail: MailSink;
let worker: ServiceProcess;
let codecClient: Client;
/** No codec: sees exactly what the Temporal server stores. */
let rawClient: Client;
let api: ApiUnderTest;
const apiLog: string[] = [];
const taskQueue = uniqueId('privacy');

beforeAll(async () => {
  own = await ownDatabase();
  database = connectDatabase(own.url, { max: 3 });
  const s = createSandboxCarrier({ apiKey: SANDBOX_KEY });
  const listening = await s.listen(0);
  sandbox = { url: listening.url, store: s.store, close: listening.close };
  mail = await startMailSink({ smtpPort: 0 });
  // PAYLOAD_KEY comes from spawnService: the run's key, the same as the test's clients.
  worker = spawnService('src/worker.main.ts', {
    DATABASE_URL: own.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE: taskQueue,
    SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
    SANDBOX_CARRIER_URL: sandbox.url,
    SANDBOX_CARRIER_KEY: SANDBOX_KEY,
    OPS_EMAIL: 'ops@privacy.test',
    LOG_LEVEL: 'debug',
  });
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const namespace = inject('temporalNamespace');
  codecClient = new Client({ connection, namespace, dataConverter: testDataConverter() });
  rawClient = new Client({ connection, namespace });
  api = await serve({
    db: database.db,
    temporal: codecClient,
    taskQueue,
    payloadCodec: testPayloadCodec(),
    logger: createLogger('debug', 'parcelwarden-api', { write: (line) => apiLog.push(line) }),
  });
  await worker.waitForOutput(/worker running/, 150_000);
});

afterAll(async () => {
  await api?.close();
  await worker?.kill();
  await codecClient?.connection.close();
  await sandbox?.close();
  await mail?.stop();
  await database?.close();
  await own?.drop();
});

/** A customer whose details appear nowhere else, so any sighting is a leak. */
function privateRegistration(policy: string): ShipmentRegistration {
  const tag = randomBytes(5).toString('hex');
  const name = `Quinn Hushwell ${tag}`;
  return aRegistration({
    policy,
    customer: { name, email: `quinn.hushwell.${tag}@example.com`, locale: 'en-US' },
    destination: {
      country: 'US',
      name: `Recipient Hushwell ${tag}`,
      line1: `${tag} Whispering Pines Lane`,
      city: 'Springfield',
      postalCode: '62704',
    },
  });
}

function personal(reg: ShipmentRegistration): string[] {
  return [reg.customer.email, reg.customer.name, reg.destination.name, reg.destination.line1];
}

/** The history exactly as the server hands it out, serialized to its protobuf bytes. */
async function storedHistoryBytes(workflowId: string): Promise<Buffer> {
  const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
  return Buffer.from(History.encode(History.fromObject(history)).finish());
}

function leaks(bytes: Buffer | string, secrets: string[]): string[] {
  const haystack = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  return secrets.filter((s) => haystack.includes(Buffer.from(s, 'utf8').toString('latin1')));
}

describe('personal data in Temporal', () => {
  let reg: ShipmentRegistration;

  it('a shipment run to a refund leaves no plaintext e-mail, name or street in the histories the server holds', async () => {
    const policy = aFastPolicy(uniqueId('privacy'));
    await insertPolicy(database.db, policy);
    reg = privateRegistration(policy.name);
    sandbox.store.addEvents(reg.trackingNumber, []);

    const created = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
    expect(created.status).toBe(201);
    const pushed = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: {
        events: [
          {
            carrier: reg.carrier,
            trackingNumber: reg.trackingNumber,
            eventId: uniqueId('EV'),
            occurredAt: new Date(Date.now() - 5000).toISOString(),
            status: 'in_transit',
          },
        ],
      },
    });
    expect(pushed.status).toBe(202);
    // The worker really used the customer's details: the delay notice went to their address.
    await mail.waitFor((m) => m.to.includes(reg.customer.email), 60_000);
    await waitUntil(
      'the shipment to await review',
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
      (r) => r.body?.stage === 'awaiting_review',
      60_000,
    );
    const decided = await api.call('POST', `/v1/shipments/${reg.shipmentId}/review`, {
      as: 'ops',
      body: { decision: 'refund', reviewer: 'olga@ops' },
    });
    expect(decided.status).toBe(200);
    const closed = await waitUntil(
      'the shipment to close',
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
      (r) => r.body?.stage === 'closed',
      60_000,
    );
    expect(closed.body.resolution).toBe('refunded');

    const shipmentId = shipmentWorkflowId(reg.shipmentId);
    const shipmentBytes = await storedHistoryBytes(shipmentId);
    const claimBytes = await storedHistoryBytes(claimWorkflowId(reg.shipmentId));
    expect(leaks(shipmentBytes, personal(reg))).toEqual([]);
    expect(leaks(claimBytes, personal(reg))).toEqual([]);
    // Not vacuous: the history does hold the registration, encrypted.
    const history = await rawClient.workflow.getHandle(shipmentId).fetchHistory();
    const [input] =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    expect(new TextDecoder().decode(input?.metadata?.encoding ?? undefined)).toBe(
      ENCRYPTED_ENCODING,
    );
    const [decoded] = await testPayloadCodec().decode([input!]);
    expect(new TextDecoder().decode(decoded!.data!)).toContain(reg.customer.email);

    // The API still reads it all through the codec.
    const timeline = await api.call('GET', `/v1/shipments/${reg.shipmentId}/history`, {
      as: 'ops',
    });
    expect(timeline.status).toBe(200);

    await codecClient.workflow
      .getHandle(claimWorkflowId(reg.shipmentId))
      .terminate('test over')
      .catch(() => undefined);
  }, 240_000);

  it('the same check finds the e-mail when a client starts a shipment without the codec (the check can fail)', async () => {
    const plain = privateRegistration('default');
    const handle: WorkflowHandle = await rawClient.workflow.start(SHIPMENT_WORKFLOW_TYPE, {
      // No worker polls this queue: only what the client sent is in the history.
      taskQueue: uniqueId('nobody'),
      workflowId: shipmentWorkflowId(plain.shipmentId),
      args: [{ registration: plain, registeredAt: new Date().toISOString() }],
      typedSearchAttributes: initialSearchAttributes(plain),
    });
    try {
      const bytes = await storedHistoryBytes(handle.workflowId);
      expect(leaks(bytes, personal(plain))).toEqual(personal(plain));
    } finally {
      await handle.terminate('test over');
    }
  });

  it('the search attributes and the workflow id of the shipment hold nothing personal', async () => {
    expect(reg, 'runs after the shipment test').toBeDefined();
    const described = await rawClient.workflow
      .getHandle(shipmentWorkflowId(reg.shipmentId))
      .describe();
    const fields = described.raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
    // The attributes ops query by are there (so the check looks at something)…
    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining(['ShipmentStage', 'Carrier', 'DestinationCountry', 'DeclaredValue']),
    );
    // …and none of their values, nor the workflow id, nor a memo, carries customer details.
    const seen = [
      described.workflowId,
      JSON.stringify(described.typedSearchAttributes),
      ...Object.values(fields).map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')),
      ...Object.values(described.raw.workflowExecutionInfo?.memo?.fields ?? {}).map((p) =>
        Buffer.from(p.data ?? new Uint8Array()).toString('utf8'),
      ),
    ].join('\n');
    const customerFields = [
      ...personal(reg),
      reg.customer.email.split('@')[0]!,
      reg.destination.postalCode,
      reg.destination.city,
    ];
    expect(leaks(seen, customerFields)).toEqual([]);
  });

  it('the API and worker logs of the run hold no e-mail address, name or street of the customer', () => {
    expect(reg, 'runs after the shipment test').toBeDefined();
    const apiText = apiLog.join('');
    const workerText = worker.output();
    // The logs did record the run (so the check looks at something)…
    expect(apiText).toContain(reg.shipmentId);
    expect(workerText).toMatch(/worker running/);
    // …but nothing personal, and no e-mail address of anyone.
    expect(leaks(apiText, personal(reg))).toEqual([]);
    expect(leaks(workerText, personal(reg))).toEqual([]);
    const emails = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
    expect(apiText.match(emails) ?? []).toEqual([]);
    expect(workerText.match(emails) ?? []).toEqual([]);
  });
});

describe('privacy is on by default', () => {
  /** Runs an entry point to its exit; answers its exit code and output. */
  async function runToExit(entry: string, env: Record<string, string>) {
    const p = spawnService(entry, env);
    const code = await new Promise<number | null>((resolve) => {
      if (p.proc.exitCode !== null) resolve(p.proc.exitCode);
      else p.proc.once('exit', (c) => resolve(c));
    });
    return { code, output: p.output() };
  }

  it.each(['src/worker.main.ts', 'src/api.main.ts'])(
    '%s without PAYLOAD_KEY refuses to start and says how to make a key',
    async (entry) => {
      const { code, output } = await runToExit(entry, {
        PAYLOAD_KEY: '',
        API_KEYS: 'admin:privacy-test-key',
        // Never reached: the key is checked before anything connects.
        DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
        SMTP_URL: 'smtp://127.0.0.1:9',
      });
      expect(code).toBe(1);
      expect(output).toContain('PAYLOAD_KEY is not set');
      expect(output).toContain(
        `node -e "console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))"`,
      );
      expect(output).not.toMatch(/ECONNREFUSED|database/i);
    },
    60_000,
  );

  it('a worker with a malformed PAYLOAD_KEY names the fault, not the key', async () => {
    const short = randomBytes(16).toString('base64');
    const { code, output } = await runToExit('src/worker.main.ts', {
      PAYLOAD_KEY: `k1:${short}`,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
      SMTP_URL: 'smtp://127.0.0.1:9',
    });
    expect(code).toBe(1);
    expect(output).toContain('is 16 bytes; AES-256 needs 32');
    expect(output).not.toContain(short);
  }, 60_000);
});
