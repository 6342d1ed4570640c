import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, getTableColumns, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys } from '../db/schema/api-keys';
import type { ApiKey, KeyVerifier, Principal, Role } from '../http/auth';

export type { Principal };

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * SHA-256, not scrypt/argon2: our keys are 32 random bytes (and API_KEYS entries are chosen by the
 * operator as secrets of the same kind), so there is no dictionary to slow down, and a slow hash
 * would only cost CPU on every request. The digest is compared in constant time.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: a recognizable prefix (for secret scanners) and 256 random bits. */
export function generateKey(): string {
  return `pwk_${randomBytes(32).toString('base64url')}`;
}

interface CachedKey {
  id: string;
  role: Role;
  digest: Buffer;
}

/** How long another process may still accept a key revoked elsewhere. */
const REFRESH_MS = 5_000;
/** last_used_at is written at most this often per key: no write per request. */
const TOUCH_EVERY_MS = 60_000;

export interface KeyStore extends KeyVerifier {
  /** The owner of an active key by its id (a codec session names its key by id), or undefined. */
  byId(id: string): Promise<Principal | undefined>;
  create(input: { role: Role; name: string }): Promise<{ row: ApiKeyRow; key: string }>;
  /** Newest first; `cursorAt` is created_at as PostgreSQL text (microseconds kept) for paging. */
  list(q: {
    limit: number;
    after?: { createdAt: string; id: string };
  }): Promise<(ApiKeyRow & { cursorAt: string })[]>;
  revoke(id: string): Promise<ApiKeyRow | undefined>;
}

/**
 * API keys in PostgreSQL, with the active ones (hashes only) cached in memory and reloaded every
 * few seconds. Keys from API_KEYS are hashed here and upserted on first use; the plain keys are
 * dropped once hashed.
 */
export function createKeyStore(
  db: Db,
  envKeys: readonly ApiKey[],
  onError: (err: unknown, msg: string) => void = () => undefined,
): KeyStore {
  const fromEnv = envKeys.map((k) => ({ role: k.role, keyHash: hashKey(k.key) }));
  let seeded: Promise<void> | undefined;
  let cache: { at: number; keys: CachedKey[] } | undefined;
  const touched = new Map<string, number>();

  async function seedEnvKeys(): Promise<void> {
    for (const k of fromEnv) {
      // Keeps a revocation made through the API: removing the key from API_KEYS is the fix.
      await db
        .insert(apiKeys)
        .values({
          id: `key_${randomUUID()}`,
          role: k.role,
          name: `API_KEYS (${k.role})`,
          keyHash: k.keyHash,
          source: 'env',
        })
        .onConflictDoUpdate({ target: apiKeys.keyHash, set: { role: k.role } });
    }
  }

  async function active(): Promise<CachedKey[]> {
    // Retried on the next request when the database was down.
    seeded ??= seedEnvKeys().catch((err: unknown) => {
      seeded = undefined;
      throw err;
    });
    await seeded;
    if (!cache || Date.now() - cache.at > REFRESH_MS) {
      const rows = await db
        .select({ id: apiKeys.id, role: apiKeys.role, keyHash: apiKeys.keyHash })
        .from(apiKeys)
        .where(isNull(apiKeys.revokedAt));
      cache = {
        at: Date.now(),
        keys: rows.map((r) => ({
          id: r.id,
          role: r.role as Role,
          digest: Buffer.from(r.keyHash, 'hex'),
        })),
      };
    }
    return cache.keys;
  }

  function touch(id: string): void {
    const now = Date.now();
    if (now - (touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    touched.set(id, now);
    db.update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(eq(apiKeys.id, id))
      .then(
        () => undefined,
        (err: unknown) => onError(err, 'could not record the use of an API key'),
      );
  }

  return {
    async verify(key) {
      const presented = Buffer.from(hashKey(key), 'hex');
      let found: CachedKey | undefined;
      // Every key is compared, so the position of a match does not show in the timing.
      for (const k of await active()) {
        if (timingSafeEqual(presented, k.digest) && !found) found = k;
      }
      if (!found) return undefined;
      touch(found.id);
      return { id: found.id, role: found.role };
    },

    async byId(id) {
      const found = (await active()).find((k) => k.id === id);
      if (!found) return undefined;
      touch(found.id);
      return { id: found.id, role: found.role };
    },

    async create({ role, name }) {
      const key = generateKey();
      const [row] = await db
        .insert(apiKeys)
        .values({ id: `key_${randomUUID()}`, role, name, keyHash: hashKey(key), source: 'api' })
        .returning();
      cache = undefined;
      return { row: row!, key };
    },

    async list({ limit, after }) {
      return db
        .select({ ...getTableColumns(apiKeys), cursorAt: sql<string>`${apiKeys.createdAt}::text` })
        .from(apiKeys)
        .where(
          after
            ? or(
                lt(apiKeys.createdAt, sql`${after.createdAt}::timestamptz`),
                and(
                  eq(apiKeys.createdAt, sql`${after.createdAt}::timestamptz`),
                  lt(apiKeys.id, after.id),
                ),
              )
            : undefined,
        )
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(limit);
    },

    async revoke(id) {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(eq(apiKeys.id, id))
        .returning();
      cache = undefined;
      return row;
    },
  };
}
