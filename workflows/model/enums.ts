/**
 * The domain's closed vocabularies, as plain constants: the workflow bundle imports these at run
 * time, so this module stays free of zod. The zod schemas beside it build their enums from them.
 */

export const STAGES = [
  'monitoring',
  'verifying',
  'awaiting_review',
  'reshipping',
  /** Refunding through the seller's order system (before it, runs refunded in `notifying`). */
  'refunding',
  'notifying',
  'claiming',
  'delivered',
  'closed',
] as const;
export type Stage = (typeof STAGES)[number];

export const RESOLUTIONS = [
  'delivered',
  'reshipped',
  'refunded',
  'returned_to_sender',
  'cancelled',
] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const TRACKING_STATUSES = [
  'info_received',
  'in_transit',
  'customs',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'delivered',
  'returning',
  'returned',
  'exception',
  'lost',
  'damaged',
  'destroyed',
  'unknown',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/**
 * What a provider says of a whole tracking besides its checkpoints: one of our scan statuses, or
 * `expired` (the provider stopped tracking it, e.g. AfterShip's `Expired`).
 */
export const SUMMARY_STATUSES = [...TRACKING_STATUSES, 'expired'] as const;
export type SummaryStatus = (typeof SUMMARY_STATUSES)[number];

/** What a carrier's free-text description can say happened, read by the description rules. */
export const DESCRIPTION_FINDINGS = [
  'destroyed',
  'lost',
  'seized',
  'damaged',
  'returned',
  'address_problem',
] as const;
export type DescriptionFinding = (typeof DESCRIPTION_FINDINGS)[number];

export const SUSPICION_REASONS = [
  'stalled',
  'overdue',
  'carrier_lost',
  'carrier_damaged',
  'inquiry_surge',
  'customs_hold',
  'failed_attempts',
  'delivered_not_received',
  /** The tracking provider stopped tracking the parcel (e.g. AfterShip `Expired`). */
  'carrier_stopped_tracking',
  /** The carrier's description says the parcel is on its way back to the sender. */
  'carrier_returning',
  /** The carrier's description says customs seized or confiscated the parcel. */
  'customs_seized',
  /** The carrier's description says it cannot deliver to the address given. */
  'address_problem',
  /** The customer asked for something only ops can grant (e.g. a refund on a moving parcel). */
  'customer_request',
  /** The customer reports the parcel arrived damaged. */
  'damaged',
] as const;
export type SuspicionReason = (typeof SUSPICION_REASONS)[number];

export const REVIEW_DECISIONS = ['reship', 'refund', 'keep_waiting', 'mark_delivered'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const NOTIFICATION_KINDS = [
  'delay_notice',
  'customs_notice',
  'reshipped',
  'refunded',
  'inquiry_reply',
  'survey',
  'ops_alert',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** `queued`: recorded, the outbox keeps trying to deliver it (absent means sent). */
export const NOTIFICATION_STATUSES = ['sent', 'queued'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const MESSAGE_CHANNELS = ['email', 'onsite'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export const VERIFICATION_OUTCOMES = [
  /** Newer scans at the carrier: back to monitoring, thresholds restart. */
  'moved_on',
  /** The carrier says delivered (a missed webhook). */
  'delivered',
  /** The carrier knows the parcel but has nothing newer: the suspicion stands. */
  'nothing_newer',
  /** The carrier has no record of the tracking number: the suspicion stands. */
  'unknown_number',
  /** The carrier refused the lookup for good (a 4xx): the suspicion stands. */
  'refused',
  /** Delivered-not-received: the carrier's proof of delivery was looked up (found or not). */
  'proof_of_delivery_checked',
] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

/** `refunded`: the order system confirmed it; `manual`: ops must pay it (no REFUND_URL). */
export const REFUND_STATUSES = ['refunded', 'manual'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const INQUIRY_INTENTS = [
  'where_is_it',
  'not_received',
  'delivered_not_received',
  'wants_refund',
  /** Reported damaged (the customer page's form; the text rules do not guess it). */
  'damaged',
  /** The customer asks to deliver elsewhere (the customer page's form). */
  'address_change',
  'other',
] as const;
export type InquiryIntent = (typeof INQUIRY_INTENTS)[number];

export const CLAIM_STATUSES = [
  'pending_eligibility',
  'filed',
  'needs_info',
  /** Denied, then appealed by ops: the carrier reviews it again. */
  'appealed',
  /** Denied by the carrier, then filed with the insurer the shipment was insured with. */
  'escalated',
  'approved',
  'partially_approved',
  'denied',
  'paid',
  'expired',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** What a claim is filed for. */
export const CLAIM_REASONS = ['lost', 'damaged'] as const;
export type ClaimReason = (typeof CLAIM_REASONS)[number];

/** What a waiting period or a filing window is counted from. */
export const CLAIM_ANCHORS = ['shipped', 'expected_delivery'] as const;
export type ClaimAnchor = (typeof CLAIM_ANCHORS)[number];

/** The items an evidence package can hold (notes §5.5). */
export const EVIDENCE_ITEMS = [
  'order',
  'payment_reference',
  'declared_value',
  'label',
  'tracking_history',
  'carrier_trace',
  'customer_messages',
  'proof_of_delivery',
] as const;
export type EvidenceItem = (typeof EVIDENCE_ITEMS)[number];
