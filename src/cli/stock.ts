/**
 * `parcelwarden stock import`: sends a stock file to `POST /v1/stock:import` as text/csv. The API
 * applies all rows in one transaction or none, and answers a refusal with 422 and one error per
 * `rows.<line>.<column>`, which is turned back into a per-row report here.
 */
import { ApiProblem, CliError, type ApiClient } from './client';
import { parseCsvFile } from './csv';
import type { RowError } from './import.rows';

export const STOCK_MODES = ['set', 'add'] as const;
export type StockMode = (typeof STOCK_MODES)[number];
const STOCK_COLUMNS = ['warehouse_id', 'sku', 'quantity', 'mode'];

/** A field as RFC 4180 wants it; unlike report exports, `-5` must stay a number here. */
function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The file with `mode` filled in where a row leaves it blank (a `mode` column is added when
 * there is none). Every row stays on its line, so the API's `rows.<line>` errors still point at
 * the user's file: blank lines are kept as blank lines.
 */
export function withDefaultMode(text: string, mode: StockMode): string {
  const records = parseCsvFile(text);
  const [first] = records;
  if (!first) return text;
  // The API's rule: a first line naming a known column is a header; otherwise columns are
  // warehouse_id, sku, quantity, mode by position.
  const header = first.fields.some((c) => STOCK_COLUMNS.includes(c.trim().toLowerCase()));
  const names = header ? first.fields.map((c) => c.trim().toLowerCase()) : STOCK_COLUMNS;
  const hasMode = names.includes('mode');
  const modeAt = hasMode ? names.indexOf('mode') : names.length;
  const width = hasMode ? names.length : names.length + 1;

  let out = '';
  let line = 1;
  for (const [i, rec] of records.entries()) {
    while (line < rec.line) {
      out += '\r\n';
      line++;
    }
    let cells = rec.fields;
    if (header && i === 0) {
      if (!hasMode) cells = [...cells, 'mode'];
    } else if (cells.length <= names.length) {
      // Rows with too many cells are left alone: the API reports them as they are.
      cells = Array.from({ length: width }, (_, j) => cells[j] ?? '');
      if (!cells[modeAt]!.trim()) cells[modeAt] = mode;
    }
    const serialised = cells.map(field).join(',');
    out += `${serialised}\r\n`;
    line += 1 + (serialised.match(/\n/g)?.length ?? 0);
  }
  return out;
}

export interface StockImportAnswer {
  importKey: string;
  replayed: boolean;
  rows: number;
  created: number;
  updated: number;
}

export type StockImportResult =
  { ok: true; answer: StockImportAnswer } | { ok: false; detail: string; errors: RowError[] };

/** `rows.12.quantity` → row 12, column quantity; `rows.0.file` is about the whole file. */
export function stockRowErrors(errors: { path: string; message: string }[]): RowError[] {
  return errors.map((e) => {
    const m = /^rows\.(\d+)\.(.+)$/.exec(e.path);
    return m
      ? { row: Number(m[1]), field: m[2]!, message: e.message }
      : { row: 0, field: e.path, message: e.message };
  });
}

export async function importStockFile(opts: {
  api: Pick<ApiClient, 'postText'>;
  text: string;
  mode?: StockMode;
  importKey?: string;
}): Promise<StockImportResult> {
  const body = opts.mode ? withDefaultMode(opts.text, opts.mode) : opts.text;
  try {
    const res = await opts.api.postText<StockImportAnswer>(
      '/v1/stock:import',
      body,
      'text/csv',
      opts.importKey ? { 'idempotency-key': opts.importKey } : {},
    );
    return { ok: true, answer: res.body };
  } catch (err) {
    if (!(err instanceof ApiProblem)) throw err;
    if (err.status === 422 && err.problem.errors?.length) {
      return {
        ok: false,
        detail: err.problem.detail ?? err.message,
        errors: stockRowErrors(err.problem.errors),
      };
    }
    if (err.status === 403) {
      throw new CliError(
        `The API key may not import stock (${err.problem.code ?? '403'}): use a key of role ingest or admin.`,
        1,
      );
    }
    if (err.status === 413) {
      throw new CliError(
        `${err.message}\nThe file is larger than the API takes in one request (4 MB, 50,000 rows): split it into several files.`,
        1,
      );
    }
    if (err.status === 409) {
      throw new CliError(
        `${err.message}\nA new file needs a new --import-key (or none: the rows' hash is used).`,
        1,
      );
    }
    throw err;
  }
}
