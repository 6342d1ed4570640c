/**
 * Verifying: before anyone is bothered, the carrier is asked what it knows. A parcel that moved
 * on goes back to monitoring; a suspicion that stands goes to review.
 */
import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { isDelivered, overdueDeadline } from '../detection';
import type { ProofOfDeliveryRecord, VerificationOutcome } from '../shipment.contract';
import { now, type Next, type ShipmentContext } from './context';
import { NOTICE_AFTER_REVIEW } from './patches';
import { carrier, carrierInTask } from './proxies';
import { takeSummary } from './summary';

export async function verify(ctx: ShipmentContext): Promise<Next> {
  const { state } = ctx;
  if (state.suspicion?.reason === 'delivered_not_received') return verifyDelivery(ctx);
  const before = ctx.current()?.eventId;
  const overdueBefore = overdueDeadline(ctx.detectionInput());
  let outcome: VerificationOutcome;
  let detail: string;
  try {
    const found = await lookUp(ctx);
    ctx.reviseEstimate(found.estimatedDeliveryAt, 'the carrier');
    const overdueAfter = overdueDeadline(ctx.detectionInput()) ?? Infinity;
    const revisedAway =
      state.suspicion?.reason === 'overdue' &&
      overdueAfter > (overdueBefore ?? -Infinity) &&
      overdueAfter > Date.now();
    const after = ctx.current()?.eventId;
    if (after !== before || revisedAway) {
      return movedOn(ctx, after !== before);
    }
    outcome = found.known ? 'nothing_newer' : 'unknown_number';
    detail = found.known
      ? 'carrier has nothing newer'
      : 'carrier does not know the tracking number';
  } catch (err) {
    outcome = 'refused';
    detail = `carrier refused the lookup: ${refusal(err)}`;
  }
  if (state.suspicion) state.suspicion.detail = detail;
  verified(ctx, outcome, detail);
  const notice = `delay_notice:${state.reviewRound + 1}`;
  // Ops first: the review opens, then the customer hears (runs from before told them first).
  if (patched(NOTICE_AFTER_REVIEW)) ctx.noticeDue = notice;
  else await ctx.notifyCustomer('delay_notice', notice);
  return 'awaiting_review';
}

/** The carrier has newer scans (or a later estimate): the suspicion is dropped. */
function movedOn(ctx: ShipmentContext, newerScans: boolean): Next {
  const { state } = ctx;
  const delivered = isDelivered(ctx.current());
  verified(
    ctx,
    delivered ? 'delivered' : 'moved_on',
    delivered
      ? 'carrier reports the parcel delivered'
      : newerScans
        ? 'carrier reports newer scans; back to monitoring'
        : `carrier expects delivery by ${state.expectedDeliveryAt}; back to monitoring`,
  );
  ctx.clearSuspicion();
  // Thresholds restart from now: a newer scan the carrier held back may itself be old.
  state.clockRestartedAt = now();
  return delivered ? 'delivered' : 'monitoring';
}

/** Delivered-not-received: what proof of delivery does the carrier hold? Then ops decide. */
async function verifyDelivery(ctx: ShipmentContext): Promise<Next> {
  const { state } = ctx;
  let outcome: VerificationOutcome = 'proof_of_delivery_checked';
  let detail: string;
  try {
    const found = await lookUp(ctx);
    // A provider that pushed its proof of delivery may not repeat it on a lookup.
    const pod = found.proofOfDelivery ?? state.carrierSummary?.proofOfDelivery ?? null;
    if (state.suspicion) {
      state.suspicion.evidence = { ...state.suspicion.evidence, proofOfDelivery: pod };
    }
    detail = proofOfDeliveryDetail(pod);
    // A number the carrier does not know has no proof of delivery to check.
    if (!found.known && ctx.patches.podUnknownNumber) {
      outcome = 'unknown_number';
      detail = 'carrier does not know the tracking number: no proof of delivery could be checked';
    }
  } catch (err) {
    outcome = 'refused';
    detail = `carrier refused the lookup: ${refusal(err)}`;
  }
  if (state.suspicion) state.suspicion.detail = detail;
  verified(ctx, outcome, detail);
  return 'awaiting_review';
}

/** What the carrier's proof of delivery shows, in words for ops. */
export function proofOfDeliveryDetail(pod: ProofOfDeliveryRecord | null): string {
  if (!pod) return 'carrier holds no proof of delivery';
  const parts = [
    `delivered ${pod.deliveredAt}`,
    pod.signedBy && `signed by ${pod.signedBy}`,
    pod.photoUrl && 'photo',
    pod.location && 'GPS position',
    pod.note,
  ];
  return `carrier holds proof of delivery: ${parts.filter(Boolean).join(', ')}`;
}

/**
 * Why the carrier refused, from a lookup that failed for good. A regular activity's failure comes
 * wrapped in an ActivityFailure; a local activity's comes as the activity's own ApplicationFailure.
 * Anything else is a bug in the workflow and fails the task.
 */
function refusal(err: unknown): string {
  if (err instanceof ActivityFailure) return err.cause?.message ?? err.message;
  if (err instanceof ApplicationFailure) return err.message;
  throw err;
}

/** Asks the carrier for everything it knows, taking in the scans it held back. */
async function lookUp(ctx: ShipmentContext) {
  const { reg } = ctx;
  const lookup = ctx.patches.carrierCheckLocal ? carrierInTask : carrier;
  const found = await lookup.checkWithCarrier({
    shipmentId: reg.shipmentId,
    carrier: reg.carrier,
    trackingNumber: reg.trackingNumber,
  });
  ctx.takeEvents(found.events, ' (from carrier lookup)');
  if (found.summary) takeSummary(ctx, found.summary, ' (from carrier lookup)');
  return found;
}

function verified(ctx: ShipmentContext, outcome: VerificationOutcome, detail: string): void {
  ctx.state.verification = { outcome, at: now(), detail };
  ctx.note('verified', detail);
}
