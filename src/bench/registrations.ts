/**
 * Section `registrations`: shipments per second through `POST /v1/shipments` and through
 * `POST /v1/shipments:batch`, against the limit of starting the same shipment workflows with the
 * same input straight through the Temporal client (on the same server, task queue and worker).
 * Each path registers its own N shipments; after each, the bench waits until the worker has run
 * every new workflow's first task (its snapshot is in the read model) so the next path does not
 * compete with the last one's backlog. That wait is reported too. The workflows stay open and idle
 * (their first timers are days away): terminating them costs the dev server as much as starting.
 */
import { SHIPMENT_WORKFLOW_TYPE } from '../../workflows/shipment.contract';
import { createShipmentRepository } from '../shipments/shipments.repository';
import type { RegistrationBody } from '../shipments/shipments.schemas';
import { createWorkflowGateway } from '../shipments/shipments.temporal';
import { api, mapLimited, registration, round, runTag, waitFor } from './kit';
import { startMeter, type Meter } from './meter';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

/** Requests (or raw starts) in flight at once. */
export const CLIENTS = 32;
/**
 * Registrations per batch request, and batch requests in flight: one, because the route itself
 * starts 32 workflows at a time, as many starts in flight as the other two paths have.
 */
export const BATCH_SIZE = 100;
export const BATCH_CLIENTS = 1;

interface PathResult {
  /** Shipments per second until the last answer (or raw start) came back. */
  rate: number;
  seconds: number;
  /** Seconds after the last answer until every workflow had run its first task. */
  settleSeconds: number;
}

export const registrationsSection: BenchSection = {
  id: 'registrations',
  title: 'Shipment registrations per second (API, batch API, raw workflow start)',
  async run(stack, ctx) {
    const n = Math.max(10, Math.round(1000 * ctx.scale));
    const tag = runTag();
    const bodies = (path: string) =>
      Array.from({ length: n }, (_, i) =>
        registration({
          shipmentId: `bench-reg-${tag}-${path}-${i}`,
          trackingNumber: `BR${tag}${path}${i}`.toUpperCase(),
          policy: 'default',
          sku: 'BENCH-SKU',
        }),
      );
    const sets = { raw: bodies('raw'), api: bodies('api'), batch: bodies('batch') };
    const raw = await rawStarts(stack, ctx, sets.raw);
    const single = await apiSingle(stack, ctx, sets.api);
    const batch = await apiBatch(stack, ctx, sets.batch);
    const limit = {
      label: 'raw client.workflow.start, same server and queue',
      value: raw.rate,
      unit: 'shipments/s',
    };
    const detail = (r: PathResult, how: string) => ({
      shipments: n,
      how,
      seconds: round(r.seconds, 2),
      settleSeconds: round(r.settleSeconds, 2),
      /** Counting until every workflow had run its first task, too. */
      settledRate: round(n / (r.seconds + r.settleSeconds), 1),
    });
    const figures: BenchFigure[] = [
      {
        id: 'registrations.raw',
        section: 'registrations',
        label: 'Raw workflow starts',
        value: round(raw.rate, 1),
        unit: 'shipments/s',
        better: 'higher',
        detail: detail(raw, `${CLIENTS} client.workflow.start calls in flight, no HTTP, no insert`),
      },
      {
        id: 'registrations.api',
        section: 'registrations',
        label: 'POST /v1/shipments',
        value: round(single.rate, 1),
        unit: 'shipments/s',
        better: 'higher',
        limit,
        detail: detail(single, `${CLIENTS} requests in flight; counted at each 201`),
      },
      {
        id: 'registrations.batch',
        section: 'registrations',
        label: 'POST /v1/shipments:batch',
        value: round(batch.rate, 1),
        unit: 'shipments/s',
        better: 'higher',
        limit,
        detail: detail(
          batch,
          `${BATCH_CLIENTS} requests of ${BATCH_SIZE} in flight; counted when every item answered 201`,
        ),
      },
    ];
    return figures;
  },
};

/** The same start the API makes (gateway of src/shipments), for rows inserted beforehand. */
async function rawStarts(
  stack: BenchStack,
  ctx: BenchContext,
  bodies: RegistrationBody[],
): Promise<PathResult> {
  // The read-model rows exist first (untimed), as they would after the API's insert: the
  // workflows' activities then find them and the worker does the same work on every path.
  const repository = createShipmentRepository(stack.database.db);
  const insert = startMeter(ctx, 'raw: inserting read-model rows (untimed)', bodies.length);
  const rows = await mapLimited(bodies, 8, async (body) => {
    const outcome = await repository.register(body);
    if (outcome.kind === 'conflict') throw new Error(`conflict registering ${body.shipmentId}`);
    insert.tick();
    return outcome.row;
  });
  insert.finish();

  const gateway = createWorkflowGateway({ client: stack.client, taskQueue: stack.taskQueue });
  const meter = startMeter(ctx, `raw: ${SHIPMENT_WORKFLOW_TYPE} starts`, bodies.length);
  await mapLimited(rows, CLIENTS, async (row) => {
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

async function apiBatch(
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
  return {
    rate: bodies.length / seconds,
    seconds,
    settleSeconds: await settle(stack, ctx, path, bodies),
  };
}

/** Seconds until every shipment's workflow has written its first snapshot to the read model. */
async function settle(
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
