import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * API keys, stored as an HMAC of the key only (docs/security.md, API key storage): the plain key is
 * shown once when it is created (or lives in the operator's API_KEYS) and never reaches the
 * database or the logs.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    /** ingest | ops | analyst | admin */
    role: text('role').notNull(),
    name: text('name').notNull(),
    /** Hex digest of the key, as `hash_scheme` says. */
    keyHash: text('key_hash').notNull(),
    /**
     * `hmac-sha256`: HMAC-SHA-256 under API_KEY_SECRET. `sha256`: plain SHA-256, rows from before
     * API_KEY_SECRET, rewritten as HMAC on their first successful use. No default: every insert
     * names its scheme (the migration gave the rows it found `sha256`).
     */
    hashScheme: text('hash_scheme').notNull(),
    /** `api` for keys created through the API, `env` for keys from API_KEYS. */
    source: text('source').notNull().default('api'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /**
     * Who revoked it: `api` (an admin, DELETE /v1/api-keys/{id}: final) or `config` (the key left
     * API_KEYS: it works again if put back).
     */
    revokedBy: text('revoked_by'),
  },
  (t) => [
    uniqueIndex('api_keys_hash_uq').on(t.keyHash),
    index('api_keys_created_idx').on(t.createdAt, t.id),
  ],
);
