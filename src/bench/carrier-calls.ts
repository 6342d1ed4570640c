/**
 * Carrier-calls section: carrier API calls per shipment lifetime, ours against a naive poller that
 * asks the carrier about every parcel every 4 hours, on one simulated population (95 % on time,
 * 3 % delayed, 2 % lost) played for real by the sandbox carrier's scenario engine. The sandbox
 * pushes each parcel's scans to the API as webhooks and our worker does what it does (verification
 * lookups, labels, claims, evidence); the poller runs beside it against the same tracking endpoint.
 * The sandbox counts every call it serves; the poller counts its own, which are then subtracted.
 */
import { DEFAULT_POLICY } from '../../workflows/policy';
import { parseIsoDuration } from '../../workflows/durations';
import type { PolicyBody } from '../policies/policies.schemas';
import { SCRIPTS, type Story } from '../carriers/sandbox/sandbox.scenarios';
import type { SandboxStats } from '../carriers/sandbox/sandbox.server';
import {
  api,
  mapLimited,
  putPolicy,
  registration,
  round,
  runTag,
  sandbox,
  sleep,
  terminateShipments,
  stockUp,
} from './kit';
import { startMeter } from './meter';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

const SECTION = 'carrier-calls';
const DAY_MS = 24 * 60 * 60 * 1000;
/** One story day in real time: a parcel's week plays in about half a minute. */
const REAL_DAY_MS = 4_000;
const TIME_SCALE = DAY_MS / REAL_DAY_MS;
/** The naive poller's interval and when it gives up on a parcel that never arrives. */
const POLL_EVERY_STORY_MS = 4 * 60 * 60 * 1000;
const POLLER_GIVES_UP_DAYS = 30;
/** Scenario starts are spread over this long, so webhooks arrive steadily, not in one burst. */
const START_SPREAD_MS = 20_000;
const POLLER_IN_FLIGHT = 64;
const MIX: readonly [Story, number][] = [
  ['lost', 0.02],
  ['delayed', 0.03],
];

interface Parcel {
  index: number;
  shipmentId: string;
  trackingNumber: string;
  story: Story;
  startAt: number;
}

/** The population, the rare stories spread evenly through it (deterministic). */
function population(tag: string, n: number, t0: number): Parcel[] {
  const stories: Story[] = Array.from({ length: n }, () => 'on_time');
  let offset = 0;
  for (const [story, share] of MIX) {
    const count = Math.max(1, Math.round(share * n));
    for (let k = 0; k < count; k++) {
      // Evenly spaced positions, shifted per story so they never collide.
      const at = (Math.floor(((k + 0.5) * n) / count) + offset) % n;
      let i = at;
      while (stories[i] !== 'on_time') i = (i + 1) % n;
      stories[i] = story;
    }
    offset += 7;
  }
  return stories.map((story, index) => ({
    index,
    shipmentId: `calls-${tag}-${index}`,
    trackingNumber: `CC${tag.toUpperCase()}${index}`,
    story,
    startAt: t0 + Math.floor((index * START_SPREAD_MS) / n),
  }));
}

/** An ISO duration of the default policy on the scenario clock (whole seconds, at least 1). */
function scaled(iso: string): string {
  const ms = parseIsoDuration(iso);
  if (ms === 0) return iso;
  return `PT${Math.max(1, Math.round(ms / TIME_SCALE / 1000))}S`;
}

/**
 * The default policy on the scenario clock, deciding automatically (reship) when the review SLA
 * runs out. A parcel still at info_received gets 30 days instead of 5: replacement parcels (which
 * the sandbox does not play) then stay quiet for the run; the population leaves info_received on
 * story day 0.5, so it changes nothing for them.
 */
