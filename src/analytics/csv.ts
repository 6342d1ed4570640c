import type { Request } from 'express';
export type Cell = string | number | boolean | null | undefined;

/**
 * A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading
 * apostrophe: exported carrier names or notes must not execute in the analyst's Excel.
 */
function neutralise(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** One field per RFC 4180: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? neutralise(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header row then one row per record, CRLF line ends (RFC 4180). */
export function toCsv<R>(columns: { key: keyof R & string; header: string }[], rows: R[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c.key] as Cell)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** `?format=csv` wins; otherwise the Accept header decides between JSON and CSV. */
export function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}
