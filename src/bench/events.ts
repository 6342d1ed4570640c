/**
 * Section `events`: tracking events per second through a signed sandbox webhook
 * (`POST /v1/webhooks/sandbox`, one event per delivery, as a carrier pushes them) and through
 * `POST /v1/tracking-events` (batches), against a fair limit: the same event row insert and the
 * same `handle.signal(trackingEventsSignal, ...)` to the same kind of workflows, straight from the
 * bench. Every path keeps the same number of signals in flight (32): 32 raw insert + signal
 * lanes, 32 deliveries, 2 batch requests (the route signals 16 shipments at a time). Each path
 * has its own registered shipments and its own unique events, spread round-robin over them.
 *
 * An event counts as sent when the API answered 2xx (the raw path: when the signal call
 * returned). Each path then waits until the workflows have taken every event (the sum of
 * `eventCount` over their read-model snapshots), and that rate is reported beside it. The paths
 * run in 3 rounds, each in another order, and each figure is the median of its rounds. The
 * workflows stay open and idle afterwards (their stall timers are days away).
 */
import { createHmac } from 'node:crypto';
import {
  shipmentWorkflowId,
  stateQuery,
  trackingEventsSignal,
  type TrackingEvent,
} from '../../workflows/shipment.contract';
import type { RegistrationBody } from '../shipments/shipments.schemas';
import { createTrackingRepository } from '../tracking/tracking.repository';
import { ApiError, api, mapLimited, median, registration, round, runTag, waitFor } from './kit';
import { startMeter } from './meter';
import { CLIENTS, ROUNDS, roundOrder } from './registrations';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

/**
 * Events per `POST /v1/tracking-events` request, and such requests in flight: the route signals
 * 16 shipments at a time, so 2 requests keep as many signals in flight as the other paths.
 */
export const EVENTS_PER_REQUEST = 50;
export const BATCH_CLIENTS = 2;

const PATHS = ['raw', 'webhook', 'batch'] as const;
type PathName = (typeof PATHS)[number];

interface Workload {
  shipments: RegistrationBody[];
  /** Events in sending order, each with the shipment it belongs to. */
  events: { shipment: RegistrationBody; event: TrackingEvent }[];
}

/** What a path's workflows should have taken so far, over all its rounds. */
type Expected = Map<string, number>;

interface PathResult {
  /** Events per second until the last 2xx (raw: the last signal call returned). */
  rate: number;
  seconds: number;
  /** Seconds from the first send until the workflows had taken every event. */
  takenSeconds: number;
  /** Events per second until taken. */
  takenRate: number;
}

