import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * API keys, stored as the SHA-256 of the key only: the plain key is shown once when it is created
 * (or lives in the operator's API_KEYS) and never reaches the database or the logs.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    /** ingest | ops | analyst | admin */
    role: text('role').notNull(),
    name: text('name').notNull(),
    /** Hex SHA-256 of the key. */
    keyHash: text('key_hash').notNull(),
    /** `api` for keys created through the API, `env` for keys from API_KEYS. */
    source: text('source').notNull().default('api'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_hash_uq').on(t.keyHash),
    index('api_keys_created_idx').on(t.createdAt, t.id),
  ],
);
