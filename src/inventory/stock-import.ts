/**
 * Stock level import (CSV or JSON): parse, check every row, then apply all rows in ONE transaction
 * or none. All-or-nothing because a stock file is a snapshot: half of it applied leaves counts
 * that match neither the old nor the new truth, and re-running a fixed file after a partial
 * `add` would count the applied half twice. An import is recorded under its key (Idempotency-Key
 * or the hash of its rows), so running the same file again changes nothing.
 */
import { createHash } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { stock, stockImports, warehouses } from '../db/schema';
import { fieldErrors } from '../http/problems';
import { withoutBlankOptionals } from '../http/validate';
import { stockRow, type StockMode } from './inventory.schemas';

export interface StockImportRow {
  /** Where the row came from: the CSV line, or the 1-based index in the JSON array. */
  row: number;
  warehouseId: string;
  sku: string;
  quantity: number;
  mode: StockMode;
}

export interface RowError {
  row: number;
  field: string;
  message: string;
}

export interface ImportProgress {
  phase: 'checking' | 'applying' | 'done';
  done: number;
  total: number;
}

export type ImportOutcome =
  | {
      ok: true;
      importKey: string;
      /** True when this import had already been applied: nothing changed this time. */
      replayed: boolean;
      rows: number;
      created: number;
      updated: number;
    }
  | { ok: false; reason: 'invalid'; errors: RowError[] }
  | { ok: false; reason: 'key_reused'; importKey: string };

export const MAX_IMPORT_ROWS = 50_000;
const CHUNK = 500;
const COLUMNS = ['warehouse_id', 'sku', 'quantity', 'mode'] as const;

/** Splits CSV text into records (RFC 4180 quoting), each with the line it starts on. */
function csvRecords(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const src = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0]!.trim() !== '') out.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length) endRecord();
  return out;
}

/** Checks one raw row; the errors name the CSV column (or JSON field) at fault. */
function checkRow(
  raw: unknown,
  row: number,
  names: Record<string, string>,
): { row?: StockImportRow; errors: RowError[] } {
  const parsed = stockRow.safeParse(withoutBlankOptionals(stockRow, raw, 'json'));
  if (parsed.success) return { row: { row, ...parsed.data }, errors: [] };
  return {
    errors: fieldErrors(parsed.error, 'row').map((e) => ({
      row,
      field: names[e.path] ?? e.path,
      message: e.message,
    })),
  };
}

const CSV_NAMES = { warehouseId: 'warehouse_id', sku: 'sku', quantity: 'quantity', mode: 'mode' };

/**
 * Parses `warehouse_id,sku,quantity[,mode]` CSV. A first line naming the columns is a header
 * (columns may then come in any order); without one the columns are positional.
 */
export function parseStockCsv(text: string): { rows: StockImportRow[]; errors: RowError[] } {
  const records = csvRecords(text);
  const errors: RowError[] = [];
  const rows: StockImportRow[] = [];
  let order: string[] = [...COLUMNS];
  const first = records[0];
  // A header names at least one known column; a data row never does (its quantity is a number).
  if (
    first &&
    first.cells.some((c) => (COLUMNS as readonly string[]).includes(c.trim().toLowerCase()))
  ) {
    order = first.cells.map((c) => c.trim().toLowerCase());
    for (const name of order) {
      if (!(COLUMNS as readonly string[]).includes(name))
        errors.push({
          row: first.line,
          field: name,
          message: `unknown column; columns are ${COLUMNS.join(', ')}`,
        });
    }
    for (const name of COLUMNS.slice(0, 3)) {
      if (!order.includes(name))
        errors.push({ row: first.line, field: name, message: 'required column is missing' });
    }
    records.shift();
    if (errors.length) return { rows, errors };
  }
  if (records.length === 0) errors.push({ row: 1, field: 'file', message: 'holds no rows' });
  for (const rec of records) {
    if (rec.cells.length > order.length) {
      errors.push({
        row: rec.line,
        field: 'row',
        message: `has ${rec.cells.length} columns, expected at most ${order.length}`,
      });
      continue;
    }
    const value = (name: string) => {
      const i = order.indexOf(name);
      return i < 0 ? undefined : rec.cells[i]?.trim();
    };
    const q = value('quantity');
    const mode = value('mode');
    const raw = {
      warehouseId: value('warehouse_id') ?? '',
      sku: value('sku') ?? '',
      // Keep a non-number as text so the error says what was wrong with it.
      quantity: q !== undefined && q !== '' && Number.isFinite(Number(q)) ? Number(q) : q,
      ...(mode ? { mode } : {}),
    };
    const checked = checkRow(raw, rec.line, CSV_NAMES);
    errors.push(...checked.errors);
    if (checked.row) rows.push(checked.row);
  }
  return { rows, errors };
}

