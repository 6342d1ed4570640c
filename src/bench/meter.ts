/**
 * Progress of a long phase on stderr: done/total and the rate so far, at most every few seconds,
 * plus a last line when the phase is complete.
 */
import type { BenchContext } from './types';

export interface Meter {
  /** Counts `n` more as done. */
  tick(n?: number): void;
  readonly done: number;
  /** Seconds since the meter started. */
  seconds(): number;
  /** Reports the final count and rate. */
  finish(): void;
}

export function startMeter(
  ctx: Pick<BenchContext, 'progress'>,
  label: string,
  total: number,
  opts: { unit?: string; everyMs?: number } = {},
): Meter {
  const unit = opts.unit ?? '';
  const everyMs = opts.everyMs ?? 3_000;
  const started = performance.now();
  let done = 0;
  let lastReport = started;
  const seconds = () => (performance.now() - started) / 1000;
  const line = () => {
    const s = seconds();
    const rate = s > 0 ? done / s : 0;
    return `${label}: ${done}/${total}${unit ? ` ${unit}` : ''} in ${s.toFixed(1)} s (${rate.toFixed(1)}/s)`;
  };
  return {
    tick(n = 1) {
      done += n;
      const now = performance.now();
      if (now - lastReport >= everyMs && done < total) {
        lastReport = now;
        ctx.progress(line());
      }
    },
    get done() {
      return done;
    },
    seconds,
    finish() {
      ctx.progress(line());
    },
  };
}
