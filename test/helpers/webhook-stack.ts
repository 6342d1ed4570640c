import { randomUUID } from 'node:crypto';
import type { SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import type { Story } from '../../src/carriers/sandbox/sandbox.scenarios';
import type { ScanKind } from '../../src/webhooks/webhooks.payloads';
import type { WebhookProvider } from '../../src/webhooks/webhooks.providers';
import type { WebhookRouting } from '../../src/webhooks/webhooks.routing';
import type { Location } from '../../workflows/shipment.contract';
import { serve, type ApiUnderTest } from '../api/harness';
import { SANDBOX_KEY, startTestStack, type TestStack } from './stack';

/** One secret per provider, shared by the sandbox (signing) and the API (verifying). */
export const WEBHOOK_SECRETS: Record<WebhookProvider, string> = {
  aftership: `aftership-${randomUUID()}`,
  '17track': `17track-${randomUUID()}`,
  // Not ASCII on purpose: EasyPost keys its HMAC with the NFKD form of the secret.
  easypost: `easypost-s\u00e9cret-${randomUUID()}`,
  sandbox: `sandbox-${randomUUID()}`,
};

/**
 * Each real provider serves the carrier its stories register parcels with (dhl, yanwen, usps);
 * the sandbox tracks the rest, so every receiver is mounted on the one API the sandbox pushes to.
 */
export const WEBHOOK_ROUTING: WebhookRouting = {
  tracking: 'sandbox',
  claims: 'sandbox',
  carriers: {
    dhl: { tracking: 'aftership' },
    yanwen: { tracking: '17track' },
    usps: { tracking: 'easypost', claims: 'easypost' },
  },
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
  /** The run's database and Temporal client, the worker, the sandbox carrier and the mail sink. */
  base: TestStack;
  /** The API in-process, with every provider's webhook secret, starting on the worker's queue. */
  api: ApiUnderTest;
  /** The stack's sandbox carrier, which pushes signed webhooks; the worker's lookups go to it too. */
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
 * The whole path of a provider push: the test stack's sandbox carrier, signing with every
 * provider's secret, pushes webhooks to the API listening on a free port, which signals workflows
 * that the stack's worker runs with carrier lookups against that same sandbox.
 */
export async function startWebhookStack(): Promise<WebhookStack> {
  const base = await startTestStack({ webhookSecrets: WEBHOOK_SECRETS });
  const api = await serve({
    db: base.db,
    temporal: base.client,
    taskQueue: base.taskQueue,
    queryTimeoutMs: 5000,
    webhookSecrets: WEBHOOK_SECRETS,
    webhookRouting: WEBHOOK_ROUTING,
  });
  base.sandbox.pushTo(api.url);
  const { url } = base.sandbox;

  return {
    base,
    api,
    sandbox: {
      url,
      store: base.sandbox.store,
      startScenario: (spec) =>
        sandboxCall(`${url}/__control/scenarios`, { method: 'POST', body: JSON.stringify(spec) }),
      scenario: (scenarioId) => sandboxCall(`${url}/__control/scenarios/${scenarioId}`),
    },
    async stop() {
      // Pushes stop first, so nothing reaches the API while it closes.
      base.sandbox.stopScenarios();
      await api.close();
      await base.stop();
    },
  };
}
