/**
 * Memory section: the worker's resident memory with 1k and with 10k shipments waiting in
 * `monitoring` (registered, one scan taken, waiting on their stall timers), against the same
 * worker before it ran any shipment. Idle workflows live in Temporal, not in the worker: beyond
 * its sticky cache (maxCachedWorkflows) memory must not grow with their number.
 */
import { shipmentWorkflowId } from '../../workflows/shipment.contract';
import { loadConfig } from '../config';
import type { RegistrationBody } from '../shipments/shipments.schemas';
import {
  api,
  ApiError,
  mapLimited,
  median,
  putPolicy,
  registration,
  round,
  runTag,
  sendEvents,
  sleep,
  stallEverywhere,
  terminateWorkflows,
} from './kit';
import { type BreakdownPoint, breakdownPoint, formatBreakdown } from './memory-breakdown';
import { startMeter } from './meter';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

const SECTION = 'memory';
const MB = 1024 * 1024;
/** RSS samples per measurement, this far apart; the median is reported. */
const SAMPLES = 7;
const SAMPLE_EVERY_MS = 500;
/** Quiet time after the last workflow went idle, before the first samples (right after the burst). */
const SETTLE_MS = 2_000;
/**
 * Idle time before the samples that make the figure (BENCH_MEMORY_IDLE_S, seconds). Idle
 * shipments wake after days; within about 30 to 60 s of quiet, V8's memory reducer returns the
 * heap the burst of registrations left behind (seen: 592 → 298 MB, and 315 → 230 MB for the
 * worker that ran nothing yet), so the figure is taken once that has had time to happen.
 */
const IDLE_MS = Number(process.env.BENCH_MEMORY_IDLE_S ?? 90) * 1000;
/** The RSS curve while idle is read this often (progress and JSON). */
const CURVE_EVERY_MS = 10_000;
const BATCH_ROUTE = 'POST /v1/shipments:batch';
const BATCH_SIZE = 250;
const BATCH_CLIENTS = 2;
/**
 * No workflow went idle for this long: the rest are stuck in the server's task retries (seen on
 * an overloaded dev server). 99 % idle after 15 s of no progress, or 98 % after 60 s, will do.
 */
const QUIET_ENOUGH_MS = 15_000;
const STALL_GIVE_UP_MS = 60_000;

async function rssSamples(stack: BenchStack): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    if (i) await sleep(SAMPLE_EVERY_MS);
    out.push(await stack.worker.rssBytes());
  }
  return out;
}

/**
 * Median RSS in MB after the worker has been quiet for a while, then (with `report`) the worker's
 * memory report, asked after the samples. A report with `gc` collects garbage in the worker,
 * which changes what it holds from then on: only the last point asks for it (unless
 * BENCH_MEMORY_GC=every), so the later points' RSS figures are measured as before.
 */
async function settledRss(
  stack: BenchStack,
  ctx: BenchContext,
  what: string,
  report?: { label: string; gc: boolean },
) {
  const quietSince = performance.now();
  await sleep(SETTLE_MS);
  const burstMb = median(await rssSamples(stack)) / MB;
  ctx.progress(`${SECTION}: worker RSS ${what}, right after: ${burstMb.toFixed(1)} MB`);
  const curve: { s: number; mb: number }[] = [];
  for (;;) {
    const idleFor = performance.now() - quietSince;
    if (idleFor >= IDLE_MS) break;
    await sleep(Math.min(CURVE_EVERY_MS, IDLE_MS - idleFor));
    const reading = {
      s: Math.round((performance.now() - quietSince) / 1000),
      mb: round((await stack.worker.rssBytes()) / MB, 1),
    };
    curve.push(reading);
    ctx.progress(`${SECTION}: worker RSS ${what}, idle ${reading.s} s: ${reading.mb} MB`);
  }
  const samples = await rssSamples(stack);
  const mb = median(samples) / MB;
  ctx.progress(`${SECTION}: worker RSS ${what}, idle ${IDLE_MS / 1000} s: ${mb.toFixed(1)} MB`);
  const samplesMb = samples.map((b) => round(b / MB, 1));
  const idle: {
    mb: number;
    samplesMb: number[];
    burstMb: number;
    curve: { s: number; mb: number }[];
    breakdown?: BreakdownPoint;
  } = { mb, samplesMb, burstMb: round(burstMb, 1), curve };
  if (report === undefined) return idle;
  let point: BreakdownPoint;
  try {
    point = breakdownPoint(report.label, await stack.worker.memoryReport({ gc: report.gc }));
  } catch (err) {
    // The breakdown explains the figure; without it the RSS figure still stands.
    ctx.progress(`${SECTION}: no memory report ${what}: ${(err as Error).message}`);
    return idle;
  }
  const f = point.afterGc ?? point.asFound;
  ctx.progress(
    `${SECTION}: ${point.afterGc ? 'after GC' : 'as found'} ${f.rssMb} MB: V8 heap used ${f.mainHeapUsedMb} MB main, ` +
      `${f.workflowHeapUsedMb} MB workflow thread, ${f.otherThreadsHeapUsedMb} MB other threads; external ${f.externalMb} MB; ` +
      `native rest ${f.nativeRestMb} MB; ${point.cachedWorkflows ?? '?'} cached workflows`,
  );
  return { ...idle, breakdown: point };
}

