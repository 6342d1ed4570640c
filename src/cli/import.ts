import { csvField } from '../analytics/csv';
import { ApiProblem, CliError, type ApiClient } from './client';
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

async function register(
  api: Pick<ApiClient, 'post'>,
  row: MappedRow,
  sleep: (ms: number) => Promise<void>,
): Promise<'created' | 'existing' | RowError[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await api.post('/v1/shipments', row.body);
      return res.status === 201 ? 'created' : 'existing';
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      if (err.transient && attempt < RETRIES) {
        await sleep(500 * 2 ** attempt);
        continue;
      }
      if (err.status === 403) {
        throw new CliError(
          `The API key may not register shipments (${err.problem.code ?? '403'}): use a key of role ingest or admin.`,
        );
      }
      return rowErrorsFromProblem(row.row, err);
    }
  }
}

/**
 * Registers every row of the file through `POST /v1/shipments`, `concurrency` at a time. Rows are
 * idempotent (the same row again answers 200), so running the same file again is safe.
 */
export async function importShipments(opts: {
  text: string;
  api: Pick<ApiClient, 'post'>;
  defaults?: ImportDefaults;
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

  let next = 0;
  const worker = async () => {
    while (next < mapped.length) {
      const row = mapped[next++]!;
      const outcome = await register(opts.api, row, sleep);
      if (outcome === 'created') result.created++;
      else if (outcome === 'existing') result.existing++;
      else result.errors.push(...outcome);
      progress?.tick(typeof outcome === 'string');
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, mapped.length)) }, worker),
  );
  progress?.done();
  result.errors.sort((a, b) => a.row - b.row);
  return result;
}
