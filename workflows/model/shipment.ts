/**
 * The shipment aggregate: what a backend registers, and the state its workflow keeps (queried,
 * snapshotted into the read model, carried over on continue-as-new).
 */
import { z } from 'zod';
import {
  CLAIM_REASONS,
  INQUIRY_INTENTS,
  MESSAGE_CHANNELS,
  NOTIFICATION_KINDS,
  NOTIFICATION_STATUSES,
  REFUND_STATUSES,
  RESOLUTIONS,
  REVIEW_DECISIONS,
  STAGES,
  SUSPICION_REASONS,
  VERIFICATION_OUTCOMES,
} from './enums';
import { policy } from './policy';
import { count, timestamp } from './scalars';
import { descriptionFinding, proofOfDelivery, trackingEvent, trackingSummary } from './tracking';

export const address = z.object({
  country: z.string(),
  name: z.string(),
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  region: z.string().optional(),
  postalCode: z.string(),
});

export const lineItem = z.object({
  sku: z.string(),
  quantity: z.number(),
  unitPrice: z.number(),
  /** The product's name as the shop shows it. */
  title: z.string().optional(),
  /** The shop's product variant, so a replacement order names the same product. */
  variantId: z.string().optional(),
});

/** Where a shipment came from in a connected shop (set by shop intake, never by a request). */
export const shopOrderRef = z.object({
  shopId: z.string(),
  platform: z.enum(['shopify', 'woocommerce']),
  /** The shop's order id (Shopify GID or numeric id, WooCommerce order number). */
  orderId: z.string(),
  /** The order's display name (#1001). */
  orderName: z.string().optional(),
  /** The shop's fulfillment (Shopify) or tracking item (WooCommerce) this shipment is. */
  fulfillmentId: z.string().optional(),
});

export const origin = z.object({ country: z.string(), warehouseId: z.string().optional() });
export const customer = z.object({ name: z.string(), email: z.string(), locale: z.string() });

/** What a backend system registers; the workflow's input together with the resolved policy. */
export const registration = z.object({
  shipmentId: z.string(),
  orderId: z.string(),
  marketplace: z.string().optional(),
  carrier: z.string(),
  trackingNumber: z.string(),
  service: z.string().optional(),
  policy: z.string(),
  origin,
  destination: address,
  customer,
  items: z.array(lineItem),
  currency: z.string(),
  declaredValue: z.number(),
  shippedAt: timestamp,
  expectedDeliveryAt: timestamp.optional(),
  /** Set on a replacement: the shipment it replaces (`X` for `X~R1`). */
  replacementOf: z.string().optional(),
  /** The shop order it came from, for shipments of a connected shop. */
  shop: shopOrderRef.optional(),
  /** How the customer wants to hear from us (default email). */
  preferredChannel: z.enum(MESSAGE_CHANNELS).optional(),
  /**
   * The payment's reference as the order system gave it (transaction or payment id), quoted as
   * is in claim evidence.
   */
  paymentReference: z.string().max(200).optional(),
  /** What the seller gives the customer for the trouble, quoted in customer messages. */
  compensation: z.object({ couponCode: z.string() }).optional(),
  /**
   * Cover bought beyond the carrier's liability: the claim goes to the carrier first, and a
   * denial is taken to this insurer for up to `amount`.
   */
  insurance: z
    .object({ insurer: z.string().min(1).max(100), amount: z.number().positive() })
    .optional(),
});

export const suspicionEvidence = z.object({
  /** Delivered-not-received: what the carrier showed when asked, or `null` when it had none. */
  proofOfDelivery: proofOfDelivery.nullable().optional(),
  /** The inquiries behind an inquiry surge or a delivered-not-received report. */
  inquiryIds: z.array(z.string()).optional(),
  failedAttempts: count.optional(),
  /** A description rule that read the carrier's words as a loss, damage, seizure… */
  finding: descriptionFinding.optional(),
});

export const suspicion = z.object({
  reason: z.enum(SUSPICION_REASONS),
  detectedAt: timestamp,
  detail: z.string().optional(),
  evidence: suspicionEvidence.optional(),
});

export const verificationRecord = z.object({
  outcome: z.enum(VERIFICATION_OUTCOMES),
  at: timestamp,
  detail: z.string(),
});

/** One customs episode: from entering customs until the parcel leaves it. */
export const customsEpisode = z.object({
  episode: count,
  enteredAt: timestamp,
  /** The episode whose customer notice was sent (once per episode). */
  noticeSentFor: count.optional(),
});

export const inquiryRecord = z.object({
  inquiryId: z.string(),
  receivedAt: timestamp,
  intent: z.enum(INQUIRY_INTENTS).optional(),
});

export const reviewRecord = z.object({
  /** The review round this decision closed. */
  round: count.optional(),
  decision: z.enum(REVIEW_DECISIONS),
  reviewer: z.string(),
  decidedAt: timestamp,
  automatic: z.boolean(),
  note: z.string().optional(),
});

/** What a replacement cost: goods + postage + insurance premium. */
export const reshipCost = z.object({
  goods: z.number(),
  postage: z.number(),
  insurance: z.number(),
  total: z.number(),
  currency: z.string(),
});

