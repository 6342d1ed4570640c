/**
 * What every step of the shipment workflow shares: the state (what a query shows and what is
 * carried on continue-as-new), the few counters beside it, and the helpers each step uses to
 * record, publish, wait and tell the customer.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  boundSeenEvents,
  currentEvent,
  customsEpisodeAfter,
  MAX_CARRIED_EVENT_IDS,
  mergeEvents,
  revisedEstimate,
  seenEventsFrom,
  summaryInForce,
  type DetectionInput,
  type SeenEvents,
} from '../detection';
import { continueAsNewSuggested } from '../history-pressure';
import { DEFAULT_POLICY } from '../policy';
import {
  searchAttributes,
  shipmentWorkflowId,
  type NotificationKind,
  type Resolution,
  type ReviewInput,
  type ShipmentRegistration,
  type ShipmentState,
  type ShipmentWorkflow,
  type ShipmentWorkflowInput,
  type Stage,
  type SuspicionEvidence,
  type SuspicionReason,
  type TrackingEvent,
} from '../shipment.contract';
import {
  CARRIER_CHECK_LOCAL,
  DNR_ASK_FIRST,
  INQUIRY_REVIEW,
  LOCAL_ACTIVITIES,
  NOTICE_AFTER_REVIEW,
  POD_UNKNOWN_NUMBER,
  SNAPSHOT_EVERY_FACT,
  TASK_CLOCK,
} from './patches';
import { quick } from './proxies';

const MAX_TIMELINE = 300;

/** What a step answers: the stage to enter next, or how the shipment closes. */
export type Next = Stage | { close: Resolution };
export type PendingDecision = ReviewInput & { automatic: boolean; round: number };
export type CustomerKind = Exclude<NotificationKind, 'ops_alert'>;

/** The patches a run decides once, in its first activation (see `decidePatches`). */
export interface RunPatches {
  inquiryReview: boolean;
  dnrAskFirst: boolean;
  podUnknownNumber: boolean;
  carrierCheckLocal: boolean;
  taskClock: boolean;
}

/**
 * Asks `patched()` for the newer patches in the run's first activation, where every replay asks
 * at the same point. A `patched()` asked right after a local activity can land in a different
 * workflow task on replay than it did when the run went through it: the worker may end the task
 * with the local activity's marker and send what followed in the next one, while a replay resolves
 * that activity within the first task and asks the patch before the next task's markers are known,
 * so it answers "not patched" (a nondeterminism error follows). Runs that take these patches also
 * ask here the older ones they would first ask after a local activity: `snapshot-every-fact`
 * (after the opening snapshot) and `notice-after-review` (after the carrier lookup).
 */
export function decidePatches(): RunPatches {
  const patches = {
    inquiryReview: patched(INQUIRY_REVIEW),
    dnrAskFirst: patched(DNR_ASK_FIRST),
    podUnknownNumber: patched(POD_UNKNOWN_NUMBER),
    carrierCheckLocal: patched(CARRIER_CHECK_LOCAL),
    taskClock: patched(TASK_CLOCK),
  };
  if (patches.inquiryReview) patched(SNAPSHOT_EVERY_FACT);
  // Verification asks it after the carrier lookup, a local activity in these runs.
  if (patches.carrierCheckLocal) patched(NOTICE_AFTER_REVIEW);
  return patches;
}

export const now = () => new Date(Date.now()).toISOString();
export const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

export class ShipmentContext {
  readonly reg: ShipmentRegistration;
  readonly wfId: string;
  readonly state: ShipmentState;
  readonly seen: SeenEvents;
  readonly seenInquiries: Set<string>;
  /** Bumped by anything detection reads (scans, inquiries, policy): waits recompute on it. */
  factsVersion = 0;
  pendingDecision: PendingDecision | undefined;
  /** A delay notice verification decided on, sent once the review is open (its idempotency step). */
  noticeDue: string | undefined;
  cancelRequested: boolean;
  stateVersion: number;
  /** Decided when the run starts; read where the behaviour differs. */
  readonly patches: RunPatches;
  /**
   * The newest wall clock a local step reported (epoch ms), and the workflow time of the task it
   * was reported in. Workflow time stands still for the whole task, local activities included:
   * a deadline timer counted from it would be late by the time they took (see `taskNow`).
   */
  private stepClock: { at: number; taskTime: number } | undefined;

