/**
 * The shipment workflow's contract: names, messages, input and state types.
 * API, worker and tests import from here; nothing names a workflow, signal or query by a literal.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import type { policy } from './model/policy';
import type * as shipment from './model/shipment';
import type * as tracking from './model/tracking';

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

export {
  DESCRIPTION_FINDINGS,
  INQUIRY_INTENTS,
  MESSAGE_CHANNELS,
  NOTIFICATION_KINDS,
  RESOLUTIONS,
  REVIEW_DECISIONS,
  STAGES,
  SUMMARY_STATUSES,
  SUSPICION_REASONS,
  TRACKING_STATUSES,
  VERIFICATION_OUTCOMES,
} from './model/enums';
export type {
  DescriptionFinding,
  InquiryIntent,
  MessageChannel,
  NotificationKind,
  Resolution,
  ReviewDecision,
  Stage,
  SummaryStatus,
  SuspicionReason,
  TrackingStatus,
  VerificationOutcome,
} from './model/enums';

// The shapes are zod schemas under model/ (the API validates and documents them from there);
// the workflow takes only their types, so zod stays out of the workflow bundle.
export type Location = z.output<typeof tracking.location>;
export type TrackingEvent = z.output<typeof tracking.trackingEvent>;
/** What the carrier holds as proof of delivery (photo, signature, GPS), recorded as evidence. */
export type ProofOfDeliveryRecord = z.output<typeof tracking.proofOfDelivery>;
export type DescriptionFindingRecord = z.output<typeof tracking.descriptionFinding>;
/** A provider's word on the whole tracking (overall status, proof of delivery). */
export type TrackingSummary = z.output<typeof tracking.trackingSummary>;
export type CarrierSummary = z.output<typeof shipment.carrierSummary>;
export type Address = z.output<typeof shipment.address>;
export type LineItem = z.output<typeof shipment.lineItem>;
/** What a backend system registers; the workflow's input together with the resolved policy. */
export type ShipmentRegistration = z.output<typeof shipment.registration>;
/** A policy with its ISO 8601 durations, as stored and as the workflow keeps it. */
export type Policy = z.output<typeof policy>;
export type SuspicionEvidence = z.output<typeof shipment.suspicionEvidence>;
export type Suspicion = z.output<typeof shipment.suspicion>;
export type VerificationRecord = z.output<typeof shipment.verificationRecord>;
/** One customs episode: from entering customs until the parcel leaves it. */
export type CustomsEpisode = z.output<typeof shipment.customsEpisode>;
export type InquiryRecord = z.output<typeof shipment.inquiryRecord>;
export type ReviewRecord = z.output<typeof shipment.reviewRecord>;
export type ReshipRecord = z.output<typeof shipment.reshipRecord>;
export type ReshipCost = z.output<typeof shipment.reshipCost>;
/** A refund as recorded by `issueRefund`. */
export type RefundRecord = z.output<typeof shipment.refundRecord>;
/** The claim the shipment handed to its claim workflow, as it stood at the hand-over. */
export type ClaimHandOff = z.output<typeof shipment.claimHandOff>;
export type NotificationRecord = z.output<typeof shipment.notificationRecord>;
export type TimelineEntry = z.output<typeof shipment.timelineEntry>;
export type Deadlines = z.output<typeof shipment.deadlines>;
export type ShipmentState = z.output<typeof shipment.shipmentState>;
export type ReviewInput = z.output<typeof shipment.reviewInput>;
export type ReviewResult = z.output<typeof shipment.reviewResult>;
export type CustomerInquiry = z.output<typeof shipment.customerInquiry>;

/** An event id the workflow has taken, with when the scan happened (to bound what is carried). */
export type SeenEvent = Pick<TrackingEvent, 'eventId' | 'occurredAt'>;

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

/** The workflow's signature, for starting, continuing and typing it without importing it. */
export type ShipmentWorkflow = (input: ShipmentWorkflowInput) => Promise<ShipmentState>;

export const trackingEventsSignal = defineSignal<[TrackingEvent[]]>('trackingEvents');
/** The provider's word on the whole tracking; sent after the same delivery's events. */
export const trackingSummarySignal = defineSignal<[TrackingSummary]>('trackingSummary');
export const customerInquirySignal = defineSignal<[CustomerInquiry]>('customerInquiry');
export const cancelSignal = defineSignal<[{ reason: string }]>('cancel');
/** The shop changed the parcel's tracking number (or carrier): watch the new one from now on. */
export interface TrackingChange {
  carrier: string;
  trackingNumber: string;
  /** Why, for the timeline (e.g. `shopify fulfillments/update`). */
  source: string;
}
export const trackingChangedSignal = defineSignal<[TrackingChange]>('trackingChanged');
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