export const reshipRecord = z.object({
  shipmentId: z.string(),
  workflowId: z.string(),
  carrier: z.string(),
  trackingNumber: z.string(),
  warehouseId: z.string(),
  labelId: z.string(),
  reservationId: z.string(),
  /** The chosen channel as `carrier/service` and why (from chooseReshipChannel). */
  channel: z.string().optional(),
  channelReason: z.string().optional(),
  insured: z.boolean().optional(),
  cost: reshipCost.optional(),
  /** The replacement order created in the shop, for shipments of a connected shop. */
  shopOrder: z
    .object({ shopId: z.string(), orderId: z.string(), orderName: z.string().optional() })
    .optional(),
});

/** A refund as recorded by `issueRefund`. */
export const refundRecord = z.object({
  amount: z.number(),
  currency: z.string(),
  recordedAt: timestamp,
  status: z.enum(REFUND_STATUSES).optional(),
  /** The order system's reference for the refund. */
  reference: z.string().optional(),
  /** The connected shop that paid it, when it went through the shop. */
  shopId: z.string().optional(),
  note: z.string().optional(),
});

/** The claim the shipment handed to its claim workflow, as it stood at the hand-over. */
export const claimHandOff = z.object({
  /** `claim:<shipmentId>`: it files the claim, follows it up and holds its live status. */
  workflowId: z.string(),
  /** The claim's status when the shipment closed (`pending_eligibility`). */
  status: z.string(),
  reason: z.enum(CLAIM_REASONS),
  startedAt: timestamp,
});

export const notificationRecord = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  channel: z.enum(MESSAGE_CHANNELS),
  to: z.string(),
  locale: z.string(),
  /** When it was sent; for a `queued` message, when it was handed to the outbox. */
  sentAt: timestamp,
  status: z.enum(NOTIFICATION_STATUSES).optional(),
});

export const timelineEntry = z.object({ at: timestamp, kind: z.string(), detail: z.string() });

export const deadlines = z.object({
  stallAt: timestamp.optional(),
  overdueAt: timestamp.optional(),
  reviewSlaAt: timestamp.optional(),
  deliveredWatchUntil: timestamp.optional(),
});

/** The provider's word on the whole tracking, as the workflow took it in. */
export const carrierSummary = trackingSummary.safeExtend({
  /** When the workflow learned it. */
  receivedAt: timestamp,
  /** The scans it had taken in by then: a newer scan puts the summary out of force. */
  eventCountAt: count,
});

export const cancellation = z.object({ reason: z.string(), at: timestamp });

export const shipmentState = z.object({
  shipmentId: z.string(),
  stage: z.enum(STAGES),
  resolution: z.enum(RESOLUTIONS).optional(),
  policy,
  registeredAt: timestamp,
  lastEvent: trackingEvent.optional(),
  eventCount: count,
  /** The provider's last word on the whole tracking (overall status, proof of delivery). */
  carrierSummary: carrierSummary.optional(),
  suspicion: suspicion.optional(),
  deadlines,
  /** Multiplier applied to stall thresholds after `keep_waiting` decisions. */
  thresholdFactor: z.number(),
  review: reviewRecord.optional(),
  reviewRound: count,
  reship: reshipRecord.optional(),
  refund: refundRecord.optional(),
  claim: claimHandOff.optional(),
  /** Why the open review came back after a decision could not be carried out (no stock, a refused label or refund). */
  reopenedBecause: z.string().optional(),
  notifications: z.array(notificationRecord),
  timeline: z.array(timelineEntry),
  cancelled: cancellation.optional(),
  /** The delivery estimate in force: registered, or revised by a scan or a carrier lookup. */
  expectedDeliveryAt: timestamp.optional(),
  /** Stall and overdue clocks restart here (`keep_waiting`, or verification found movement). */
  clockRestartedAt: timestamp.optional(),
  /** Facts up to here were reviewed (`keep_waiting`): they do not trigger a suspicion again. */
  reviewedUpTo: timestamp.optional(),
  /** failed_attempt scans since the last review. */
  failedAttempts: count.optional(),
  customs: customsEpisode.optional(),
  /** Recent customer inquiries (bounded), for the surge and delivered-not-received rules. */
  inquiries: z.array(inquiryRecord).optional(),
  /** The last verification with the carrier and what it found. */
  verification: verificationRecord.optional(),
  /** The review round whose SLA ran out (the ops alert went out for it). */
  escalatedRound: count.optional(),
});

/** A reviewer's decision, as the review update and signal carry it. */
export const reviewInput = z.object({
  decision: z.enum(REVIEW_DECISIONS),
  reviewer: z.string(),
  note: z.string().optional(),
  /** The review round the reviewer saw; a decision for a closed round is a duplicate or refused. */
  round: z.number().optional(),
});

export const reviewResult = z.object({
  stage: z.enum(STAGES),
  decision: z.enum(REVIEW_DECISIONS),
  /** True when this decision had already been taken (same decision arriving twice). */
  duplicate: z.boolean().describe('The same decision had already been taken'),
});

export const customerInquiry = z.object({
  inquiryId: z.string(),
  channel: z.string(),
  message: z.string(),
  receivedAt: timestamp,
  locale: z.string().optional(),
  /** Classified by the API before signalling (rules in src/inquiries); absent means unclassified. */
  intent: z.enum(INQUIRY_INTENTS).optional(),
});
