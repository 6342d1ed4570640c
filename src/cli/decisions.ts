/**
 * Review decisions for `parcelwarden reviews batch`: read from a CSV file
 * (`shipmentId,decision[,reviewer][,note]`) and split into batches the API takes.
 */
import { MAX_BATCH_DECISIONS, type BatchDecision } from '../../workflows/batch-review.contract';
import { REVIEW_DECISIONS, type ReviewDecision } from '../../workflows/shipment.contract';
import { CliError } from './client';
import { parseCsvFile } from './csv';
import type { RowError } from './import.rows';

/** A decision with the file line it came from, so that API field errors point at the row. */
export interface DecisionRow extends BatchDecision {
  row: number;
}

const FIELDS = ['shipmentId', 'decision', 'reviewer', 'note'] as const;
type Field = (typeof FIELDS)[number];
/** Header names compared without case, spaces, `_` and `-`: `Shipment ID` is `shipmentId`. */
const squash = (h: string) => h.toLowerCase().replace(/[\s_-]+/g, '');
const ALIASES: Record<string, Field> = Object.fromEntries(FIELDS.map((f) => [squash(f), f]));

export const DECISION_COLUMNS_HELP = `Columns (header row required; names match ignoring case, spaces, _ and -; extra columns ignored):
  * shipment_id   the shipment to decide
  * decision      ${REVIEW_DECISIONS.join(' | ')}
    reviewer      who decides; default: --reviewer
    note          free text kept with the decision`;

/** "Keep waiting" and "keep-waiting" mean keep_waiting. */
function decisionOf(v: string): ReviewDecision | undefined {
  const d = v
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (REVIEW_DECISIONS as readonly string[]).includes(d) ? (d as ReviewDecision) : undefined;
}

/**
 * Reads the decisions file. Every row is checked (all errors, not just the first) because the
 * whole file is refused when one row is wrong: money decisions are not sent half-understood.
 */
export function parseDecisionsCsv(
  text: string,
  defaults: { reviewer?: string } = {},
): { decisions: DecisionRow[]; errors: RowError[] } {
  const records = parseCsvFile(text);
  const [header, ...data] = records;
  if (!header) {
    throw new CliError(
      `The file is empty: expected a header row and one row per decision.\n\n${DECISION_COLUMNS_HELP}`,
    );
  }
  const index = new Map<Field, number>();
  header.fields.forEach((h, i) => {
    const f = ALIASES[squash(h.trim())];
    if (f && !index.has(f)) index.set(f, i);
  });
  const missing = (['shipmentId', 'decision'] as const).filter((f) => !index.has(f));
  if (missing.length) {
    throw new CliError(
      `The header lacks column(s) ${missing.join(', ')} (line 1 is "${header.fields.join(',')}").\n\n${DECISION_COLUMNS_HELP}`,
    );
  }
  if (!data.length) throw new CliError('The file has a header but no decisions.');

  const decisions: DecisionRow[] = [];
  const errors: RowError[] = [];
  const firstRowOf = new Map<string, number>();
  for (const rec of data) {
    const get = (f: Field) => {
      const i = index.get(f);
      return i === undefined ? '' : (rec.fields[i] ?? '').trim();
    };
    const fail = (field: string, message: string) => errors.push({ row: rec.line, field, message });
    const shipmentId = get('shipmentId');
    if (!shipmentId) fail('shipment_id', 'is required');
    else if (shipmentId.length > 128) fail('shipment_id', 'must be at most 128 characters');
    const decisionText = get('decision');
    const decision = decisionOf(decisionText);
    if (!decisionText) fail('decision', `is required: ${REVIEW_DECISIONS.join(', ')}`);
    else if (!decision)
      fail('decision', `"${decisionText}" is not one of ${REVIEW_DECISIONS.join(', ')}`);
    const reviewer = get('reviewer') || defaults.reviewer?.trim() || '';
    if (!reviewer) fail('reviewer', 'is required (or pass --reviewer <name> for the whole file)');
    else if (reviewer.length > 200) fail('reviewer', 'must be at most 200 characters');
    const note = get('note');
    if (note.length > 2000) fail('note', 'must be at most 2000 characters');
    if (shipmentId) {
      const before = firstRowOf.get(shipmentId);
      if (before !== undefined) fail('shipment_id', `already has a decision in row ${before}`);
      else firstRowOf.set(shipmentId, rec.line);
    }
    if (decision && shipmentId && reviewer && !errors.some((e) => e.row === rec.line)) {
      decisions.push({
        row: rec.line,
        shipmentId,
        decision,
        reviewer,
        ...(note ? { note } : {}),
      });
    }
  }
  return { decisions, errors };
}

/** Splits decisions into batches of at most `size` (the API takes 1–500 per request). */
export function splitBatches<T>(items: readonly T[], size = MAX_BATCH_DECISIONS): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('batch size must be ≥ 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Batch ids of a run: the given id for one batch, `<id>-<n>` for several. Each batch is its own
 * workflow (`batch-review:<id>`), so a retried POST finds the same batch instead of a second one.
 */
export function batchIds(base: string, count: number): string[] {
  return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}-${String(i + 1)}`);
}

const BATCH_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Checks `--batch-id` before anything is sent, room for the `-<n>` suffix included. */
export function checkBatchId(id: string, count: number): void {
  const longest = batchIds(id, count).at(-1)!;
  if (!BATCH_ID.test(longest)) {
    throw new CliError(
      `--batch-id "${id}" cannot be used: a batch id is 1–128 letters, digits, ".", "_", ":" or "-"` +
        (count > 1 ? ` (with "-${count}" appended for the ${count} batches)` : '') +
        '.',
    );
  }
}

/**
 * The row behind an API field error on a batch (`decisions.3.reviewer`), so a refusal reads
 * like the file's own errors.
 */
export function rowErrorOf(
  batch: readonly DecisionRow[],
  e: { path: string; message: string },
): RowError {
  const m = /^decisions\.(\d+)\.?(.*)$/.exec(e.path);
  const row = m ? batch[Number(m[1])]?.row : undefined;
  if (row === undefined) return { row: 0, field: e.path, message: e.message };
  const field = m![2] === 'shipmentId' ? 'shipment_id' : m![2] || 'row';
  return { row, field, message: e.message };
}