function benchPolicy(): PolicyBody {
  const p = DEFAULT_POLICY;
  const stallAfter = Object.fromEntries(
    Object.entries({ ...p.stallAfter, info_received: 'P30D' }).map(([k, v]) => [k, scaled(v)]),
  );
  return {
    stallAfter,
    overdueGrace: scaled(p.overdueGrace),
    inquirySurge: { count: p.inquirySurge.count, window: scaled(p.inquirySurge.window) },
    reviewSla: scaled(p.reviewSla),
    autoDecision: { maxDeclaredValue: 1000, decision: 'reship' },
    deliveredWatch: scaled(p.deliveredWatch),
    claimWait: p.claimWait,
  };
}

interface PollerParcel {
  parcel: Parcel;
  nextAt: number;
  polls: number;
  done: boolean;
  lastStatus?: string;
}

/**
 * The naive poller: one GET per parcel every 4 story hours from its first scan, until it reads
 * `delivered`. A lost parcel is polled for real until the carrier calls it lost (its last scan);
 * the polls it would still make until it gives up (day 30) are counted from the same schedule.
 */
class NaivePoller {
  readonly parcels: PollerParcel[];
  calls = 0;
  maxLagMs = 0;
  private inFlight = 0;
  private readonly intervalMs = POLL_EVERY_STORY_MS / TIME_SCALE;

  constructor(
    private readonly stack: BenchStack,
    private readonly key: string,
    parcels: Parcel[],
  ) {
    this.parcels = parcels.map((parcel) => ({
      parcel,
      nextAt: parcel.startAt,
      polls: 0,
      done: false,
    }));
  }

  get finished(): number {
    return this.parcels.filter((p) => p.done).length;
  }

  /** Fires every poll that is due; call it often. */
  tick(): void {
    const now = Date.now();
    for (const p of this.parcels) {
      if (this.inFlight >= POLLER_IN_FLIGHT) return;
      if (p.done || p.nextAt > now || p.nextAt < 0) continue;
      this.maxLagMs = Math.max(this.maxLagMs, now - p.nextAt);
      const due = p.nextAt;
      p.nextAt = -1;
      this.inFlight++;
      this.calls++;
      p.polls++;
      void this.poll(p, due).finally(() => {
        this.inFlight--;
        // The schedule stays anchored to the parcel's first poll, not to answers.
        if (!p.done) p.nextAt = due + this.intervalMs;
      });
    }
  }

  /**
   * One poll for the slot due at `due`. A late poll (a busy bench process) sees the carrier's
   * record as of now; only scans made by the slot's time count, so lag never saves the poller a
   * call it would have made on schedule.
   */
  private async poll(p: PollerParcel, due: number): Promise<void> {
    try {
      const view = await sandbox<{
        status: string;
        events: { status: string; occurredAt: string }[];
      }>(this.stack, this.key, 'GET', `/v1/trackings/${p.parcel.trackingNumber}`);
      const seen = (status: string) =>
        view.events.some((e) => e.status === status && Date.parse(e.occurredAt) <= due);
      p.lastStatus = view.status;
      if (seen('delivered')) p.done = true;
      if (p.parcel.story === 'lost' && seen('lost')) p.done = true;
    } catch {
      // A failed poll is still a call; the next one comes on schedule.
    }
  }

  /** Polls a lost parcel would still get after its last scan, until the poller gives up. */
  computedTail(): number {
    const total = Math.floor((POLLER_GIVES_UP_DAYS * DAY_MS) / POLL_EVERY_STORY_MS) + 1;
    return this.parcels
      .filter((p) => p.parcel.story === 'lost')
      .reduce((sum, p) => sum + Math.max(0, total - p.polls), 0);
  }
}

/** Whether our side is done with each parcel: delivered, or (lost) replacement and claim filed. */
async function oursDone(stack: BenchStack, prefix: string) {
  return stack.database.sql<{ id: string; stage: string; filed: number }[]>`
    select s.shipment_id as id, s.stage,
      (select count(*)::int from claims c
        where c.shipment_id = s.shipment_id and c.filed_at is not null) as filed
    from shipments s
    where s.shipment_id like ${`${prefix}%`} and s.replaces_shipment_id is null`;
}

