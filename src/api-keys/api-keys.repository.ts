import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  and,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  lt,
  notInArray,
  or,
  sql,
} from 'drizzle-orm';
import { DEV_API_KEY } from '../config';
import type { Db } from '../db/client';
import { apiKeys } from '../db/schema/api-keys';
import type { ApiKey, KeyVerifier, Principal, Role } from '../http/auth';
import { safeEqual } from '../http/safe-equal';

export type { Principal };

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export type HashScheme = 'hmac-sha256' | 'sha256';

/**
 * How keys are stored (docs/security.md, API key storage): HMAC-SHA-256 under API_KEY_SECRET, so
 * that a copy of the table without the secret does not let anyone test guesses (API_KEYS entries
 * are chosen by operators and may be weak). Not scrypt/argon2: our own keys are 32 random bytes,
 * and a slow hash would cost CPU on every request. `secrets[0]` hashes; the others (an old secret
 * while rotating) and plain SHA-256 (rows from before API_KEY_SECRET) are still recognized, and a
 * row found that way is rewritten under `secrets[0]`.
 */
export interface KeyHasher {
  /** The digest a key is stored under now (hex HMAC-SHA-256 under the first secret). */
  hash(key: string): string;
  /** Every digest the key may be stored under, current first, as hex. */
  candidates(key: string): { scheme: HashScheme; hex: string; current: boolean }[];
}

/** Plain SHA-256: rows from before API_KEY_SECRET. Recognized, never written. */
export function legacyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyHasher(secrets: readonly string[]): KeyHasher {
  if (secrets.length === 0) throw new Error('API_KEY_SECRET holds no secret');
  const hmac = (secret: string, key: string) =>
    createHmac('sha256', secret).update(key, 'utf8').digest('hex');
  return {
    hash: (key) => hmac(secrets[0]!, key),
    candidates: (key) => [
      ...secrets.map((secret, i) => ({
        scheme: 'hmac-sha256' as const,
        hex: hmac(secret, key),
        current: i === 0,
      })),
      { scheme: 'sha256' as const, hex: legacyHash(key), current: false },
    ],
  };
}

/** A new key: a recognizable prefix (for secret scanners) and 256 random bits. */
export function generateKey(): string {
  return `pwk_${randomBytes(32).toString('base64url')}`;
}

interface CachedKey {
  id: string;
  role: Role;
  scheme: HashScheme;
  hex: string;
  digest: Buffer;
}

/** How long another process may still accept a key revoked elsewhere. */
const REFRESH_MS = 5_000;
/** last_used_at is written at most this often per key: no write per request. */
const TOUCH_EVERY_MS = 60_000;
/** A key of API_KEYS as kept in memory: its role and digests, not the key. */
export interface HashedKey {
  role: Role;
  /** The digest it is stored under now. */
  now: string;
  /** Digests it may still be stored under (an older secret, plain SHA-256). */
  older: string[];
}

export function hashEnvKeys(envKeys: readonly ApiKey[], hasher: KeyHasher): HashedKey[] {
  return envKeys.map((k) => {
    const [now, ...older] = hasher.candidates(k.key).map((c) => c.hex);
    return { role: k.role, now: now!, older };
  });
}

/** Serializes reconciling API_KEYS between API replicas that start together. */
const ENV_KEYS_LOCK = sql`pg_advisory_xact_lock(hashtext('parcelwarden.api_keys.env'))`;

/**
 * Brings the keys of API_KEYS into the table: each is stored under the current hash (a row kept
 * under plain SHA-256 or an older secret is rewritten in place, so its id stays), and one that
 * left API_KEYS before and is back works again. A revocation made through the API stays: removing
 * the key from API_KEYS is the fix. With `revokeOthers` (the process that owns API_KEYS, at
 * start), every other key that came from the environment is revoked: one removed from API_KEYS
 * stops working, and so does the development key once API_KEYS is set. Keys created through the
 * API are not touched.
 */
export async function syncEnvKeys(
  db: Db,
  envKeys: readonly HashedKey[],
  opts: { revokeOthers: boolean; name?: string },
): Promise<{ revoked: number }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select ${ENV_KEYS_LOCK}`);
    const current: string[] = [];
    for (const k of envKeys) {
      const { now, older } = k;
      current.push(now);
      const revive = {
        revokedAt: sql`case when ${apiKeys.revokedBy} = 'config' then null else ${apiKeys.revokedAt} end`,
        revokedBy: sql`case when ${apiKeys.revokedBy} = 'config' then null else ${apiKeys.revokedBy} end`,
      };
      const [existing] = await tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(eq(apiKeys.keyHash, now));
      const [stale] = existing
        ? []
        : await tx
            .select({ id: apiKeys.id })
            .from(apiKeys)
            .where(inArray(apiKeys.keyHash, older))
            .limit(1);
      if (stale) {
        // Stored the old way (or under an older secret): rewrite that row, keeping its id.
        await tx
          .update(apiKeys)
          .set({ keyHash: now, hashScheme: 'hmac-sha256', role: k.role, ...revive })
          .where(eq(apiKeys.id, stale.id));
      }
      await tx
        .insert(apiKeys)
        .values({
          id: `key_${randomUUID()}`,
          role: k.role,
          name: opts.name ?? `API_KEYS (${k.role})`,
          keyHash: now,
          hashScheme: 'hmac-sha256',
          source: 'env',
        })
        .onConflictDoUpdate({ target: apiKeys.keyHash, set: { role: k.role, ...revive } });
    }
    if (!opts.revokeOthers) return { revoked: 0 };
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()`, revokedBy: 'config' })
      .where(
        and(
          eq(apiKeys.source, 'env'),
          isNull(apiKeys.revokedAt),
          current.length ? notInArray(apiKeys.keyHash, current) : undefined,
        ),
      )
      .returning({ id: apiKeys.id });
    return { revoked: revoked.length };
  });
}

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

