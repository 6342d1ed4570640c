/**
 * Awaiting review: ops decide what happens to a suspicious parcel. The review is opened before the
 * stage is published; when the SLA runs out ops are alerted and the policy may decide.
 */
import { patched } from '@temporalio/workflow';
import { autoDecisionApplies, isDelivered, isReturnedToSender } from '../detection';
import { parseIsoDuration } from '../durations';
import type { ReviewDecision } from '../shipment.contract';
import { now, type Next, type PendingDecision, type ShipmentContext } from './context';
import { REFUND_STAGE } from './patches';
import { local, quick } from './proxies';

/** Opens the review before the stage is published, so a decision can never race the opening. */
export async function openReview(ctx: ShipmentContext): Promise<void> {
  const { state } = ctx;
  state.reviewRound++;
  const slaMs = parseIsoDuration(state.policy.reviewSla);
  state.deadlines.reviewSlaAt = new Date(Date.now() + slaMs).toISOString();
  await quick().openReview({
    shipmentId: ctx.reg.shipmentId,
    round: state.reviewRound,
    reason: state.suspicion?.reason ?? 'stalled',
    detectedAt: state.suspicion?.detectedAt ?? now(),
    slaDeadline: state.deadlines.reviewSlaAt,
    ...(state.reopenedBecause ? { note: state.reopenedBecause } : {}),
  });
}

/** Waits for an ops decision; escalates when the SLA runs out. */
export async function review(ctx: ShipmentContext): Promise<Next> {
  const { state, reg } = ctx;
  const round = state.reviewRound;
  if (ctx.noticeDue) {
    const step = ctx.noticeDue;
    ctx.noticeDue = undefined;
    await ctx.notifyCustomer('delay_notice', step);
  }
  // A delivered or returned scan while ops look makes the question moot (unless the question
  // is precisely whether a delivered parcel arrived).
  const settledByCarrier = () =>
    state.suspicion?.reason !== 'delivered_not_received' &&
    (isDelivered(ctx.current()) || isReturnedToSender(ctx.current()));
  const decided = () =>
    ctx.pendingDecision !== undefined || ctx.cancelRequested || settledByCarrier();
  if (state.escalatedRound !== round) {
    const sla = Date.parse(state.deadlines.reviewSlaAt ?? now());
    if (!(await ctx.waitFor(decided, sla))) await escalate(ctx, round);
  }
  await ctx.waitFor(decided);
  state.reopenedBecause = undefined;
  const d = ctx.pendingDecision;
  if (!d) return withdraw(ctx, round);
  state.review = {
    round,
    decision: d.decision,
    reviewer: d.reviewer,
    ...(d.note !== undefined ? { note: d.note } : {}),
    decidedAt: now(),
    automatic: d.automatic,
  };
  ctx.pendingDecision = undefined;
  state.deadlines.reviewSlaAt = undefined;
  ctx.note('review_decision', `${d.decision} by ${d.reviewer}${d.automatic ? ' (automatic)' : ''}`);
  // A regular activity on purpose: the task that accepted the decision ends with it, and what
  // follows (local activities, maybe the shipment's close) runs in the next one. A close that
  // the server refuses because scans arrived meanwhile then retries that task, not the one that
  // holds the ops decision.
  await local.closeReview({ shipmentId: reg.shipmentId, ...state.review, round });
  return carryOut(ctx, d.decision);
}

/** No decision is needed any more: cancelled, or the carrier settled it. */
async function withdraw(ctx: ShipmentContext, round: number): Promise<Next> {
  const { state } = ctx;
  await quick().withdrawReview({ shipmentId: ctx.reg.shipmentId, round });
  state.deadlines.reviewSlaAt = undefined;
  if (ctx.cancelRequested) return { close: 'cancelled' };
  ctx.note('review_withdrawn', `the carrier reports the parcel ${ctx.current()?.status}`);
  ctx.clearSuspicion();
  return isDelivered(ctx.current()) ? 'delivered' : { close: 'returned_to_sender' };
}

/** The stage that carries out a decision. */
function carryOut(ctx: ShipmentContext, decision: ReviewDecision): Next {
  const { state } = ctx;
  switch (decision) {
    case 'reship':
      return 'reshipping';
    case 'refund':
      // Runs that decided before the refunding stage existed refund in `notifying`.
      return patched(REFUND_STAGE) ? 'refunding' : 'notifying';
    case 'mark_delivered':
      return { close: 'delivered' };
    case 'keep_waiting':
      state.thresholdFactor *= 2;
      state.clockRestartedAt = now();
      state.reviewedUpTo = now();
      state.failedAttempts = 0;
      ctx.clearSuspicion();
      return 'monitoring';
  }
}

/** The SLA ran out: ops are alerted (once per round), and the policy may decide. */
async function escalate(ctx: ShipmentContext, round: number): Promise<void> {
  const { state, reg } = ctx;
  state.escalatedRound = round;
  ctx.note('review_sla_expired', `no decision within ${state.policy.reviewSla}`);
  const alert = await local.sendOpsAlert({
    idempotencyKey: `${ctx.wfId}:review:${round}:sla`,
    shipmentId: reg.shipmentId,
    subject: `Review overdue: shipment ${reg.shipmentId}`,
    text: `Shipment ${reg.shipmentId} (${reg.carrier} ${reg.trackingNumber}, ${reg.declaredValue} ${reg.currency}) has waited ${state.policy.reviewSla} for a decision. Reason: ${state.suspicion?.reason ?? 'unknown'}.`,
  });
  state.notifications.push(alert);
  ctx.note('notification', `ops_alert to ${alert.to}`);
  // A review that came back because a decision failed (no stock, refused refund) needs a person:
  // deciding the same again automatically would loop.
  if (
    !ctx.pendingDecision &&
    !state.reopenedBecause &&
    // A customer's request (a refund demand) is answered by a person, never by the policy.
    state.suspicion?.reason !== 'customer_request' &&
    autoDecisionApplies(state.policy, reg.declaredValue)
  ) {
    ctx.pendingDecision = automaticDecision(state.policy.autoDecision.decision, round);
  }
}

function automaticDecision(decision: ReviewDecision, round: number): PendingDecision {
  return { decision, reviewer: 'policy', automatic: true, round };
}
