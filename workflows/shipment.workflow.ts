/**
 * The shipment workflow: one per parcel, from label to delivery or to a settled claim.
 * Setup (state + handlers) first, then `run` reads like the business process.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../activities';
import {
  CLAIM_WORKFLOW_TYPE,
  claimWorkflowId,
  startClaimOptions,
  type ClaimReason,
} from './claim.contract';
import type { claimWorkflow } from './claim.workflow';
import {
  autoDecisionApplies,
  boundInquiries,
  boundSeenEvents,
  customsEpisodeAfter,
  isDelivered,
  isReturnedToSender,
  MAX_CARRIED_EVENT_IDS,
  mergeEvents,
  nextDeadline,
  notReceivedReport,
  overdueDeadline,
  revisedEstimate,
  seenEventsFrom,
  stallDeadline,
  type DetectionInput,
} from './detection';
import { parseIsoDuration } from './durations';
import { DEFAULT_POLICY } from './policy';
import {
  cancelSignal,
  customerInquirySignal,
  initialSearchAttributes,
  refreshPolicySignal,
  REVIEW_DECISIONS,
  replacementShipmentId,
  reviewDecisionSignal,
  reviewUpdate,
  searchAttributes,
  shipmentWorkflowId,
  stateQuery,
  trackingEventsSignal,
  type NotificationKind,
  type ReviewDecision,
  type ReviewInput,
  type ReviewResult,
  type Resolution,
  type ShipmentState,
  type ShipmentWorkflowInput,
  type Stage,
  type SuspicionEvidence,
  type SuspicionReason,
  type TrackingEvent,
  type VerificationOutcome,
} from './shipment.contract';

type Activities = ReturnType<typeof createActivities>;

/** Database and mail: quick, retried until they work. */
const local = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Carrier calls: a carrier that is down is retried (with backoff), never taken as an answer. */
const carrier = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Inquiry ids remembered for deduplication, and inquiries kept for the surge rule. */
const MAX_CARRIED_INQUIRY_IDS = 200;
const MAX_KEPT_INQUIRIES = 50;
const MAX_TIMELINE = 300;

type Next = Stage | { close: Resolution };
type PendingDecision = ReviewInput & { automatic: boolean; round: number };

/** Patch id: a snapshot for every fact (see monitor) and at the start of a carried run. */
const SNAPSHOT_EVERY_FACT = 'snapshot-every-fact';

