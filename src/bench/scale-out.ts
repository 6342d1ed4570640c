/**
 * Section `scale-out` (cluster runs only, `npm run bench -- --temporal cluster`): the same
 * workload with 1, 2 and 4 worker processes on one task queue of the production-shaped cluster.
 * Per worker count: fresh shipments registered through `POST /v1/shipments:batch` until every
 * workflow has run its first task (its read-model snapshot exists), then tracking events through
 * `POST /v1/tracking-events` until the workflows have taken them all (snapshot `eventCount`, or
 * the workflow's own state query when a snapshot lags). Each figure with 2 or 4 workers is shown
 * against linear scaling of the 1-worker figure, so its ratio is the scaling efficiency. The
 * section terminates its workflows after each count, so every count starts from the same state.
 */
import { shipmentWorkflowId, type TrackingEvent } from '../../workflows/shipment.contract';
import type { RegistrationBody } from '../shipments/shipments.schemas';
import { waitUntilTaken } from './events';
import { api, mapLimited, registration, round, runTag, terminateWorkflows, waitFor } from './kit';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

export const SCALE_OUT_WORKER_COUNTS = [1, 2, 4] as const;
/** Registration and event requests in flight, the same for every worker count. */
const CLIENTS = 4;
const REGISTRATION_CHUNK = 50;
const EVENTS_PER_REQUEST = 50;
/** A day ago, so every scan (10 s apart) lies between shipping and now. */
const SHIPPED_AT = Date.now() - 24 * 3600_000;

export type StartExtraWorkers = (
  count: number,
) => Promise<{ pids: number[]; stop(): Promise<void> }>;

interface CountResult {
  workers: number;
  shipments: number;
  shipmentSeconds: number;
  events: number;
  eventSeconds: number;
}

/** The section, given a way to start more worker processes beside the stack's own. */
export function scaleOutSection(startExtraWorkers: StartExtraWorkers): BenchSection {
  return {
    id: 'scale-out',
    title: 'Scale-out on the cluster: shipments/s and events/s with 1, 2 and 4 worker processes',
    async run(stack, ctx) {
      const shipmentCount = Math.max(REGISTRATION_CHUNK, Math.round(600 * ctx.scale));
      const eventCount = Math.max(EVENTS_PER_REQUEST, Math.round(1200 * ctx.scale));
      const results: CountResult[] = [];
      for (const workers of SCALE_OUT_WORKER_COUNTS) {
        ctx.progress(`${workers} worker process(es)`);
        const extra = await startExtraWorkers(workers - 1);
        try {
          results.push(await measureCount(stack, ctx, workers, shipmentCount, eventCount));
        } finally {
          await extra.stop();
        }
        const r = results.at(-1)!;
        ctx.progress(
          `${workers} worker(s): ${round(r.shipments / r.shipmentSeconds, 1)} shipments/s, ` +
            `${round(r.events / r.eventSeconds, 1)} events/s`,
        );
      }
      return scaleOutFigures(results);
    },
  };
}

/** Figures per worker count; 2 and 4 workers against linear scaling of the 1-worker figure. */
export function scaleOutFigures(results: readonly CountResult[]): BenchFigure[] {
  const base = results.find((r) => r.workers === 1);
  const figures: BenchFigure[] = [];
  for (const r of results) {
    for (const kind of ['shipments', 'events'] as const) {
      const value =
        kind === 'shipments' ? r.shipments / r.shipmentSeconds : r.events / r.eventSeconds;
      const baseValue = base
        ? kind === 'shipments'
          ? base.shipments / base.shipmentSeconds
          : base.events / base.eventSeconds
        : undefined;
      const unit = `${kind}/s`;
      figures.push({
        id: `scale-out.${kind}.w${r.workers}`,
        section: 'scale-out',
        label:
          kind === 'shipments'
            ? `Shipments registered and running, ${r.workers} worker process${r.workers > 1 ? 'es' : ''}`
            : `Tracking events taken, ${r.workers} worker process${r.workers > 1 ? 'es' : ''}`,
        value: round(value, 1),
        unit,
        better: 'higher',
        ...(baseValue !== undefined && r.workers > 1
          ? {
              limit: {
                label: `${r.workers} × the 1-worker figure (linear scaling)`,
                value: round(baseValue * r.workers, 1),
                unit,
              },
            }
          : {}),
        detail: {
          workers: r.workers,
          count: kind === 'shipments' ? r.shipments : r.events,
          seconds: round(kind === 'shipments' ? r.shipmentSeconds : r.eventSeconds, 2),
          clients: CLIENTS,
          perRequest: kind === 'shipments' ? REGISTRATION_CHUNK : EVENTS_PER_REQUEST,
        },
      });
    }
  }
  return figures;
}

