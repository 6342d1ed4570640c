import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/db/coalesce';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('coalesce: concurrent single calls as multi-row statements', () => {
  it('a lone call runs alone and answers its own result', async () => {
    const groups: number[][] = [];
    const double = coalesce(async (xs: number[]) => {
      groups.push(xs);
      return xs.map((x) => x * 2);
    });
    expect(await double(21)).toBe(42);
    expect(groups).toEqual([[21]]);
  });

  it('calls made while statements run join the next group, in call order, each its own result', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = coalesce(
      async (xs: number[]) => {
        groups.push(xs);
        if (groups.length === 1) await gate;
        return xs.map((x) => `r${x}`);
      },
      { maxInFlight: 1 },
    );
    const first = run(0);
    await tick();
    const rest = [1, 2, 3, 4].map((x) => run(x));
    await tick();
    expect(groups).toEqual([[0]]);
    release();
    expect(await first).toBe('r0');
    expect(await Promise.all(rest)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(groups).toEqual([[0], [1, 2, 3, 4]]);
  });

  it('keeps groups within maxBatch', async () => {
    const groups: number[][] = [];
    const run = coalesce(
      async (xs: number[]) => {
        groups.push(xs);
        return xs;
      },
      { maxBatch: 2, maxInFlight: 8 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((x) => run(x)));
    expect(groups).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('a failing group tries each item alone, so one bad item fails only its own call', async () => {
    const run = coalesce(async (xs: number[]) => {
      if (xs.includes(13)) throw new Error('unlucky');
      return xs.map((x) => x + 1);
    });
    const answers = await Promise.allSettled([1, 13, 3].map((x) => run(x)));
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : 'failed'))).toEqual([
      2,
      'failed',
      4,
    ]);
    expect((answers[1] as PromiseRejectedResult).reason).toEqual(new Error('unlucky'));
  });

  it('a run that answers the wrong number of results fails its calls instead of mixing them up', async () => {
    const run = coalesce(async (xs: number[]) => xs.slice(1));
    await expect(run(1)).rejects.toThrow('answered 0 results for 1');
  });
});
