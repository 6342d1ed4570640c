/**
 * Delivered: the shipment stays open for the delivered-not-received window, in case the customer
 * reports the parcel never arrived.
 */
import { notReceivedReport } from '../detection';
import { parseIsoDuration } from '../durations';
import { now, type Next, type ShipmentContext } from './context';

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
