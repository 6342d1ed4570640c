import { z } from 'zod';
import { CLAIM_STATUSES } from '../../workflows/claim.contract';
import { claimRule } from '../../workflows/model/claim';
import { isIsoDuration } from '../../workflows/durations';

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
  id: z.string().regex(/^[1-9]\d{0,9}$/, 'must be a claim id (a positive integer)'),
});

/** A claim decided outside the system (by phone, in the carrier's portal). */
export const claimOutcomeBody = z.object({
  status: z.enum(['approved', 'partially_approved', 'denied', 'paid'], {
    error: 'must be one of approved, partially_approved, denied, paid',
  }),
  // Stored as numeric(12,2).
  amountRecovered: z.number().nonnegative().max(9_999_999_999.99).optional(),
  note: z.string().max(2000).optional(),
});
export type ClaimOutcomeBody = z.output<typeof claimOutcomeBody>;
