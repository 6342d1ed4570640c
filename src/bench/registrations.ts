/**
 * Section `registrations`: shipments per second through `POST /v1/shipments` and through
 * `POST /v1/shipments:batch`, against a fair limit: the same row insert and the same
 * `client.workflow.start` (same server, task queue, worker and input) done straight from the bench,
 * without HTTP or our code. Every path keeps the same number of starts in flight (32): 32 single
 * requests, 32 raw insert + start lanes, 4 batch requests of 8 (the route starts a request's items
 * in one wave). Each path registers its own new shipments; after each, the bench waits until the
 * worker has run every new workflow's first task (its snapshot is in the read model), so the next
 * path does not compete with the last one's backlog, and that settled rate is reported too. The
 * paths run in 3 rounds, each in another order (raw, api, batch; api, batch, raw; batch, raw, api)
 * so none always runs first on the smaller database; each figure is the median of its 3 rounds.
 * The workflows stay open and idle (their first timers are days away): terminating them costs
 * the dev server as much as starting.
 */
import { SHIPMENT_WORKFLOW_TYPE } from '../../workflows/shipment.contract';
import { shipments } from '../db/schema/shipments';
import { shipmentRow } from '../shipments/shipments.rows';
import type { RegistrationBody } from '../shipments/shipments.schemas';
import { createWorkflowGateway } from '../shipments/shipments.temporal';
import { api, mapLimited, median, registration, round, runTag, waitFor } from './kit';
import { startMeter, type Meter } from './meter';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

/** Requests (or raw insert + start lanes) in flight at once. */
export const CLIENTS = 32;
/**
 * Registrations per batch request, and batch requests in flight: the route starts a request's
 * items in one wave, so 4 × 8 keeps as many starts in flight as the other two paths.
 */
export const BATCH_SIZE = 8;
export const BATCH_CLIENTS = CLIENTS / BATCH_SIZE;
/** Rounds per path; the figures are their medians. */
export const ROUNDS = 3;

const PATHS = ['raw', 'api', 'batch'] as const;
type PathName = (typeof PATHS)[number];

/** The order of the paths in round `r`: rotated, so each path runs once first, second and last. */
export function roundOrder<T>(paths: readonly T[], r: number): T[] {
  const k = r % paths.length;
  return [...paths.slice(k), ...paths.slice(0, k)];
}

export interface PathResult {
  /** Shipments per second until the last answer (or raw start) came back. */
  rate: number;
  seconds: number;
  /** Seconds after the last answer until every workflow had run its first task. */
  settleSeconds: number;
  /** Shipments per second counted until every workflow had run its first task. */
  settledRate: number;
}

export const registrationsSection: BenchSection = {
  id: 'registrations',
  title: 'Shipment registrations per second (API, batch API, raw insert + workflow start)',
  async run(stack, ctx) {
    const n = Math.max(BATCH_SIZE * BATCH_CLIENTS, Math.round(400 * ctx.scale));
    const tag = runTag();
    const bodies = (path: string, r: number) =>
      Array.from({ length: n }, (_, i) =>
        registration({
          shipmentId: `bench-reg-${tag}-${path}${r}-${i}`,
          trackingNumber: `BR${tag}${path}${r}N${i}`.toUpperCase(),
          policy: 'default',
          sku: 'BENCH-SKU',
        }),
      );
    const runs: Record<PathName, PathResult[]> = { raw: [], api: [], batch: [] };
    const paths = { raw: rawStarts, api: apiSingle, batch: apiBatch };
    for (let r = 0; r < ROUNDS; r++) {
      for (const path of roundOrder(PATHS, r)) {
        ctx.progress(`round ${r + 1}/${ROUNDS}: ${path}`);
        runs[path].push(await paths[path](stack, ctx, bodies(path, r)));
      }
    }
    const med = (path: PathName, key: 'rate' | 'settledRate') =>
      median(runs[path].map((x) => x[key]));
    const limit = {
      label: 'raw insert + client.workflow.start, same in flight',
      value: round(med('raw', 'rate'), 1),
      unit: 'shipments/s',
    };
    const settledLimit = {
      label: 'raw insert + start, until every first task ran',
      value: round(med('raw', 'settledRate'), 1),
      unit: 'shipments/s',
    };
    const detail = (path: PathName, how: string) => ({
      shipments: n,
      rounds: ROUNDS,
      how,
      /** Each round's rate, in round order. */
      rates: runs[path].map((x) => round(x.rate, 1)),
      seconds: runs[path].map((x) => round(x.seconds, 2)),
      settleSeconds: runs[path].map((x) => round(x.settleSeconds, 2)),
      /** Counting until every workflow had run its first task, too. */
      settledRates: runs[path].map((x) => round(x.settledRate, 1)),
    });
    const howRaw = `${CLIENTS} lanes of row insert + client.workflow.start, no HTTP`;
    const howApi = `${CLIENTS} requests in flight; counted at each 201`;
    const howBatch = `${BATCH_CLIENTS} requests of ${BATCH_SIZE} in flight (${BATCH_CLIENTS * BATCH_SIZE} starts); counted when every item answered 201`;
    const figure = (
      id: string,
      label: string,
      path: PathName,
      key: 'rate' | 'settledRate',
      how: string,
      lim?: BenchFigure['limit'],
    ): BenchFigure => ({
      id,
      section: 'registrations',
      label,
      value: round(med(path, key), 1),
      unit: 'shipments/s',
      better: 'higher',
      ...(lim ? { limit: lim } : {}),
      detail: detail(path, how),
    });
    return [
      figure('registrations.raw', 'Raw insert + workflow start', 'raw', 'rate', howRaw),
      figure('registrations.api', 'POST /v1/shipments', 'api', 'rate', howApi, limit),
      figure('registrations.batch', 'POST /v1/shipments:batch', 'batch', 'rate', howBatch, limit),
      figure(
        'registrations.raw.settled',
        'Raw insert + start, first tasks run',
        'raw',
        'settledRate',
        howRaw,
      ),
      figure(
        'registrations.api.settled',
        'POST /v1/shipments, first tasks run',
        'api',
        'settledRate',
        howApi,
        settledLimit,
      ),
      figure(
        'registrations.batch.settled',
        'POST /v1/shipments:batch, first tasks run',
        'batch',
        'settledRate',
        howBatch,
        settledLimit,
      ),
    ];
  },
};

