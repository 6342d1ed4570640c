/**
 * Rate limit counters kept in PostgreSQL, so that every API process counts the same requests: a
 * counter in a process's memory lets a client through once per replica, and a restart forgets
 * it. Two kinds over the one table `rate_limit_hits`:
 *
 * - `PostgresRateLimitStore`: express-rate-limit's `Store` (a fixed window per key), for the
 *   customer page's limits per link and per address;
 * - `createSharedRateLimiter`: the per-API-key token bucket, kept as the time the bucket is full
 *   again (GCRA), which answers exactly what the in-memory bucket of `rate-limit.ts` answers.
 *
 * Each counts with one upsert statement, so concurrent requests on several processes never lose a
 * hit. Rows whose reset time has passed count nothing; each limiter deletes its own now and then.
 *
 * Written here rather than taken from npm: the one maintained PostgreSQL store
 * (@acpr/rate-limit-postgresql) brings the `pg` driver and pool next to our `postgres` one and
 * runs its own schema migrations, outside drizzle's.
 */
import { createHash } from 'node:crypto';
import { and, eq, gt, like, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Db } from '../db/client';
import { rateLimitHits } from '../db/schema/rate-limits';
import type { RateDecision } from './rate-limit';

/** How often a limiter deletes its expired rows (at most; only while it counts). */
const SWEEP_EVERY_MS = 60_000;

export interface SharedCounterOptions {
  db: Db;
  /** Prepended to every key; one per limiter (e.g. `api:customer-link:`). */
  prefix: string;
  /** Milliseconds since the epoch; tests inject one. Default: the database's clock, which all
   * processes share. */
  now?: () => number;
  /** Told when the expired rows could not be deleted (counting goes on). */
  onSweepError?: (err: unknown) => void;
}

/**
 * The stored key: the prefix and the client's key, which comes from the request (a link's token,
 * an address). PostgreSQL text takes no NUL, and a key need not be long: one with a NUL or over
 * 200 characters is stored as its SHA-256 instead.
 */