type Counted = Pick<SandboxStats, 'trackCalls' | 'labelCalls' | 'claimCalls'> & {
  traceCalls: number;
};

async function stats(stack: BenchStack, key: string): Promise<Counted> {
  const s = await sandbox<Counted>(stack, key, 'GET', '/__control/stats');
  return {
    trackCalls: s.trackCalls,
    labelCalls: s.labelCalls,
    claimCalls: s.claimCalls,
    traceCalls: s.traceCalls ?? 0,
  };
}

async function playAll(
  stack: BenchStack,
  ctx: BenchContext,
  key: string,
  parcels: Parcel[],
  poller: NaivePoller,
): Promise<void> {
  const webhook = { format: 'sandbox', url: `${stack.apiUrl}/v1/webhooks/sandbox` };
  const pending = [...parcels];
  const starting = new Set<Promise<unknown>>();
  const failures: string[] = [];
  const meter = startMeter(ctx, `${SECTION}: scenarios started`, parcels.length);
  const prefix = parcels[0]!.shipmentId.replace(/\d+$/, '');
  const lost = parcels.filter((p) => p.story === 'lost').length;
  const lastStart = parcels.at(-1)!.startAt;
  // Longest story (lost: its last scan on day 12) plus our handling, with a wide margin.
  const deadline = lastStart + 30 * REAL_DAY_MS;
  let lastProgress = Date.now();
  let ours = { delivered: 0, claims: 0 };
  let lastCheck = 0;
  let startsReported = false;
  for (;;) {
    const now = Date.now();
    while (pending.length && pending[0]!.startAt <= now) {
      const p = pending.shift()!;
      const started = sandbox(stack, key, 'POST', '/__control/scenarios', {
        trackingNumber: p.trackingNumber,
        story: p.story,
        timeScale: TIME_SCALE,
        webhook,
      }).then(
        () => meter.tick(),
        (err: unknown) => void failures.push(`${p.trackingNumber}: ${(err as Error).message}`),
      );
      starting.add(started);
      void started.finally(() => starting.delete(started));
    }
    if (failures.length) throw new Error(`${SECTION}: scenario start failed: ${failures[0]}`);
    if (!pending.length && !starting.size && !startsReported) {
      startsReported = true;
      meter.finish();
    }
    poller.tick();
    if (now - lastCheck >= 1_000) {
      lastCheck = now;
      const rows = await oursDone(stack, prefix);
      ours = {
        delivered: rows.filter((r) => r.stage === 'delivered' || r.stage === 'closed').length,
        claims: rows.filter((r) => r.filed > 0).length,
      };
    }
    const pollerDone = poller.finished === parcels.length;
    const oursFinished = ours.delivered === parcels.length && ours.claims >= lost;
    if (!pending.length && pollerDone && oursFinished) break;
    if (now > deadline) {
      throw new Error(
        `${SECTION}: not settled ${Math.round((now - lastStart) / 1000)} s after the last start ` +
          `(poller ${poller.finished}/${parcels.length}, ours ${ours.delivered} settled, ${ours.claims}/${lost} claims)`,
      );
    }
    if (now - lastProgress >= 5_000) {
      lastProgress = now;
      ctx.progress(
        `${SECTION}: poller ${poller.finished}/${parcels.length} done (${poller.calls} calls); ` +
          `ours ${ours.delivered}/${parcels.length} delivered or closed, ${ours.claims}/${lost} claims filed`,
      );
    }
    await sleep(20);
  }
  await Promise.all(starting);
}

