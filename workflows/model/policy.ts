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
  /** Stored version of this policy, set when it is resolved from PostgreSQL. */
  version: z.number().int().positive().optional(),
});
