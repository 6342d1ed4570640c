import express, { Router } from 'express';
import { requirePermission } from '../http/auth';
import { decodeCursor, toPage } from '../http/pagination';
import { validationFailed } from '../http/problems';
import { parseBody, parseParams, parseQuery } from '../http/validate';
import type { Db } from '../db/client';
import {
  stockImportInvalid,
  stockImportKeyReused,
  unsupportedImportType,
  warehouseNotFound,
} from './inventory.errors';
import type { InventoryRepository } from './inventory.repository';
import {
  stockCursor,
  stockImportBody,
  stockQuery,
  suggestionsCursor,
  suggestionsQuery,
  warehouseBody,
  warehouseParams,
  warehousesCursor,
  warehousesQuery,
} from './inventory.schemas';
import { importStock, parseStockCsv, parseStockJson } from './stock-import';

/** CSV files are bigger than JSON bodies: 50,000 rows of ~40 bytes. */
export const CSV_LIMIT = '4mb';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw validationFailed(
      [{ path: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' }],
      'Idempotency-Key header',
    );
  }
  return header;
}

export function inventoryRouter(deps: { db: Db; inventory: InventoryRepository }): Router {
  const { db, inventory } = deps;
  const router = Router();

  /**
   * Stock levels from CSV (`warehouse_id,sku,quantity[,mode]`) or JSON (`{rows: [...]}`): all rows
   * applied in one transaction, or none with a per-row error report; the same import again
   * (same Idempotency-Key, or same rows without one) changes nothing.
   */
  router.post(
    '/v1/stock\\:import',
    requirePermission('ingest'),
    express.text({ type: ['text/csv', 'application/csv'], limit: CSV_LIMIT }),
    async (req, res) => {
      const key = idempotencyKey(req.header('idempotency-key'));
      let parsed;
      if (req.is(['text/csv', 'application/csv'])) {
        parsed = parseStockCsv(typeof req.body === 'string' ? req.body : '');
      } else if (req.is('application/json')) {
        parsed = parseStockJson(parseBody(req, stockImportBody).rows);
      } else {
        throw unsupportedImportType();
      }
      const outcome = await importStock(db, parsed, { idempotencyKey: key });
      if (!outcome.ok) {
        if (outcome.reason === 'key_reused') throw stockImportKeyReused(outcome.importKey);
        throw stockImportInvalid(outcome.errors);
      }
      res.status(200).json({
        importKey: outcome.importKey,
        replayed: outcome.replayed,
        rows: outcome.rows,
        created: outcome.created,
        updated: outcome.updated,
      });
    },
  );

  router.get('/v1/stock', requirePermission('read'), async (req, res) => {
    const { cursor, ...q } = parseQuery(req, stockQuery);
    const after = cursor ? decodeCursor(cursor, stockCursor) : undefined;
    const rows = await inventory.stock({ ...q, limit: q.limit + 1, after });
    res.json(toPage(rows, q.limit, (r) => [r.warehouseId, r.sku]));
  });

  router.get('/v1/warehouses', requirePermission('read'), async (req, res) => {
    const q = parseQuery(req, warehousesQuery);
    const after = q.cursor ? decodeCursor(q.cursor, warehousesCursor)[0] : undefined;
    const rows = await inventory.listWarehouses({ limit: q.limit + 1, after });
    res.json(toPage(rows, q.limit, (w) => [w.warehouseId]));
  });

  router.get('/v1/warehouses/:id', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, warehouseParams);
    const warehouse = await inventory.getWarehouse(id);
    if (!warehouse) throw warehouseNotFound(id);
    res.json(warehouse);
  });

  router.put('/v1/warehouses/:id', requirePermission('configure'), async (req, res) => {
    const { id } = parseParams(req, warehouseParams);
    const body = parseBody(req, warehouseBody);
    const { warehouse, created } = await inventory.putWarehouse(id, body);
    res.status(created ? 201 : 200).json(warehouse);
  });

  router.get('/v1/purchase-suggestions', requirePermission('read'), async (req, res) => {
    const { cursor, ...q } = parseQuery(req, suggestionsQuery);
    const after = cursor ? decodeCursor(cursor, suggestionsCursor) : undefined;
    const rows = await inventory.purchaseSuggestions({ ...q, limit: q.limit + 1, after });
    const page = toPage(rows, q.limit, (r) => [r.cursorAt, r.id]);
    res.json({ items: page.items.map(({ cursorAt: _, ...r }) => r), nextCursor: page.nextCursor });
  });

  return router;
}
