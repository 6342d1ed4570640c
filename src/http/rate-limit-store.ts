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
      .where(and(eq(rateLimitHits.key, this.prefix + key), gt(rateLimitHits.resetAt, this.at())));
    return row ? { totalHits: row.hits, resetTime: row.resetAt } : undefined;
  }

  /** One statement: a new row, or the next hit of the window, or a new window once it ended. */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.sweep();
    const at = this.at();
    const expired = sql`${rateLimitHits.resetAt} <= ${at}`;
    const [row] = await this.opts.db
      .insert(rateLimitHits)
      .values({ key: this.prefix + key, hits: 1, resetAt: sql`${at} + ${ms(this.windowMs)}` })
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
      .where(and(eq(rateLimitHits.key, this.prefix + key), gt(rateLimitHits.resetAt, this.at())));
  }

  async resetKey(key: string): Promise<void> {
    await this.opts.db.delete(rateLimitHits).where(eq(rateLimitHits.key, this.prefix + key));
  }
}

export interface SharedRateLimiter {
  take(key: string): Promise<RateDecision>;
}

/**
 * The per-key token bucket of `createRateLimiter` (up to `perMinute` tokens, refilled at
 * `perMinute` a minute) with its state in `rate_limit_hits`: `reset_at` is the time the key's
 * bucket is full again, `hits` the whole tokens in use. A request takes a token when, with it,
 * the bucket would be full again within a minute; one upsert decides and takes it. A refused
 * request changes nothing. Rejects with the database's error when it does not answer.
 */
export function createSharedRateLimiter(
  opts: SharedCounterOptions & { perMinute: number },
): SharedRateLimiter {
  const { perMinute, db, prefix } = opts;
  if (!Number.isInteger(perMinute) || perMinute < 1)
    throw new Error('createSharedRateLimiter needs perMinute ≥ 1 (leave it out to turn it off)');
  const windowMs = 60_000;
  const tokenMs = windowMs / perMinute;
  const at = clock(opts.now);
  const sweep = sweeper(opts, at);
  const millisFrom = (t: SQLWrapper, from: SQL) => sql`extract(epoch from (${t} - ${from})) * 1000`;

  return {
    async take(key) {
      sweep();
      const nowSql = at();
      const full = sql`greatest(${rateLimitHits.resetAt}, ${nowSql}) + ${ms(tokenMs)}`;
      const [taken] = await db
        .insert(rateLimitHits)
        .values({ key: prefix + key, hits: 1, resetAt: sql`${nowSql} + ${ms(tokenMs)}` })
        .onConflictDoUpdate({
          target: rateLimitHits.key,
          set: {
            resetAt: full,
            hits: sql`ceil(${millisFrom(full, nowSql)} / ${tokenMs})::int`,
          },
          setWhere: sql`${full} <= ${nowSql} + ${ms(windowMs)}`,
        })
        .returning({
          fullInMs: sql<string>`${millisFrom(rateLimitHits.resetAt, nowSql)}`,
        });
      if (taken) return decision(true, Number(taken.fullInMs));
      const [held] = await db
        .select({ fullInMs: sql<string>`${millisFrom(rateLimitHits.resetAt, at())}` })
        .from(rateLimitHits)
        .where(eq(rateLimitHits.key, prefix + key));
      return decision(false, held ? Number(held.fullInMs) : 0);
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
