export interface Progress {
  start(total: number): void;
  /** One row done, well or not. */
  tick(ok: boolean): void;
  done(): void;
}

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A bar redrawn in place on a terminal; on a pipe or a CI log, a plain line every 10 %, so logs
 * stay readable.
 */
export function createProgress(out: Out, label: string, now: () => number = Date.now): Progress {
  let total = 0;
  let done = 0;
  let failed = 0;
  let lastDraw = 0;
  let lastStep = -1;
  let lastPrinted = -1;
  const line = () => `${label} ${done}/${total}${failed ? ` (${failed} failed)` : ''}`;
  const draw = (force: boolean) => {
    if (out.isTTY) {
      if (!force && now() - lastDraw < 80) return;
      lastDraw = now();
      const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 40));
      const filled = total ? Math.round((done / total) * width) : width;
      out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line()}`);
      return;
    }
    const step = total ? Math.floor((done / total) * 10) : 10;
    if ((step !== lastStep || force) && done !== lastPrinted) {
      lastStep = step;
      lastPrinted = done;
      out.write(`${line()}\n`);
    }
  };
  return {
    start(n) {
      total = n;
      draw(true);
    },
    tick(ok) {
      done++;
      if (!ok) failed++;
      draw(done === total);
    },
    done() {
      if (out.isTTY) out.write('\n');
    },
  };
}
