import { randomUUID } from 'node:crypto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { sandboxRegistry } from '../../src/carriers/registry';
import { SandboxCarrierClient } from '../../src/carriers/sandbox/sandbox.client';
import { createSandboxCarrier, type SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import type { Story } from '../../src/carriers/sandbox/sandbox.scenarios';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import type { ScanKind } from '../../src/webhooks/webhooks.payloads';
import type { WebhookProvider } from '../../src/webhooks/webhooks.providers';
import { createShipmentWorker } from '../../src/worker';
import type { Location } from '../../workflows/shipment.contract';
import { serve, type ApiUnderTest } from '../api/harness';
import { OPS_EMAIL, SANDBOX_KEY, startTestStack, workflowBundle, type TestStack } from './stack';

/** One secret per provider, shared by the sandbox (signing) and the API (verifying). */
export const WEBHOOK_SECRETS: Record<WebhookProvider, string> = {
  aftership: `aftership-${randomUUID()}`,
  '17track': `17track-${randomUUID()}`,
  // Not ASCII on purpose: EasyPost keys its HMAC with the NFKD form of the secret.
  easypost: `easypost-s\u00e9cret-${randomUUID()}`,
  sandbox: `sandbox-${randomUUID()}`,
};

/** What `POST /__control/scenarios` answers (the fields the tests read). */
export interface ScenarioView {
  scenarioId: string;
  trackingNumber: string;
  story: Story;
  played: number;
  schedule: { at: string; kind: ScanKind; description: string }[];
  pushes: {
    deliveryId: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    lastStatusCode?: number;
    lastError?: string;
  }[];
}

export interface WebhookStack {
  /** The run's database and Temporal client, and the mail sink (its own sandbox is not used). */
  base: TestStack;
  /** The API in-process, with every provider's webhook secret, starting on the worker's queue. */
  api: ApiUnderTest;
  /** A sandbox carrier that can push signed webhooks; the worker's carrier lookups go to it too. */
  sandbox: {
    url: string;
    store: SandboxStore;
    startScenario(spec: {
      trackingNumber: string;
      story: Story;
      timeScale: number;
      carrier: string;
      origin: Location;
      destination: Location;
      webhook: { format: WebhookProvider; url: string };
    }): Promise<ScenarioView>;
    scenario(scenarioId: string): Promise<ScenarioView>;
  };
  stop(): Promise<void>;
}

async function sandboxCall(url: string, init: RequestInit = {}): Promise<ScenarioView> {
  const res = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${SANDBOX_KEY}`, 'content-type': 'application/json' },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as ScenarioView;
}

/**
 * The whole path of a provider push: a sandbox carrier whose scenarios push signed webhooks to the
 * API listening on a free port, which signals workflows that a worker runs with carrier lookups
 * against that same sandbox. The test stack provides the database, Temporal and the mail sink.
 */
export async function startWebhookStack(): Promise<WebhookStack> {
  const base = await startTestStack({ worker: false });
  const sandboxServer = createSandboxCarrier({
    apiKey: SANDBOX_KEY,
    webhookSecrets: WEBHOOK_SECRETS,
  });
  const sandboxHttp = await sandboxServer.listen(0);
  const mailer = createSmtpMailer({
    url: `smtp://127.0.0.1:${base.mail.smtpPort}`,
    from: 'Parcelwarden <care@parcelwarden.test>',
  });
  const carriers = sandboxRegistry(
    new SandboxCarrierClient({ baseUrl: sandboxHttp.url, apiKey: SANDBOX_KEY, timeoutMs: 5000 }),
  );
  const activities = createActivities({ db: base.db, carriers, mailer, opsEmail: OPS_EMAIL });
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker: Worker = await createShipmentWorker({
    connection,
    namespace: base.namespace,
    taskQueue: base.taskQueue,
    activities,
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  const api = await serve({
    db: base.db,
    temporal: base.client,
    taskQueue: base.taskQueue,
    queryTimeoutMs: 5000,
    webhookSecrets: WEBHOOK_SECRETS,
  });

  return {
    base,
    api,
    sandbox: {
      url: sandboxHttp.url,
      store: sandboxServer.store,
      startScenario: (spec) =>
        sandboxCall(`${sandboxHttp.url}/__control/scenarios`, {
          method: 'POST',
          body: JSON.stringify(spec),
        }),
      scenario: (scenarioId) => sandboxCall(`${sandboxHttp.url}/__control/scenarios/${scenarioId}`),
    },
    async stop() {
      // Pushes stop first, so nothing reaches the API while it closes.
      await sandboxHttp.close();
      await api.close();
      worker.shutdown();
      await running;
      await connection.close();
      mailer.close?.();
      await base.stop();
    },
  };
}