export async function shipmentWorkflow(input: ShipmentWorkflowInput): Promise<ShipmentState> {
  const reg = input.registration;
  const wfId = shipmentWorkflowId(reg.shipmentId);
  const state: ShipmentState = input.carried ?? {
    shipmentId: reg.shipmentId,
    stage: 'monitoring',
    // Replaced by the stored policy before anything uses its thresholds.
    policy: { ...DEFAULT_POLICY, name: reg.policy },
    registeredAt: input.registeredAt,
    eventCount: 0,
    deadlines: {},
    thresholdFactor: 1,
    reviewRound: 0,
    notifications: [],
    timeline: [],
    expectedDeliveryAt: reg.expectedDeliveryAt,
    failedAttempts: 0,
    inquiries: [],
  };
  const seen = seenEventsFrom(input.seenEvents, input.seenEventsFloor);
  const seenInquiries = new Set<string>(input.seenInquiryIds ?? []);
  /** Bumped by anything detection reads (scans, inquiries, policy): waits recompute on it. */
  let factsVersion = 0;
  let pendingDecision: PendingDecision | undefined;
  let cancelRequested = state.cancelled !== undefined;
  let stateVersion = input.stateVersion ?? 0;

  const now = () => new Date(Date.now()).toISOString();
  const iso = (ms: number | undefined) =>
    ms === undefined ? undefined : new Date(ms).toISOString();
  const note = (kind: string, detail: string) => {
    state.timeline.push({ at: now(), kind, detail });
    // The timeline is for people; keep the carried state bounded on long lives.
    if (state.timeline.length > MAX_TIMELINE) {
      state.timeline.splice(0, state.timeline.length - MAX_TIMELINE);
    }
  };

  // ---- handlers (registered before the first await) ----
  setHandler(stateQuery, () => state);

  const takeEvents = (events: TrackingEvent[], source: string) => {
    const before = state.lastEvent;
    const merged = mergeEvents(seen, before, events);
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
      note('tracking_event', `${e.status}${e.description ? `: ${e.description}` : ''}${source}`);
    }
    reviseEstimate(revisedEstimate(state.expectedDeliveryAt, merged.added), 'a tracking event');
    factsVersion++;
  };

  const reviseEstimate = (estimate: string | undefined, source: string) => {
    if (!estimate || estimate === state.expectedDeliveryAt) return;
    state.expectedDeliveryAt = estimate;
    note('estimate_revised', `expected delivery ${estimate} (from ${source})`);
    factsVersion++;
  };

  setHandler(trackingEventsSignal, (events: TrackingEvent[]) => takeEvents(events, ''));

  setHandler(customerInquirySignal, (inquiry) => {
    // The API re-signals on retries: an inquiry counts once.
    if (seenInquiries.has(inquiry.inquiryId)) return;
    seenInquiries.add(inquiry.inquiryId);
    // A Set iterates in insertion order: the oldest ids go first.
    for (const old of seenInquiries) {
      if (seenInquiries.size <= MAX_CARRIED_INQUIRY_IDS) break;
      seenInquiries.delete(old);
    }
    state.inquiries = boundInquiries(
      [
        ...(state.inquiries ?? []),
        {
          inquiryId: inquiry.inquiryId,
          receivedAt: inquiry.receivedAt,
          ...(inquiry.intent ? { intent: inquiry.intent } : {}),
        },
      ],
      Math.max(MAX_KEPT_INQUIRIES, state.policy.inquirySurge.count),
    );
    note(
      'customer_inquiry',
      `${inquiry.channel}${inquiry.intent ? ` (${inquiry.intent})` : ''}: ${inquiry.message.slice(0, 200)}`,
    );
    factsVersion++;
  });

  setHandler(cancelSignal, ({ reason }) => {
    if (state.stage === 'closed' || cancelRequested) return;
    cancelRequested = true;
    state.cancelled = { reason, at: now() };
    note('cancel_requested', reason);
  });

  setHandler(refreshPolicySignal, async ({ policy }) => {
    const name = policy ?? state.policy.name;
    try {
      const resolved = await local.resolvePolicy(name);
      state.policy = resolved;
      note('policy_refreshed', `${resolved.name} version ${resolved.version ?? 'unversioned'}`);
      factsVersion++;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      note('policy_refresh_failed', `${name}: ${err.cause?.message ?? err.message}`);
    }
  });

  /** The decision already taken for a round (pending or recorded), if any. */
  const takenDecision = ():
    { decision: ReviewDecision; reviewer: string; round: number } | undefined =>
    pendingDecision ??
    (state.review?.round !== undefined
      ? { ...state.review, round: state.review.round }
      : undefined);

  /**
   * The same decision by the same reviewer for the round it was taken in. Without a round, the
   * decision refers to the open review, or to the last one once none is open.
   */
  const isDuplicate = (d: ReviewInput): boolean => {
    const taken = takenDecision();
    if (!taken || taken.decision !== d.decision || taken.reviewer !== d.reviewer) return false;
    if (d.round !== undefined) return d.round === taken.round;
    return pendingDecision !== undefined || state.stage !== 'awaiting_review';
  };

  const notAwaiting = (why: string) =>
    ApplicationFailure.nonRetryable(
      `shipment ${reg.shipmentId} is not awaiting review: ${why}`,
      'review.not_awaiting',
    );

  const validateDecision = (d: ReviewInput) => {
    if (!REVIEW_DECISIONS.includes(d.decision)) {
      throw ApplicationFailure.nonRetryable(
        `unknown decision "${d.decision}"`,
        'review.unknown_decision',
      );
    }
    if (!d.reviewer)
      throw ApplicationFailure.nonRetryable('a reviewer is required', 'review.no_reviewer');
    if (isDuplicate(d)) return;
    if (pendingDecision) {
      throw notAwaiting(`${pendingDecision.decision} was already decided for this review`);
    }
    if (state.stage !== 'awaiting_review') throw notAwaiting(`it is in stage ${state.stage}`);
    if (d.round !== undefined && d.round !== state.reviewRound) {
      throw notAwaiting(`review round ${d.round} is closed (round ${state.reviewRound} is open)`);
    }
  };

  /** Resolves once the round's decision has been acted on (the stage moved on). */
  const decisionTaken = (round: number) =>
    condition(() => state.stage !== 'awaiting_review' || state.reviewRound !== round);

  setHandler(
    reviewUpdate,
    async (d: ReviewInput): Promise<ReviewResult> => {
      if (isDuplicate(d)) {
        await decisionTaken(takenDecision()!.round);
        return { stage: state.stage, decision: d.decision, duplicate: true };
      }
      const round = state.reviewRound;
      pendingDecision = { ...d, automatic: false, round };
      await decisionTaken(round);
      return { stage: state.stage, decision: d.decision, duplicate: false };
    },
    { validator: validateDecision },
  );

  setHandler(reviewDecisionSignal, (d: ReviewInput) => {
    try {
      validateDecision(d);
      if (isDuplicate(d)) {
        note('review_decision_duplicate', `${d.decision} by ${d.reviewer}`);
        return;
      }
      pendingDecision = { ...d, automatic: false, round: state.reviewRound };
    } catch (err) {
      note('review_decision_ignored', `${d.decision} by ${d.reviewer}: ${(err as Error).message}`);
    }
  });

  // ---- small named steps ----
  const recordSnapshot = async () => {
    stateVersion++;
    await local.recordSnapshot({ state, version: stateVersion });
  };

  const enter = async (stage: Stage) => {
    state.stage = stage;
    note('stage', stage);
    upsertSearchAttributes([{ key: searchAttributes.stage, value: stage }]);
    await recordSnapshot();
  };

  const close = async (resolution: Resolution): Promise<ShipmentState> => {
    state.resolution = resolution;
    await enter('closed');
    await condition(allHandlersFinished);
    return state;
  };

  /** Continues as new with everything carried (bounded), once every handler is done. */
  const continueAsNewNow = async (): Promise<never> => {
    note('continued_as_new', `after ${workflowInfo().historyLength} history events`);
    return continueAsNew<typeof shipmentWorkflow>({
      registration: reg,
      registeredAt: state.registeredAt,
      carried: state,
      ...boundSeenEvents(seen, MAX_CARRIED_EVENT_IDS),
      seenInquiryIds: [...seenInquiries],
      stateVersion,
    });
  };

  /**
   * Every wait of the workflow: until `ready` holds (true) or the deadline passes (false). When
   * the history grows long it continues as new from here: what `ready` waits for is in the carried
   * state, so the new run resumes this very wait. Something ready is handled before that.
   */
  const waitFor = async (ready: () => boolean, deadline?: number): Promise<boolean> => {
    const suggested = () => workflowInfo().continueAsNewSuggested;
    for (;;) {
      if (ready()) return true;
      if (suggested()) {
        await condition(() => ready() || allHandlersFinished());
        if (ready()) return true;
        await continueAsNewNow();
      }
      if (deadline === undefined) {
        await condition(() => ready() || suggested());
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      if (!(await condition(() => ready() || suggested(), remaining))) return false;
    }
  };

  const detectionInput = (): DetectionInput => ({
    policy: state.policy,
    registeredAt: state.registeredAt,
    lastEvent: state.lastEvent,
    expectedDeliveryAt: state.expectedDeliveryAt,
    clockRestartedAt: state.clockRestartedAt,
    reviewedUpTo: state.reviewedUpTo,
    thresholdFactor: state.thresholdFactor,
    failedAttempts: state.failedAttempts,
    customsEnteredAt: state.customs?.enteredAt,
    inquiries: state.inquiries,
  });

  const suspect = (reason: SuspicionReason, detail: string, evidence?: SuspicionEvidence) => {
    state.suspicion = { reason, detectedAt: now(), ...(evidence ? { evidence } : {}) };
    note('suspicion', `${reason}: ${detail}`);
    upsertSearchAttributes([{ key: searchAttributes.suspicionReason, value: reason }]);
  };

  const clearSuspicion = () => {
    if (!state.suspicion) return;
    state.suspicion = undefined;
    upsertSearchAttributes([{ key: searchAttributes.suspicionReason, value: null }]);
  };

  /** Why the trigger fired, in words for the timeline, and what backs it. */
  const triggerFacts = (reason: SuspicionReason): [string, SuspicionEvidence?] => {
    const p = state.policy;
    switch (reason) {
      case 'failed_attempts':
        return [
          `${state.failedAttempts} failed delivery attempts`,
          { failedAttempts: state.failedAttempts },
        ];
      case 'inquiry_surge': {
        const ids = (state.inquiries ?? []).map((i) => i.inquiryId);
        return [
          `${p.inquirySurge.count} customer inquiries within ${p.inquirySurge.window}`,
          { inquiryIds: ids.slice(-p.inquirySurge.count) },
        ];
      }
      case 'customs_hold':
        return [`held in customs since ${state.customs?.enteredAt} (${p.stallAfter.customs})`];
      case 'overdue':
        return [`expected by ${state.expectedDeliveryAt}, grace ${p.overdueGrace}`];
      case 'stalled':
        return [`no scan since ${state.lastEvent?.occurredAt ?? state.registeredAt}`];
      default:
        return [`carrier status ${state.lastEvent?.status}`];
    }
  };

  type CustomerKind = Exclude<NotificationKind, 'ops_alert'>;
  const notifyCustomer = async (kind: CustomerKind, step: string) => {
    const sent = await local.sendNotification({
      idempotencyKey: `${wfId}:notify:${step}`,
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
    note('notification', `${kind} to ${sent.to}`);
  };

  /** A parcel entering customs: the customer hears once per customs episode. */
  const noticeCustoms = async () => {
    const customs = state.customs;
    if (state.lastEvent?.status !== 'customs' || !customs) return;
    if (customs.noticeSentFor === customs.episode) return;
    await notifyCustomer('customs_notice', `customs_notice:${customs.episode}`);
    customs.noticeSentFor = customs.episode;
  };

  /** Waits for scans until the parcel arrives, ends, or looks lost. */
  const monitor = async (): Promise<Next> => {
    // Scans that arrive while a snapshot is being written get a snapshot of their own, or the
    // read model would miss them until the next scan. When the history asks to continue as new,
    // the next run writes that snapshot first thing. (Runs from before wrote one per wait.)
    const snapshotsEveryFact = patched(SNAPSHOT_EVERY_FACT);
    for (;;) {
      if (cancelRequested) return { close: 'cancelled' };
      if (isDelivered(state.lastEvent)) return 'delivered';
      if (isReturnedToSender(state.lastEvent)) return { close: 'returned_to_sender' };
      await noticeCustoms();
      const facts = detectionInput();
      state.deadlines.stallAt = iso(stallDeadline(facts));
      state.deadlines.overdueAt = iso(overdueDeadline(facts));
      const deadline = nextDeadline(facts);
      const version = factsVersion;
      const changed = await waitFor(() => factsVersion !== version || cancelRequested, deadline.at);
      if (!changed) {
        suspect(deadline.reason, ...triggerFacts(deadline.reason));
        return 'verifying';
      }
      let written: number;
      do {
        written = factsVersion;
        await recordSnapshot();
      } while (
        snapshotsEveryFact &&
        factsVersion !== written &&
        !workflowInfo().continueAsNewSuggested
      );
    }
  };

  const verified = (outcome: VerificationOutcome, detail: string) => {
    state.verification = { outcome, at: now(), detail };
    note('verified', detail);
  };

  /** Asks the carrier for everything it knows, taking in the scans it held back. */
  const lookUp = async () => {
    const found = await carrier.checkWithCarrier({
      shipmentId: reg.shipmentId,
      carrier: reg.carrier,
      trackingNumber: reg.trackingNumber,
    });
    takeEvents(found.events, ' (from carrier lookup)');
    return found;
  };

  /** Asks the carrier whether the parcel moved on before anyone is bothered. */
  const verify = async (): Promise<Next> => {
    if (state.suspicion?.reason === 'delivered_not_received') return verifyDelivery();
    const before = state.lastEvent?.eventId;
    const overdueBefore = overdueDeadline(detectionInput());
    let outcome: VerificationOutcome;
    let detail: string;
    try {
      const found = await lookUp();
      reviseEstimate(found.estimatedDeliveryAt, 'the carrier');
      const overdueAfter = overdueDeadline(detectionInput()) ?? Infinity;
      const revisedAway =
        state.suspicion?.reason === 'overdue' &&
        overdueAfter > (overdueBefore ?? -Infinity) &&
        overdueAfter > Date.now();
      if (state.lastEvent?.eventId !== before || revisedAway) {
        const delivered = isDelivered(state.lastEvent);
        verified(
          delivered ? 'delivered' : 'moved_on',
          delivered
            ? 'carrier reports the parcel delivered'
            : state.lastEvent?.eventId !== before
              ? 'carrier reports newer scans; back to monitoring'
              : `carrier expects delivery by ${state.expectedDeliveryAt}; back to monitoring`,
        );
        clearSuspicion();
        // Thresholds restart from now: a newer scan the carrier held back may itself be old.
        state.clockRestartedAt = now();
        return delivered ? 'delivered' : 'monitoring';
      }
      outcome = found.known ? 'nothing_newer' : 'unknown_number';
      detail = found.known
        ? 'carrier has nothing newer'
        : 'carrier does not know the tracking number';
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      outcome = 'refused';
      detail = `carrier refused the lookup: ${err.cause?.message ?? err.message}`;
    }
    if (state.suspicion) state.suspicion.detail = detail;
    verified(outcome, detail);
    await notifyCustomer('delay_notice', `delay_notice:${state.reviewRound + 1}`);
    return 'awaiting_review';
  };

  /** Delivered-not-received: what proof of delivery does the carrier hold? Then ops decide. */
  const verifyDelivery = async (): Promise<Next> => {
    let outcome: VerificationOutcome = 'proof_of_delivery_checked';
    let detail: string;
    try {
      const found = await lookUp();
      const pod = found.proofOfDelivery ?? null;
      if (state.suspicion) {
        state.suspicion.evidence = { ...state.suspicion.evidence, proofOfDelivery: pod };
      }
      detail = pod
        ? `carrier holds proof of delivery: ${[
            `delivered ${pod.deliveredAt}`,
            pod.signedBy && `signed by ${pod.signedBy}`,
            pod.photoUrl && 'photo',
            pod.location && 'GPS position',
            pod.note,
          ]
            .filter(Boolean)
            .join(', ')}`
        : 'carrier holds no proof of delivery';
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      outcome = 'refused';
      detail = `carrier refused the lookup: ${err.cause?.message ?? err.message}`;
    }
    if (state.suspicion) state.suspicion.detail = detail;
    verified(outcome, detail);
    return 'awaiting_review';
  };

  /** Opens the review before the stage is published, so a decision can never race the opening. */
  const openReview = async () => {
    state.reviewRound++;
    const slaMs = parseIsoDuration(state.policy.reviewSla);
    state.deadlines.reviewSlaAt = new Date(Date.now() + slaMs).toISOString();
    await local.openReview({
      shipmentId: reg.shipmentId,
      round: state.reviewRound,
      reason: state.suspicion?.reason ?? 'stalled',
      detectedAt: state.suspicion?.detectedAt ?? now(),
      slaDeadline: state.deadlines.reviewSlaAt,
      ...(state.reopenedBecause ? { note: state.reopenedBecause } : {}),
    });
  };

  /** The SLA ran out: ops are alerted (once per round), and the policy may decide. */
  const escalate = async (round: number) => {
    state.escalatedRound = round;
    note('review_sla_expired', `no decision within ${state.policy.reviewSla}`);
    const alert = await local.sendOpsAlert({
      idempotencyKey: `${wfId}:review:${round}:sla`,
      shipmentId: reg.shipmentId,
      subject: `Review overdue: shipment ${reg.shipmentId}`,
      text: `Shipment ${reg.shipmentId} (${reg.carrier} ${reg.trackingNumber}, ${reg.declaredValue} ${reg.currency}) has waited ${state.policy.reviewSla} for a decision. Reason: ${state.suspicion?.reason ?? 'unknown'}.`,
    });
    state.notifications.push(alert);
    note('notification', `ops_alert to ${alert.to}`);
    // A review that came back because a decision failed (no stock, refused refund) needs a person:
    // deciding the same again automatically would loop.
    if (
      !pendingDecision &&
      !state.reopenedBecause &&
      autoDecisionApplies(state.policy, reg.declaredValue)
    ) {
      pendingDecision = {
        decision: state.policy.autoDecision.decision,
        reviewer: 'policy',
        automatic: true,
        round,
      };
    }
  };

  /** Waits for an ops decision; escalates when the SLA runs out. */
  const review = async (): Promise<Next> => {
    const round = state.reviewRound;
    // A delivered or returned scan while ops look makes the question moot (unless the question
    // is precisely whether a delivered parcel arrived).
    const settledByCarrier = () =>
      state.suspicion?.reason !== 'delivered_not_received' &&
      (isDelivered(state.lastEvent) || isReturnedToSender(state.lastEvent));
    const decided = () => pendingDecision !== undefined || cancelRequested || settledByCarrier();
    if (state.escalatedRound !== round) {
      const sla = Date.parse(state.deadlines.reviewSlaAt ?? now());
      if (!(await waitFor(decided, sla))) await escalate(round);
    }
    await waitFor(decided);
    state.reopenedBecause = undefined;
    const d = pendingDecision;
    if (!d) {
      await local.withdrawReview({ shipmentId: reg.shipmentId, round });
      state.deadlines.reviewSlaAt = undefined;
      if (cancelRequested) return { close: 'cancelled' };
      note('review_withdrawn', `the carrier reports the parcel ${state.lastEvent?.status}`);
      clearSuspicion();
      return isDelivered(state.lastEvent) ? 'delivered' : { close: 'returned_to_sender' };
    }
    state.review = {
      round,
      decision: d.decision,
      reviewer: d.reviewer,
      ...(d.note !== undefined ? { note: d.note } : {}),
      decidedAt: now(),
      automatic: d.automatic,
    };
    pendingDecision = undefined;
    state.deadlines.reviewSlaAt = undefined;
    note('review_decision', `${d.decision} by ${d.reviewer}${d.automatic ? ' (automatic)' : ''}`);
    await local.closeReview({ shipmentId: reg.shipmentId, ...state.review, round });
    switch (d.decision) {
      case 'reship':
        return 'reshipping';
      case 'refund':
        return 'notifying';
      case 'mark_delivered':
        return { close: 'delivered' };
      case 'keep_waiting':
        state.thresholdFactor *= 2;
        state.clockRestartedAt = now();
        state.reviewedUpTo = now();
        state.failedAttempts = 0;
        clearSuspicion();
        return 'monitoring';
    }
  };

  /** A decision that could not be carried out: ops decide again, knowing why. */
  const backToReview = (kind: string, why: string): Next => {
    state.reopenedBecause = why;
    note(kind, why);
    return 'awaiting_review';
  };

  /**
   * Refunds through the seller's order system (once per review round), then tells the customer.
   * Runs in `notifying`, out of the review: a refund being retried is no open question.
   */
  const refund = async (): Promise<Next> => {
    try {
      state.refund = await local.issueRefund({
        idempotencyKey: `${wfId}:refund:${state.reviewRound}`,
        shipmentId: reg.shipmentId,
        amount: reg.declaredValue,
        currency: reg.currency,
        reason: state.suspicion?.reason ?? 'lost',
      });
    } catch (err) {
      // Transient failures are retried without end: what arrives here is a refusal (a 4xx).
      if (!(err instanceof ActivityFailure)) throw err;
      return backToReview('refund_rejected', err.cause?.message ?? err.message);
    }
    note(
      'refund',
      `${state.refund.amount} ${state.refund.currency} ${state.refund.status ?? 'refunded'}` +
        (state.refund.reference ? ` (reference ${state.refund.reference})` : '') +
        (state.refund.note ? `: ${state.refund.note}` : ''),
    );
    await notifyCustomer('refunded', 'refunded');
    return 'claiming';
  };

  /** Reserves stock, chooses the channel, books a label and starts watching the replacement. */
  const reship = async (): Promise<Next> => {
    const step = `${wfId}:reship:${state.reviewRound}`;
    const reservation = await local.reserveStock({
      idempotencyKey: `${step}:reserve`,
      shipmentId: reg.shipmentId,
      items: reg.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
      destinationCountry: reg.destination.country,
    });
    if (!reservation.ok) {
      // The activity recorded a purchase suggestion and alerted ops; the suspicion stands.
      return backToReview(
        'stock_shortfall',
        reservation.reason ??
          `short of ${reservation.shortfall.map((s) => `${s.sku} ×${s.missing}`).join(', ')}`,
      );
    }
    if (reservation.reason) note('stock_reserved', reservation.reason);
    const channel = await local.chooseReshipChannel({
      originCountry: reservation.warehouseCountry,
      destinationCountry: reg.destination.country,
      declaredValue: reg.declaredValue,
      currency: reg.currency,
      originalCarrier: reg.carrier,
      originalService: reg.service,
    });
    const replacementId = replacementShipmentId(reg.shipmentId);
    let booked;
    try {
      booked = await carrier.bookReshipLabel({
        idempotencyKey: `${step}:label`,
        original: reg,
        replacementShipmentId: replacementId,
        warehouseId: reservation.warehouseId,
        warehouseCountry: reservation.warehouseCountry,
        channel,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await local.releaseReservation({ idempotencyKey: `${step}:reserve` });
      return backToReview('label_refused', err.cause?.message ?? err.message);
    }
    const replacement = { ...booked.registration, replacementOf: reg.shipmentId };
    await startChild(shipmentWorkflow, {
      workflowId: shipmentWorkflowId(replacementId),
      args: [{ registration: replacement, registeredAt: now() }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: initialSearchAttributes(replacement),
    });
    state.reship = {
      shipmentId: replacementId,
      workflowId: shipmentWorkflowId(replacementId),
      carrier: booked.registration.carrier,
      trackingNumber: booked.registration.trackingNumber,
      warehouseId: reservation.warehouseId,
      labelId: booked.labelId,
      reservationId: reservation.reservationId,
      channel: booked.channel,
      ...(booked.channelReason !== undefined ? { channelReason: booked.channelReason } : {}),
      insured: booked.insured,
      cost: booked.cost,
    };
    note(
      'reship_channel',
      `${booked.channel}${booked.insured ? ', insured' : ''}` +
        (booked.channelReason ? `: ${booked.channelReason}` : ''),
    );
    note(
      'reshipped',
      `${replacementId} via ${booked.registration.carrier} ${booked.registration.trackingNumber} from ${reservation.warehouseId}, ` +
        `cost ${booked.cost.total} ${booked.cost.currency}`,
    );
    return 'notifying';
  };

  /** The customer hears of the outcome: the refund (issued first) or the replacement. */
  const notify = async (): Promise<Next> => {
    if (state.review?.decision === 'refund') return refund();
    await notifyCustomer('reshipped', `reshipped:${state.reviewRound}`);
    return 'claiming';
  };

  /**
   * Hands the claim to its own workflow, which outlives this one: it waits out the carrier's or
   * insurer's waiting period, files with the evidence and follows the claim up. The shipment is
   * settled for the customer, so it closes.
   */
  const startClaim = async (): Promise<Next> => {
    const resolution = state.review?.decision === 'refund' ? 'refunded' : 'reshipped';
    const reason: ClaimReason = state.suspicion?.reason === 'carrier_damaged' ? 'damaged' : 'lost';
    const workflowId = claimWorkflowId(reg.shipmentId);
    try {
      await startChild<typeof claimWorkflow>(CLAIM_WORKFLOW_TYPE, {
        ...startClaimOptions({ registration: reg, reason, parentWorkflowId: wfId }),
      });
      note('claim_started', `${workflowId} (${reason})`);
    } catch (err) {
      // One claim per shipment: a claim workflow already there (started by hand) is that claim.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      note('claim_already_open', workflowId);
    }
    state.claim = { workflowId, status: 'pending_eligibility', reason, startedAt: now() };
    return { close: resolution };
  };

  /**
   * Delivered: a replacement asks the customer how it went; the shipment stays open for the
   * delivered-not-received window. Cancelling now closes it as what it is: delivered.
   */
  const watchDelivered = async (): Promise<Next> => {
    if (reg.replacementOf && !state.notifications.some((n) => n.kind === 'survey')) {
      await notifyCustomer('survey', 'survey');
    }
    const deliveredAt = state.lastEvent?.occurredAt ?? now();
    const report = () => notReceivedReport(state.inquiries ?? [], deliveredAt, state.reviewedUpTo);
    const until = Date.parse(state.deadlines.deliveredWatchUntil ?? now());
    await waitFor(() => cancelRequested || report() !== undefined, until);
    const inquiry = report();
    if (cancelRequested || !inquiry) return { close: 'delivered' };
    suspect('delivered_not_received', `customer reports not received (${inquiry.inquiryId})`, {
      inquiryIds: [inquiry.inquiryId],
    });
    return 'verifying';
  };

  // ---- run ----
  if (!input.carried) {
    state.policy = await local.resolvePolicy(reg.policy);
    takeEvents(await local.loadTrackingEvents(reg.shipmentId), ' (stored before the start)');
    note(
      'registered',
      `${reg.carrier} ${reg.trackingNumber} → ${reg.destination.country}, policy ${reg.policy}` +
        (state.policy.version !== undefined ? ` version ${state.policy.version}` : ''),
    );
    await recordSnapshot();
  } else if (patched(SNAPSHOT_EVERY_FACT)) {
    // Facts taken in after the previous run's last snapshot reach the read model.
    await recordSnapshot();
  }
  log.info('shipment workflow running', { shipmentId: reg.shipmentId, stage: state.stage });

  const steps: Record<Exclude<Stage, 'closed'>, () => Promise<Next>> = {
    monitoring: monitor,
    verifying: verify,
    awaiting_review: review,
    reshipping: reship,
    notifying: notify,
    claiming: startClaim,
    delivered: watchDelivered,
  };
  /** Work done before a stage is published, so what a query shows is already true. */
  const prepare: Partial<Record<Stage, () => Promise<void>>> = {
    awaiting_review: openReview,
    delivered: async () => {
      const watchMs = parseIsoDuration(state.policy.deliveredWatch);
      state.deadlines.deliveredWatchUntil = new Date(Date.now() + watchMs).toISOString();
      state.deadlines.stallAt = undefined;
      state.deadlines.overdueAt = undefined;
    },
  };
  for (;;) {
    if (state.stage === 'closed') return state;
    const next = await steps[state.stage]();
    if (typeof next === 'object') return close(next.close);
    if (
      cancelRequested &&
      (next === 'monitoring' || next === 'awaiting_review' || next === 'verifying')
    ) {
      return close('cancelled');
    }
    await prepare[next]?.();
    await enter(next);
  }
}
