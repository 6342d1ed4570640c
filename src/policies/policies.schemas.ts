import { z } from 'zod';
import { page, pageQuery } from '../http/pagination';
import { named } from '../http/route';
import { int4Key, int4Param } from '../http/validate';
import { isIsoDuration, parseIsoDuration } from '../../workflows/durations';
import { STALLABLE_STATUSES } from '../../workflows/policy';
import {
  COMPENSATION_SITUATIONS,
  customerCare as baseCustomerCare,
  policy,
} from '../../workflows/model/policy';
import { timestamp } from '../../workflows/model/scalars';
import type { Policy } from '../../workflows/shipment.contract';

export const POLICY_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const policyName = z
  .string()
  .regex(POLICY_NAME, 'must be 1-63 characters: lower-case letters, digits, ".", "_" or "-"');

const duration = z
  .string()
  .refine(isIsoDuration, 'must be an ISO 8601 duration such as P7D, PT12H or PT30S')
  .describe('ISO 8601 duration, e.g. P7D or PT30S');

const positiveDuration = duration.refine(
  (d) => !isIsoDuration(d) || parseIsoDuration(d) > 0,
  'must be longer than zero',
);

const allowedStatuses = STALLABLE_STATUSES.join(', ');

/** Per tracking status, how long without a new scan before a parcel is stalled. */
const stallAfter = z
  .record(z.string(), positiveDuration)
  .describe(`Keys: ${STALLABLE_STATUSES.join(', ')}`)
  .superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (!(STALLABLE_STATUSES as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" is not a status that can stall; allowed: ${allowedStatuses}`,
        });
      }
    }
  });

const careText = (max: number) => z.string().trim().min(1).max(max);

/**
 * Sender and compensation of the policy's customer mails: a sender name and reply-to address for
 * shipments whose shop names none, a coupon or a gift for shipments registered without one, and
 * the situations the compensation line goes into.
 */
const customerCare = baseCustomerCare
  .safeExtend({
    senderName: careText(200)
      .optional()
      .describe('The name customers see as the sender when the shop names none'),
    replyTo: z
      .email('must be an e-mail address')
      .max(320)
      .optional()
      .describe('Where customers’ answers go when the shop names no address'),
    compensation: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('coupon'), code: careText(64) }),
        z.strictObject({ kind: z.literal('gift'), description: careText(200) }),
      ])
      .optional()
      .describe('A coupon (its code) or a gift (what it is) offered for the trouble'),
    compensationFor: z
      .array(z.enum(COMPENSATION_SITUATIONS))
      .min(1)
      .max(COMPENSATION_SITUATIONS.length)
      .optional()
      .describe(
        `Mails that carry the compensation line; default all of ${COMPENSATION_SITUATIONS.join(', ')}`,
      ),
  })
  .strict()
  .superRefine((care, ctx) => {
    const seen = new Set<string>();
    care.compensationFor?.forEach((situation, i) => {
      if (seen.has(situation))
        ctx.addIssue({
          code: 'custom',
          path: ['compensationFor', i],
          message: `"${situation}" is listed twice`,
        });
      seen.add(situation);
    });
    if (care.compensationFor && !care.compensation)
      ctx.addIssue({
        code: 'custom',
        path: ['compensationFor'],
        message: 'names where a compensation goes, but there is no compensation',
      });
  });

/**
 * A policy as sent to PUT /v1/policies/{name}: the base policy's fields (its stored `version` is
 * ours to set) with the duration and range rules; `name` may be omitted (the path names it).
 */
export const policyBody = policy
  .omit({ version: true })
  .safeExtend({
    stallAfter,
    overdueGrace: duration,
    inquirySurge: policy.shape.inquirySurge.safeExtend({ window: positiveDuration }).strict(),
    reviewSla: positiveDuration,
    autoDecision: policy.shape.autoDecision
      .safeExtend({ maxDeclaredValue: z.number().nonnegative() })
      .strict(),
    deliveredWatch: duration,
    claimWait: duration,
    maxFailedAttempts: z.number().int().min(1).optional(),
    customerCare: customerCare.optional(),
  })
  // Optional in a request (its input widens the base's, so not a safeExtend).
  .extend({ name: policyName.optional() })
  .strict();
export type PolicyBody = z.output<typeof policyBody>;

export const policyParams = z.object({ name: policyName });

export const policiesQuery = pageQuery;
/** Policies page on their name. */
export const policiesCursor = z.tuple([z.string().min(1).max(63)]);
export const policyVersionsQuery = pageQuery;
/** Versions page oldest first on their number. */
export const policyVersionsCursor = z.tuple([int4Key]);

export function toPolicy(name: string, body: PolicyBody): Policy {
  return {
    name,
    stallAfter: body.stallAfter,
    overdueGrace: body.overdueGrace,
    inquirySurge: body.inquirySurge,
    reviewSla: body.reviewSla,
    autoDecision: body.autoDecision,
    deliveredWatch: body.deliveredWatch,
    claimWait: body.claimWait,
    ...(body.maxFailedAttempts !== undefined ? { maxFailedAttempts: body.maxFailedAttempts } : {}),
    ...(body.customerCare ? { customerCare: body.customerCare } : {}),
  };
}

export const policyVersionParams = z.object({
  name: policyName,
  version: int4Param,
});

/** POST /v1/shipments/{id}/policy:refresh: re-resolve the shipment's own policy, or switch. */
export const policyRefreshBody = z.strictObject({ policy: policyName.optional() });

/* The answers (response schemas, named as OpenAPI components). */

export const policyResponse = named(
  'Policy',
  z.object({
    name: policy.shape.name,
    version: policy.shape.version.unwrap(),
    updatedAt: timestamp,
    policy,
  }),
);
export const policyListResponse = named('PolicyPage', page(policyResponse));