export const eventsSection: BenchSection = {
  id: 'events',
  title: 'Tracking events per second (signed webhook, batch API, raw insert + signal)',
  async run(stack, ctx) {
    const perRound = Math.max(50, Math.round(400 * ctx.scale));
    // At least one batch's worth, so a batch carries one event per parcel (as an aggregator's
    // batch does) at every scale, and the batch path cannot win by coalescing signals.
    const shipmentsPerPath = Math.max(EVENTS_PER_REQUEST, Math.round(100 * ctx.scale));
    const tag = runTag();
    const parcels = Object.fromEntries(
      PATHS.map((path) => [path, parcelsOf(tag, path, shipmentsPerPath)]),
    ) as Record<PathName, RegistrationBody[]>;
    await registerAll(stack, ctx, Object.values(parcels).flat());
    const senders: Record<PathName, Sender> = {
      raw: rawSignals,
      webhook: webhooks,
      batch: trackingEventBatches,
    };
    const expected = Object.fromEntries(PATHS.map((p) => [p, new Map()])) as Record<
      PathName,
      Expected
    >;
    const runs: Record<PathName, PathResult[]> = { raw: [], webhook: [], batch: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const path of roundOrder(PATHS, r)) {
        ctx.progress(`round ${r + 1}/${ROUNDS}: ${path}`);
        const w = workload(tag, path, r, parcels[path], perRound);
        runs[path].push(await measure(stack, ctx, path, w, expected[path], senders[path]));
      }
    }
    const med = (path: PathName, key: 'rate' | 'takenRate') =>
      round(median(runs[path].map((x) => x[key])), 1);

    const sentLimit = {
      label: 'raw insert + handle.signal, same in flight',
      value: med('raw', 'rate'),
      unit: 'events/s',
    };
    const takenLimit = {
      label: 'raw insert + handle.signal, until taken',
      value: med('raw', 'takenRate'),
      unit: 'events/s',
    };
    const detail = (path: PathName, how: string) => ({
      events: perRound,
      shipments: shipmentsPerPath,
      rounds: ROUNDS,
      how,
      /** Each round's figures, in round order. */
      rates: runs[path].map((x) => round(x.rate, 1)),
      takenRates: runs[path].map((x) => round(x.takenRate, 1)),
      seconds: runs[path].map((x) => round(x.seconds, 2)),
      takenSeconds: runs[path].map((x) => round(x.takenSeconds, 2)),
    });
    const figure = (
      id: string,
      label: string,
      value: number,
      limit: BenchFigure['limit'],
      d: Record<string, unknown>,
    ): BenchFigure => ({
      id,
      section: 'events',
      label,
      value,
      unit: 'events/s',
      better: 'higher',
      ...(limit ? { limit } : {}),
      detail: d,
    });
    const howRaw = `${CLIENTS} lanes of event insert + signal, one event each; counted when the signal returned`;
    const howWebhook = `${CLIENTS} signed deliveries in flight, one event each; counted at each 2xx`;
    const howBatch = `${BATCH_CLIENTS} requests of ${EVENTS_PER_REQUEST} events in flight; counted at each 2xx`;
    const taken = 'counted when the workflows had taken every event (snapshot eventCount)';
    return [
      figure(
        'events.raw',
        'Raw insert + signal',
        med('raw', 'rate'),
        undefined,
        detail('raw', howRaw),
      ),
      figure(
        'events.webhook',
        'POST /v1/webhooks/sandbox (2xx)',
        med('webhook', 'rate'),
        sentLimit,
        detail('webhook', howWebhook),
      ),
      figure(
        'events.batch',
        'POST /v1/tracking-events (2xx)',
        med('batch', 'rate'),
        sentLimit,
        detail('batch', howBatch),
      ),
      figure(
        'events.raw.taken',
        'Raw insert + signal, taken',
        med('raw', 'takenRate'),
        undefined,
        detail('raw', `${howRaw}; ${taken}`),
      ),
      figure(
        'events.webhook.taken',
        'Webhook events, taken',
        med('webhook', 'takenRate'),
        takenLimit,
        detail('webhook', `${howWebhook}; ${taken}`),
      ),
      figure(
        'events.batch.taken',
        'Batched events, taken',
        med('batch', 'takenRate'),
        takenLimit,
        detail('batch', `${howBatch}; ${taken}`),
      ),
    ];
  },
};

/** A day ago, so every scan (10 s apart) lies between shipping and now. */
const SHIPPED_AT = Date.now() - 24 * 3600_000;

function parcelsOf(tag: string, path: PathName, count: number): RegistrationBody[] {
  return Array.from({ length: count }, (_, i) =>
    registration({
      shipmentId: `bench-ev-${tag}-${path}-${i}`,
      trackingNumber: `BE${tag}${path}${i}`.toUpperCase(),
      policy: 'default',
      sku: 'BENCH-SKU',
      shippedAt: new Date(SHIPPED_AT).toISOString(),
    }),
  );
}

