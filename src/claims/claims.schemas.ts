import { z } from 'zod';
import { INT4_MAX } from '../http/validate';
import { CLAIM_STATUSES } from '../../workflows/claim.contract';
import { EVIDENCE_ITEMS } from '../../workflows/claim.rules';
import {
  claimDeadlines,
  claimHistoryEntry,
  claimRule,
  claimTrace,
} from '../../workflows/model/claim';
import { timestamp } from '../../workflows/model/scalars';
import {
  lineItem,
  registration,
  reshipCost,
  reviewRecord,
  verificationRecord,
} from '../../workflows/model/shipment';
import { proofOfDelivery } from '../../workflows/model/tracking';
import { page } from '../http/pagination';
import { named } from '../http/route';
import { isIsoDuration } from '../../workflows/durations';
import { claimGuideResponse } from './claims.actions.schemas';
import { CLAIM_OUTCOMES, claimActions, claimEligibility } from './claims.standing';

const duration = z.string().refine(isIsoDuration, 'must be an ISO 8601 duration such as P15D');

/** The rules every claim rule's data must meet (checked in tests): the base rule, stricter. */
export const claimRuleSchema = claimRule.safeExtend({
  code: z.string().min(1),
  name: z.string().min(1),
  waitingPeriod: claimRule.shape.waitingPeriod.safeExtend({ duration }),
  filingWindow: claimRule.shape.filingWindow.safeExtend({ duration }),
  warnBefore: duration,
  liabilityCap: z.number().positive(),
  currency: z.string().length(3),
  traceAnswerWithin: duration,
  followUp: claimRule.shape.followUp.safeExtend({ first: duration, max: duration }),
  evidence: claimRule.shape.evidence.min(1),
  sources: z.array(z.string().url()),
});

export const claimListQuery = z.object({
  status: z
    .enum(CLAIM_STATUSES, { error: `must be one of ${CLAIM_STATUSES.join(', ')}` })
    .optional(),
  carrier: z.string().trim().min(1).max(64).optional(),
  shipmentId: z.string().trim().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).optional(),
});
export type ClaimListQuery = z.output<typeof claimListQuery>;

export const claimParams = z.object({
  id: z
    .string()
    // One error per bad id: the range is checked only on a well-formed one.
    .regex(/^[1-9]\d{0,9}$/, { message: 'must be a claim id (a positive integer)', abort: true })
    .refine((s) => Number(s) <= INT4_MAX, 'must be a claim id (a positive integer)'),
});

/** A claim decided outside the system (by phone, in the carrier's portal). */
export const claimOutcomeBody = z.object({
  status: z.enum(CLAIM_OUTCOMES, {
    error: 'must be one of approved, partially_approved, denied, paid',
  }),
  // Stored as numeric(12,2).
  amountRecovered: z.number().nonnegative().max(9_999_999_999.99).optional(),
  note: z.string().max(2000).optional(),
});
export type ClaimOutcomeBody = z.output<typeof claimOutcomeBody>;

/* The answers (response schemas, named as OpenAPI components). */

/** GET /v1/claims/{id}/evidence: what the claim is filed with. */
export const evidencePackageResponse = named(
  'EvidencePackage',
  z.object({
    claim: z.object({
      shipmentId: z.string(),
      filer: z.string(),
      party: claimRule.shape.party,
      rule: z.string(),
      reason: z.string(),
      amountClaimed: z.number(),
      currency: z.string(),
      preparedAt: timestamp,
    }),
    order: z
      .object({
        orderId: z.string(),
        marketplace: z.string().optional(),
        items: z.array(lineItem),
        customer: z.string(),
      })
      .optional(),
    paymentReference: z
      .object({
        reference: z
          .string()
          .describe('As the order system or shop gave it; "not provided" when neither did'),
        source: z.enum(['registration', 'shop', 'not provided']),
        orderId: z.string(),
        orderName: z.string().optional(),
        shopOrderId: z.string().optional(),
        platform: z.string().optional(),
        marketplace: z.string().optional(),
      })
      .optional(),
    declaredValue: z.object({ amount: z.number(), currency: z.string() }).optional(),
    costs: z
      .object({
        goods: z.number().describe('The order lines: quantity × unit price'),
        declaredValue: z.number(),
        replacement: reshipCost.optional().describe('What the reship cost, when there was one'),
        currency: z.string(),
      })
      .optional(),
    verification: verificationRecord
      .optional()
      .describe("The carrier's answer when we checked the parcel with it, and when"),
    decision: reviewRecord.optional().describe('The decision on the parcel, who took it and when'),
    messages: z
      .array(
        z.object({
          at: timestamp,
          direction: z.enum(['from_customer', 'to_customer']),
          channel: z.string(),
          kind: z.string().optional(),
          subject: z.string().optional(),
          text: z.string(),
        }),
      )
      .optional()
      .describe('Every message from and to the customer, oldest first'),
    draft: z
      .boolean()
      .optional()
      .describe('A preview built from what we hold now, before the claim is eligible or filed'),
    label: registration
      .pick({
        carrier: true,
        trackingNumber: true,
        service: true,
        shippedAt: true,
        expectedDeliveryAt: true,
      })
      // Origin and destination as one line of text each.
      .extend({ origin: z.string(), destination: z.string() })
      .optional(),
    trackingHistory: z.array(
      z.object({
        at: timestamp,
        status: z.string(),
        description: z.string().optional(),
        location: z.string().optional(),
        source: z.string(),
      }),
    ),
    carrierTrace: claimTrace.optional(),
    customerMessages: z.array(
      z.object({ at: timestamp, channel: z.string(), message: z.string() }),
    ),
    notificationsSent: z.array(z.object({ at: timestamp, kind: z.string() })),
    proofOfDelivery: proofOfDelivery.optional(),
    required: z.array(z.enum(EVIDENCE_ITEMS)),
    missing: z.array(z.enum(EVIDENCE_ITEMS)),
  }),
);

const claimFields = {
  id: z.string(),
  shipmentId: z.string(),
  workflowId: z.string().optional(),
  carrier: z.string(),
  filer: z.string(),
  rule: z.string().optional(),
  trackingNumber: z.string(),
  reason: z.string(),
  status: z.string(),
  externalClaimId: z
    .string()
    .optional()
    .describe("The carrier's or insurer's own claim number once filed; id is ours"),
  amounts: z.object({
    claimed: z.number(),
    recovered: z.number().optional(),
    currency: z.string(),
  }),
  deadlines: claimDeadlines.partial(),
  filedAt: timestamp.optional(),
  decidedAt: timestamp.optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
  links: z.object({
    self: z.string(),
    evidence: z.string(),
    evidencePdf: z.string(),
    shipment: z.string().describe('Its shipment (GET /v1/shipments/{id})'),
  }),
  eligibility: claimEligibility,
  actions: claimActions.describe('What can be done with the claim now'),
};
export const claimSummaryResponse = named('ClaimSummary', z.object(claimFields));
export const claimListResponse = named('ClaimPage', page(claimSummaryResponse));
export const claimResponse = named(
  'Claim',
  z.object({
    ...claimFields,
    trace: z.looseObject({}).optional().describe('The carrier trace opened before filing'),
    // The read model's history keeps the status as the carrier or insurer reported it.
    history: z.array(claimHistoryEntry.extend({ status: z.string() })),
    evidence: evidencePackageResponse
      .optional()
      .describe('The evidence package, once the claim is eligible (GET …/evidence)'),
    guide: claimGuideResponse.describe(
      'How to claim with whoever it is filed with: deadlines, documents, where and how, appeal window',
    ),
  }),
);
