/**
 * The claim aggregate: the rule a claim follows, and the state the claim workflow
 * (`claim:<shipmentId>`) keeps from eligibility to a decided (or expired) claim.
 */
import { z } from 'zod';
import { CLAIM_ANCHORS, CLAIM_STATUSES, EVIDENCE_ITEMS } from './enums';
import { timestamp } from './scalars';

/** A period counted from an anchor (ISO 8601 duration). */
const anchoredPeriod = z.object({ from: z.enum(CLAIM_ANCHORS), duration: z.string() });

/** One carrier's or insurer's claim rule; durations are ISO 8601. */
export const claimRule = z.object({
  /** Carrier or insurer code the rule applies to; `*` is the fallback for any other carrier. */
  code: z.string(),
  /** Domestic (origin country = destination country), international, or both. */
  scope: z.enum(['domestic', 'international', 'any']),
  name: z.string(),
  party: z.enum(['carrier', 'insurer']),
  /** A loss may be claimed only this long after the anchor. */
  waitingPeriod: anchoredPeriod,
  /** The last moment to file, counted from its anchor. */
  filingWindow: anchoredPeriod,
  /** Ops are warned this long before the window closes if the claim is not filed by then. */
  warnBefore: z.string(),
  /** What is paid without extra insurance (carrier) or the most a policy covers (insurer). */
  liabilityCap: z.number(),
  currency: z.string(),
  /** The carrier investigates (trace / inquiry) before it takes a loss claim. */
  traceFirst: z.boolean(),
  /** How long we wait for a trace's answer before filing with the trace as it stands. */
  traceAnswerWithin: z.string(),
  /** Follow-up polling of a filed claim: first interval, doubled up to the maximum. */
  followUp: z.object({ first: z.string(), max: z.string() }),
  evidence: z.array(z.enum(EVIDENCE_ITEMS)),
  sources: z.array(z.string()),
  notes: z.string().optional(),
});

export const claimDeadlines = z.object({
  /** From when the claim may be filed. */
  eligibleAt: timestamp,
  /** When ops get a warning if the claim is still not filed. */
  warnAt: timestamp,
  /** After this the carrier or insurer no longer takes the claim. */
  windowClosesAt: timestamp,
});

/** The carrier trace opened before filing, as the claim keeps it. */
export const claimTrace = z.object({
  traceId: z.string(),
  status: z.string(),
  openedAt: timestamp,
});

/** A claim as the carrier or insurer recorded it when it was filed (`fileClaim`). */
export const claimRecord = z.object({
  claimId: z.string(),
  status: z.string(),
  amount: z.number(),
  currency: z.string(),
  filedAt: timestamp,
  /** The claim workflow (`claim:<shipmentId>`) that files and follows this claim. */
  workflowId: z.string().optional(),
  amountRecovered: z.number().optional(),
});

/** A claim's status as reported by the carrier or insurer (webhook or polling). */
export const claimUpdate = z.object({
  claimId: z.string(),
  status: z.string(),
  amountApproved: z.number().optional(),
  at: timestamp,
  detail: z.string().optional(),
  /** With `needs_info`: the carrier's deadline for our answer, when it gives one. */
  respondBy: timestamp.optional(),
});

/** The timings after filing, from the carrier's or insurer's claim guide (ISO 8601). */
export const claimTimings = z.object({
  /** How long a request for information may go unanswered when the carrier names no deadline. */
  answerWithin: z.string(),
  /** How long after a denial an appeal is taken. */
  appealWithin: z.string(),
  /** How long after an approval the money should arrive. */
  paymentWithin: z.string(),
  /** Ops are reminded this long before an answer, appeal or payment deadline passes. */
  remindBefore: z.string(),
});

/** A document ops attach to an answer or an appeal: a link, or small inline content. */
export const claimAttachment = z.object({
  name: z.string(),
  contentType: z.string(),
  url: z.string().optional(),
  contentBase64: z.string().optional(),
});

/** What ops send the carrier: an answer to its request for information, or an appeal. */
export const claimSubmission = z.object({
  message: z.string(),
  attachments: z.array(claimAttachment),
  by: z.string(),
});

/** A request for information from the carrier or insurer and what became of it. */
export const claimInfoRequest = z.object({
  askedAt: timestamp,
  asks: z.string(),
  respondBy: timestamp,
  remindedAt: timestamp.optional(),
  answeredAt: timestamp.optional(),
  answeredBy: z.string().optional(),
  attachments: z.array(z.string()).optional(),
  missedAt: timestamp.optional(),
});

/** After a denial: the appeal (ours) and its window. */
export const claimAppeal = z.object({
  deniedAt: timestamp,
  windowClosesAt: timestamp,
  remindedAt: timestamp.optional(),
  appealedAt: timestamp.optional(),
  appealedBy: z.string().optional(),
  attachments: z.array(z.string()).optional(),
  closedAt: timestamp.optional(),
});

/** A carrier's denial taken to the insurer the shipment was insured with. */
export const claimEscalation = z.object({
  insurer: z.string(),
  carrierClaimId: z.string().optional(),
  claimId: z.string(),
  amount: z.number(),
  at: timestamp,
});

/** An approval waiting for its money. */
export const claimPayment = z.object({
  approvedAt: timestamp,
  amountApproved: z.number(),
  dueBy: timestamp,
  remindedAt: timestamp.optional(),
  paidAt: timestamp.optional(),
  overdueAt: timestamp.optional(),
});

export const claimHistoryEntry = z.object({
  status: z.enum(CLAIM_STATUSES),
  at: timestamp,
  detail: z.string().optional(),
});

export const claimState = z.object({
  shipmentId: z.string(),
  /** Our claim's id (the `claims` row), once opened. */
  claimRowId: z.number().optional(),
  status: z.enum(CLAIM_STATUSES),
  /** Who the claim is filed with: the carrier or an insurer. */
  filer: z.string(),
  /** The rule the deadlines come from (resolved once, then carried). */
  rule: claimRule.optional(),
  deadlines: claimDeadlines.optional(),
  amountClaimed: z.number(),
  amountRecovered: z.number().optional(),
  currency: z.string(),
  /** The carrier's or insurer's claim id once filed. */
  externalClaimId: z.string().optional(),
  filedAt: timestamp.optional(),
  trace: claimTrace.optional(),
  warned: z.boolean(),
  history: z.array(claimHistoryEntry),
  /** Set on runs that carry a claim through to money (patch `claim-carry-through`). */
  carryThrough: z.boolean().optional(),
  timings: claimTimings.optional(),
  /** Requests for information, oldest first. */
  infoRequests: z.array(claimInfoRequest).optional(),
  appeal: claimAppeal.optional(),
  escalation: claimEscalation.optional(),
  payment: claimPayment.optional(),
});
