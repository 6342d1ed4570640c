import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/http/rate-limit';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('the per-key token bucket', () => {
  it('lets a key burst up to its minute allowance, then refuses with the wait until a token', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 3, now: c.now });
    const answers = [1, 2, 3, 4].map(() => limiter.take('key_a'));
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
    expect(answers.map((a) => a.remaining)).toEqual([2, 1, 0, 0]);
    // 3 per minute: one token every 20 s; the whole bucket is back after 60 s.
    expect(answers[3]).toMatchObject({ limit: 3, retryAfterSeconds: 20, resetSeconds: 60 });
    expect(answers[0]!.retryAfterSeconds).toBe(0);
  });

  it('refills at the steady rate and never above the allowance', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 60, now: c.now });
    for (let i = 0; i < 60; i++) expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
    c.advance(999);
    expect(limiter.take('k')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    c.advance(1);
    expect(limiter.take('k').allowed).toBe(true);
    c.advance(10 * 60_000);
    expect(limiter.take('k').remaining).toBe(59);
  });

  it('keeps one bucket per key: one key over its limit does not slow another', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 1, now: c.now });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('a clock stepping back refills nothing', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 1, now: c.now });
    limiter.take('a');
    c.advance(-3_600_000);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('forgets buckets idle for a minute (they are full again anyway)', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 10, now: c.now });
    for (let i = 0; i < 500; i++) limiter.take(`key_${i}`);
    expect(limiter.size()).toBe(500);
    c.advance(30_000);
    limiter.take('key_0');
    c.advance(30_000);
    limiter.take('fresh');
    // key_0 was used 30 s ago and stays; the other 499 idled a full minute.
    expect(limiter.size()).toBe(2);
  });

  it('holds at most maxBuckets, dropping the least recently used', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 1, now: c.now, maxBuckets: 3 });
    for (const k of ['a', 'b', 'c']) limiter.take(k);
    limiter.take('a');
    limiter.take('d');
    expect(limiter.size()).toBe(3);
    // b was the idlest and is gone: it starts again with a full bucket; a is still empty.
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('refuses a limit below one per minute (0 means leave the limiter out)', () => {
    expect(() => createRateLimiter({ perMinute: 0 })).toThrow(/perMinute/);
  });
});
