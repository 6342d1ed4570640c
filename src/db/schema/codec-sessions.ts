import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Codec sessions ended before their expiry (DELETE /codec/session). A session token proves
 * itself by its signature; this list is what every API replica checks to refuse one that was
 * ended. A row is useless once its session expired and is pruned then.
 */
export const codecSessionRevocations = pgTable(
  'codec_session_revocations',
  {
    /** The `sid` claim of the session token (random). */
    sessionId: text('session_id').primaryKey(),
    /** When the session would have expired anyway. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('codec_session_revocations_expires_idx').on(t.expiresAt)],
);
