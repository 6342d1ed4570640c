/**
 * Latency section: how long after a stall deadline a parcel shows in the review queue, and how long
 * until an auto-decided one is fully handled (replacement label, customer message, claim filed).
 * Each is set against a bare Temporal workflow on the same server that sleeps until the same
 * deadlines and then runs one insert (detection) or as many sequential inserts as our chain runs
 * activities (handling), observed the same way.
 */
import protoPkg from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { PolicyBody } from '../policies/policies.schemas';
import { searchAttributes, shipmentWorkflowId } from '../../workflows/shipment.contract';
import { CLAIM_WORKFLOW_TYPE, claimWorkflowId } from '../../workflows/claim.contract';
import { startBareRig, type BareRig } from './bare-rig';
import { planInserts, type BenchStep } from './bench.workflows';
import {
  api,
  mapLimited,
  percentile,
  putPolicy,
  registerShipments,
  registration,
  round,
  runTag,
  sandbox,
  sendEvents,
  stallEverywhere,
  terminateShipments,
  waitFor,
  stockUp,
} from './kit';
import type { BenchContext, BenchFigure, BenchSection, BenchStack } from './types';

const SECTION = 'latency';
/** Both sides are observed at this interval (review queue over HTTP; bench rows in PostgreSQL). */
const POLL_MS = 100;
/** Detection deadlines fall this far apart: a steady 5 per second (and 5 bare timers). */
const DETECT_GAP_MS = 200;
/** Handling deadlines: a steady 2 per second (and 2 bare chains). */
const HANDLE_GAP_MS = 500;
/** The stall threshold of the bench policies (each scan's time is set back by it). */
const STALL = 'PT60S';
const STALL_MS = 60_000;
/** The auto-decision policy's review SLA: the only wait between the review opening and the decision. */
const AUTO_REVIEW_SLA = 'PT0.1S';
/** Allowed after the last deadline before the section gives up. */
const TAIL_TIMEOUT_MS = 90_000;

const EType = protoPkg.temporal.api.enums.v1.EventType;
type HistoryEvent = protoPkg.temporal.api.history.v1.IHistoryEvent;

interface Sample {
  id: string;
  deadline: number;
  observed?: number;
}

interface Population {
  prefix: string;
  ids: string[];
  trackingNumbers: string[];
}

function population(tag: string, kind: string, n: number): Population {
  const prefix = `lat-${tag}-${kind}`;
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const trackingNumbers = ids.map((_, i) => `LAT${tag.toUpperCase()}${kind.toUpperCase()}${i}`);
  return { prefix, ids, trackingNumbers };
}

function basePolicy(overrides: Partial<PolicyBody>): PolicyBody {
  return {
    // Only in_transit (the bench's scans) stalls soon; a parcel without scans (a replacement
    // waiting for its first one) stays quiet for the whole run.
    stallAfter: stallEverywhere(STALL, { info_received: 'PT1H' }),
    overdueGrace: 'P3D',
    inquirySurge: { count: 2, window: 'P2D' },
    reviewSla: 'PT1H',
    autoDecision: { maxDeclaredValue: 0, decision: 'reship' },
    deliveredWatch: 'P14D',
    claimWait: 'P0D',
    ...overrides,
  };
}

/** Time to give `n` scans to the API and the sandbox and to start `n` bare workflows, with margin. */
const leadMs = (n: number) => 3_000 + 20 * n;

async function register(
  stack: BenchStack,
  ctx: BenchContext,
  pop: Population,
  policy: string,
  sku: string,
): Promise<void> {
  await registerShipments(
    stack,
    ctx,
    pop.ids.map((id, i) =>
      registration({ shipmentId: id, trackingNumber: pop.trackingNumbers[i]!, policy, sku }),
    ),
    { label: `${SECTION}: registering ${pop.prefix}*` },
  );
}

/**
 * Gives every parcel one in_transit scan dated so that its stall deadline is `deadlines[i]`
 * (scan time + threshold, as workflows/detection.ts computes it). The sandbox carrier holds the
 * same scan first, so the verification lookup finds nothing newer.
 */