export function storedKey(prefix: string, key: string): string {
  if (key.length <= 200 && !key.includes('\0')) return prefix + key;
  return `${prefix}sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

/** `%` and `_` in a prefix are literal in LIKE. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function clock(now?: () => number): () => SQL {
  return now ? () => sql`${new Date(now()).toISOString()}::timestamptz` : () => sql`now()`;
}

const ms = (n: number) => sql`(${n} * interval '1 millisecond')`;

function sweeper(opts: SharedCounterOptions, at: () => SQL) {
  let last = 0;
  return () => {
    const t = Date.now();
    if (t - last < SWEEP_EVERY_MS) return;
    last = t;
    opts.db
      .delete(rateLimitHits)
      .where(
        and(like(rateLimitHits.key, likePrefix(opts.prefix)), lte(rateLimitHits.resetAt, at())),
      )
      .then(
        () => undefined,
        (err: unknown) => opts.onSweepError?.(err),
      );
  };
}

/**
 * express-rate-limit's store over `rate_limit_hits`: a fixed window per key that starts with the
 * key's first hit. A failed count rejects with the database's error, which express-rate-limit
 * hands to `next` (unless `passOnStoreError` is set): an outage becomes 503 database.unavailable.
 */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private readonly at: () => SQL;
  private readonly sweep: () => void;

  constructor(private readonly opts: SharedCounterOptions) {
    this.prefix = opts.prefix;
    this.at = clock(opts.now);
    this.sweep = sweeper(opts, this.at);
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const [row] = await this.opts.db
      .select({ hits: rateLimitHits.hits, resetAt: rateLimitHits.resetAt })
      .from(rateLimitHits)
      .where(
        and(
          eq(rateLimitHits.key, storedKey(this.prefix, key)),
          gt(rateLimitHits.resetAt, this.at()),
        ),
      );
    return row ? { totalHits: row.hits, resetTime: row.resetAt } : undefined;
  }

  /** One statement: a new row, or the next hit of the window, or a new window once it ended. */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.sweep();
    const at = this.at();
    const expired = sql`${rateLimitHits.resetAt} <= ${at}`;
    const [row] = await this.opts.db
      .insert(rateLimitHits)
      .values({
        key: storedKey(this.prefix, key),
        hits: 1,
        resetAt: sql`${at} + ${ms(this.windowMs)}`,
      })
      .onConflictDoUpdate({
        target: rateLimitHits.key,
        set: {
          hits: sql`case when ${expired} then 1 else ${rateLimitHits.hits} + 1 end`,
          resetAt: sql`case when ${expired} then ${at} + ${ms(this.windowMs)} else ${rateLimitHits.resetAt} end`,
        },
      })
      .returning({ hits: rateLimitHits.hits, resetAt: rateLimitHits.resetAt });
    return { totalHits: row!.hits, resetTime: row!.resetAt };
  }

  /** Takes back a hit of the current window (skipSuccessfulRequests and the like). */
  async decrement(key: string): Promise<void> {
    await this.opts.db
      .update(rateLimitHits)
      .set({ hits: sql`greatest(${rateLimitHits.hits} - 1, 0)` })
      .where(
        and(
          eq(rateLimitHits.key, storedKey(this.prefix, key)),
          gt(rateLimitHits.resetAt, this.at()),
        ),
      );
  }

  async resetKey(key: string): Promise<void> {
    await this.opts.db
      .delete(rateLimitHits)
      .where(eq(rateLimitHits.key, storedKey(this.prefix, key)));
  }
}

export interface SharedRateLimiter {
  take(key: string): Promise<RateDecision>;
}

export interface SharedRateLimiterOptions extends SharedCounterOptions {
  perMinute: number;
  /**
   * A busy key's tokens are taken from the shared bucket in leases of up to this many
   * milliseconds' worth of refill (default 100: at 60,000 a minute, 100 tokens a statement), and
   * handed out by this process until used or a second old. 0 takes one token a statement.
   */
  leaseMs?: number;
}

/** How long a process may hand out the tokens of a lease it took. */
const LEASE_LIFE_MS = 1_000;

interface Lease {
  /** Tokens of this lease not handed out yet. */
  left: number;
  /** Tokens the lease got. */
  size: number;
  /** Local time the lease lapses. */
  until: number;
  /** The bucket as the lease left it: milliseconds until full again, local time then. */
  fullInMs: number;
  at: number;
}

/**
 * The per-key token bucket of `createRateLimiter` (up to `perMinute` tokens, refilled at
 * `perMinute` a minute) with its state in `rate_limit_hits`: `reset_at` is the time the key's
 * bucket is full again, `hits` the tokens the last statement took. A statement takes up to n
 * tokens while, with them, the bucket would be full again within a minute; one upsert decides
 * and takes them. A refused request changes nothing. Rejects with the database's error when it
 * does not answer.
 *
 * A key's first statement takes one token; a lease used up within its life doubles the next one,
 * up to `leaseMs` of refill; a lease that lapses unused starts again at one. So a quiet key costs
 * a statement a request and is counted exactly, and a busy one a statement per lease. The
 * processes together never hand out more than the bucket allows: tokens are taken before they
 * are handed out. What a lapsed lease did not hand out is lost to the key for that time (at most
 * `leaseMs` of refill per process and second).
 */
export function createSharedRateLimiter(opts: SharedRateLimiterOptions): SharedRateLimiter {
  const { perMinute, db, prefix } = opts;
  if (!Number.isInteger(perMinute) || perMinute < 1)
    throw new Error('createSharedRateLimiter needs perMinute ≥ 1 (leave it out to turn it off)');
  const windowMs = 60_000;
  const tokenMs = windowMs / perMinute;
  const maxLease = Math.max(1, Math.floor((perMinute * (opts.leaseMs ?? 100)) / windowMs));
  const at = clock(opts.now);
  const sweep = sweeper(opts, at);
  const millisFrom = (t: SQLWrapper, from: SQL) => sql`extract(epoch from (${t} - ${from})) * 1000`;
  const localNow = opts.now ?? Date.now;
  const leases = new Map<string, Lease>();
  const pending = new Map<string, Promise<RateDecision | undefined>>();

  /** Takes up to `want` tokens in one statement: the new lease, or the refusal. */
  async function takeFromBucket(key: string, want: number): Promise<RateDecision | undefined> {
    sweep();
    const nowSql = at();
    const from = sql`greatest(${rateLimitHits.resetAt}, ${nowSql})`;
    const room = sql`floor((${millisFrom(sql`${nowSql} + ${ms(windowMs)}`, from)} + 1e-6) / ${tokenMs})::int`;
    const first = Math.min(want, perMinute);
    const [taken] = await db
      .insert(rateLimitHits)
      .values({
        key: storedKey(prefix, key),
        hits: first,
        resetAt: sql`${nowSql} + ${ms(first * tokenMs)}`,
      })
      .onConflictDoUpdate({
        target: rateLimitHits.key,
        set: {
          resetAt: sql`${from} + least(${want}, ${room}) * ${ms(tokenMs)}`,
          hits: sql`least(${want}, ${room})`,
        },
        setWhere: sql`${room} >= 1`,
      })
      .returning({
        taken: rateLimitHits.hits,
        fullInMs: sql<string>`${millisFrom(rateLimitHits.resetAt, nowSql)}`,
      });
    const t = localNow();
    if (taken) {
      leases.set(key, {
        left: taken.taken,
        size: taken.taken,
        until: t + LEASE_LIFE_MS,
        fullInMs: Number(taken.fullInMs),
        at: t,
      });
      return undefined;
    }
    leases.delete(key);
    const [held] = await db
      .select({
        fullInMs: sql<string>`${millisFrom(rateLimitHits.resetAt, at())}`,
      })
      .from(rateLimitHits)
      .where(eq(rateLimitHits.key, storedKey(prefix, key)));
    return decision(false, held ? Number(held.fullInMs) : 0);
  }

  /** A token of the key's live lease, if it has one. */
  function fromLease(key: string): RateDecision | undefined {
    const lease = leases.get(key);
    if (!lease || lease.left < 1 || localNow() >= lease.until) return undefined;
    lease.left--;
    return decision(true, lease.fullInMs - (localNow() - lease.at));
  }

  return {
    async take(key) {
      for (;;) {
        const local = fromLease(key);
        if (local) return local;
        // One statement at a time per key: requests that arrive meanwhile share its lease.
        let inFlight = pending.get(key);
        if (!inFlight) {
          const lease = leases.get(key);
          const usedUp = lease !== undefined && lease.left < 1 && localNow() < lease.until;
          const want = usedUp ? Math.min(maxLease, lease.size * 2) : 1;
          inFlight = takeFromBucket(key, want).finally(() => pending.delete(key));
          pending.set(key, inFlight);
        }
        const refused = await inFlight;
        if (refused) return refused;
      }
    },
  };

  function decision(allowed: boolean, fullInMs: number): RateDecision {
    const inUse = Math.max(0, fullInMs) / tokenMs;
    const left = Math.max(0, perMinute - inUse);
    return {
      allowed,
      limit: perMinute,
      remaining: Math.floor(left + 1e-9),
      resetSeconds: Math.ceil(Math.max(0, fullInMs) / 1000 - 1e-9),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(((1 - left) * tokenMs) / 1000 - 1e-9)),
    };
  }
}
