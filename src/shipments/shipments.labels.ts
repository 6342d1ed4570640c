import type { Stage } from '../../workflows/model/enums';
import type { Deadlines } from '../../workflows/shipment.contract';

/**
 * Plain words for the codes a shipment's answer carries, so people (the console, the CLI, a
 * support agent reading JSON) need not know the workflow's vocabulary. The code stays beside it.
 */
export const STAGE_LABELS: Record<Stage, string> = {
  monitoring: 'Watching the parcel',
  verifying: 'Checking with the carrier',
  awaiting_review: 'Waiting for an ops decision',
  reshipping: 'Sending a replacement',
  refunding: 'Refunding the customer',
  notifying: 'Telling the customer',
  claiming: 'Claiming from the carrier',
  delivered: 'Delivered',
  closed: 'Closed',
};

/** One label per timeline kind the shipment workflow writes (workflows/shipment/*: `note(kind…)`). */
const TIMELINE_LABELS: Record<string, string> = {
  stage: 'Stage changed',
  tracking_event: 'Carrier scan',
  tracking_changed: 'Tracking number changed',
  carrier_summary: "Carrier's overall status",
  estimate_revised: 'Expected delivery revised',
  suspicion: 'Problem suspected',
  verified: 'Checked with the carrier',
  notification: 'Message sent',
  customer_inquiry: 'Customer asked',
  review_decision: 'Ops decided',
  review_decision_duplicate: 'Same decision received again',
  review_decision_ignored: 'Decision not applied',
  review_withdrawn: 'Review withdrawn',
  review_sla_expired: 'No decision in time',
  stock_reserved: 'Stock reserved for a replacement',
  reship_channel: 'Replacement shipping chosen',
  reshipped: 'Replacement sent',
  label_refused: 'Replacement label refused: back to review',
  shop_order: 'Replacement order created in the shop',
  shop_order_refused: 'Shop refused the replacement order',
  refund: 'Refund recorded',
  refunded: 'Refunded',
  refund_rejected: 'Refund refused: back to review',
  claim_started: 'Claim opened with the carrier',
  claim_already_open: 'Claim already open',
  cancel_requested: 'Cancellation requested',
  policy_refreshed: 'Policy reloaded',
  policy_refresh_failed: 'Policy could not be reloaded',
  continued_as_new: 'History compacted',
};

/** A timeline kind in plain words; an unknown kind (a newer workflow's) reads as its code, spaced. */
export function timelineLabel(kind: string, detail: string): string {
  if (kind === 'stage' && detail in STAGE_LABELS) {
    return `Stage: ${STAGE_LABELS[detail as Stage].toLowerCase()}`;
  }
  const known = TIMELINE_LABELS[kind];
  if (known) return known;
  const spaced = kind.replace(/_/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/**
 * The clocks that run at a stage. The workflow leaves the stall and overdue deadlines in its state
 * while a review is open (they restart afterwards), so showing them would count a shipment already
 * in review as "overdue"; only the clock that matters now is answered.
 */
const CLOCKS_BY_STAGE: Partial<Record<Stage, readonly (keyof Deadlines)[]>> = {
  // Verification starts because a clock fired: its past deadline is no longer a countdown.
  monitoring: ['stallAt', 'overdueAt'],
  awaiting_review: ['reviewSlaAt'],
  delivered: ['deliveredWatchUntil'],
};

export function runningClocks(stage: Stage, deadlines: Deadlines): Deadlines {
  const keys = CLOCKS_BY_STAGE[stage] ?? [];
  return Object.fromEntries(
    keys.flatMap((k) => (deadlines[k] ? [[k, deadlines[k]]] : [])),
  ) as Deadlines;
}