async function arm(
  stack: BenchStack,
  key: string,
  pop: Population,
  deadlines: readonly number[],
): Promise<Sample[]> {
  const samples = pop.ids.map((id, i) => ({ id, deadline: deadlines[i]! }));
  const events = samples.map((s, i) => ({
    carrier: 'sandbox',
    trackingNumber: pop.trackingNumbers[i]!,
    eventId: `${s.id}-scan1`,
    occurredAt: new Date(s.deadline - STALL_MS).toISOString(),
    status: 'in_transit',
    description: 'In transit to destination hub',
  }));
  await mapLimited(events, 16, async (e) => {
    const { carrier: _carrier, trackingNumber, ...event } = e;
    await sandbox(stack, key, 'POST', '/v1/parcels', { trackingNumber, events: [event] });
  });
  await sendEvents(stack, events);
  return samples;
}

/** Every pending review's shipment id (all pages). */
async function pendingReviewIds(stack: BenchStack): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: { items: { shipmentId: string }[]; nextCursor: string | null } = await api(
      stack,
      'GET',
      `/v1/reviews?limit=200${q}`,
    );
    for (const item of page.items) ids.push(item.shipmentId);
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

const lastDeadline = (samples: readonly Sample[]) => Math.max(...samples.map((s) => s.deadline));

/** Polls `seen()` every POLL_MS, stamping each sample the first time it shows. */
async function observe(
  ctx: BenchContext,
  what: string,
  samples: Sample[],
  seen: () => Promise<Iterable<string>>,
): Promise<void> {
  const byId = new Map(samples.map((s) => [s.id, s]));
  let open = samples.length;
  await waitFor(
    ctx,
    what,
    async () => {
      const ids = await seen();
      const now = Date.now();
      for (const id of ids) {
        const s = byId.get(id);
        if (s && s.observed === undefined) {
          s.observed = now;
          open--;
        }
      }
      return { done: open === 0, status: `${samples.length - open}/${samples.length} seen` };
    },
    { intervalMs: POLL_MS, timeoutMs: lastDeadline(samples) - Date.now() + TAIL_TIMEOUT_MS },
  );
}

const latencies = (samples: readonly Sample[]) => samples.map((s) => s.observed! - s.deadline);