/** The same row insert and the same start the API makes, straight from the bench. */
async function rawStarts(
  stack: BenchStack,
  ctx: BenchContext,
  bodies: RegistrationBody[],
): Promise<PathResult> {
  const db = stack.database.db;
  const gateway = createWorkflowGateway({ client: stack.client, taskQueue: stack.taskQueue });
  const meter = startMeter(ctx, `raw: insert + ${SHIPMENT_WORKFLOW_TYPE} start`, bodies.length);
  await mapLimited(bodies, CLIENTS, async (body) => {
    const [row] = await db
      .insert(shipments)
      .values(shipmentRow(body))
      .onConflictDoNothing()
      .returning();
    if (!row) throw new Error(`conflict registering ${body.shipmentId}`);
    const { started } = await gateway.start(row.registration, row.createdAt.toISOString());
    if (!started) throw new Error(`workflow of ${row.shipmentId} was already started`);
    meter.tick();
  });
  return measured(stack, ctx, 'raw', bodies, meter);
}

async function apiSingle(
  stack: BenchStack,
  ctx: BenchContext,
  bodies: RegistrationBody[],
): Promise<PathResult> {
  const meter = startMeter(ctx, 'api: POST /v1/shipments', bodies.length);
  await mapLimited(bodies, CLIENTS, async (body) => {
    await api(stack, 'POST', '/v1/shipments', body);
    meter.tick();
  });
  return measured(stack, ctx, 'api', bodies, meter);
}

interface BatchAnswer {
  created: number;
  failed: number;
  results: { status: number; problem?: { detail: string } }[];
}

export async function apiBatch(
  stack: BenchStack,
  ctx: BenchContext,
  bodies: RegistrationBody[],
): Promise<PathResult> {
  const chunks: RegistrationBody[][] = [];
  for (let i = 0; i < bodies.length; i += BATCH_SIZE) chunks.push(bodies.slice(i, i + BATCH_SIZE));
  const meter = startMeter(ctx, 'batch: POST /v1/shipments:batch', bodies.length);
  await mapLimited(chunks, BATCH_CLIENTS, async (chunk) => {
    const answer = await api<BatchAnswer>(stack, 'POST', '/v1/shipments:batch', {
      shipments: chunk,
    });
    if (answer.created !== chunk.length) {
      const problem = answer.results.find((r) => r.status !== 201)?.problem?.detail;
      throw new Error(
        `batch created ${answer.created} of ${chunk.length}: ${problem ?? 'no detail'}`,
      );
    }
    meter.tick(chunk.length);
  });
  return measured(stack, ctx, 'batch', bodies, meter);
}

/** A path's figure: its meter's rate over the bodies, then the wait for the worker to catch up. */
async function measured(
  stack: BenchStack,
  ctx: BenchContext,
  path: string,
  bodies: RegistrationBody[],
  meter: Meter,
): Promise<PathResult> {
  meter.finish();
  const seconds = meter.seconds();
  const settleSeconds = await settle(stack, ctx, path, bodies);
  return {
    rate: bodies.length / seconds,
    seconds,
    settleSeconds,
    settledRate: bodies.length / (seconds + settleSeconds),
  };
}

/** Seconds until every shipment's workflow has written its first snapshot to the read model. */
export async function settle(
  stack: BenchStack,
  ctx: BenchContext,
  path: string,
  bodies: RegistrationBody[],
): Promise<number> {
  const started = performance.now();
  const ids = bodies.map((b) => b.shipmentId);
  await waitFor(
    ctx,
    `${path}: waiting for the worker to run every first task`,
    async () => {
      const [row] = await stack.database.sql<{ n: number }[]>`
        select count(*)::int as n from shipments
        where shipment_id = any(${ids}) and snapshot is not null`;
      const done = row?.n ?? 0;
      return { done: done >= ids.length, status: `${done}/${ids.length} running` };
    },
    { intervalMs: 250, timeoutMs: Math.max(180_000, ids.length * 200), progressEveryMs: 3_000 },
  );
  return (performance.now() - started) / 1000;
}