/** Registers one chunk through `POST /v1/shipments:batch`, or one by one when it is missing. */
async function registerChunk(
  stack: BenchStack,
  chunk: RegistrationBody[],
  route: { value: string },
): Promise<void> {
  if (route.value === BATCH_ROUTE) {
    try {
      const answer = await api<{ created: number; failed: number }>(
        stack,
        'POST',
        '/v1/shipments:batch',
        { shipments: chunk },
      );
      if (answer.failed > 0) throw new Error(`${answer.failed} of a batch failed to register`);
      return;
    } catch (err) {
      // An API without the batch route answers 404: register one by one instead.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      route.value = 'POST /v1/shipments';
    }
  }
  await mapLimited(chunk, 16, (body) => api(stack, 'POST', '/v1/shipments', body));
}

/**
 * Registers `bodies` chunk by chunk, each chunk's scans right behind it, then waits until every
 * workflow has recorded its scan (it then only waits on its timers). A handful that the server
 * keeps retrying do not hold the measurement up (see QUIET_ENOUGH_MS); the count is reported.
 */
async function populate(
  stack: BenchStack,
  ctx: BenchContext,
  prefix: string,
  bodies: RegistrationBody[],
  total: number,
  route: { value: string },
): Promise<{ sendMs: number; settleMs: number; notIdle: number }> {
  const meter = startMeter(ctx, `${SECTION}: registered with a scan`, bodies.length, {
    unit: 'shipments',
  });
  const chunks: RegistrationBody[][] = [];
  for (let i = 0; i < bodies.length; i += BATCH_SIZE) chunks.push(bodies.slice(i, i + BATCH_SIZE));
  await mapLimited(chunks, BATCH_CLIENTS, async (chunk) => {
    await registerChunk(stack, chunk, route);
    await sendEvents(
      stack,
      chunk.map((b) => ({
        carrier: b.carrier,
        trackingNumber: b.trackingNumber,
        eventId: `${b.shipmentId}-scan1`,
        occurredAt: new Date().toISOString(),
        status: 'in_transit',
      })),
      { batchSize: chunk.length, concurrency: 1 },
    );
    meter.tick(chunk.length);
  });
  meter.finish();
  const sendMs = meter.seconds() * 1000;

  const t0 = performance.now();
  let idle = 0;
  let best = -1;
  let lastGain = performance.now();
  let lastProgress = performance.now();
  for (;;) {
    const [row] = await stack.database.sql<{ n: number }[]>`
      select count(*)::int as n from shipments
      where shipment_id like ${`${prefix}%`} and (snapshot->>'eventCount')::int >= 1`;
    idle = row?.n ?? 0;
    if (idle >= total) break;
    const now = performance.now();
    if (idle > best) {
      best = idle;
      lastGain = now;
    }
    const quietFor = now - lastGain;
    if (quietFor > QUIET_ENOUGH_MS && idle >= 0.99 * total) break;
    if (quietFor > STALL_GIVE_UP_MS) {
      if (idle >= 0.98 * total) break;
      const stuck = await stack.database.sql<
        { id: string; stage: string; events: string | null }[]
      >`
        select shipment_id as id, stage, snapshot->>'eventCount' as events from shipments
        where shipment_id like ${`${prefix}%`} and coalesce((snapshot->>'eventCount')::int, 0) < 1
        limit 5`;
      throw new Error(
        `${SECTION}: only ${idle}/${total} workflows took their scan; e.g. ${stuck
          .map((r) => `${r.id} (${r.stage}, eventCount ${r.events ?? 'no snapshot'})`)
          .join(', ')}`,
      );
    }
    if (now - lastProgress >= 5_000) {
      lastProgress = now;
      ctx.progress(`${SECTION}: ${idle}/${total} waiting on their timers`);
    }
    await sleep(1_000);
  }
  return { sendMs, settleMs: performance.now() - t0, notIdle: total - idle };
}