/** Round `r`'s events of a path: new ids, later scans than the round before. */
function workload(
  tag: string,
  path: PathName,
  r: number,
  shipments: RegistrationBody[],
  eventCount: number,
): Workload {
  const events = Array.from({ length: eventCount }, (_, k) => {
    const i = r * eventCount + k;
    return {
      shipment: shipments[i % shipments.length]!,
      event: {
        eventId: `bench-${tag}-${path}-${i}`,
        occurredAt: new Date(SHIPPED_AT + 60_000 + i * 10_000).toISOString(),
        status: 'in_transit' as const,
        description: `Bench scan ${i}`,
        location: { country: 'CN', city: 'Shenzhen' },
      },
    };
  });
  return { shipments, events };
}

/** Registers the section's shipments through the batch route (untimed) and waits for them. */
async function registerAll(stack: BenchStack, ctx: BenchContext, bodies: RegistrationBody[]) {
  const meter = startMeter(ctx, 'registering shipments (untimed)', bodies.length);
  const chunks: RegistrationBody[][] = [];
  for (let i = 0; i < bodies.length; i += 100) chunks.push(bodies.slice(i, i + 100));
  await mapLimited(chunks, 2, async (chunk) => {
    const answer = await api<{ created: number }>(stack, 'POST', '/v1/shipments:batch', {
      shipments: chunk,
    });
    if (answer.created !== chunk.length)
      throw new Error(`registered ${answer.created} of ${chunk.length} shipments`);
    meter.tick(chunk.length);
  });
  meter.finish();
  const ids = bodies.map((b) => b.shipmentId);
  await waitFor(
    ctx,
    'waiting for the shipment workflows to run',
    async () => {
      const [row] = await stack.database.sql<{ n: number }[]>`
        select count(*)::int as n from shipments
        where shipment_id = any(${ids}) and snapshot is not null`;
      return { done: (row?.n ?? 0) >= ids.length, status: `${row?.n ?? 0}/${ids.length} running` };
    },
    { intervalMs: 250, timeoutMs: Math.max(180_000, ids.length * 200) },
  );
}

type Sender = (stack: BenchStack, w: Workload, tick: (n: number) => void) => Promise<void>;

async function measure(
  stack: BenchStack,
  ctx: BenchContext,
  path: PathName,
  w: Workload,
  expected: Expected,
  send: Sender,
): Promise<PathResult> {
  for (const { shipment } of w.events)
    expected.set(shipment.shipmentId, (expected.get(shipment.shipmentId) ?? 0) + 1);
  const meter = startMeter(ctx, `${path}: events sent`, w.events.length);
  await send(stack, w, (n) => meter.tick(n));
  meter.finish();
  const seconds = meter.seconds();
  await waitUntilTaken(stack, ctx, path, expected, {
    intervalMs: 250,
    statusSuffix: ' (all rounds)',
  });
  const takenSeconds = meter.seconds();
  return {
    rate: w.events.length / seconds,
    seconds,
    takenSeconds,
    takenRate: w.events.length / takenSeconds,
  };
}

/**
 * Waits until the workflows have taken every event sent so far (`expected`, per shipment over all
 * rounds): the read model's snapshot `eventCount` per
 * shipment, and for a shipment whose snapshot did not move since the last look, the workflow's
 * own state query (a snapshot can lag behind events that arrived while it was being written).
 */
