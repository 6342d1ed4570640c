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
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  autoDecisionApplies,
  isDelivered,
  isReturnedToSender,
  mergeEvents,
  nextDeadline,
} from './detection';
import { parseIsoDuration } from './durations';
import { DEFAULT_POLICY } from './policy';
import {
  cancelSignal,
  customerInquirySignal,
  initialSearchAttributes,
  REVIEW_DECISIONS,
  replacementShipmentId,
  reviewDecisionSignal,
  reviewUpdate,
  searchAttributes,
  shipmentWorkflowId,
  stateQuery,
  trackingEventsSignal,
  type ReviewInput,
  type ReviewResult,
  type Resolution,
  type ShipmentState,
  type ShipmentWorkflowInput,
  type Stage,
  type SuspicionReason,
  type TrackingEvent,
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

type Next = Stage | { close: Resolution };

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
  };
  const seen = new Set<string>(input.seenEventIds ?? []);
  const seenInquiries = new Set<string>(input.seenInquiryIds ?? []);
  let eventsVersion = 0;
  let clockRestartedAt = input.clockRestartedAt;
  let pendingDecision: (ReviewInput & { automatic: boolean }) | undefined;
  let cancelRequested = state.cancelled !== undefined;
  let stateVersion = input.stateVersion ?? 0;

  const now = () => new Date(Date.now()).toISOString();
  const note = (kind: string, detail: string) => {
    state.timeline.push({ at: now(), kind, detail });
    // The timeline is for people; keep the carried state bounded on long lives.
    if (state.timeline.length > 300) state.timeline.splice(0, state.timeline.length - 300);
  };

  // ---- handlers (registered before the first await) ----
  setHandler(stateQuery, () => state);

  const takeEvents = (events: TrackingEvent[], source: string) => {
    const merged = mergeEvents(seen, state.lastEvent, events);
    if (merged.added.length === 0) return;
    state.lastEvent = merged.lastEvent;
    state.eventCount += merged.added.length;
    for (const e of merged.added) {
      note('tracking_event', `${e.status}${e.description ? `: ${e.description}` : ''}${source}`);
    }
    eventsVersion++;
  };
  setHandler(trackingEventsSignal, (events: TrackingEvent[]) => takeEvents(events, ''));

  setHandler(customerInquirySignal, (inquiry) => {
    // The API re-signals on retries: an inquiry counts once.
    if (seenInquiries.has(inquiry.inquiryId)) return;
    seenInquiries.add(inquiry.inquiryId);
    note('customer_inquiry', `${inquiry.channel}: ${inquiry.message.slice(0, 200)}`);
  });

  setHandler(cancelSignal, ({ reason }) => {
    if (state.stage === 'closed' || cancelRequested) return;
    cancelRequested = true;
    state.cancelled = { reason, at: now() };
    note('cancel_requested', reason);
  });

  const validateDecision = (d: ReviewInput) => {
    if (!REVIEW_DECISIONS.includes(d.decision)) {
      throw ApplicationFailure.nonRetryable(
        `unknown decision "${d.decision}"`,
        'review.unknown_decision',
      );
    }
    if (!d.reviewer)
      throw ApplicationFailure.nonRetryable('a reviewer is required', 'review.no_reviewer');
    if (state.stage !== 'awaiting_review' || pendingDecision) {
      throw ApplicationFailure.nonRetryable(
        `shipment is ${state.stage}, not awaiting review`,
        'review.not_awaiting',
      );
    }
  };

  setHandler(
    reviewUpdate,
    async (d: ReviewInput): Promise<ReviewResult> => {
      pendingDecision = { ...d, automatic: false };
      const round = state.reviewRound;
      await condition(() => state.stage !== 'awaiting_review' || state.reviewRound !== round);
      return { stage: state.stage, decision: d.decision, duplicate: false };
    },
    { validator: validateDecision },
  );

  setHandler(reviewDecisionSignal, (d: ReviewInput) => {
    try {
      validateDecision(d);
      pendingDecision = { ...d, automatic: false };
    } catch (err) {
      note('review_decision_ignored', `${d.decision} by ${d.reviewer}: ${(err as Error).message}`);
    }
  });

  // ---- small named steps ----
  const enter = async (stage: Stage) => {
    state.stage = stage;
    note('stage', stage);
    upsertSearchAttributes([
      { key: searchAttributes.stage, value: stage },
      ...(state.suspicion
        ? [{ key: searchAttributes.suspicionReason, value: state.suspicion.reason }]
        : []),
    ]);
    await recordSnapshot();
  };

  const recordSnapshot = async () => {
    stateVersion++;
    await local.recordSnapshot({ state, version: stateVersion });
  };

  const close = async (resolution: Resolution): Promise<ShipmentState> => {
    state.resolution = resolution;
    await enter('closed');
    await condition(allHandlersFinished);
    return state;
  };

  const detectionInput = () => ({
    policy: state.policy,
    registeredAt: state.registeredAt,
    lastEvent: state.lastEvent,
    expectedDeliveryAt: reg.expectedDeliveryAt,
    clockRestartedAt,
    thresholdFactor: state.thresholdFactor,
  });

  const suspect = (reason: SuspicionReason, detail?: string) => {
    state.suspicion = { reason, detectedAt: now(), detail };
    note('suspicion', `${reason}${detail ? `: ${detail}` : ''}`);
  };

  /** Waits for scans until the parcel arrives, ends, or looks lost. */
  const monitor = async (): Promise<Next> => {
    for (;;) {
      if (cancelRequested) return { close: 'cancelled' };
      if (isDelivered(state.lastEvent)) return 'delivered';
      if (isReturnedToSender(state.lastEvent)) return { close: 'returned_to_sender' };
      const deadline = nextDeadline(detectionInput());
      state.deadlines.stallAt = new Date(deadline.at).toISOString();
      const remaining = deadline.at - Date.now();
      if (remaining <= 0) {
        suspect(deadline.reason);
        return 'verifying';
      }
      const version = eventsVersion;
      const woke = await condition(
        () => eventsVersion !== version || cancelRequested || workflowInfo().continueAsNewSuggested,
        remaining,
      );
      if (woke && workflowInfo().continueAsNewSuggested) await carryOn();
      if (woke && eventsVersion !== version) await recordSnapshot();
    }
  };

  /** Asks the carrier whether the parcel moved on before anyone is bothered. */
  const verify = async (): Promise<Next> => {
    const before = state.lastEvent?.eventId;
    let detail: string;
    try {
      const found = await carrier.lookupTracking({
        shipmentId: reg.shipmentId,
        carrier: reg.carrier,
        trackingNumber: reg.trackingNumber,
      });
      takeEvents(found.events, ' (from carrier lookup)');
      if (state.lastEvent?.eventId !== before) {
        note('verified', 'carrier reports newer scans; back to monitoring');
        state.suspicion = undefined;
        return isDelivered(state.lastEvent) ? 'delivered' : 'monitoring';
      }
      detail = found.known
        ? 'carrier has nothing newer'
        : 'carrier does not know the tracking number';
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      detail = `carrier refused the lookup: ${err.cause?.message ?? err.message}`;
    }
    if (state.suspicion) state.suspicion.detail = detail;
    note('verified', detail);
    await notifyCustomer('delay_notice', `delay_notice:${state.reviewRound + 1}`);
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
    });
  };

  /** Waits for an ops decision; escalates when the SLA runs out. */
  const review = async (): Promise<Next> => {
    const round = state.reviewRound;
    const slaMs = Math.max(0, Date.parse(state.deadlines.reviewSlaAt ?? now()) - Date.now());
    const decidedNow = () => pendingDecision !== undefined || cancelRequested;
    const decided = slaMs > 0 ? await condition(decidedNow, slaMs) : decidedNow();
    if (!decided) {
      note('review_sla_expired', `no decision within ${state.policy.reviewSla}`);
      await local.sendOpsAlert({
        idempotencyKey: `${wfId}:review:${round}:sla`,
        shipmentId: reg.shipmentId,
        subject: `Review overdue: shipment ${reg.shipmentId}`,
        text: `Shipment ${reg.shipmentId} (${reg.carrier} ${reg.trackingNumber}, ${reg.declaredValue} ${reg.currency}) has waited ${state.policy.reviewSla} for a decision. Reason: ${state.suspicion?.reason ?? 'unknown'}.`,
      });
      if (autoDecisionApplies(state.policy, reg.declaredValue)) {
        pendingDecision = {
          decision: state.policy.autoDecision.decision,
          reviewer: 'policy',
          automatic: true,
        };
      } else {
        await condition(() => pendingDecision !== undefined || cancelRequested);
      }
    }
    const d = pendingDecision;
    pendingDecision = undefined;
    if (!d) return { close: 'cancelled' };
    state.review = {
      decision: d.decision,
      reviewer: d.reviewer,
      note: d.note,
      decidedAt: now(),
      automatic: d.automatic,
    };
    state.deadlines.reviewSlaAt = undefined;
    note('review_decision', `${d.decision} by ${d.reviewer}${d.automatic ? ' (automatic)' : ''}`);
    await local.closeReview({ shipmentId: reg.shipmentId, round, ...state.review });
    switch (d.decision) {
      case 'reship':
        return 'reshipping';
      case 'refund':
        return refund();
      case 'mark_delivered':
        return { close: 'delivered' };
      case 'keep_waiting':
        state.thresholdFactor *= 2;
        clockRestartedAt = now();
        state.suspicion = undefined;
        return 'monitoring';
    }
  };

  const refund = async (): Promise<Next> => {
    state.refund = { amount: reg.declaredValue, currency: reg.currency, recordedAt: now() };
    note('refund', `${reg.declaredValue} ${reg.currency}`);
    await notifyCustomer('refunded', 'refunded');
    return 'claiming';
  };

  /** Reserves stock, books a label and starts watching the replacement. */
  const reship = async (): Promise<Next> => {
    const step = `${wfId}:reship:${state.reviewRound}`;
    const reservation = await local.reserveStock({
      idempotencyKey: `${step}:reserve`,
      shipmentId: reg.shipmentId,
      items: reg.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
      destinationCountry: reg.destination.country,
    });
    if (!reservation.ok) {
      note(
        'stock_shortfall',
        reservation.shortfall.map((s) => `${s.sku} ×${s.missing}`).join(', '),
      );
      return 'awaiting_review';
    }
    const replacementId = replacementShipmentId(reg.shipmentId);
    let booked;
    try {
      booked = await carrier.bookReshipLabel({
        idempotencyKey: `${step}:label`,
        original: reg,
        replacementShipmentId: replacementId,
        warehouseId: reservation.warehouseId,
        warehouseCountry: reservation.warehouseCountry,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      note('label_refused', err.cause?.message ?? err.message);
      await local.releaseReservation({ idempotencyKey: `${step}:reserve` });
      return 'awaiting_review';
    }
    await startChild(shipmentWorkflow, {
      workflowId: shipmentWorkflowId(replacementId),
      args: [{ registration: booked.registration, registeredAt: now() }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: initialSearchAttributes(booked.registration),
    });
    state.reship = {
      shipmentId: replacementId,
      workflowId: shipmentWorkflowId(replacementId),
      carrier: booked.registration.carrier,
      trackingNumber: booked.registration.trackingNumber,
      warehouseId: reservation.warehouseId,
      labelId: booked.labelId,
      reservationId: reservation.reservationId,
    };
    note(
      'reshipped',
      `${replacementId} via ${booked.registration.carrier} ${booked.registration.trackingNumber} from ${reservation.warehouseId}`,
    );
    return 'notifying';
  };

  const notifyCustomer = async (kind: 'delay_notice' | 'reshipped' | 'refunded', step: string) => {
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

  const notify = async (): Promise<Next> => {
    await notifyCustomer('reshipped', `reshipped:${state.reviewRound}`);
    return 'claiming';
  };

  /** Files the claim with the carrier once its waiting period allows. */
  const fileClaim = async (): Promise<Next> => {
    const waitMs = parseIsoDuration(state.policy.claimWait);
    if (waitMs > 0) await sleep(waitMs);
    const reason = state.suspicion?.reason === 'carrier_damaged' ? 'damaged' : 'lost';
    try {
      state.claim = await carrier.fileClaim({
        idempotencyKey: `${wfId}:claim`,
        shipmentId: reg.shipmentId,
        carrier: reg.carrier,
        trackingNumber: reg.trackingNumber,
        reason,
        amount: reg.declaredValue,
        currency: reg.currency,
      });
      note(
        'claim_filed',
        `${state.claim.claimId} for ${state.claim.amount} ${state.claim.currency}`,
      );
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      note('claim_refused', err.cause?.message ?? err.message);
    }
    return { close: state.review?.decision === 'refund' ? 'refunded' : 'reshipped' };
  };

  const watchDelivered = async (): Promise<Next> => {
    const until = Date.parse(state.deadlines.deliveredWatchUntil ?? now());
    const remaining = until - Date.now();
    if (remaining > 0) await condition(() => cancelRequested, remaining);
    return { close: 'delivered' };
  };

  /** Continues as new with the state carried over, once every handler is done. */
  const carryOn = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof shipmentWorkflow>({
      registration: reg,
      registeredAt: state.registeredAt,
      carried: state,
      seenEventIds: [...seen],
      seenInquiryIds: [...seenInquiries],
      clockRestartedAt,
      stateVersion,
    });
  };

  // ---- run ----
  if (!input.carried) {
    state.policy = await local.resolvePolicy(reg.policy);
    takeEvents(await local.loadTrackingEvents(reg.shipmentId), ' (stored before the start)');
    note(
      'registered',
      `${reg.carrier} ${reg.trackingNumber} → ${reg.destination.country}, policy ${reg.policy}`,
    );
    await recordSnapshot();
  }
  log.info('shipment workflow running', { shipmentId: reg.shipmentId, stage: state.stage });

  const steps: Record<Exclude<Stage, 'closed'>, () => Promise<Next>> = {
    monitoring: monitor,
    verifying: verify,
    awaiting_review: review,
    reshipping: reship,
    notifying: notify,
    claiming: fileClaim,
    delivered: watchDelivered,
  };
  /** Work done before a stage is published, so what a query shows is already true. */
  const prepare: Partial<Record<Stage, () => Promise<void>>> = {
    awaiting_review: openReview,
    delivered: async () => {
      const watchMs = parseIsoDuration(state.policy.deliveredWatch);
      state.deadlines.deliveredWatchUntil = new Date(Date.now() + watchMs).toISOString();
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