/** How the development key is listed (GET /v1/api-keys). */
export const DEVELOPMENT_KEY_NAME = 'development key (API_KEYS unset)';

export interface KeyStoreOptions {
  /** Keys from API_KEYS (or the development key): upserted on first use. */
  envKeys: readonly ApiKey[];
  /** API_KEY_SECRET: the first hashes, all verify (see KeyHasher). */
  secrets: readonly string[];
  /**
   * The development key is among `envKeys` (API_KEYS unset in development). Otherwise
   * `dev-admin-key` is refused outright, whatever the table says.
   */
  developmentKey?: boolean;
  onError?: (err: unknown, msg: string) => void;
}

/**
 * API keys in PostgreSQL, with the active ones (hashes only) cached in memory and reloaded every
 * few seconds. Keys from API_KEYS are hashed here and upserted on first use; the plain keys are
 * dropped once hashed.
 */
export function createKeyStore(db: Db, opts: KeyStoreOptions): KeyStore {
  const hasher = keyHasher(opts.secrets);
  const developmentKey = opts.developmentKey ?? false;
  const onError = opts.onError ?? (() => undefined);
  // Hashed once here; only the roles and the digests stay in memory, not `opts` with the keys.
  const fromEnv = hashEnvKeys(opts.envKeys, hasher);
  let seeded: Promise<void> | undefined;
  let cache: { at: number; keys: CachedKey[] } | undefined;
  // The load in progress, shared by every request that finds the cache stale meanwhile; tagged with
  // the generation it started in, so a load older than a create or revoke here is not reused.
  let loading: { generation: number; keys: Promise<CachedKey[]> } | undefined;
  let generation = 0;
  const touched = new Map<string, number>();

  async function seedEnvKeys(): Promise<void> {
    if (fromEnv.length === 0) return;
    await syncEnvKeys(db, fromEnv, {
      revokeOthers: false,
      name: developmentKey ? DEVELOPMENT_KEY_NAME : undefined,
    });
  }

  async function load(): Promise<CachedKey[]> {
    const rows = await db
      .select({
        id: apiKeys.id,
        role: apiKeys.role,
        keyHash: apiKeys.keyHash,
        hashScheme: apiKeys.hashScheme,
      })
      .from(apiKeys)
      .where(isNull(apiKeys.revokedAt));
    return rows.map((r) => ({
      id: r.id,
      role: r.role as Role,
      scheme: r.hashScheme as HashScheme,
      hex: r.keyHash,
      digest: Buffer.from(r.keyHash, 'hex'),
    }));
  }

  /** Forgets the cache after a change made here: the next request reads the table again. */
  function invalidate(): void {
    generation++;
    cache = undefined;
  }

  async function active(): Promise<CachedKey[]> {
    // Retried on the next request when the database was down.
    seeded ??= seedEnvKeys().catch((err: unknown) => {
      seeded = undefined;
      throw err;
    });
    await seeded;
    if (cache && Date.now() - cache.at <= REFRESH_MS) return cache.keys;
    // Single flight: at expiry, concurrent requests wait for one read instead of one each.
    if (!loading || loading.generation !== generation) {
      const started = { generation, at: Date.now() };
      const keys = load().then((loaded) => {
        if (started.generation === generation) cache = { at: started.at, keys: loaded };
        return loaded;
      });
      const flight = { generation, keys };
      loading = flight;
      // Once settled, the next stale look starts a new read (a failed one is retried then).
      const settled = () => {
        if (loading === flight) loading = undefined;
      };
      void keys.then(settled, settled);
    }
    return loading.keys;
  }

  /** A row found under plain SHA-256 or an older secret: stored under the current hash now. */
  async function rehash(found: CachedKey, now: string): Promise<void> {
    try {
      await db
        .update(apiKeys)
        .set({ keyHash: now, hashScheme: 'hmac-sha256' })
        .where(and(eq(apiKeys.id, found.id), eq(apiKeys.keyHash, found.hex)));
      found.scheme = 'hmac-sha256';
      found.hex = now;
      found.digest = Buffer.from(now, 'hex');
    } catch (err) {
      // The key was right; storing it anew is tried again on its next use.
      onError(err, 'could not store an API key under the current API_KEY_SECRET');
    }
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
      // Once API_KEYS is set the development key is refused, even if a row of it were active.
      if (!developmentKey && safeEqual(key, DEV_API_KEY)) return undefined;
      const candidates = hasher.candidates(key).map((c) => ({
        ...c,
        digest: Buffer.from(c.hex, 'hex'),
      }));
      let found: { key: CachedKey; current: boolean } | undefined;
      // Every key is compared with every digest of its scheme, so neither the position of a match
      // nor the scheme it matched under shows in the timing.
      for (const k of await active()) {
        for (const c of candidates) {
          const same = c.scheme === k.scheme && timingSafeEqual(c.digest, k.digest);
          if (same && !found) found = { key: k, current: c.current };
        }
      }
      if (!found) return undefined;
      if (!found.current) await rehash(found.key, candidates[0]!.hex);
      touch(found.key.id);
      return { id: found.key.id, role: found.key.role };
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
        .values({
          id: `key_${randomUUID()}`,
          role,
          name,
          keyHash: hasher.hash(key),
          hashScheme: 'hmac-sha256',
          source: 'api',
        })
        .returning();
      invalidate();
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
        .set({
          revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())`,
          // Final even if the key had left API_KEYS before: putting it back does not revive it.
          revokedBy: 'api',
        })
        .where(eq(apiKeys.id, id))
        .returning();
      invalidate();
      return row;
    },
  };
}