async function measureCount(
  stack: BenchStack,
  ctx: BenchContext,
  workers: number,
  shipmentCount: number,
  eventCount: number,
): Promise<CountResult> {
  const tag = `${runTag()}w${workers}`;
  const bodies: RegistrationBody[] = Array.from({ length: shipmentCount }, (_, i) =>
    registration({
      shipmentId: `bench-so-${tag}-${i}`,
      trackingNumber: `BSO${tag}${i}`.toUpperCase(),
      policy: 'default',
      sku: 'BENCH-SKU',
      shippedAt: new Date(SHIPPED_AT).toISOString(),
    }),
  );
  const ids = bodies.map((b) => b.shipmentId);

  // Shipments: from the first registration until every workflow has run its first task.
  const chunks: RegistrationBody[][] = [];
  for (let i = 0; i < bodies.length; i += REGISTRATION_CHUNK)
    chunks.push(bodies.slice(i, i + REGISTRATION_CHUNK));
  const shipmentsStarted = performance.now();
  await mapLimited(chunks, CLIENTS, async (chunk) => {
    const answer = await api<{ created: number }>(stack, 'POST', '/v1/shipments:batch', {
      shipments: chunk,
    });
    if (answer.created !== chunk.length)
      throw new Error(`registered ${answer.created} of ${chunk.length} shipments`);
  });
  await waitFor(
    ctx,
    `${workers} worker(s): waiting for every shipment workflow to run`,
    async () => {
      const [row] = await stack.database.sql<{ n: number }[]>`
        select count(*)::int as n from shipments
        where shipment_id = any(${ids}) and snapshot is not null`;
      return { done: (row?.n ?? 0) >= ids.length, status: `${row?.n ?? 0}/${ids.length} running` };
    },
    { intervalMs: 100, timeoutMs: Math.max(180_000, ids.length * 200) },
  );
  const shipmentSeconds = (performance.now() - shipmentsStarted) / 1000;

  // Events: round-robin over the shipments, until the workflows have taken them all.
  const expected = new Map<string, number>();
  const events = Array.from({ length: eventCount }, (_, i) => {
    const body = bodies[i % bodies.length]!;
    expected.set(body.shipmentId, (expected.get(body.shipmentId) ?? 0) + 1);
    const event: TrackingEvent = {
      eventId: `bench-so-${tag}-${i}`,
      occurredAt: new Date(SHIPPED_AT + 60_000 + i * 10_000).toISOString(),
      status: 'in_transit',
      description: `Bench scan ${i}`,
      location: { country: 'CN', city: 'Shenzhen' },
    };
    return { carrier: body.carrier, trackingNumber: body.trackingNumber, ...event };
  });
  const requests: (typeof events)[] = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_REQUEST)
    requests.push(events.slice(i, i + EVENTS_PER_REQUEST));
  const eventsStarted = performance.now();
  await mapLimited(requests, CLIENTS, async (batch) => {
    const res = await api<{ accepted: number; unknown: number }>(
      stack,
      'POST',
      '/v1/tracking-events',
      { events: batch },
    );
    if (res.unknown > 0 || res.accepted !== batch.length)
      throw new Error(`tracking events: ${JSON.stringify(res)} for ${batch.length} sent`);
  });
  await waitUntilTaken(stack, ctx, `${workers} worker(s)`, expected, {
    intervalMs: 100,
    statusSuffix: '',
  });
  const eventSeconds = (performance.now() - eventsStarted) / 1000;

  await terminateWorkflows(stack, ctx, ids.map(shipmentWorkflowId), `shipment:bench-so-${tag}-`);
  return { workers, shipments: ids.length, shipmentSeconds, events: eventCount, eventSeconds };
}
