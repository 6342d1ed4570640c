/**
 * The shipment workflow's signals, update and query, registered before its first await. Handlers
 * only take facts in and record decisions; the stage loop acts on them.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { boundInquiries } from '../detection';
import {
  cancelSignal,
  customerInquirySignal,
  refreshPolicySignal,
  REVIEW_DECISIONS,
  reviewDecisionSignal,
  reviewUpdate,
  stateQuery,
  trackingEventsSignal,
  trackingChangedSignal,
  trackingSummarySignal,
  searchAttributes,
  type CustomerInquiry,
  type TrackingChange,
  type ReviewDecision,
  type ReviewInput,
  type ReviewResult,
  type TrackingEvent,
} from '../shipment.contract';
import { now, type ShipmentContext } from './context';
import { local } from './proxies';
import { takeSummary } from './summary';

/** Inquiry ids remembered for deduplication, and inquiries kept for the surge rule. */
const MAX_CARRIED_INQUIRY_IDS = 200;
const MAX_KEPT_INQUIRIES = 50;

export function registerHandlers(ctx: ShipmentContext): void {
  const { state } = ctx;
  setHandler(stateQuery, () => state);
  setHandler(trackingEventsSignal, (events: TrackingEvent[]) => ctx.takeEvents(events, ''));
  setHandler(trackingSummarySignal, (summary) => takeSummary(ctx, summary, ''));
  setHandler(customerInquirySignal, (inquiry) => takeInquiry(ctx, inquiry));
  setHandler(cancelSignal, ({ reason }) => {
    if (state.stage === 'closed' || ctx.cancelRequested) return;
    ctx.cancelRequested = true;
    state.cancelled = { reason, at: now() };
    ctx.note('cancel_requested', reason);
  });
  setHandler(trackingChangedSignal, (change) => takeTrackingChange(ctx, change));
  setHandler(refreshPolicySignal, async ({ policy }) => {
    const name = policy ?? state.policy.name;
    try {
      const resolved = await local.resolvePolicy(name);
      state.policy = resolved;
      ctx.note('policy_refreshed', `${resolved.name} version ${resolved.version ?? 'unversioned'}`);
      ctx.factsVersion++;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      ctx.note('policy_refresh_failed', `${name}: ${err.cause?.message ?? err.message}`);
    }
  });
  registerReviewHandlers(ctx);
}

/**
 * The shop moved the parcel to another tracking number (or carrier): lookups and verification use
 * the new one from now on. The registration is carried on continue-as-new, so the change is too.
 * Scans already taken stay: they happened, and the stall clock keeps counting from the last one.
 */
function takeTrackingChange(ctx: ShipmentContext, change: TrackingChange): void {
  const { reg, state } = ctx;
  if (state.stage === 'closed') return;
  if (reg.carrier === change.carrier && reg.trackingNumber === change.trackingNumber) return;
  const before = `${reg.carrier} ${reg.trackingNumber}`;
  if (reg.carrier !== change.carrier)
    upsertSearchAttributes([{ key: searchAttributes.carrier, value: change.carrier }]);
  reg.carrier = change.carrier;
  reg.trackingNumber = change.trackingNumber;
  ctx.note(
    'tracking_changed',
    `${before} → ${change.carrier} ${change.trackingNumber} (${change.source})`,
  );
  ctx.factsVersion++;
}

function takeInquiry(ctx: ShipmentContext, inquiry: CustomerInquiry): void {
  const { state, seenInquiries } = ctx;
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
  ctx.note(
    'customer_inquiry',
    `${inquiry.channel}${inquiry.intent ? ` (${inquiry.intent})` : ''}: ${inquiry.message.slice(0, 200)}`,
  );
  ctx.factsVersion++;
}

/** The decision already taken for a round (pending or recorded), if any. */
function takenDecision(
  ctx: ShipmentContext,
): { decision: ReviewDecision; reviewer: string; round: number } | undefined {
  const { review } = ctx.state;
  return (
    ctx.pendingDecision ??
    (review?.round !== undefined ? { ...review, round: review.round } : undefined)
  );
}

/**
 * The same decision by the same reviewer for the round it was taken in. Without a round, the
 * decision refers to the open review, or to the last one once none is open.
 */
function isDuplicate(ctx: ShipmentContext, d: ReviewInput): boolean {
  const taken = takenDecision(ctx);
  if (!taken || taken.decision !== d.decision || taken.reviewer !== d.reviewer) return false;
  if (d.round !== undefined) return d.round === taken.round;
  return ctx.pendingDecision !== undefined || ctx.state.stage !== 'awaiting_review';
}

function validateDecision(ctx: ShipmentContext, d: ReviewInput): void {
  const { state } = ctx;
  const notAwaiting = (why: string) =>
    ApplicationFailure.nonRetryable(
      `shipment ${ctx.reg.shipmentId} is not awaiting review: ${why}`,
      'review.not_awaiting',
    );
  if (!REVIEW_DECISIONS.includes(d.decision)) {
    throw ApplicationFailure.nonRetryable(
      `unknown decision "${d.decision}"`,
      'review.unknown_decision',
    );
  }
  if (!d.reviewer)
    throw ApplicationFailure.nonRetryable('a reviewer is required', 'review.no_reviewer');
  if (isDuplicate(ctx, d)) return;
  if (ctx.pendingDecision) {
    throw notAwaiting(`${ctx.pendingDecision.decision} was already decided for this review`);
  }
  if (state.stage !== 'awaiting_review') throw notAwaiting(`it is in stage ${state.stage}`);
  if (d.round !== undefined && d.round !== state.reviewRound) {
    throw notAwaiting(`review round ${d.round} is closed (round ${state.reviewRound} is open)`);
  }
}

/** Resolves once the round's decision has been acted on (the stage moved on). */
const decisionTaken = (ctx: ShipmentContext, round: number) =>
  condition(() => ctx.state.stage !== 'awaiting_review' || ctx.state.reviewRound !== round);

/** The review decision arrives as an update (answers once acted on) or as a signal. */
function registerReviewHandlers(ctx: ShipmentContext): void {
  const { state } = ctx;
  setHandler(
    reviewUpdate,
    async (d: ReviewInput): Promise<ReviewResult> => {
      if (isDuplicate(ctx, d)) {
        await decisionTaken(ctx, takenDecision(ctx)!.round);
        return { stage: state.stage, decision: d.decision, duplicate: true };
      }
      const round = state.reviewRound;
      ctx.pendingDecision = { ...d, automatic: false, round };
      await decisionTaken(ctx, round);
      return { stage: state.stage, decision: d.decision, duplicate: false };
    },
    { validator: (d) => validateDecision(ctx, d) },
  );

  setHandler(reviewDecisionSignal, (d: ReviewInput) => {
    try {
      validateDecision(ctx, d);
      if (isDuplicate(ctx, d)) {
        ctx.note('review_decision_duplicate', `${d.decision} by ${d.reviewer}`);
        return;
      }
      ctx.pendingDecision = { ...d, automatic: false, round: state.reviewRound };
    } catch (err) {
      ctx.note(
        'review_decision_ignored',
        `${d.decision} by ${d.reviewer}: ${(err as Error).message}`,
      );
    }
  });
}