  constructor(readonly input: ShipmentWorkflowInput) {
    this.patches = decidePatches();
    this.reg = input.registration;
    this.wfId = shipmentWorkflowId(this.reg.shipmentId);
    this.state = input.carried ?? {
      shipmentId: this.reg.shipmentId,
      stage: 'monitoring',
      // Replaced by the stored policy before anything uses its thresholds.
      policy: { ...DEFAULT_POLICY, name: this.reg.policy },
      registeredAt: input.registeredAt,
      eventCount: 0,
      deadlines: {},
      thresholdFactor: 1,
      reviewRound: 0,
      notifications: [],
      timeline: [],
      expectedDeliveryAt: this.reg.expectedDeliveryAt,
      failedAttempts: 0,
      inquiries: [],
    };
    this.seen = seenEventsFrom(input.seenEvents, input.seenEventsFloor);
    this.seenInquiries = new Set<string>(input.seenInquiryIds ?? []);
    this.cancelRequested = this.state.cancelled !== undefined;
    this.stateVersion = input.stateVersion ?? 0;
  }

  note(kind: string, detail: string): void {
    const { timeline } = this.state;
    timeline.push({ at: now(), kind, detail });
    // The timeline is for people; keep the carried state bounded on long lives.
    if (timeline.length > MAX_TIMELINE) timeline.splice(0, timeline.length - MAX_TIMELINE);
  }

  /** Takes in scans not seen before; `source` says where they came from, for the timeline. */
  takeEvents(events: TrackingEvent[], source: string): void {
    const state = this.state;
    const before = state.lastEvent;
    const merged = mergeEvents(this.seen, before, events);
    if (merged.added.length === 0) return;
    state.lastEvent = merged.lastEvent;
    state.eventCount += merged.added.length;
    const reviewedUpTo = Date.parse(state.reviewedUpTo ?? '1970-01-01T00:00:00Z');
    state.failedAttempts =
      (state.failedAttempts ?? 0) +
      merged.added.filter(
        (e) => e.status === 'failed_attempt' && Date.parse(e.occurredAt) > reviewedUpTo,
      ).length;
    state.customs = customsEpisodeAfter(state.customs, before, merged.added, state.lastEvent);
    for (const e of merged.added) {
      this.note(
        'tracking_event',
        `${e.status}${e.description ? `: ${e.description}` : ''}${source}`,
      );
    }
    this.reviseEstimate(
      revisedEstimate(state.expectedDeliveryAt, merged.added),
      'a tracking event',
    );
    this.factsVersion++;
  }

  reviseEstimate(estimate: string | undefined, source: string): void {
    if (!estimate || estimate === this.state.expectedDeliveryAt) return;
    this.state.expectedDeliveryAt = estimate;
    this.note('estimate_revised', `expected delivery ${estimate} (from ${source})`);
    this.factsVersion++;
  }

  async recordSnapshot(): Promise<void> {
    this.stateVersion++;
    const written = await quick().recordSnapshot({ state: this.state, version: this.stateVersion });
    // Snapshots recorded before they reported a clock have no result.
    this.noteStepClock(written?.writtenAt);
  }

  /** A wall clock a step of this task reported (a recorded result, so replays read the same). */
  private noteStepClock(at: number | undefined): void {
    if (!this.patches.taskClock || typeof at !== 'number' || !Number.isFinite(at)) return;
    const taskTime = Date.now();
    const prev = this.stepClock?.taskTime === taskTime ? this.stepClock.at : -Infinity;
    this.stepClock = { at: Math.max(prev, at), taskTime };
  }

  /**
   * Now, as well as this task knows it: the workflow time, or the newest clock one of its local
   * steps reported, whichever is later. Timers count from it, so a task that spent half a second
   * on local activities does not set its deadlines half a second late.
   */
  private taskNow(): number {
    const t = Date.now();
    const step = this.stepClock;
    return step !== undefined && step.taskTime === t && step.at > t ? step.at : t;
  }

  /** Publishes a stage: timeline, search attribute and read model. */
  async enter(stage: Stage): Promise<void> {
    this.state.stage = stage;
    this.note('stage', stage);
    upsertSearchAttributes([{ key: searchAttributes.stage, value: stage }]);
    await this.recordSnapshot();
  }

  async close(resolution: Resolution): Promise<ShipmentState> {
    this.state.resolution = resolution;
    await this.enter('closed');
    await condition(allHandlersFinished);
    return this.state;
  }

