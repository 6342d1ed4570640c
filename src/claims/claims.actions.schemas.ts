/**
 * What ops send on a claim (an answer to the carrier's request for information, an appeal of a
 * denial) and the claim guide per carrier, for the routes in claims.actions.routes.ts.
 */
import { z } from 'zod';
import { CLAIM_STATUSES } from '../../workflows/claim.contract';
import { named } from '../http/route';

/** Inline documents stay small: they travel through the workflow's history to the carrier. */
export const MAX_INLINE_ATTACHMENT_BASE64 = 262_144;

const attachment = z
  .object({
    name: z.string().trim().min(1).max(255),
    contentType: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type such as application/pdf'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    contentBase64: z
      .base64('must be base64')
      .max(MAX_INLINE_ATTACHMENT_BASE64, 'must be at most 256 KiB of base64; link larger files')
      .optional(),
  })
  .refine((a) => (a.url === undefined) !== (a.contentBase64 === undefined), {
    message: 'give either url or contentBase64',
  });

export const claimSubmissionBody = z.object({
  message: z.string().trim().min(1).max(10_000),
  attachments: z.array(attachment).max(10).default([]),
  by: z.string().trim().min(1).max(200).describe('Who sends it (ops person)'),
});
export type ClaimSubmissionBody = z.output<typeof claimSubmissionBody>;

export const claimSubmissionResponse = named(
  'ClaimSubmissionAccepted',
  z.object({
    claimId: z.string(),
    status: z.enum(CLAIM_STATUSES).describe('The claim status when it was taken'),
    request: z.number().int().optional().describe('Which request for information it answers'),
    workflowId: z.string(),
  }),
);

const anchored = z.object({ from: z.string(), duration: z.string() });

export const claimGuideResponse = named(
  'ClaimGuide',
  z.object({
    code: z.string(),
    name: z.string(),
    party: z.enum(['carrier', 'insurer']),
    scope: z.enum(['domestic', 'international', 'any']),
    deadlines: z.object({
      waitingPeriod: anchored,
      filingWindow: anchored,
      warnBefore: z.string(),
      answerWithin: z.string().describe('A request for information without a date of its own'),
      appealWithin: z.string().describe('After a denial'),
      paymentWithin: z.string().describe('After an approval'),
    }),
    liabilityCap: z.object({ amount: z.number(), currency: z.string() }),
    traceFirst: z.boolean(),
    requiredDocuments: z.array(z.string()),
    where: z.string(),
    how: z.string(),
    sources: z.array(z.string()),
    notes: z.string().optional(),
  }),
);

export const carrierGuideParams = z.object({
  code: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/i, 'must be a carrier or insurer code such as usps'),
});

export const carrierGuideQuery = z.object({
  scope: z
    .enum(['domestic', 'international'], { error: 'must be domestic or international' })
    .default('international'),
});
