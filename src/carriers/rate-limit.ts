/**
 * Client-side limits for the provider APIs: a token bucket that makes callers wait their turn
 * (rather than fail), and a micro-batcher that coalesces concurrent lookups into one request.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucketOptions {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed back to back before the rate applies (default 1). */
  burst?: number;
  clock?: Clock;
}

/**
 * A token bucket (as a virtual schedule, GCRA): each `take` reserves the next free slot at once,
 * so callers are served in call order, then sleeps until that slot.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly clock: Clock;
  /** When the bucket would be empty again if nobody else came. */
  private theoreticalArrival = -Infinity;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.perSecond > 0)) throw new Error('TokenBucket: perSecond must be positive');
    this.intervalMs = 1000 / opts.perSecond;
    this.burst = Math.max(1, Math.floor(opts.burst ?? 1));
    this.clock = opts.clock ?? systemClock;
  }

  /** Waits for a token; resolves with how long it waited (ms). */
  async take(): Promise<number> {
    const now = this.clock.now();
    const start = Math.max(this.theoreticalArrival, now);
    const wait = Math.max(0, start - (this.burst - 1) * this.intervalMs - now);
    this.theoreticalArrival = start + this.intervalMs;
    if (wait > 0) await this.clock.sleep(wait);
    return wait;
  }
}

/**
 * Per-provider limits, from the providers' published API docs (figures below). EasyPost has
 * none here: its fixed limit covers list endpoints we do not call; the rest is load-based (429).
 */
export const PROVIDER_LIMITS = {
  /** AfterShip 2025-01 per-endpoint limits: POST /trackings 20 req/s, GET /trackings 6 req/s. */
  aftership: { create: { perSecond: 20 }, list: { perSecond: 6 } },
  /** 17TRACK: 3 requests/s per key, at most 40 numbers per call. */
  track17: { perSecond: 3, maxNumbersPerCall: 40 },
} as const;

export interface MicroBatcherOptions<K, V> {
  /** Most keys per call (17TRACK: 40). */
  maxBatch: number;
  /** How long the first key of a batch waits for company before the call goes out. */
  maxDelayMs: number;
  /** One provider call for a batch; a key missing from the result fails with `missing(key)`. */
  run(keys: K[]): Promise<Map<K, V>>;
  missing(key: K): Error;
}

interface Waiter<V> {
  resolve(v: V): void;
  reject(e: unknown): void;
}

/**
 * Coalesces concurrent `load(key)` calls into calls of at most `maxBatch` distinct keys. A batch
 * goes out when it is full or `maxDelayMs` after its first key, whichever comes first; the same
 * key asked twice in one batch is sent once.
 */
export class MicroBatcher<K, V> {
  private pending = new Map<K, Waiter<V>[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: MicroBatcherOptions<K, V>) {
    if (opts.maxBatch < 1) throw new Error('MicroBatcher: maxBatch must be at least 1');
  }

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) {
        waiters.push({ resolve, reject });
        return;
      }
      this.pending.set(key, [{ resolve, reject }]);
      if (this.pending.size >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.maxDelayMs);
    });
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return;
    const keys = [...batch.keys()];
    void this.opts.run(keys).then(
      (results) => {
        for (const [key, waiters] of batch) {
          const settle = results.has(key)
            ? (w: Waiter<V>) => w.resolve(results.get(key) as V)
            : (w: Waiter<V>) => w.reject(this.opts.missing(key));
          waiters.forEach(settle);
        }
      },
      (err: unknown) => {
        for (const waiters of batch.values()) waiters.forEach((w) => w.reject(err));
      },
    );
  }
}
