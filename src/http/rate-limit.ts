import type { RequestHandler, Response } from 'express';
import { isDatabaseUnavailable, ProblemError } from './problems';

/**
 * Requests per API key: a token bucket per key id, holding up to `perMinute` tokens and refilled at
 * `perMinute` per minute, so a key may burst up to a minute's worth and then goes at the steady
 * rate. This one keeps its buckets in the process's memory (unit tests); the API shares them
 * between its processes in PostgreSQL (createSharedRateLimiter in rate-limit-store.ts).
 */
export interface RateLimiterOptions {
  perMinute: number;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
  /** Buckets kept at most; the least recently used goes first (default 10,000). */
  maxBuckets?: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next request is allowed (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(key: string): RateDecision;
  /** Buckets held in memory. */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MINUTE_MS = 60_000;

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const { perMinute } = opts;
  if (!Number.isInteger(perMinute) || perMinute < 1)
    throw new Error('createRateLimiter needs perMinute ≥ 1 (leave the limiter out to turn it off)');
  const now = opts.now ?? Date.now;
  const maxBuckets = opts.maxBuckets ?? 10_000;
  const perMs = perMinute / MINUTE_MS;
  // Insertion order is use order (a used bucket is moved to the end): the first is the idlest.
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  /** A bucket idle for a minute is full again, the same as a new one: dropping it loses nothing. */
  function sweep(t: number): void {
    if (t - lastSweep < MINUTE_MS) return;
    lastSweep = t;
    for (const [key, b] of buckets) {
      if (t - b.at < MINUTE_MS) break;
      buckets.delete(key);
    }
  }

  return {
    take(key) {
      const t = now();
      sweep(t);
      const b = buckets.get(key);
      // A clock that steps back refills nothing rather than draining the bucket.
      const elapsed = b ? Math.max(0, t - b.at) : 0;
      const tokens = b ? Math.min(perMinute, b.tokens + elapsed * perMs) : perMinute;
      const allowed = tokens >= 1;
      const left = allowed ? tokens - 1 : tokens;
      buckets.delete(key);
      buckets.set(key, { tokens: left, at: t });
      while (buckets.size > maxBuckets) {
        const oldest = buckets.keys().next().value as string;
        buckets.delete(oldest);
      }
      return {
        allowed,
        limit: perMinute,
        remaining: Math.floor(left),
        resetSeconds: Math.ceil((perMinute - left) / perMs / 1000),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - left) / perMs / 1000)),
      };
    },
    size() {
      return buckets.size;
    },
  };
}

function setRateHeaders(res: Response, d: RateDecision): void {
  res.setHeader('RateLimit-Limit', String(d.limit));
  res.setHeader('RateLimit-Remaining', String(d.remaining));
  res.setHeader('RateLimit-Reset', String(d.resetSeconds));
}

export function rateLimited(d: RateDecision): ProblemError {
  return new ProblemError(
    429,
    'rate_limit.exceeded',
    'Too many requests',
    `This API key may make ${d.limit} requests per minute; retry in ${d.retryAfterSeconds} s.`,
    {
      headers: {
        'Retry-After': String(d.retryAfterSeconds),
        'RateLimit-Limit': String(d.limit),
        'RateLimit-Remaining': String(d.remaining),
        'RateLimit-Reset': String(d.resetSeconds),
      },
    },
  );
}

/**
 * Counts every request of an authenticated key (mounted right after authentication, so refused
 * and forbidden calls count too). Requests without a key id (public pages, signed webhooks and
 * survey answers, mounted before authentication) are not limited here.
 *
 * With the shared limiter (rate-limit-store.ts) a database outage lets the request through
 * (fail open, told to `onUnavailable`): the routes that need the database answer 503 anyway, and
 * those that do not (workflow queries, reviews) keep working for keys that were already
 * authenticated. Other errors go to the error middleware.
 */
export function rateLimitByKey(
  limiter: { take(key: string): RateDecision | Promise<RateDecision> },
  onUnavailable: (err: unknown) => void = () => undefined,
): RequestHandler {
  return async (req, res, next) => {
    if (req.keyId === undefined) {
      next();
      return;
    }
    let d: RateDecision;
    try {
      d = await limiter.take(req.keyId);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      onUnavailable(err);
      next();
      return;
    }
    if (!d.allowed) throw rateLimited(d);
    setRateHeaders(res, d);
    next();
  };
}
