import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The API's rate limit counters, shared by every API process (a counter in one process's memory
 * would let a client through once per replica, and a restart would forget it). One row per
 * counted key, its limiter's prefix included. A row whose `reset_at` has passed counts nothing
 * and is deleted by its limiter now and then. The table is UNLOGGED (migration 0015, which
 * drizzle's schema cannot say): a crash or failover of the database empties it.
 */
export const rateLimitHits = pgTable(
  'rate_limit_hits',
  {
    /** The limiter's prefix and the client's key, e.g. `api:customer-link:<token>`. */
    key: text('key').primaryKey(),
    /** Requests counted in the current window (a token bucket: the tokens its last take got). */
    hits: integer('hits').notNull(),
    /** When the count is back to nothing: the window's end (a token bucket: when it is full). */
    resetAt: timestamp('reset_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('rate_limit_hits_reset_at_idx').on(t.resetAt)],
);
