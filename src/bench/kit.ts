/**
 * Small tools the latency, memory and carrier-calls sections share: the API over HTTP, bench
 * policies and registrations, percentiles, bounded concurrency, waiting with progress, and
 * cleaning up the workflows a section started.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PolicyBody } from '../policies/policies.schemas';
import type { RegistrationBody } from '../shipments/shipments.schemas';
import { shipmentWorkflowId } from '../../workflows/shipment.contract';
import type { BenchContext, BenchStack } from './types';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A short random tag that keeps one run's ids apart from another's (and from other sections'). */
export function runTag(): string {
  return randomBytes(3).toString('hex');
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} → HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

/** One call to the API as an admin; JSON in, JSON out; anything but 2xx throws. */
export async function api<T = unknown>(
  stack: Pick<BenchStack, 'apiUrl' | 'apiKey'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${stack.apiKey}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, text, `${method} ${path}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs `fn` over `items` with at most `limit` at once; results keep the items' order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round = (value: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes (then throws with
 * `what`). Reports progress through `ctx` at most every `progressEveryMs`.
 */
export async function waitFor(
  ctx: BenchContext,
  what: string,
  check: () => Promise<{ done: boolean; status: string }>,
  opts: { intervalMs?: number; timeoutMs: number; progressEveryMs?: number },
): Promise<void> {
  const interval = opts.intervalMs ?? 500;
  const every = opts.progressEveryMs ?? 5_000;
  const started = Date.now();
  let lastProgress = started;
  for (;;) {
    const { done, status } = await check();
    if (done) return;
    const now = Date.now();
    if (now - started > opts.timeoutMs) {
      throw new Error(`${what}: not done after ${Math.round(opts.timeoutMs / 1000)} s (${status})`);
    }
    if (now - lastProgress >= every) {
      ctx.progress(`${what}: ${status} (${Math.round((now - started) / 1000)} s)`);
      lastProgress = now;
    }
    await sleep(interval);
  }
}

/** One call to the sandbox carrier (JSON); anything but 2xx throws. */
export async function sandbox<T = unknown>(
  stack: BenchStack,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return api<T>({ apiUrl: stack.sandboxCarrierUrl, apiKey: key }, method, path, body);
}

/** Every stallable status at the same threshold (the bench controls which one applies). */
export function stallEverywhere(threshold: string, overrides: Record<string, string> = {}) {
  return {
    info_received: threshold,
    in_transit: threshold,
    customs: threshold,
    out_for_delivery: threshold,
    failed_attempt: threshold,
    available_for_pickup: threshold,
    ...overrides,
  };
}

/** Puts a policy through the API (the way a seller would). */
export async function putPolicy(stack: BenchStack, name: string, body: PolicyBody): Promise<void> {
  await api(stack, 'PUT', `/v1/policies/${encodeURIComponent(name)}`, body);
}

/** Stock for replacements in a warehouse of the bench's own (`wh-bench-<name>`); returns the SKU. */
export async function stockUp(stack: BenchStack, name: string, quantity: number): Promise<string> {
  const warehouseId = `wh-bench-${name}`;
  const sku = `BENCH-${name.toUpperCase()}`;
  await api(stack, 'PUT', `/v1/warehouses/${warehouseId}`, {
    name: `Bench stock ${name}`,
    country: 'DE',
    kind: 'overseas',
  });
  await api(stack, 'POST', '/v1/stock:import', {
    rows: [{ warehouseId, sku, quantity, mode: 'set' }],
  });
  return sku;
}

export interface RegistrationSpec {
  shipmentId: string;
  trackingNumber: string;
  policy: string;
  sku: string;
  declaredValue?: number;
  carrier?: string;
  shippedAt?: string;
  expectedDeliveryAt?: string;
}

/** A cross-border parcel (CN → DE) with one item, as an order system would register it. */
export function registration(spec: RegistrationSpec): RegistrationBody {
  const value = spec.declaredValue ?? 25;
  return {
    shipmentId: spec.shipmentId,
    orderId: `order-${spec.shipmentId}`,
    carrier: spec.carrier ?? 'sandbox',
    trackingNumber: spec.trackingNumber,
    policy: spec.policy,
    origin: { country: 'CN' },
    destination: {
      country: 'DE',
      name: 'Erika Mustermann',
      line1: 'Invalidenstraße 117',
      city: 'Berlin',
      postalCode: '10115',
    },
    customer: { name: 'Erika Mustermann', email: 'erika@example.com', locale: 'de-DE' },
    items: [{ sku: spec.sku, quantity: 1, unitPrice: value }],
    currency: 'EUR',
    declaredValue: value,
    shippedAt: spec.shippedAt ?? new Date().toISOString(),
    ...(spec.expectedDeliveryAt ? { expectedDeliveryAt: spec.expectedDeliveryAt } : {}),
  };
}

/**
 * Registers shipments through the API with bounded concurrency, reporting progress. Uses the
 * batch route when the API has it (one request per chunk), else one POST per shipment.
 */
export async function registerShipments(
  stack: BenchStack,
  ctx: BenchContext,
  bodies: readonly RegistrationBody[],
  opts: { concurrency?: number; label: string },
): Promise<{ ms: number; route: string }> {
  const started = Date.now();
  let done = 0;
  let lastProgress = started;
  const tick = (n: number) => {
    done += n;
    if (Date.now() - lastProgress >= 5_000) {
      lastProgress = Date.now();
      ctx.progress(`${opts.label}: ${done}/${bodies.length} registered`);
    }
  };
  await mapLimited(bodies, opts.concurrency ?? 16, async (body) => {
    await api(stack, 'POST', '/v1/shipments', body);
    tick(1);
  });
  return { ms: Date.now() - started, route: 'POST /v1/shipments' };
}

/** Sends one tracking event per shipment through `POST /v1/tracking-events`, in batches. */
export async function sendEvents(
  stack: BenchStack,
  events: readonly {
    carrier: string;
    trackingNumber: string;
    eventId: string;
    occurredAt: string;
    status: string;
  }[],
  opts: { batchSize?: number; concurrency?: number } = {},
): Promise<void> {
  const size = opts.batchSize ?? 100;
  const batches: (typeof events)[number][][] = [];
  for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
  await mapLimited(batches, opts.concurrency ?? 4, async (batch) => {
    const res = await api<{ accepted: number; duplicates: number; unknown: number }>(
      stack,
      'POST',
      '/v1/tracking-events',
      { events: batch },
    );
    if (res.unknown > 0) throw new Error(`${res.unknown} tracking events matched no shipment`);
  });
}

/**
 * Terminates the open workflows of these shipments (their replacements and claims too), so a
 * section leaves no timers behind to wake up during the next one. Missing or closed ones are fine.
 */
export async function terminateShipments(
  client: Client,
  shipmentIds: readonly string[],
  reason: string,
  opts: { replacements?: boolean; claims?: boolean } = {},
): Promise<number> {
  const ids: string[] = [];
  for (const id of shipmentIds) {
    ids.push(shipmentWorkflowId(id));
    if (opts.replacements) ids.push(shipmentWorkflowId(`${id}~R1`));
    if (opts.claims) ids.push(`claim:${id}`);
  }
  let terminated = 0;
  await mapLimited(ids, 16, async (workflowId) => {
    try {
      await client.workflow.getHandle(workflowId).terminate(reason);
      terminated++;
    } catch {
      // Not found or already closed: nothing to clean up.
    }
  });
  return terminated;
}

/**
 * Terminates these workflows, many at once, with progress; then whatever visibility still lists
 * as running under `idPrefix`. For sections that leave thousands of idle workflows behind. (A
 * server-side batch operation would be one request, but the dev server runs it at 50 per second.)
 */
export async function terminateWorkflows(
  stack: BenchStack,
  ctx: BenchContext,
  workflowIds: readonly string[],
  idPrefix: string,
): Promise<void> {
  const started = Date.now();
  let done = 0;
  let lastProgress = started;
  const terminate = async (id: string) => {
    try {
      await stack.client.workflow.getHandle(id).terminate('bench section done');
    } catch {
      // Not found or already closed: nothing to clean up.
    }
    done++;
    if (Date.now() - lastProgress >= 5_000) {
      lastProgress = Date.now();
      ctx.progress(`terminating ${idPrefix}*: ${done}/${workflowIds.length}`);
    }
  };
  await mapLimited(workflowIds, 64, terminate);
  ctx.progress(
    `terminated ${workflowIds.length} workflows ${idPrefix}* in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const query = `WorkflowId STARTS_WITH "${idPrefix}" AND ExecutionStatus = "Running"`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const left: string[] = [];
    for await (const wf of stack.client.workflow.list({ query, pageSize: 1000 })) {
      left.push(wf.workflowId);
      if (left.length >= 1000) break;
    }
    if (left.length === 0) return;
    await mapLimited(left, 64, terminate);
    await sleep(500);
  }
}
