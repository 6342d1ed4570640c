/** A detection policy with its ISO 8601 durations, as stored and as the workflow keeps it. */
import { z } from 'zod';
import { REVIEW_DECISIONS, type TrackingStatus } from './enums';

/**
 * Keyed by tracking status. Documented as a plain string record (the API checks the keys against
 * the statuses that can stall); typed by status so the workflow looks thresholds up by status.
 */
const stallAfter = z
  .record(z.string(), z.string())
  .describe('Tracking status → ISO 8601 duration') as z.ZodType<
  Partial<Record<TrackingStatus, string>>,
  Record<string, string>
>;

/**
 * The mail situations a policy's compensation can be granted for: the loss-related customer mails
 * (a delay notice, a delay notice saying the carrier declared the parcel lost, the reship notice
 * and the refund notice). Their built-in texts carry the compensation line.
 */
export const COMPENSATION_SITUATIONS = [
  'delay_notice',
  'carrier_lost',
  'reshipped',
  'refunded',
] as const;
export type CompensationSituation = (typeof COMPENSATION_SITUATIONS)[number];

/** What a customer is offered for the trouble: a coupon with its code, or a gift described. */
export const compensationOffer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('coupon'), code: z.string() }),
  z.object({ kind: z.literal('gift'), description: z.string() }),
]);

/**
 * How customer mails of the policy's shipments read: the sender (when their shop names none) and
 * the compensation offered (when their registration offers none). Mail data only: the workflow
 * never acts on it.
 */
export const customerCare = z.object({
  senderName: z.string().optional(),
  replyTo: z.string().optional(),
  compensation: compensationOffer.optional(),
  /** Where the compensation line goes; without it, every situation of COMPENSATION_SITUATIONS. */
  compensationFor: z.array(z.enum(COMPENSATION_SITUATIONS)).optional(),
});

export type CustomerCare = z.output<typeof customerCare>;
export type CompensationOffer = z.output<typeof compensationOffer>;

export const policy = z.object({
  name: z.string(),
  stallAfter,
  overdueGrace: z.string(),
  inquirySurge: z.object({ count: z.number().int().positive(), window: z.string() }),
  reviewSla: z.string(),
  autoDecision: z.object({
    /** Shipments declared at or under this value are decided automatically when the SLA passes; 0 = never. */
    maxDeclaredValue: z.number(),
    decision: z.enum(REVIEW_DECISIONS),
  }),
  deliveredWatch: z.string(),
  claimWait: z.string(),
  /** Failed delivery attempts after which the parcel is suspicious (default 3). */
  maxFailedAttempts: z.number().int().positive().optional(),
  /** Sender and compensation of the customer mails (read when a mail is written and sent). */
  customerCare: customerCare.optional(),
  /** Stored version of this policy, set when it is resolved from PostgreSQL. */
  version: z.number().int().positive().optional(),
});