function summary(values: number[]) {
  return {
    p50: round(percentile(values, 50)),
    p90: round(percentile(values, 90)),
    p99: round(percentile(values, 99)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
  };
}

/** Epoch milliseconds of each handling step, null until it happened. */
interface Handled {
  id: string;
  reshipAt: number | null;
  notifiedAt: number | null;
  claimAt: number | null;
}

async function handledRows(stack: BenchStack, prefix: string): Promise<Handled[]> {
  return stack.database.sql<Handled[]>`
    select s.shipment_id as id,
      (select (extract(epoch from min(r.created_at)) * 1000)::float8 from reship_orders r
        where r.original_shipment_id = s.shipment_id) as "reshipAt",
      (select (extract(epoch from min(n.sent_at)) * 1000)::float8 from notifications n
        where n.shipment_id = s.shipment_id and n.kind = 'reshipped' and n.status = 'sent') as "notifiedAt",
      (select (extract(epoch from min(c.filed_at)) * 1000)::float8 from claims c
        where c.shipment_id = s.shipment_id) as "claimAt"
    from shipments s
    where s.shipment_id like ${`${prefix}%`} and s.replaces_shipment_id is null`;
}

const isHandled = (r: Handled) =>
  r.reshipAt !== null && r.notifiedAt !== null && r.claimAt !== null;

/** The search-attribute upsert that publishes the `verifying` stage: the suspicion. */
function entersVerifying(e: HistoryEvent): boolean {
  const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
  const stage = fields?.[searchAttributes.stage.name]?.data;
  return stage !== undefined && stage !== null && Buffer.from(stage).toString() === '"verifying"';
}

/**
 * The server-visible steps our chain takes one after another from the stall deadline to the claim
 * being filed, read from a real history: in the shipment workflow from the suspicion (the
 * search-attribute upsert of the `verifying` stage) up to starting the claim, then in the claim
 * workflow up to `fileClaim`.
 * Each regular activity, timer (with its length) and child workflow start becomes a step of the
 * bare chain's plan; the claim's part runs in a bare child, as ours does. Local activities have no
 * step: they are work of ours inside a workflow task.
 */
async function chainPlan(
  client: Client,
  shipmentId: string,
): Promise<{
  plan: BenchStep[];
  names: string[];
  children: number;
  tasks: string[];
}> {
  const plan: BenchStep[] = [];
  const names: string[] = [];
  let children = 0;
  // Each workflow task of the chain: how long the worker held it, and its local activities.
  const tasks: string[] = [];
  let taskStarted: number | undefined;
  const take = (e: HistoryEvent): 'claim' | 'filed' | undefined => {
    if (e.eventType === EType.EVENT_TYPE_WORKFLOW_TASK_STARTED) taskStarted = tsToMs(e.eventTime);
    if (e.eventType === EType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && taskStarted !== undefined) {
      tasks.push(`${Math.round(tsToMs(e.eventTime) - taskStarted)} ms`);
    }
    if (e.eventType === EType.EVENT_TYPE_MARKER_RECORDED && tasks.length > 0) {
      tasks[tasks.length - 1] += ' +LA';
    }
    const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (e.eventType === EType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      plan.push({ insert: true });
      names.push(activity ?? '?');
      if (activity === 'fileClaim') return 'filed';
    } else if (e.eventType === EType.EVENT_TYPE_TIMER_STARTED) {
      const ms = Math.round(tsToMs(e.timerStartedEventAttributes?.startToFireTimeout));
      plan.push({ sleepMs: ms });
      names.push(`timer ${ms} ms`);
    } else if (e.eventType === EType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
      children++;
      const type = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name;
      if (type === CLAIM_WORKFLOW_TYPE) {
        plan.push({ handOff: true });
        names.push(`child ${type} (the rest)`);
        return 'claim';
      }
      plan.push({ spawn: true });
      names.push(`child ${type}`);
    }
    return undefined;
  };
  const shipment = await client.workflow.getHandle(shipmentWorkflowId(shipmentId)).fetchHistory();
  let suspected = false;
  let reachedClaim = false;
  for (const e of shipment.events ?? []) {
    if (!suspected) {
      suspected = entersVerifying(e);
      continue;
    }
    if (take(e) === 'claim') {
      reachedClaim = true;
      break;
    }
  }
  if (!suspected) throw new Error(`shipment ${shipmentId} never became suspicious`);
  if (!reachedClaim) throw new Error(`shipment ${shipmentId} never started its claim`);
  const claim = await client.workflow.getHandle(claimWorkflowId(shipmentId)).fetchHistory();
  let filed = false;
  for (const e of claim.events ?? []) {
    if (take(e) === 'filed') {
      filed = true;
      break;
    }
  }
  if (!filed) throw new Error(`the claim of ${shipmentId} was never filed`);
  return { plan, names, children, tasks };
}

/**
 * How many parcels' workflows took their scan only after its stall deadline had passed (a busy
 * worker): their deadline could not be waited for, so the latency also holds that backlog.
 */
async function scansTakenLate(stack: BenchStack, samples: readonly Sample[]): Promise<number> {
  const deadlines = new Map(samples.map((s) => [s.id, s.deadline]));
  const rows = await stack.database.sql<{ id: string; timeline: { at: string; kind: string }[] }[]>`
    select shipment_id as id, snapshot->'timeline' as timeline from shipments
    where shipment_id = any(${[...deadlines.keys()]})`;
  return rows.filter((r) => {
    const taken = (r.timeline ?? []).find((t) => t.kind === 'tracking_event');
    return taken !== undefined && Date.parse(taken.at) > deadlines.get(r.id)!;
  }).length;
}

/** How many samples of each side the detection breakdown reads the history of. */
const BREAKDOWN_SAMPLES = 40;

/** Milliseconds of one sample's way from its deadline to being seen, read off its history. */
interface Leg {
  /**
   * The timer's due time (when the task that started it completed, plus its duration) minus the
   * deadline: the duration was counted from the workflow time, the start of that task.
   */
  timerSetLate: number;
  /** The timer's due time → the server fired it. */
  firedLate: number;
  /** Deadline → the server fired the timer (the two above). */
  timerFired: number;
  /** Timer fired → the worker started the workflow task that took it. */
  taskStarted: number;
  /** That task started → the step that makes it visible completed (task or activity). */
  work: number;
  /** That step completed → the bench saw it (polling). */
  seen: number;
}

/**
 * Where the time goes between a deadline and its sighting, from the workflow histories of up to
 * BREAKDOWN_SAMPLES samples: the first timer fired at or after the deadline, the workflow task
 * started after it, then the task's completion (ours: the review opens inside that task) or, for
 * the bare workflow, its activity's completion. Medians of each leg.
 */
async function breakdown(
  client: Client,
  samples: readonly Sample[],
  workflowId: (id: string) => string,
  visibleAt: 'task' | 'activity',
): Promise<Record<keyof Leg, number> & { n: number }> {
  const picked = samples.filter(
    (_, i) => i % Math.max(1, Math.floor(samples.length / BREAKDOWN_SAMPLES)) === 0,
  );
  const legs: Leg[] = [];
  await mapLimited(picked, 8, async (s) => {
    if (s.observed === undefined) return;
    const history = await client.workflow.getHandle(workflowId(s.id)).fetchHistory();
    const events = history.events ?? [];
    const at = (i: number) => tsToMs(events[i]!.eventTime);
    const fired = events.findIndex(
      (e) => e.eventType === EType.EVENT_TYPE_TIMER_FIRED && tsToMs(e.eventTime) >= s.deadline - 50,
    );
    if (fired < 0) return;
    const started = events.findIndex(
      (e, i) => i > fired && e.eventType === EType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    );
    const doneType =
      visibleAt === 'task'
        ? EType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
        : EType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED;
    const done = events.findIndex((e, i) => i > started && e.eventType === doneType);
    if (started < 0 || done < 0) return;
    const startedId = Number(events[fired]!.timerFiredEventAttributes?.startedEventId ?? -1);
    const timerStarted = events.findIndex((e) => Number(e.eventId) === startedId);
    if (timerStarted < 0) return;
    const due =
      at(timerStarted) +
      tsToMs(events[timerStarted]!.timerStartedEventAttributes?.startToFireTimeout);
    legs.push({
      timerSetLate: due - s.deadline,
      firedLate: at(fired) - due,
      timerFired: at(fired) - s.deadline,
      taskStarted: at(started) - at(fired),
      work: at(done) - at(started),
      seen: s.observed - at(done),
    });
  });
  const leg = (k: keyof Leg) =>
    round(
      percentile(
        legs.map((l) => l[k]),
        50,
      ),
    );
  return {
    n: legs.length,
    timerSetLate: leg('timerSetLate'),
    firedLate: leg('firedLate'),
    timerFired: leg('timerFired'),
    taskStarted: leg('taskStarted'),
    work: leg('work'),
    seen: leg('seen'),
  };
}

interface Run {
  stack: BenchStack;
  ctx: BenchContext;
  rig: BareRig;
  tag: string;
  key: string;
  sku: string;
  detectPolicy: string;
  autoPolicy: string;
  /** Shipments to terminate at the end (with their replacements and claims), whatever happens. */
  cleanup: string[];
}

/**
 * Detection: our parcels' deadlines and the bare timers' deadlines interleave at the same rate,
 * so both sides see the same server load at the same moments. A pilot parcel on the
 * auto-decision policy runs alongside; its history tells how long our handling chain is.
 */
async function detection(run: Run, n: number) {
  const { stack, ctx, rig, tag, key } = run;
  const pop = population(tag, 'd', n);
  const pilot = population(tag, 'p', 1);
  run.cleanup.push(...pop.ids, ...pilot.ids);
  ctx.progress(`${SECTION}: detection, ${n} parcels (${STALL} stall) and ${n} bare timers`);
  await register(stack, ctx, pop, run.detectPolicy, run.sku);
  await register(stack, ctx, pilot, run.autoPolicy, run.sku);
  const t0 = Date.now() + leadMs(2 * n);
  const ours = pop.ids.map((_, i) => t0 + i * DETECT_GAP_MS);
  const bare: Sample[] = pop.ids.map((_, i) => ({
    id: `det-${tag}-${i}`,
    deadline: t0 + i * DETECT_GAP_MS + DETECT_GAP_MS / 2,
  }));
  const [samples] = await Promise.all([
    arm(stack, key, pop, ours),
    arm(stack, key, pilot, [t0]),
    rig.start(bare.map((s) => ({ key: s.id, deadline: s.deadline, steps: 1 }))),
  ]);
  const lateMs = Math.max(0, Date.now() - t0);
  await Promise.all([
    observe(ctx, `${SECTION}: our parcels in GET /v1/reviews`, samples, async () =>
      (await pendingReviewIds(stack)).filter((id) => id.startsWith(pop.prefix)),
    ),
    observe(ctx, `${SECTION}: bare timers' rows`, bare, async () =>
      (await rig.marks(`det-${tag}-`, 1)).map((m) => m.key),
    ),
  ]);
  // Ops close them: the queue is shared with whatever runs next.
  await mapLimited(pop.ids, 16, (id) =>
    api(stack, 'POST', `/v1/shipments/${encodeURIComponent(id)}/review`, {
      decision: 'mark_delivered',
      reviewer: 'bench',
    }),
  );
  await waitFor(
    ctx,
    `${SECTION}: pilot parcel handled`,
    async () => {
      const [row] = await handledRows(stack, pilot.prefix);
      return { done: row !== undefined && isHandled(row), status: 'waiting for its claim' };
    },
    { intervalMs: 250, timeoutMs: TAIL_TIMEOUT_MS },
  );
  const chain = await chainPlan(stack.client, pilot.ids[0]!);
  ctx.progress(
    `${SECTION}: the pilot's chain: ${chain.names.join(', ')}; its workflow tasks: ${chain.tasks.join(', ')}`,
  );
  const takenLate = await scansTakenLate(stack, samples);
  const legs = {
    ours: await breakdown(stack.client, samples, shipmentWorkflowId, 'task'),
    bare: await breakdown(stack.client, bare, (id) => `bench:${id}`, 'activity'),
  };
  ctx.progress(
    `${SECTION}: detection legs, p50 ms (deadline → timer fired → task started → visible → seen): ` +
      `ours ${JSON.stringify(legs.ours)}, bare ${JSON.stringify(legs.bare)}`,
  );
  return { ours: latencies(samples), bare: latencies(bare), lateMs, takenLate, chain, legs };
}

/**
 * Handling: auto-decided parcels and bare chains of as many sequential inserts as our chain runs
 * activities, deadlines interleaved at the same rate; each side timed by its own rows.
 */
async function handling(run: Run, n: number, plan: BenchStep[]) {
  const { stack, ctx, rig, tag, key } = run;
  const pop = population(tag, 'h', n);
  run.cleanup.push(...pop.ids);
  const steps = planInserts(plan);
  ctx.progress(
    `${SECTION}: handling, ${n} auto-reship parcels and ${n} bare chains of ${plan.length} steps`,
  );
  await register(stack, ctx, pop, run.autoPolicy, run.sku);
  const t0 = Date.now() + leadMs(2 * n);
  const ours = pop.ids.map((_, i) => t0 + i * HANDLE_GAP_MS);
  const bare: Sample[] = pop.ids.map((_, i) => ({
    id: `chain-${tag}-${i}`,
    deadline: t0 + i * HANDLE_GAP_MS + HANDLE_GAP_MS / 2,
  }));
  const [samples] = await Promise.all([
    arm(stack, key, pop, ours),
    rig.start(bare.map((s) => ({ key: s.id, deadline: s.deadline, steps, plan }))),
  ]);
  const lateMs = Math.max(0, Date.now() - t0);
  const byId = new Map([...samples, ...bare].map((s) => [s.id, s]));
  const parts = { label: [] as number[], message: [] as number[], claim: [] as number[] };
  await waitFor(
    ctx,
    `${SECTION}: label, message and claim`,
    async () => {
      const rows = await handledRows(stack, pop.prefix);
      for (const r of rows.filter(isHandled)) {
        const s = byId.get(r.id);
        if (!s || s.observed !== undefined) continue;
        const [label, message, claim] = [r.reshipAt, r.notifiedAt, r.claimAt].map(Number) as [
          number,
          number,
          number,
        ];
        s.observed = Math.max(label, message, claim);
        parts.label.push(label - s.deadline);
        parts.message.push(message - s.deadline);
        parts.claim.push(claim - s.deadline);
      }
      for (const m of await rig.marks(`chain-${tag}-`, steps)) {
        const s = byId.get(m.key);
        if (s) s.observed = m.at;
      }
      const oursDone = samples.filter((s) => s.observed !== undefined).length;
      const bareDone = bare.filter((s) => s.observed !== undefined).length;
      return {
        done: oursDone === n && bareDone === n,
        status: `ours ${oursDone}/${n}, bare ${bareDone}/${n} done`,
      };
    },
    { intervalMs: 500, timeoutMs: lastDeadline(samples) - Date.now() + TAIL_TIMEOUT_MS },
  );
  const takenLate = await scansTakenLate(stack, samples);
  return { ours: latencies(samples), bare: latencies(bare), lateMs, takenLate, parts };
}

function figure(
  id: string,
  label: string,
  value: number,
  limitLabel: string,
  limit: number,
  detail: Record<string, unknown>,
): BenchFigure {
  return {
    id,
    section: SECTION,
    label,
    value: round(value),
    unit: 'ms',
    better: 'lower',
    limit: { label: limitLabel, value: round(limit), unit: 'ms' },
    detail,
  };
}

export const latencySection: BenchSection = {
  id: SECTION,
  title: 'Detection and automated-handling latency',
  async run(stack, ctx) {
    const nDetect = Math.max(20, Math.round(200 * ctx.scale));
    const nHandle = Math.max(20, Math.round(100 * ctx.scale));
    const tag = runTag();
    const key = stack.sandboxCarrierKey;
    ctx.progress(`${SECTION}: bundling the bare bench workflow`);
    const rig = await startBareRig(stack);
    const cleanup: string[] = [];
    try {
      const run: Run = {
        stack,
        ctx,
        rig,
        tag,
        key,
        sku: await stockUp(stack, `latency-${tag}`, nHandle + 10),
        detectPolicy: `bench-detect-${tag}`,
        autoPolicy: `bench-auto-${tag}`,
        cleanup,
      };
      await putPolicy(stack, run.detectPolicy, basePolicy({}));
      await putPolicy(
        stack,
        run.autoPolicy,
        basePolicy({
          reviewSla: AUTO_REVIEW_SLA,
          autoDecision: { maxDeclaredValue: 1000, decision: 'reship' },
        }),
      );

      const det = await detection(run, nDetect);
      const hand = await handling(run, nHandle, det.chain.plan);
      const bareLabel = `bare timer + the same ${det.chain.plan.length} server steps`;

      const ours = summary(det.ours);
      const bare = summary(det.bare);
      const detDetail = {
        n: nDetect,
        deadlinesPerSecond: 1000 / DETECT_GAP_MS,
        stallThreshold: STALL,
        pollMs: POLL_MS,
        ours,
        bareTimer: bare,
        eventsLateMs: det.lateMs,
        scansTakenAfterDeadline: det.takenLate,
        legsP50: det.legs,
        path: 'stall timer → carrier lookup (sandbox) → delay notice → review opened → seen in GET /v1/reviews',
        limitPath:
          'bare workflow on the same server, deadlines interleaved with ours: sleep → one insert → seen by polling PostgreSQL',
      };
      const hOurs = summary(hand.ours);
      const hBare = summary(hand.bare);
      const handDetail = {
        n: nHandle,
        deadlinesPerSecond: 1000 / HANDLE_GAP_MS,
        stallThreshold: STALL,
        reviewSla: AUTO_REVIEW_SLA,
        ours: hOurs,
        bareChain: hBare,
        eventsLateMs: hand.lateMs,
        scansTakenAfterDeadline: hand.takenLate,
        sequentialActivities: planInserts(det.chain.plan),
        childWorkflowStarts: det.chain.children,
        bareChainSteps: det.chain.names,
        pilotTasks: det.chain.tasks,
        limitPath:
          "bare workflow replaying our chain's server-visible steps, read from the pilot parcel's history: " +
          "one insert per regular activity, the same timers, the same child workflow starts (the claim's part in a bare child)",
        p50ToLabel: round(percentile(hand.parts.label, 50)),
        p50ToMessage: round(percentile(hand.parts.message, 50)),
        p50ToClaimFiled: round(percentile(hand.parts.claim, 50)),
        claimRule:
          'sandbox carrier: no waiting period and no trace first, so the claim is filed at once',
        timedBy:
          'row times: reship_orders.created_at, notifications.sent_at, claims.filed_at; bench_marks.at of the last insert',
      };
      return [
        figure(
          'latency.detection.p50',
          'Stall deadline → review queue, p50',
          ours.p50,
          'bare timer + 1 insert, p50',
          bare.p50,
          detDetail,
        ),
        figure(
          'latency.detection.p99',
          'Stall deadline → review queue, p99',
          ours.p99,
          'bare timer + 1 insert, p99',
          bare.p99,
          detDetail,
        ),
        figure(
          'latency.handling.p50',
          'Stall deadline → label, message, claim filed, p50',
          hOurs.p50,
          `${bareLabel}, p50`,
          hBare.p50,
          handDetail,
        ),
        figure(
          'latency.handling.p99',
          'Stall deadline → label, message, claim filed, p99',
          hOurs.p99,
          `${bareLabel}, p99`,
          hBare.p99,
          handDetail,
        ),
      ];
    } finally {
      // Replacements and claims wait on long timers: nothing of them belongs to the next section.
      if (cleanup.length) {
        await terminateShipments(stack.client, cleanup, 'bench latency section done', {
          replacements: true,
          claims: true,
        });
      }
      await rig.stop();
    }
  },
};
