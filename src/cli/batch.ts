/**
 * `parcelwarden reviews batch`: sends decisions through `POST /v1/reviews:batch`, one batch
 * workflow per 500, and follows each batch's progress (`GET /v1/reviews:batch/{id}`) to the end.
 */
import type { BatchItem, BatchProgress } from '../../workflows/batch-review.contract';
import { ApiProblem, CliError, type ApiClient } from './client';
import { batchIds, rowErrorOf, splitBatches, type DecisionRow } from './decisions';
import type { RowError } from './import.rows';

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Counts {
  done: number;
  total: number;
  succeeded: number;
  failed: number;
}

/** `120/500 done, 118 succeeded, 2 failed`: the words a log line and the bar share. */
export function countsLine(c: Counts): string {
  return `${c.done}/${c.total} done, ${c.succeeded} succeeded, ${c.failed} failed`;
}

/** The bar drawn in place on a terminal: `[#####.....] 120/500 done, 118 succeeded, 2 failed`. */
export function progressBar(c: Counts, columns = 80): string {
  const width = Math.max(10, Math.min(40, columns - 50));
  const filled = c.total ? Math.min(width, Math.round((c.done / c.total) * width)) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${countsLine(c)}`;
}

export interface BatchProgressView {
  update(c: Counts, label?: string): void;
  finish(): void;
}

/**
 * Progress of a running batch. A terminal gets one bar redrawn in place; a pipe or CI log gets a
 * line each time the counts change (never the same line twice), so logs stay short.
 */
export function createBatchProgressView(out: Out): BatchProgressView {
  let last = '';
  let drawn = 0;
  return {
    update(c, label) {
      const prefix = label ? `${label}: ` : '';
      if (out.isTTY) {
        const text = prefix + progressBar(c, out.columns);
        out.write(`\r${text.padEnd(drawn)}`);
        drawn = text.length;
        return;
      }
      const text = prefix + countsLine(c);
      if (text === last) return;
      last = text;
      out.write(`${text}\n`);
    },
    finish() {
      if (out.isTTY && drawn) out.write('\n');
      drawn = 0;
    },
  };
}

export interface BatchRunResult {
  batches: { batchId: string; progress?: BatchProgress }[];
  total: number;
  succeeded: number;
  /** Decisions that had been taken before (a retried run): counted in `succeeded`. */
  duplicates: number;
  failed: BatchItem[];
}

/** Consecutive unreadable polls before giving up on following a batch (it keeps running). */
const MAX_POLL_FAILURES = 30;

/**
 * Submits the decisions, at most `batchSize` per batch, and (unless `wait` is false) waits for
 * each batch to finish before sending the next, so one run never floods the workers.
 */
export async function runBatches(opts: {
  api: Pick<ApiClient, 'get' | 'post'>;
  decisions: readonly DecisionRow[];
  batchId: string;
  wait: boolean;
  progress?: BatchProgressView;
  /** Told when a batch was accepted, before it is followed. */
  onSubmitted?: (batchId: string, size: number, index: number, count: number) => void;
  batchSize?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}): Promise<BatchRunResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = opts.pollMs ?? 1000;
  const parts = splitBatches(opts.decisions, opts.batchSize);
  const ids = batchIds(opts.batchId, parts.length);
  const result: BatchRunResult = {
    batches: [],
    total: opts.decisions.length,
    succeeded: 0,
    duplicates: 0,
    failed: [],
  };
  let before: Counts = { done: 0, total: result.total, succeeded: 0, failed: 0 };

  for (const [i, part] of parts.entries()) {
    const batchId = ids[i]!;
    await submit(opts.api, batchId, part);
    opts.onSubmitted?.(batchId, part.length, i, parts.length);
    if (!opts.wait) {
      result.batches.push({ batchId });
      continue;
    }
    const label = parts.length > 1 ? `batch ${i + 1} of ${parts.length}` : undefined;
    const progress = await follow(opts.api, batchId, pollMs, sleep, (p) =>
      opts.progress?.update(
        {
          done: before.done + p.done,
          total: result.total,
          succeeded: before.succeeded + p.succeeded,
          failed: before.failed + p.failed,
        },
        label,
      ),
    );
    before = {
      done: before.done + progress.done,
      total: result.total,
      succeeded: before.succeeded + progress.succeeded,
      failed: before.failed + progress.failed,
    };
    result.batches.push({ batchId, progress });
    result.succeeded += progress.succeeded;
    result.duplicates += progress.items.filter(
      (it) => it.status === 'succeeded' && it.duplicate,
    ).length;
    result.failed.push(...progress.items.filter((it) => it.status === 'failed'));
  }
  opts.progress?.finish();
  return result;
}

/** Thrown when the API refuses a batch's rows: the errors point at the file's lines. */
export class BatchRefused extends Error {
  constructor(
    readonly batchId: string,
    readonly errors: RowError[],
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'BatchRefused';
  }
}

async function submit(
  api: Pick<ApiClient, 'post'>,
  batchId: string,
  part: readonly DecisionRow[],
): Promise<void> {
  const body = {
    batchId,
    decisions: part.map(({ row: _, ...d }) => d),
  };
  try {
    await api.post('/v1/reviews:batch', body);
  } catch (err) {
    if (!(err instanceof ApiProblem)) throw err;
    if (err.status === 403) {
      throw new CliError(
        `The API key may not decide reviews (${err.problem.code ?? '403'}): use a key of role ops or admin.`,
        1,
      );
    }
    if (err.status === 409) {
      throw new CliError(
        `${err.message}\nBatch ids are used once: drop --batch-id to get a new one, or pick another.`,
        1,
      );
    }
    if (err.status === 400 && err.problem.errors?.length) {
      throw new BatchRefused(
        batchId,
        err.problem.errors.map((e) => rowErrorOf(part, e)),
        err.problem.detail ?? err.message,
      );
    }
    throw err;
  }
}

async function follow(
  api: Pick<ApiClient, 'get'>,
  batchId: string,
  pollMs: number,
  sleep: (ms: number) => Promise<void>,
  onProgress: (p: BatchProgress) => void,
): Promise<BatchProgress> {
  const path = `/v1/reviews:batch/${encodeURIComponent(batchId)}`;
  let failures = 0;
  for (;;) {
    let p: BatchProgress | undefined;
    try {
      p = await api.get<BatchProgress>(path);
      failures = 0;
    } catch (err) {
      if (!(err instanceof ApiProblem) || !err.transient) throw err;
      if (++failures >= MAX_POLL_FAILURES) {
        throw new CliError(
          `Batch ${batchId} was accepted and runs on, but its progress cannot be read (${err.message}).\n` +
            `Check it later with GET ${path}.`,
          1,
        );
      }
    }
    if (p) {
      onProgress(p);
      if (p.finished) return p;
    }
    await sleep(pollMs);
  }
}
