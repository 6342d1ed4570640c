/**
 * A carrier's rate card as CSV: `carrier,service,origin_country,destination_country,service_days,
 * postage,currency[,insurable]` with a header line. Parsed by csv-parse (RFC 4180); every
 * problem is reported with its line number, and a file with any problem imports nothing.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { rateRow, MAX_RATE_ROWS, type RateRowInput } from './channels.schemas';

export const RATE_CARD_COLUMNS = [
  'carrier',
  'service',
  'origin_country',
  'destination_country',
  'service_days',
  'postage',
  'currency',
  'insurable',
] as const;
const REQUIRED = RATE_CARD_COLUMNS.slice(0, 7);

export interface RateCardLineError {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  field: string;
  message: string;
}

export type ParsedRateCard =
  { ok: true; rows: RateRowInput[] } | { ok: false; errors: RateCardLineError[] };

const FIELD_OF: Record<string, string> = {
  carrier: 'carrier',
  service: 'service',
  originCountry: 'origin_country',
  destinationCountry: 'destination_country',
  serviceDays: 'service_days',
  postage: 'postage',
  currency: 'currency',
  insurable: 'insurable',
};

/** A number as a rate card writes it: digits with a dot (no thousands separators, no units). */
function num(s: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
}

function bool(s: string): boolean | string | undefined {
  if (s === '') return undefined;
  const v = s.toLowerCase();
  if (['true', 'yes', '1', 'y'].includes(v)) return true;
  if (['false', 'no', '0', 'n'].includes(v)) return false;
  return s;
}

export function parseRateCardCsv(text: string): ParsedRateCard {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? 1;
      return { ok: false, errors: [{ line, field: 'file', message: err.message }] };
    }
    throw err;
  }
  const [header, ...data] = records;
  if (!header) return { ok: false, errors: [{ line: 1, field: 'file', message: 'is empty' }] };
  const columns = header.record.map((c) => c.toLowerCase());
  const errors: RateCardLineError[] = [];
  for (const c of columns)
    if (!(RATE_CARD_COLUMNS as readonly string[]).includes(c))
      errors.push({
        line: header.info.lines,
        field: c || '(blank)',
        message: `unknown column; columns are ${RATE_CARD_COLUMNS.join(', ')}`,
      });
  for (const c of REQUIRED)
    if (!columns.includes(c))
      errors.push({ line: header.info.lines, field: c, message: 'required column is missing' });
  if (errors.length) return { ok: false, errors };
  if (data.length === 0)
    return { ok: false, errors: [{ line: 2, field: 'file', message: 'holds no rate rows' }] };
  if (data.length > MAX_RATE_ROWS)
    return {
      ok: false,
      errors: [
        { line: 1, field: 'file', message: `holds ${data.length} rows; at most ${MAX_RATE_ROWS}` },
      ],
    };

  const rows: RateRowInput[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of data) {
    const line = info.lines;
    if (record.length > columns.length) {
      errors.push({
        line,
        field: 'row',
        message: `has ${record.length} fields, the header has ${columns.length}`,
      });
      continue;
    }
    const cell = (name: string) => record[columns.indexOf(name)] ?? '';
    const parsed = rateRow.safeParse({
      carrier: cell('carrier').toLowerCase(),
      service: cell('service').toLowerCase(),
      originCountry: cell('origin_country').toUpperCase(),
      destinationCountry: cell('destination_country').toUpperCase(),
      serviceDays: num(cell('service_days')),
      postage: num(cell('postage')),
      currency: cell('currency').toUpperCase(),
      insurable: columns.includes('insurable') ? bool(cell('insurable')) : undefined,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'row');
        errors.push({ line, field: FIELD_OF[key] ?? key, message: issue.message });
      }
      continue;
    }
    const r = parsed.data;
    const key = `${r.carrier}/${r.service}/${r.originCountry}/${r.destinationCountry}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        line,
        field: 'row',
        message: `repeats the channel ${key} of line ${first}`,
      });
      continue;
    }
    seen.set(key, line);
    rows.push(r);
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}