export const carrierCallsSection: BenchSection = {
  id: SECTION,
  title: 'Carrier API calls per shipment: ours vs a 4-hour poller',
  async run(stack, ctx) {
    const n = Math.max(100, Math.round(200 * ctx.scale));
    const tag = runTag();
    const key = stack.sandboxCarrierKey;
    const policy = `bench-calls-${tag}`;
    await putPolicy(stack, policy, benchPolicy());
    const sku = await stockUp(stack, `calls-${tag}`, n);

    // Registered up front (as an order system would at label time), each scenario then starts
    // at its own moment and the registered estimate is the story's.
    const registerMs = 2_000 + 25 * n;
    const t0 = Date.now() + registerMs;
    const parcels = population(tag, n, t0);
    const regMeter = startMeter(ctx, `${SECTION}: registering`, n, { unit: 'shipments' });
    await mapLimited(parcels, 16, async (p) => {
      await api(
        stack,
        'POST',
        '/v1/shipments',
        registration({
          shipmentId: p.shipmentId,
          trackingNumber: p.trackingNumber,
          policy,
          sku,
          expectedDeliveryAt: new Date(
            p.startAt + SCRIPTS[p.story].eddDay * REAL_DAY_MS,
          ).toISOString(),
        }),
      );
      regMeter.tick();
    });
    regMeter.finish();
    try {
      const before = await stats(stack, key);
      const poller = new NaivePoller(stack, key, parcels);
      ctx.progress(
        `${SECTION}: playing ${n} stories at ${TIME_SCALE}× (a story day = ${REAL_DAY_MS / 1000} s)`,
      );
      await playAll(stack, ctx, key, parcels, poller);
      // Calls already sent are counted once they are answered.
      await sleep(1_000);
      const after = await stats(stack, key);

      const delta = {
        track: after.trackCalls - before.trackCalls - poller.calls,
        label: after.labelCalls - before.labelCalls,
        claim: after.claimCalls - before.claimCalls,
        trace: after.traceCalls - before.traceCalls,
      };
      const oursTotal = delta.track + delta.label + delta.claim + delta.trace;
      const tail = poller.computedTail();
      const pollerTotal = poller.calls + tail;
      const counts = Object.fromEntries(
        ['on_time', 'delayed', 'lost'].map((s) => [s, parcels.filter((p) => p.story === s).length]),
      );
      const pollerByStory = Object.fromEntries(
        ['on_time', 'delayed', 'lost'].map((s) => {
          const of = poller.parcels.filter((p) => p.parcel.story === s);
          return [s, round(of.reduce((sum, p) => sum + p.polls, 0) / Math.max(1, of.length), 1)];
        }),
      );
      const figure: BenchFigure = {
        id: 'carrier-calls.per-shipment',
        section: SECTION,
        label: 'Carrier API calls per shipment lifetime',
        value: round(oursTotal / n, 3),
        unit: 'calls/shipment',
        better: 'lower',
        limit: {
          label: 'naive poller: every parcel every 4 h until delivered (lost: until day 30)',
          value: round(pollerTotal / n, 2),
          unit: 'calls/shipment',
        },
        detail: {
          parcels: n,
          stories: counts,
          timeScale: TIME_SCALE,
          ours: { total: oursTotal, byRoute: delta },
          poller: {
            total: pollerTotal,
            played: poller.calls,
            computedLostTail: tail,
            perParcelPlayed: pollerByStory,
            maxLagMs: round(poller.maxLagMs),
          },
          policy: 'default policy on the scenario clock, auto-reship when the review SLA passes',
          notCounted:
            'GET /v1/claims/{id} and GET /v1/traces/{id} (the sandbox keeps no count of them); our claim follow-up came by webhook',
          assumption: `the poller stops at the first "delivered"; a lost parcel is polled until day ${POLLER_GIVES_UP_DAYS}: for real until its last scan (day 12), the rest counted from the same 4-hour schedule`,
        },
      };
      return [figure];
    } finally {
      await terminateShipments(
        stack.client,
        parcels.map((p) => p.shipmentId),
        'bench carrier-calls section done',
        { replacements: true, claims: true },
      );
    }
  },
};