export async function waitUntilTaken(
  stack: BenchStack,
  ctx: BenchContext,
  /** Who sent them, for the progress line (a path, a worker count). */
  who: string,
  expected: ReadonlyMap<string, number>,
  opts: { intervalMs: number; statusSuffix: string },
): Promise<void> {
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  const known = new Map<string, number>();
  const lastSnapshot = new Map<string, number>();
  const missing = (id: string) => expected.get(id)! - (known.get(id) ?? 0);
  await waitFor(
    ctx,
    `${who}: waiting for the workflows to take every event`,
    async () => {
      const ids = [...expected.keys()].filter((id) => missing(id) > 0);
      const rows = await stack.database.sql<{ id: string; n: number }[]>`
        select shipment_id as id, coalesce((snapshot->>'eventCount')::int, 0) as n
        from shipments where shipment_id = any(${ids})`;
      const stale: string[] = [];
      for (const { id, n } of rows) {
        known.set(id, Math.max(known.get(id) ?? 0, n));
        if (missing(id) > 0 && lastSnapshot.get(id) === n) stale.push(id);
        lastSnapshot.set(id, n);
      }
      await mapLimited(stale, 8, async (id) => {
        try {
          const state = await stack.client.withDeadline(Date.now() + 10_000, () =>
            stack.client.workflow.getHandle(shipmentWorkflowId(id)).query(stateQuery),
          );
          known.set(id, Math.max(known.get(id) ?? 0, state.eventCount));
        } catch {
          // Busy or briefly unreachable: the next look asks again.
        }
      });
      const taken = [...expected].reduce(
        (sum, [id, n]) => sum + Math.min(n, known.get(id) ?? 0),
        0,
      );
      return { done: taken >= total, status: `${taken}/${total} taken${opts.statusSuffix}` };
    },
    {
      intervalMs: opts.intervalMs,
      timeoutMs: Math.max(180_000, total * 200),
      progressEveryMs: 3_000,
    },
  );
}

/** The same event row insert and the same signal our paths make, straight from the bench. */
const rawSignals: Sender = async (stack, w, tick) => {
  const tracking = createTrackingRepository(stack.database.db);
  await mapLimited(w.events, CLIENTS, async ({ shipment, event }) => {
    const stored = await tracking.insert([{ shipmentId: shipment.shipmentId, event }], 'bench:raw');
    if (stored !== 1) throw new Error(`event ${event.eventId} was not stored as new`);
    await stack.client.workflow
      .getHandle(shipmentWorkflowId(shipment.shipmentId))
      .signal(trackingEventsSignal, [event]);
    tick(1);
  });
};

/** hex(HMAC-SHA256(body, secret)) in `x-sandbox-signature`, as the sandbox carrier signs. */
export function sandboxDelivery(
  secret: string,
  shipment: Pick<RegistrationBody, 'trackingNumber' | 'carrier'>,
  event: TrackingEvent,
): { body: string; signature: string } {
  const body = JSON.stringify({
    type: 'tracking.updated',
    deliveryId: `delivery-${event.eventId}`,
    trackingNumber: shipment.trackingNumber,
    carrier: shipment.carrier,
    events: [event],
  });
  return { body, signature: createHmac('sha256', secret).update(body).digest('hex') };
}

const webhooks: Sender = async (stack, w, tick) => {
  await mapLimited(w.events, CLIENTS, async ({ shipment, event }) => {
    const { body, signature } = sandboxDelivery(stack.sandboxWebhookSecret, shipment, event);
    const res = await fetch(`${stack.apiUrl}/v1/webhooks/sandbox`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-sandbox-signature': signature },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, text, 'POST /v1/webhooks/sandbox');
    const answer = JSON.parse(text) as { accepted?: number; unknown?: string[] };
    if (answer.accepted !== 1) throw new Error(`webhook not taken as one new event: ${text}`);
    tick(1);
  });
};

const trackingEventBatches: Sender = async (stack, w, tick) => {
  const batches: Workload['events'][] = [];
  for (let i = 0; i < w.events.length; i += EVENTS_PER_REQUEST)
    batches.push(w.events.slice(i, i + EVENTS_PER_REQUEST));
  await mapLimited(batches, BATCH_CLIENTS, async (batch) => {
    const answer = await api<{ accepted: number; unknown: number }>(
      stack,
      'POST',
      '/v1/tracking-events',
      {
        events: batch.map(({ shipment, event }) => ({
          ...event,
          carrier: shipment.carrier,
          trackingNumber: shipment.trackingNumber,
        })),
      },
    );
    if (answer.accepted !== batch.length)
      throw new Error(
        `batch accepted ${answer.accepted} of ${batch.length} (unknown ${answer.unknown})`,
      );
    tick(batch.length);
  });
};
