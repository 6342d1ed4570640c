/** Monitoring: waits for scans until the parcel arrives, ends, or looks lost. */
import { patched } from '@temporalio/workflow';
import {
  isDelivered,
  isReturnedToSender,
  nextDeadline,
  overdueDeadline,
  stallDeadline,
} from '../detection';
import { continueAsNewSuggested } from '../history-pressure';
import type { SuspicionEvidence, SuspicionReason } from '../shipment.contract';
import { iso, type Next, type ShipmentContext } from './context';
import { requestedReview } from './inquiry-review';
import { SNAPSHOT_EVERY_FACT } from './patches';

export async function monitor(ctx: ShipmentContext): Promise<Next> {
  const { state } = ctx;
  // Scans that arrive while a snapshot is being written get a snapshot of their own, or the
  // read model would miss them until the next scan. When the history asks to continue as new,
  // the next run writes that snapshot first thing. (Runs from before wrote one per wait.)
  const snapshotsEveryFact = patched(SNAPSHOT_EVERY_FACT);
  const inquiryReviews = ctx.patches.inquiryReview;
  for (;;) {
    if (ctx.cancelRequested) return { close: 'cancelled' };
    if (isDelivered(ctx.current())) return 'delivered';
    if (isReturnedToSender(ctx.current())) return { close: 'returned_to_sender' };
    if (inquiryReviews && customerRequest(ctx)) return 'awaiting_review';
    await noticeCustoms(ctx);
    const facts = ctx.detectionInput();
    state.deadlines.stallAt = iso(stallDeadline(facts));
    state.deadlines.overdueAt = iso(overdueDeadline(facts));
    const deadline = nextDeadline(facts);
    const version = ctx.factsVersion;
    const changed = await ctx.waitFor(
      () => ctx.factsVersion !== version || ctx.cancelRequested,
      deadline.at,
    );
    if (!changed) {
      ctx.suspect(deadline.reason, ...triggerFacts(ctx, deadline.reason));
      return 'verifying';
    }
    let written: number;
    do {
      written = ctx.factsVersion;
      await ctx.recordSnapshot();
    } while (snapshotsEveryFact && ctx.factsVersion !== written && !continueAsNewSuggested());
  }
}

/**
 * A customer asked for what only ops can grant (a refund on a moving parcel, a damaged parcel):
 * a review opens at once; the carrier has nothing to verify. The reply went out from the API.
 */
function customerRequest(ctx: ShipmentContext): boolean {
  const { state } = ctx;
  const request = requestedReview(state.inquiries ?? [], state.reviewedUpTo);
  if (!request) return false;
  ctx.suspect(
    request.reason,
    `customer inquiry ${request.inquiry.inquiryId} (${request.inquiry.intent})`,
    {
      inquiryIds: [request.inquiry.inquiryId],
    },
  );
  return true;
}

/** A parcel entering customs: the customer hears once per customs episode. */
async function noticeCustoms(ctx: ShipmentContext): Promise<void> {
  const customs = ctx.state.customs;
  if (ctx.state.lastEvent?.status !== 'customs' || !customs) return;
  if (customs.noticeSentFor === customs.episode) return;
  await ctx.notifyCustomer('customs_notice', `customs_notice:${customs.episode}`);
  customs.noticeSentFor = customs.episode;
}

/** Why the trigger fired, in words for the timeline, and what backs it. */
export function triggerFacts(
  ctx: ShipmentContext,
  reason: SuspicionReason,
): [string, SuspicionEvidence?] {
  const { state } = ctx;
  const p = state.policy;
  const current = ctx.current();
  switch (reason) {
    case 'carrier_stopped_tracking': {
      const s = state.carrierSummary;
      return [`the carrier stopped tracking the parcel (${s?.provider} says ${s?.native})`];
    }
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
    default: {
      const finding = current?.finding;
      if (!finding) return [`carrier status ${current?.status}`];
      return [
        `the carrier's description reads as ${finding.finding} (rule ${finding.rule}, "${finding.matched}"): ${current?.description ?? ''}`,
        { finding },
      ];
    }
  }
}
