import { csvField } from '../analytics/csv';
import { MAX_BATCH_REGISTRATIONS } from '../shipments/shipments.schemas';
import { ApiProblem, CliError, type ApiClient, type Problem } from './client';
import { parseCsvFile } from './csv';
import {
  COLUMNS,
  columnOf,
  mapRow,
  readHeader,
  type ImportDefaults,
  type MappedRow,
  type RowError,
} from './import.rows';
import type { Progress } from './progress';

export interface ImportResult {
  rows: number;
  created: number;
  /** Already registered with the same body (a re-run): nothing changed. */
  existing: number;
  errors: RowError[];
}

const RETRIES = 3;

/** API field errors of a rejected row, by CSV column. */
export function rowErrorsFromProblem(row: number, err: ApiProblem): RowError[] {
  const p = err.problem;
  if (p.errors?.length) {
    return p.errors.map((e) => {
      const item = /^items\.(\d+)\.?(.*)$/.exec(e.path);
      return {
        row,
        field: columnOf(e.path),
        message: item
          ? `item ${Number(item[1]) + 1}${item[2] ? ` ${item[2]}` : ''}: ${e.message}`
          : e.message,
      };
    });
  }
  const field =
    err.status === 422 || p.code?.startsWith('policy.')
      ? 'policy'
      : p.code === 'shipment.conflict'
        ? /tracking number/i.test(p.detail ?? '')
          ? 'tracking_number'
          : 'shipment_id'
        : '';
  return [{ row, field, message: p.detail ?? p.title ?? `HTTP ${err.status}` }];
}

/** The per-row error report as CSV: row, field, message. */
export function errorReportCsv(errors: RowError[]): string {
  const lines = ['row,field,message'];
  for (const e of errors) lines.push([e.row, e.field, e.message].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One item's answer inside the 200 of `POST /v1/shipments:batch`. */
interface BatchItemAnswer {
  index: number;
  status: number;
  problem?: Problem;
}

/** `shipments.3.customer.email` → `customer.email`: item paths of a batch, as a single body's. */
function itemProblem(status: number, problem: Problem): ApiProblem {
  const errors = problem.errors?.map((e) => ({
    ...e,
    path: e.path.replace(/^shipments\.\d+\.?/, ''),
  }));
  return new ApiProblem(status, errors ? { ...problem, errors } : problem);
}

type Outcome = 'created' | 'existing' | RowError[];

/**
 * Registers one chunk of rows through `POST /v1/shipments:batch`. Transient failures are sent
 * again: the whole chunk when the request failed, only the 503 items when the batch answered.
 */
async function registerChunk(
  api: Pick<ApiClient, 'post'>,
  chunk: readonly MappedRow[],
  sleep: (ms: number) => Promise<void>,
  settle: (outcome: Outcome) => void,
): Promise<void> {
  let pending = chunk;
  for (let attempt = 0; pending.length; attempt++) {
    const canRetry = attempt < RETRIES;
    let answers: BatchItemAnswer[];
    try {
      const res = await api.post<{ results: BatchItemAnswer[] }>('/v1/shipments:batch', {
        shipments: pending.map((r) => r.body),
      });
      answers = res.body.results;
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      if (err.status === 403) {
        throw new CliError(
          `The API key may not register shipments (${err.problem.code ?? '403'}): use a key of role ingest or admin.`,
        );
      }
      if (err.status === 413 && pending.length > 1) {
        // Rows larger than usual: halve the request rather than fail them.
        const half = Math.ceil(pending.length / 2);
        await registerChunk(api, pending.slice(0, half), sleep, settle);
        await registerChunk(api, pending.slice(half), sleep, settle);
        return;
      }
      if (err.transient && canRetry) {
        await sleep(500 * 2 ** attempt);
        continue;
      }
      for (const row of pending) settle(rowErrorsFromProblem(row.row, err));
      return;
    }
    const byIndex = new Map(answers.map((a) => [a.index, a]));
    const again: MappedRow[] = [];
    pending.forEach((row, index) => {
      const a = byIndex.get(index);
      if (!a) {
        settle([{ row: row.row, field: '', message: 'the API gave no result for this row' }]);
      } else if (a.status === 201 || a.status === 200) {
        settle(a.status === 201 ? 'created' : 'existing');
      } else {
        const problem = itemProblem(a.status, a.problem ?? {});
        if (problem.transient && canRetry) again.push(row);
        else settle(rowErrorsFromProblem(row.row, problem));
      }
    });
    if (again.length) await sleep(500 * 2 ** attempt);
    pending = again;
  }
}

/**
 * Registers every row of the file through `POST /v1/shipments:batch`, `batchSize` rows per request
 * and `concurrency` requests at a time. Rows are idempotent (the same row again answers 200), so
 * running the same file again is safe.
 */
export async function importShipments(opts: {
  text: string;
  api: Pick<ApiClient, 'post'>;
  defaults?: ImportDefaults;
  /** Rows per request, 1..500. */
  batchSize?: number;
  /** Requests in flight. */
  concurrency?: number;
  progress?: Progress;
  sleep?: (ms: number) => Promise<void>;
}): Promise<ImportResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const records = parseCsvFile(opts.text);
  const [header, ...data] = records;
  if (!header)
    throw new CliError('The file is empty: expected a header row and one row per shipment.');
  const columns = readHeader(header.fields);
  if (!columns.ok) {
    throw new CliError(
      `The header lacks required column(s): ${columns.missing.join(', ')}.\n` +
        `Expected columns (any order, extra columns ignored): ${Object.keys(COLUMNS).join(', ')}.\n` +
        'See `parcelwarden import shipments --help`.',
    );
  }

  const result: ImportResult = { rows: data.length, created: 0, existing: 0, errors: [] };
  const mapped: MappedRow[] = [];
  for (const record of data) {
    const m = mapRow(record, columns.index, opts.defaults);
    if (m.ok) mapped.push(m.row);
    else result.errors.push(...m.errors);
  }
  const progress = opts.progress;
  progress?.start(data.length);
  for (let i = 0; i < data.length - mapped.length; i++) progress?.tick(false);

  const size = Math.min(
    MAX_BATCH_REGISTRATIONS,
    Math.max(1, opts.batchSize ?? MAX_BATCH_REGISTRATIONS),
  );
  const chunks: MappedRow[][] = [];
  for (let i = 0; i < mapped.length; i += size) chunks.push(mapped.slice(i, i + size));
  const settle = (outcome: Outcome) => {
    if (outcome === 'created') result.created++;
    else if (outcome === 'existing') result.existing++;
    else result.errors.push(...outcome);
    progress?.tick(typeof outcome === 'string');
  };
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await registerChunk(opts.api, chunks[next++]!, sleep, settle);
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 2, chunks.length)) }, worker),
  );
  progress?.done();
  result.errors.sort((a, b) => a.row - b.row);
  return result;
}
