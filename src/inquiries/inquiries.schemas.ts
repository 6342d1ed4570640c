import { z } from 'zod';
import { INQUIRY_INTENTS } from '../../workflows/model/enums';
import { named } from '../http/route';
import { instant } from '../shipments/shipments.schemas';

/**
 * What an inbound-mail webhook (SendGrid Inbound Parse, Mailgun routes, Postmark inbound, or a
 * small adapter in front of them) posts for one received e-mail.
 */
export const inboundEmailBody = z.object({
  from: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(512)
    .describe('Sender, "Name <address>" or a bare address'),
  to: z.string().trim().min(1, 'must not be empty').max(2000),
  subject: z.string().max(2000).default(''),
  text: z.string().max(100_000).default(''),
  messageId: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(998)
    .describe('The Message-ID header'),
  receivedAt: instant.optional(),
});
export type InboundEmailBody = z.output<typeof inboundEmailBody>;

const ADDRESS = z.email();

/** The bare address of a From header, or undefined when there is none. */
export function senderAddress(from: string): string | undefined {
  const bracketed = /<([^<>\s]+)>/.exec(from)?.[1];
  const candidate = (bracketed ?? from).trim().toLowerCase();
  return ADDRESS.safeParse(candidate).success ? candidate : undefined;
}

/** Two addresses are the same mailbox: compared trimmed and case-insensitively. */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/* The answers (response schemas, named as OpenAPI components). */

export const inquiryOutcomeResponse = named(
  'InquiryOutcome',
  z.object({
    shipmentId: z.string(),
    inquiryId: z.string(),
    intent: z.enum(INQUIRY_INTENTS),
    language: z.string().optional().describe('Detected language, when the classifier found one'),
    action: z.enum(['replied', 'routed_to_ops']),
    duplicate: z.boolean(),
    signalled: z.boolean().describe('false when the workflow had already closed'),
  }),
);