  /**
   * Continues as new with everything carried (bounded), once every handler is done; unless a
   * handler that waits on this run (an update) arrived with the last tick and made `ready` hold:
   * then it returns and the wait goes on here.
   */
  async continueAsNewUnless(ready: () => boolean): Promise<void> {
    if (patched(LOCAL_ACTIVITIES)) {
      // Local activities make a workflow task last longer; signals that reach the server
      // meanwhile arrive with the next task. A timer tick ends this one first, so they are taken
      // in before the state is carried (without it, scans sent during a snapshot were lost).
      await sleep(1);
      // An update taken with the tick (a review decision) answers only once this run acted on
      // it: waiting for it to finish before carrying would wait forever, so the run goes on
      // here instead. Signal handlers finish at once, so scans are carried as before; no patch
      // is needed, as a run that met such an update never got past this wait before.
      await condition(() => ready() || allHandlersFinished());
      if (!allHandlersFinished()) return;
    }
    this.note('continued_as_new', `after ${workflowInfo().historyLength} history events`);
    await continueAsNew<ShipmentWorkflow>({
      registration: this.reg,
      registeredAt: this.state.registeredAt,
      carried: this.state,
      ...boundSeenEvents(this.seen, MAX_CARRIED_EVENT_IDS),
      seenInquiryIds: [...this.seenInquiries],
      stateVersion: this.stateVersion,
    });
  }

  /**
   * Every wait of the workflow: until `ready` holds (true) or the deadline passes (false). When
   * the history grows long it continues as new from here: what `ready` waits for is in the carried
   * state, so the new run resumes this very wait. Something ready is handled before that.
   */
  async waitFor(ready: () => boolean, deadline?: number): Promise<boolean> {
    const suggested = continueAsNewSuggested;
    for (;;) {
      if (ready()) return true;
      if (suggested()) {
        await condition(() => ready() || allHandlersFinished());
        if (ready()) return true;
        await this.continueAsNewUnless(ready);
        continue;
      }
      if (deadline === undefined) {
        await condition(() => ready() || suggested());
        continue;
      }
      const remaining = deadline - this.taskNow();
      if (remaining <= 0) return false;
      if (await condition(() => ready() || suggested(), remaining)) continue;
      // Timed out. A timer counted from a worker's clock that runs ahead of the server's can
      // fire a moment before the deadline by workflow time: wait out the rest. (A timer counted
      // from workflow time alone always fires after it, so older histories return here.)
      if (!this.patches.taskClock || Date.now() >= deadline) return false;
    }
  }

  /** The newest fact: the newest scan, or the provider's summary where it says more. */
  current(): TrackingEvent | undefined {
    const { lastEvent, carrierSummary, eventCount } = this.state;
    return currentEvent(lastEvent, carrierSummary, eventCount);
  }

  /** The facts the pure detection rules read. */
  detectionInput(): DetectionInput {
    const state = this.state;
    const summary = summaryInForce(state.carrierSummary, state.lastEvent, state.eventCount);
    return {
      policy: state.policy,
      registeredAt: state.registeredAt,
      lastEvent: this.current(),
      ...(summary ? { summary } : {}),
      expectedDeliveryAt: state.expectedDeliveryAt,
      clockRestartedAt: state.clockRestartedAt,
      reviewedUpTo: state.reviewedUpTo,
      thresholdFactor: state.thresholdFactor,
      failedAttempts: state.failedAttempts,
      customsEnteredAt: state.customs?.enteredAt,
      inquiries: state.inquiries,
    };
  }

  suspect(reason: SuspicionReason, detail: string, evidence?: SuspicionEvidence): void {
    this.state.suspicion = { reason, detectedAt: now(), ...(evidence ? { evidence } : {}) };
    this.note('suspicion', `${reason}: ${detail}`);
    upsertSearchAttributes([{ key: searchAttributes.suspicionReason, value: reason }]);
  }

  clearSuspicion(): void {
    if (!this.state.suspicion) return;
    this.state.suspicion = undefined;
    upsertSearchAttributes([{ key: searchAttributes.suspicionReason, value: null }]);
  }

  /** Sends a customer message once per `step` (the idempotency key) and records it. */
  async notifyCustomer(kind: CustomerKind, step: string): Promise<void> {
    const { reg, state } = this;
    const sent = await quick().sendNotification({
      idempotencyKey: `${this.wfId}:notify:${step}`,
      shipmentId: reg.shipmentId,
      kind,
      to: reg.customer.email,
      locale: reg.customer.locale,
      vars: {
        customerName: reg.customer.name,
        orderId: reg.orderId,
        carrier: reg.carrier,
        trackingNumber: reg.trackingNumber,
        newCarrier: state.reship?.carrier,
        newTrackingNumber: state.reship?.trackingNumber,
        refundAmount: state.refund?.amount,
        currency: reg.currency,
        items: reg.items.map((i) => `${i.quantity} × ${i.sku}`).join(', '),
      },
    });
    state.notifications.push(sent);
    this.noteStepClock(Date.parse(sent.sentAt));
    this.note('notification', `${kind} to ${sent.to}`);
  }

  /** A decision that could not be carried out: ops decide again, knowing why. */
  backToReview(kind: string, why: string): Next {
    this.state.reopenedBecause = why;
    this.note(kind, why);
    return 'awaiting_review';
  }
}