/** Checks the `rows` of a JSON import; row numbers are 1-based positions in the array. */
export function parseStockJson(rawRows: unknown[]): { rows: StockImportRow[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const rows: StockImportRow[] = [];
  rawRows.forEach((raw, i) => {
    const checked = checkRow(raw, i + 1, {});
    errors.push(...checked.errors);
    if (checked.row) rows.push(checked.row);
  });
  return { rows, errors };
}

/** Problems visible without the database: too many rows, the same stock named twice. */
function checkFile(rows: StockImportRow[]): RowError[] {
  if (rows.length > MAX_IMPORT_ROWS)
    return [
      {
        row: 0,
        field: 'file',
        message: `holds ${rows.length} rows; at most ${MAX_IMPORT_ROWS} per import`,
      },
    ];
  const seen = new Map<string, number>();
  const errors: RowError[] = [];
  for (const r of rows) {
    const key = `${r.warehouseId}\u0000${r.sku}`;
    const before = seen.get(key);
    if (before !== undefined)
      errors.push({
        row: r.row,
        field: 'sku',
        message: `${r.sku} in ${r.warehouseId} is already in row ${before}`,
      });
    else seen.set(key, r.row);
  }
  return errors;
}

export function contentHash(rows: StockImportRow[]): string {
  const canonical = rows.map((r) => [r.warehouseId, r.sku, r.quantity, r.mode]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * Applies checked rows in one transaction, or none when any row is wrong (unknown warehouse, a
 * level below what is reserved). `onProgress` is called after each chunk, for a CLI's bar.
 */
export async function importStock(
  db: Db,
  parsed: { rows: StockImportRow[]; errors: RowError[] },
  opts: { idempotencyKey?: string; onProgress?: (p: ImportProgress) => void } = {},
): Promise<ImportOutcome> {
  const errors = [...parsed.errors, ...checkFile(parsed.rows)];
  if (errors.length) return { ok: false, reason: 'invalid', errors: sortErrors(errors) };
  const rows = parsed.rows;
  const hash = contentHash(rows);
  const importKey = opts.idempotencyKey ?? `sha256:${hash}`;
  const total = rows.length;
  const progress = (phase: ImportProgress['phase'], done: number) =>
    opts.onProgress?.({ phase, done, total });

  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`stock-import:${importKey}`}))`);
    const [known] = await tx
      .select()
      .from(stockImports)
      .where(eq(stockImports.importKey, importKey));
    if (known) {
      if (known.contentHash !== hash) return { ok: false, reason: 'key_reused', importKey };
      progress('done', total);
      return {
        ...(known.result as { created: number; updated: number }),
        ok: true,
        importKey,
        replayed: true,
        rows: total,
      };
    }

    const warehouseIds = [...new Set(rows.map((r) => r.warehouseId))];
    const existing = new Set(
      (
        await tx
          .select({ id: warehouses.warehouseId })
          .from(warehouses)
          .where(inArray(warehouses.warehouseId, warehouseIds))
      ).map((w) => w.id),
    );
    // Lock the levels we are about to change, so a reservation cannot slip in between.
    const current = new Map<string, { onHand: number; reserved: number }>();
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const found = await tx
        .select({
          warehouseId: stock.warehouseId,
          sku: stock.sku,
          onHand: stock.onHand,
          reserved: stock.reserved,
        })
        .from(stock)
        .where(
          sql`(${stock.warehouseId}, ${stock.sku}) in (${sql.join(
            chunk.map((r) => sql`(${r.warehouseId}, ${r.sku})`),
            sql`, `,
          )})`,
        )
        .for('update');
      for (const f of found) current.set(`${f.warehouseId}\u0000${f.sku}`, f);
      progress('checking', Math.min(total, i + CHUNK));
    }

    const planned: { r: StockImportRow; onHand: number; isNew: boolean }[] = [];
    for (const r of rows) {
      if (!existing.has(r.warehouseId)) {
        errors.push({
          row: r.row,
          field: 'warehouse_id',
          message: `unknown warehouse "${r.warehouseId}"; create it with PUT /v1/warehouses/${r.warehouseId}`,
        });
        continue;
      }
      const now = current.get(`${r.warehouseId}\u0000${r.sku}`);
      const onHand = r.mode === 'set' ? r.quantity : (now?.onHand ?? 0) + r.quantity;
      const reserved = now?.reserved ?? 0;
      if (onHand < 0) {
        errors.push({ row: r.row, field: 'quantity', message: `would leave ${onHand} on hand` });
        continue;
      }
      if (onHand < reserved) {
        errors.push({
          row: r.row,
          field: 'quantity',
          message: `would leave ${onHand} on hand, below the ${reserved} reserved for reships`,
        });
        continue;
      }
      planned.push({ r, onHand, isNew: !now });
    }
    if (errors.length) return { ok: false, reason: 'invalid', errors: sortErrors(errors) };

    for (let i = 0; i < planned.length; i += CHUNK) {
      const chunk = planned.slice(i, i + CHUNK);
      await tx
        .insert(stock)
        .values(
          chunk.map((p) => ({ warehouseId: p.r.warehouseId, sku: p.r.sku, onHand: p.onHand })),
        )
        .onConflictDoUpdate({
          target: [stock.warehouseId, stock.sku],
          set: { onHand: sql`excluded.on_hand`, updatedAt: sql`now()` },
        });
      progress('applying', Math.min(total, i + CHUNK));
    }
    const created = planned.filter((p) => p.isNew).length;
    const result = { created, updated: planned.length - created };
    await tx.insert(stockImports).values({ importKey, contentHash: hash, rows: total, result });
    progress('done', total);
    return { ok: true, importKey, replayed: false, rows: total, ...result };
  });
}

const sortErrors = (errors: RowError[]) =>
  [...errors].sort((a, b) => a.row - b.row || a.field.localeCompare(b.field));
