import { ProblemError } from '../http/problems';
import type { RowError } from './stock-import';

export function warehouseNotFound(id: string): ProblemError {
  return new ProblemError(
    404,
    'warehouse.not_found',
    'Warehouse not found',
    `There is no warehouse "${id}". Create it with PUT /v1/warehouses/${id}.`,
  );
}

/**
 * A stock import with wrong rows: nothing was applied. Each error's `path` is
 * `rows.<row>.<field>`, where <row> is the CSV line (header = line 1) or the JSON array position.
 */
export function stockImportInvalid(errors: RowError[]): ProblemError {
  const shown = errors.slice(0, 1000);
  return new ProblemError(
    422,
    'stock.import_invalid',
    'Stock import has invalid rows',
    `${errors.length} problem(s) in the import; no row was applied (an import is all or nothing). Fix the rows and send the file again.`,
    { errors: shown.map((e) => ({ path: `rows.${e.row}.${e.field}`, message: e.message })) },
  );
}

export function stockImportKeyReused(key: string): ProblemError {
  return new ProblemError(
    409,
    'stock.import_key_reused',
    'Idempotency key already used',
    `Idempotency-Key "${key}" was used for an import with other rows; use a new key for a new import.`,
  );
}

export function unsupportedImportType(): ProblemError {
  return new ProblemError(
    415,
    'request.unsupported_media_type',
    'Unsupported media type',
    'Send the stock levels as text/csv (warehouse_id,sku,quantity[,mode]) or as application/json ({"rows": [...]}).',
  );
}
