import { z } from 'zod';
import { timestamp } from '../../workflows/model/scalars';
import { DECIDED_STATUSES } from './claims.eligibility';
import type { claims } from '../db/schema/claims';

/**
 * Where a claim stands for the people working it: may it be filed now (and if not, why and from
 * when), and what can be done with it right now. Computed from the read-model row at answer time,
 * so a page never offers a button the API would then refuse.
 */
export const claimEligibility = z.object({
  eligibleNow: z.boolean().describe('The carrier or insurer takes the claim now'),
  eligibleFrom: timestamp
    .optional()
    .describe('From when it may be filed (the end of the waiting period)'),
  windowClosesAt: timestamp.optional().describe('After this it is no longer taken'),
  notEligibleBecause: z
    .object({
      code: z.enum(['claim.waiting_period', 'claim.window_closed', 'claim.no_deadlines']),
      detail: z.string(),
    })
    .optional()
    .describe('Why it may not be filed now (absent when eligibleNow)'),
});

type ClaimRow = typeof claims.$inferSelect;

/** The outcomes ops may record on a claim (POST /v1/claims/{id}/outcome). */
export const CLAIM_OUTCOMES = ['approved', 'partially_approved', 'denied', 'paid'] as const;
type Outcome = (typeof CLAIM_OUTCOMES)[number];

export const claimActions = z.object({
  recordOutcome: z.object({
    possible: z.boolean(),
    method: z.literal('POST'),
    href: z.string(),
    statuses: z
      .array(z.enum(CLAIM_OUTCOMES))
      .describe('The outcomes that can still be recorded (an approval can still become paid)'),
    reason: z.string().optional().describe('Why not, when not possible'),
  }),
  evidence: z.object({
    ready: z.boolean().describe('The evidence package is built (JSON and PDF answer 200)'),
    href: z.string(),
    pdf: z.string(),
    reason: z.string().optional().describe('Why not yet, when not ready'),
  }),
});

const DECIDED: readonly string[] = DECIDED_STATUSES;

function eligibility(row: ClaimRow, now: Date): z.input<typeof claimEligibility> {
  const from = row.eligibleAt?.toISOString();
  const closes = row.windowClosesAt?.toISOString();
  const dates = {
    ...(from ? { eligibleFrom: from } : {}),
    ...(closes ? { windowClosesAt: closes } : {}),
  };
  if (!row.eligibleAt) {
    return {
      eligibleNow: false,
      ...dates,
      notEligibleBecause: {
        code: 'claim.no_deadlines',
        detail: 'No claim rule has set this claim’s deadlines yet.',
      },
    };
  }
  if (row.status === 'expired' || (row.windowClosesAt && now >= row.windowClosesAt)) {
    return {
      eligibleNow: false,
      ...dates,
      notEligibleBecause: {
        code: 'claim.window_closed',
        detail: `The filing window closed at ${closes ?? 'its deadline'}; the carrier no longer takes this claim.`,
      },
    };
  }
  if (now < row.eligibleAt) {
    return {
      eligibleNow: false,
      ...dates,
      notEligibleBecause: {
        code: 'claim.waiting_period',
        detail: `The carrier takes the claim from ${from}, when its waiting period ends.`,
      },
    };
  }
  return { eligibleNow: true, ...dates };
}

/** The outcomes the repository still accepts (see recordOutcome: only an approval may become paid). */
function recordable(status: string): Outcome[] {
  if (!DECIDED.includes(status)) return [...CLAIM_OUTCOMES].filter((o) => o !== status);
  if (status === 'approved' || status === 'partially_approved') return ['paid'];
  return [];
}

function actions(row: ClaimRow, evidenceReady: boolean): z.input<typeof claimActions> {
  const self = `/v1/claims/${row.id}`;
  const statuses = recordable(row.status);
  return {
    recordOutcome: {
      possible: statuses.length > 0,
      method: 'POST',
      href: `${self}/outcome`,
      statuses,
      ...(statuses.length
        ? {}
        : { reason: `The claim is already ${row.status.replace(/_/g, ' ')}.` }),
    },
    evidence: {
      ready: evidenceReady,
      href: `${self}/evidence`,
      pdf: `${self}/evidence.pdf`,
      ...(evidenceReady
        ? {}
        : {
            reason: row.eligibleAt
              ? `The evidence package is built when the claim becomes eligible (from ${row.eligibleAt.toISOString()}).`
              : 'The evidence package is built when the claim becomes eligible.',
          }),
    },
  };
}

export function claimStanding(row: ClaimRow, evidenceReady: boolean, now = new Date()) {
  return { eligibility: eligibility(row, now), actions: actions(row, evidenceReady) };
}