export const memorySection: BenchSection = {
  id: SECTION,
  title: 'Worker memory with 1k and 10k shipments in monitoring',
  async run(stack, ctx) {
    const small = Math.max(50, Math.round(1_000 * ctx.scale));
    const large = Math.max(small * 2, Math.round(10_000 * ctx.scale));
    const tag = runTag();
    const prefix = `mem-${tag}-`;
    const policy = `bench-memory-${tag}`;
    // The worker's cache size, as its configuration reads it (the bench passes the variable on).
    const cache = loadConfig({
      WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS,
    }).workerMaxCachedWorkflows;
    // BENCH_MEMORY_BREAKDOWN=0 leaves the worker's memory reports (and their garbage collections)
    // out, to check that they do not move the later points' RSS.
    const withBreakdown = process.env.BENCH_MEMORY_BREAKDOWN !== '0';
    const gcEvery = process.env.BENCH_MEMORY_GC === 'every';
    const at = (label: string, last = false) =>
      withBreakdown ? { label, gc: last || gcEvery } : undefined;

    // A fresh worker process: the baseline holds no workflow of an earlier section.
    ctx.progress(`${SECTION}: restarting the worker for a clean baseline`);
    await stack.worker.restart({ WORKER_MAX_CACHED_WORKFLOWS: String(cache) });
    const baseline = await settledRss(stack, ctx, 'before any shipment', at('idle'));

    // Stall thresholds of weeks: every shipment waits on its timers for the whole run.
    await putPolicy(stack, policy, {
      stallAfter: stallEverywhere('P7D'),
      overdueGrace: 'P3D',
      inquirySurge: { count: 2, window: 'P2D' },
      reviewSla: 'PT24H',
      autoDecision: { maxDeclaredValue: 0, decision: 'reship' },
      deliveredWatch: 'P14D',
      claimWait: 'P0D',
    });
    const bodies = Array.from({ length: large }, (_, i) =>
      registration({
        shipmentId: `${prefix}${i}`,
        trackingNumber: `MEM${tag.toUpperCase()}${i}`,
        policy,
        sku: 'BENCH-MEMORY',
      }),
    );
    const route = { value: BATCH_ROUTE };
    try {
      ctx.progress(`${SECTION}: ${small} shipments into monitoring`);
      const first = await populate(stack, ctx, prefix, bodies.slice(0, small), small, route);
      const atSmall = await settledRss(stack, ctx, `with ${small} shipments`, at(String(small)));
      ctx.progress(`${SECTION}: ${large - small} more, ${large} in monitoring`);
      const second = await populate(stack, ctx, prefix, bodies.slice(small), large, route);
      const atLarge = await settledRss(
        stack,
        ctx,
        `with ${large} shipments`,
        at(String(large), true),
      );
      const breakdown = [baseline.breakdown, atSmall.breakdown, atLarge.breakdown].filter(
        (p): p is BreakdownPoint => p !== undefined,
      );

      const detail = {
        maxCachedWorkflows: cache,
        baselineMb: round(baseline.mb, 1),
        smallMb: round(atSmall.mb, 1),
        largeMb: round(atLarge.mb, 1),
        largeToSmall: round(atLarge.mb / atSmall.mb, 2),
        samplesMb: {
          baseline: baseline.samplesMb,
          small: atSmall.samplesMb,
          large: atLarge.samplesMb,
        },
        sampling: `median of ${SAMPLES} samples ${SAMPLE_EVERY_MS} ms apart, ${IDLE_MS / 1000} s after the last workflow went idle`,
        rightAfterMb: {
          baseline: baseline.burstMb,
          small: atSmall.burstMb,
          large: atLarge.burstMb,
          sampling: `median of ${SAMPLES} samples, ${SETTLE_MS} ms after the last workflow went idle`,
        },
        idleCurveMb: { baseline: baseline.curve, small: atSmall.curve, large: atLarge.curve },
        registration: `${route.value}, then POST /v1/tracking-events per chunk of ${BATCH_SIZE}`,
        seconds: {
          registerAndScan: round((first.sendMs + second.sendMs) / 1000, 1),
          untilIdle: round((first.settleMs + second.settleMs) / 1000, 1),
        },
        notIdleAtSample: { small: first.notIdle, large: second.notIdle },
        state: 'registered, one in_transit scan taken, waiting on a 7-day stall timer',
        breakdown: {
          taken: withBreakdown,
          gcAt: gcEvery ? 'every point' : 'the last point only',
          basis:
            "the worker's memory report (src/worker-memory.ts), asked on its stdin after the RSS samples: " +
            'process.memoryUsage, V8 heaps of the main and worker threads (inspector), smaps_rollup, ' +
            'as found, and after a full GC of every thread where asked; native rest = RSS − heaps committed − external',
          points: breakdown,
        },
      };
      const limit = {
        label: 'the same worker process before any shipment',
        value: round(baseline.mb, 1),
        unit: 'MB',
      };
      const figures: BenchFigure[] = [
        {
          id: 'memory.1k',
          section: SECTION,
          label: `Worker RSS, ${small} shipments in monitoring`,
          value: round(atSmall.mb, 1),
          unit: 'MB',
          better: 'lower',
          limit,
          detail: { ...detail, shipments: small },
        },
        {
          id: 'memory.10k',
          section: SECTION,
          label: `Worker RSS, ${large} shipments in monitoring`,
          value: round(atLarge.mb, 1),
          unit: 'MB',
          better: 'lower',
          limit,
          detail: { ...detail, shipments: large },
          ...(breakdown.length ? { notes: formatBreakdown(breakdown) } : {}),
        },
      ];
      return figures;
    } finally {
      await terminateWorkflows(
        stack,
        ctx,
        bodies.map((b) => shipmentWorkflowId(b.shipmentId)),
        `shipment:${prefix}`,
      );
    }
  },
};
