/**
 * The shipment workflow's contract: names, messages, input and state types.
 * API, worker and tests import from here; nothing names a workflow, signal or query by a literal.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const TASK_QUEUE = 'shipments';
export const SHIPMENT_WORKFLOW_TYPE = 'shipmentWorkflow';

export function shipmentWorkflowId(shipmentId: string): string {
  return `shipment:${shipmentId}`;
}

/** The replacement of shipment X is X~R1, of X~R1 is X~R2, and so on. */
export function replacementShipmentId(shipmentId: string): string {
  const m = /^(.*)~R(\d+)$/.exec(shipmentId);
  return m ? `${m[1]}~R${Number(m[2]) + 1}` : `${shipmentId}~R1`;
}

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

export const SUSPICION_REASONS = [
  'stalled',
  'overdue',
  'carrier_lost',
  'carrier_damaged',
  'inquiry_surge',
  'customs_hold',
  'failed_attempts',
  'delivered_not_received',
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

export interface Location {
  country?: string;
  city?: string;
  postalCode?: string;
}

export interface TrackingEvent {
  eventId: string;
  occurredAt: string; // ISO 8601
  status: TrackingStatus;
  subStatus?: string;
  carrierCode?: string;
  description?: string;
  location?: Location;
  /** A revised delivery estimate carried by this scan or webhook; replaces the registered one. */
  expectedDeliveryAt?: string;
}

export interface Address {
  country: string;
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
}

export interface LineItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** What a backend system registers; the workflow's input together with the resolved policy. */
export interface ShipmentRegistration {
  shipmentId: string;
  orderId: string;
  marketplace?: string;
  carrier: string;
  trackingNumber: string;
  service?: string;
  policy: string;
  origin: { country: string; warehouseId?: string };
  destination: Address;
  customer: { name: string; email: string; locale: string };
  items: LineItem[];
  currency: string;
  declaredValue: number;
  shippedAt: string;
  expectedDeliveryAt?: string;
  /** Set on a replacement: the shipment it replaces (`X` for `X~R1`). */
  replacementOf?: string;
  /** How the customer wants to hear from us (default email). */
  preferredChannel?: MessageChannel;
  /** What the seller gives the customer for the trouble, quoted in customer messages. */
  compensation?: { couponCode: string };
}

/** A policy with its ISO 8601 durations, as stored and as the workflow keeps it. */
export interface Policy {
  name: string;
  stallAfter: Partial<Record<TrackingStatus, string>>;
  overdueGrace: string;
  inquirySurge: { count: number; window: string };
  reviewSla: string;
  autoDecision: { maxDeclaredValue: number; decision: ReviewDecision };
  deliveredWatch: string;
  claimWait: string;
  /** Failed delivery attempts after which the parcel is suspicious (default 3). */
  maxFailedAttempts?: number;
  /** Stored version of this policy, set when it is resolved from PostgreSQL. */
  version?: number;
}

/** An event id the workflow has taken, with when the scan happened (to bound what is carried). */
export interface SeenEvent {
  eventId: string;
  occurredAt: string;
}

export interface ShipmentWorkflowInput {
  registration: ShipmentRegistration;
  registeredAt: string;
  /** Carried over on continue-as-new. */
  carried?: ShipmentState;
  /** The newest event ids taken (bounded); see `seenEventsFloor`. */
  seenEvents?: SeenEvent[];
  /**
   * Events that happened at or before this instant and are not in `seenEvents` count as seen:
   * the ids of older scans are dropped when they are carried over, to keep the input bounded.
   */
  seenEventsFloor?: string;
  seenInquiryIds?: string[];
  stateVersion?: number;
}

/** What the carrier holds as proof of delivery (photo, signature, GPS), recorded as evidence. */
export interface ProofOfDeliveryRecord {
  deliveredAt: string;
  signedBy?: string;
  photoUrl?: string;
  location?: { lat: number; lng: number };
  note?: string;
}

export interface SuspicionEvidence {
  /** Delivered-not-received: what the carrier showed when asked, or `null` when it had none. */
  proofOfDelivery?: ProofOfDeliveryRecord | null;
  /** The inquiries behind an inquiry surge or a delivered-not-received report. */
  inquiryIds?: string[];
  failedAttempts?: number;
}

export interface Suspicion {
  reason: SuspicionReason;
  detectedAt: string;
  detail?: string;
  evidence?: SuspicionEvidence;
}

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

export interface VerificationRecord {
  outcome: VerificationOutcome;
  at: string;
  detail: string;
}

/** One customs episode: from entering customs until the parcel leaves it. */
export interface CustomsEpisode {
  episode: number;
  enteredAt: string;
  /** The episode whose customer notice was sent (once per episode). */
  noticeSentFor?: number;
}

export interface InquiryRecord {
  inquiryId: string;
  receivedAt: string;
  intent?: InquiryIntent;
}

export interface ReviewRecord {
  /** The review round this decision closed. */
  round?: number;
  decision: ReviewDecision;
  reviewer: string;
  note?: string;
  decidedAt: string;
  automatic: boolean;
}

export interface ReshipRecord {
  shipmentId: string;
  workflowId: string;
  carrier: string;
  trackingNumber: string;
  warehouseId: string;
  labelId: string;
  reservationId: string;
  /** The chosen channel as `carrier/service` and why (from chooseReshipChannel). */
  channel?: string;
  channelReason?: string;
  insured?: boolean;
  /** What the replacement cost: goods + postage + insurance premium. */
  cost?: ReshipCost;
}

export interface ReshipCost {
  goods: number;
  postage: number;
  insurance: number;
  total: number;
  currency: string;
}

/** A refund as recorded by `issueRefund`. */
export interface RefundRecord {
  amount: number;
  currency: string;
  recordedAt: string;
  /** `refunded`: the order system confirmed it; `manual`: ops must pay it (no REFUND_URL). */
  status?: 'refunded' | 'manual';
  /** The order system's reference for the refund. */
  reference?: string;
  note?: string;
}

/** The claim the shipment handed to its claim workflow, as it stood at the hand-over. */
export interface ClaimHandOff {
  /** `claim:<shipmentId>`: it files the claim, follows it up and holds its live status. */
  workflowId: string;
  /** The claim's status when the shipment closed (`pending_eligibility`). */
  status: string;
  reason: 'lost' | 'damaged';
  startedAt: string;
}

export const MESSAGE_CHANNELS = ['email', 'onsite'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export interface NotificationRecord {
  kind: NotificationKind;
  channel: MessageChannel;
  to: string;
  locale: string;
  /** When it was sent; for a `queued` message, when it was handed to the outbox. */
  sentAt: string;
  /** `queued`: recorded, the outbox keeps trying to deliver it (absent means sent). */
  status?: 'sent' | 'queued';
}

export interface TimelineEntry {
  at: string;
  kind: string;
  detail: string;
}

export interface Deadlines {
  stallAt?: string;
  overdueAt?: string;
  reviewSlaAt?: string;
  deliveredWatchUntil?: string;
}

export interface ShipmentState {
  shipmentId: string;
  stage: Stage;
  resolution?: Resolution;
  policy: Policy;
  registeredAt: string;
  lastEvent?: TrackingEvent;
  eventCount: number;
  suspicion?: Suspicion;
  deadlines: Deadlines;
  /** Multiplier applied to stall thresholds after `keep_waiting` decisions. */
  thresholdFactor: number;
  review?: ReviewRecord;
  reviewRound: number;
  reship?: ReshipRecord;
  refund?: RefundRecord;
  claim?: ClaimHandOff;
  /** Why the open review came back after a decision could not be carried out (no stock, a refused label or refund). */
  reopenedBecause?: string;
  notifications: NotificationRecord[];
  timeline: TimelineEntry[];
  cancelled?: { reason: string; at: string };
  /** The delivery estimate in force: registered, or revised by a scan or a carrier lookup. */
  expectedDeliveryAt?: string;
  /** Stall and overdue clocks restart here (`keep_waiting`, or verification found movement). */
  clockRestartedAt?: string;
  /** Facts up to here were reviewed (`keep_waiting`): they do not trigger a suspicion again. */
  reviewedUpTo?: string;
  /** failed_attempt scans since the last review. */
  failedAttempts?: number;
  customs?: CustomsEpisode;
  /** Recent customer inquiries (bounded), for the surge and delivered-not-received rules. */
  inquiries?: InquiryRecord[];
  /** The last verification with the carrier and what it found. */
  verification?: VerificationRecord;
  /** The review round whose SLA ran out (the ops alert went out for it). */
  escalatedRound?: number;
}

/** The workflow's signature, for starting, continuing and typing it without importing it. */
export type ShipmentWorkflow = (input: ShipmentWorkflowInput) => Promise<ShipmentState>;

export interface ReviewInput {
  decision: ReviewDecision;
  reviewer: string;
  note?: string;
  /** The review round the reviewer saw; a decision for a closed round is a duplicate or refused. */
  round?: number;
}

export interface ReviewResult {
  stage: Stage;
  decision: ReviewDecision;
  /** True when this decision had already been taken (same decision arriving twice). */
  duplicate: boolean;
}

export const INQUIRY_INTENTS = [
  'where_is_it',
  'not_received',
  'delivered_not_received',
  'wants_refund',
  'other',
] as const;
export type InquiryIntent = (typeof INQUIRY_INTENTS)[number];

export interface CustomerInquiry {
  inquiryId: string;
  channel: string;
  message: string;
  receivedAt: string;
  locale?: string;
  /** Classified by the API before signalling (rules in src/inquiries); absent means unclassified. */
  intent?: InquiryIntent;
}

export const trackingEventsSignal = defineSignal<[TrackingEvent[]]>('trackingEvents');
export const customerInquirySignal = defineSignal<[CustomerInquiry]>('customerInquiry');
export const cancelSignal = defineSignal<[{ reason: string }]>('cancel');
/** Re-resolves the shipment's policy (by default its own name; or switches to another). */
export const refreshPolicySignal = defineSignal<[{ policy?: string }]>('refreshPolicy');
export const reviewDecisionSignal = defineSignal<[ReviewInput]>('reviewDecision');
export const reviewUpdate = defineUpdate<ReviewResult, [ReviewInput]>('review');
export const stateQuery = defineQuery<ShipmentState>('state');

export const searchAttributes = {
  stage: defineSearchAttributeKey('ShipmentStage', SearchAttributeType.KEYWORD),
  carrier: defineSearchAttributeKey('Carrier', SearchAttributeType.KEYWORD),
  destination: defineSearchAttributeKey('DestinationCountry', SearchAttributeType.KEYWORD),
  suspicionReason: defineSearchAttributeKey('SuspicionReason', SearchAttributeType.KEYWORD),
  declaredValue: defineSearchAttributeKey('DeclaredValue', SearchAttributeType.DOUBLE),
} as const;
export const ALL_SEARCH_ATTRIBUTES = Object.values(searchAttributes);

/** The search attributes a shipment workflow starts with (API start and replacement child). */
export function initialSearchAttributes(reg: ShipmentRegistration) {
  return [
    { key: searchAttributes.stage, value: 'monitoring' },
    { key: searchAttributes.carrier, value: reg.carrier },
    { key: searchAttributes.destination, value: reg.destination.country },
    { key: searchAttributes.declaredValue, value: reg.declaredValue },
  ];
}
