import { describe, expect, it } from 'vitest';
import { MicroBatcher, TokenBucket, type Clock } from '../../src/carriers/rate-limit';

/** A clock that only moves when told; sleeps are recorded and return at once. */
function fakeClock(): Clock & { slept: number[]; advance(ms: number): void } {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('token bucket', () => {
  it('AfterShip creation at 20 per second: the sixth caller in one instant waits 250 ms', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 20, clock });
    const waits = await Promise.all([1, 2, 3, 4, 5, 6].map(() => bucket.take()));
    expect(waits).toEqual([0, 50, 100, 150, 200, 250]);
    expect(clock.slept).toEqual([50, 100, 150, 200, 250]);
  });

  it('a burst is served at once, then callers wait at the sustained rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 3, burst: 3, clock });
    const waits = await Promise.all([1, 2, 3, 4, 5].map(() => bucket.take()));
    expect(waits.map(Math.round)).toEqual([0, 0, 0, 333, 667]);
  });

  it('tokens come back as time passes, never more than the burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 2, clock });
    expect(await bucket.take()).toBe(0);
    expect(await bucket.take()).toBe(0);
    expect(await bucket.take()).toBe(100);
    clock.advance(10_000); // a long quiet spell refills only up to the burst
    expect(await bucket.take()).toBe(0);
    expect(await bucket.take()).toBe(0);
    expect(await bucket.take()).toBe(100);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket({ perSecond: 0 })).toThrow(/perSecond/);
  });
});

describe('micro-batcher', () => {
  function recorder(maxBatch = 40) {
    const calls: string[][] = [];
    const batcher = new MicroBatcher<string, string>({
      maxBatch,
      maxDelayMs: 5,
      run: (keys) => {
        calls.push(keys);
        return Promise.resolve(
          new Map(keys.filter((k) => !k.startsWith('missing')).map((k) => [k, `info:${k}`])),
        );
      },
      missing: (k) => new Error(`no answer for ${k}`),
    });
    return { calls, batcher };
  }

  it('45 concurrent 17TRACK lookups go out as one call of 40 and one of 5', async () => {
    const { calls, batcher } = recorder();
    const numbers = Array.from({ length: 45 }, (_, i) => `RR${String(i).padStart(9, '0')}CN`);
    const answers = await Promise.all(numbers.map((n) => batcher.load(n)));
    expect(answers).toEqual(numbers.map((n) => `info:${n}`));
    expect(calls.map((c) => c.length)).toEqual([40, 5]);
    expect(calls.flat()).toEqual(numbers);
  });

  it('the same number asked twice at once is sent once and answers both callers', async () => {
    const { calls, batcher } = recorder();
    const [a, b] = await Promise.all([batcher.load('LX1'), batcher.load('LX1')]);
    expect([a, b]).toEqual(['info:LX1', 'info:LX1']);
    expect(calls).toEqual([['LX1']]);
  });

  it('a lone lookup still goes out after the short delay', async () => {
    const { calls, batcher } = recorder();
    await expect(batcher.load('LX2')).resolves.toBe('info:LX2');
    expect(calls).toEqual([['LX2']]);
  });

  it('a number the provider left out of its answer fails alone', async () => {
    const { batcher } = recorder();
    const results = await Promise.allSettled([batcher.load('LX3'), batcher.load('missing-1')]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'info:LX3' });
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: { message: 'no answer for missing-1' },
    });
  });

  it('a failed call fails every caller of that batch, and the next batch is fresh', async () => {
    let fail = true;
    const batcher = new MicroBatcher<string, string>({
      maxBatch: 2,
      maxDelayMs: 5,
      run: (keys) =>
        fail ? Promise.reject(new Error('503')) : Promise.resolve(new Map(keys.map((k) => [k, k]))),
      missing: (k) => new Error(k),
    });
    const first = await Promise.allSettled([batcher.load('a'), batcher.load('b')]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.load('a')).resolves.toBe('a');
  });
});
