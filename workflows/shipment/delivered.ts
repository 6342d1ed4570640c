/**
 * Delivered: the shipment stays open for the delivered-not-received window, in case the customer
 * reports the parcel never arrived.
 */
import { notReceivedReport } from '../detection';
import { parseIsoDuration } from '../durations';
import { now, type Next, type ShipmentContext } from './context';
import { notReceivedReports, REPORTS_BEFORE_REVIEW, requestedReview } from './inquiry-review';

/** Sets the watch's end before the stage is published; the earlier clocks no longer apply. */
export async function prepareDeliveredWatch(ctx: ShipmentContext): Promise<void> {
  const { state } = ctx;
  const watchMs = parseIsoDuration(state.policy.deliveredWatch);
  state.deadlines.deliveredWatchUntil = new Date(Date.now() + watchMs).toISOString();
  state.deadlines.stallAt = undefined;
  state.deadlines.overdueAt = undefined;
}

/**
 * A replacement asks the customer how it went; a "never got it" report within the window is
 * verified like any suspicion. Cancelling now closes the shipment as what it is: delivered.
 */
export async function watchDelivered(ctx: ShipmentContext): Promise<Next> {
  const { state, reg } = ctx;
  if (reg.replacementOf && !state.notifications.some((n) => n.kind === 'survey')) {
    await ctx.notifyCustomer('survey', 'survey');
  }
  const deliveredAt = ctx.current()?.occurredAt ?? now();
  // Runs from before the patch opened a review on the first report.
  if (!ctx.patches.dnrAskFirst) {
    const report = () => notReceivedReport(state.inquiries ?? [], deliveredAt, state.reviewedUpTo);
    const until = Date.parse(state.deadlines.deliveredWatchUntil ?? now());
    await ctx.waitFor(() => ctx.cancelRequested || report() !== undefined, until);
    const inquiry = report();
    if (ctx.cancelRequested || !inquiry) return { close: 'delivered' };
    ctx.suspect('delivered_not_received', `customer reports not received (${inquiry.inquiryId})`, {
      inquiryIds: [inquiry.inquiryId],
    });
    return 'verifying';
  }
  return watchAskingFirst(ctx, deliveredAt);
}

/**
 * The first "never got it" report was answered by asking the customer to check with neighbours,
 * household and pickup point (the API's reply, with where the carrier left it); a second report
 * opens the review. A damaged parcel or a refund demand opens one at once.
 */
async function watchAskingFirst(ctx: ShipmentContext, deliveredAt: string): Promise<Next> {
  const { state } = ctx;
  const reports = () => notReceivedReports(state.inquiries ?? [], deliveredAt, state.reviewedUpTo);
  const request = () => requestedReview(state.inquiries ?? [], state.reviewedUpTo, deliveredAt);
  const until = Date.parse(state.deadlines.deliveredWatchUntil ?? now());
  const ready = () =>
    ctx.cancelRequested || reports().length >= REPORTS_BEFORE_REVIEW || request() !== undefined;
  let noted: string | undefined;
  for (;;) {
    const version = ctx.factsVersion;
    const woke = await ctx.waitFor(() => ready() || ctx.factsVersion !== version, until);
    if (!woke || ready()) break;
    const first = reports()[0];
    if (first && noted !== first.inquiryId) {
      // Shown on the timeline and in the read model: ops see the customer was asked to look.
      noted = first.inquiryId;
      ctx.note(
        'asked_to_look',
        `first not-received report (${first.inquiryId}): the customer is asked to check with neighbours, household and the pickup point`,
      );
      await ctx.recordSnapshot();
    }
  }
  if (ctx.cancelRequested) return { close: 'delivered' };
  const asked = request();
  if (asked) {
    ctx.suspect(
      asked.reason,
      `customer inquiry ${asked.inquiry.inquiryId} (${asked.inquiry.intent})`,
      {
        inquiryIds: [asked.inquiry.inquiryId],
      },
    );
    return 'awaiting_review';
  }
  const all = reports();
  if (all.length < REPORTS_BEFORE_REVIEW) return { close: 'delivered' };
  const ids = all.slice(0, REPORTS_BEFORE_REVIEW).map((i) => i.inquiryId);
  ctx.suspect('delivered_not_received', `customer reports not received again (${ids.join(', ')})`, {
    inquiryIds: ids,
  });
  return 'verifying';
}
