import express from 'express';
import type { z } from 'zod';
import { decodeCursor, toPage } from '../http/pagination';
import { validationFailed } from '../http/problems';
import { BODY_LIMIT, route, type RouteSpec } from '../http/route';
import { parseBody } from '../http/validate';
import type { Db } from '../db/client';
import {
  stockImportInvalid,
  stockImportKeyReused,
  unsupportedImportType,
  warehouseNotFound,
} from './inventory.errors';
import type { InventoryRepository } from './inventory.repository';
import {
  purchaseSuggestionListResponse,
  stockCursor,
  stockImportBody,
  stockImportResponse,
  stockListResponse,
  stockQuery,
  suggestionsCursor,
  suggestionsQuery,
  warehouseBody,
  warehouseListResponse,
  warehouseParams,
  warehouseResponse,
  warehousesCursor,
  warehousesQuery,
  warehouseWithStockResponse,
} from './inventory.schemas';
import { importStock, parseStockCsv, parseStockJson } from './stock-import';

/** CSV files are bigger than JSON bodies: 50,000 rows of ~40 bytes. */
export const CSV_LIMIT = '4mb';
const CSV_TYPES = ['text/csv', 'application/csv'];
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

export function inventoryRoutes(deps: { db: Db; inventory: InventoryRepository }): RouteSpec[] {
  const { db, inventory } = deps;

  /**
   * Stock levels from CSV (`warehouse_id,sku,quantity[,mode]`) or JSON (`{rows: [...]}`): all rows
   * applied in one transaction, or none with a per-row error report; the same import again
   * (same Idempotency-Key, or same rows without one) changes nothing.
   */
  const importRows = route({
    method: 'post',
    path: '/v1/stock:import',
    access: 'ingest',
    operationId: 'importStock',
    tag: 'Inventory',
    summary:
      'Import stock levels (CSV warehouse_id,sku,quantity[,mode set|add] or JSON); all rows or none; idempotent',
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Defaults to the hash of the rows: the same file twice applies once.',
      },
    ],
    bodyContent: { 'text/csv': { type: 'string' }, 'application/json': stockImportBody },
    // CSV or JSON by content type, read by the handler; parsed only once the key may import.
    bodyParser: 'raw',
    parsers: [
      express.text({ type: CSV_TYPES, limit: CSV_LIMIT }),
      express.json({ limit: BODY_LIMIT }),
    ],
    answer: {
      description: '{importKey, replayed, rows, created, updated}',
      schema: stockImportResponse,
    },
    responses: {
      '409': 'Idempotency-Key used for other rows',
      '415': 'Neither CSV nor JSON',
      '422': 'Invalid rows (errors[].path = rows.<row>.<field>); nothing applied',
    },
    handler: async ({ req }) => {
      const key = idempotencyKey(req.header('idempotency-key'));
      let parsed;
      if (req.is(CSV_TYPES)) {
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
      return {
        importKey: outcome.importKey,
        replayed: outcome.replayed,
        rows: outcome.rows,
        created: outcome.created,
        updated: outcome.updated,
      };
    },
  });

  const stock = route({
    method: 'get',
    path: '/v1/stock',
    access: 'read',
    operationId: 'listStock',
    tag: 'Inventory',
    summary: 'Stock levels per warehouse and SKU, by warehouse then SKU, cursor paging',
    query: stockQuery,
    answer: { description: '{items, nextCursor}', schema: stockListResponse },
    handler: async ({ query: { cursor, ...q } }) => {
      const after = cursor ? decodeCursor(cursor, stockCursor) : undefined;
      const rows = await inventory.stock({ ...q, limit: q.limit + 1, after });
      return toPage(rows, q.limit, (r) => [r.warehouseId, r.sku]);
    },
  });

  const warehouses = route({
    method: 'get',
    path: '/v1/warehouses',
    access: 'read',
    operationId: 'listWarehouses',
    tag: 'Inventory',
    summary: 'List warehouses by id, cursor paging',
    query: warehousesQuery,
    answer: { description: '{items, nextCursor}', schema: warehouseListResponse },
    handler: async ({ query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, warehousesCursor)[0] : undefined;
      const rows = await inventory.listWarehouses({ limit: q.limit + 1, after });
      return toPage(rows, q.limit, (w) => [w.warehouseId]);
    },
  });

  const warehouse = route({
    method: 'get',
    path: '/v1/warehouses/{id}',
    access: 'read',
    operationId: 'getWarehouse',
    tag: 'Inventory',
    summary: 'A warehouse with its stock',
    params: warehouseParams,
    answer: { description: 'The warehouse', schema: warehouseWithStockResponse },
    responses: { '404': 'Unknown warehouse' },
    handler: async ({ params: { id } }) => {
      const found = await inventory.getWarehouse(id);
      if (!found) throw warehouseNotFound(id);
      return found;
    },
  });

  const putWarehouse = route({
    method: 'put',
    path: '/v1/warehouses/{id}',
    access: 'configure',
    operationId: 'putWarehouse',
    tag: 'Inventory',
    summary: 'Create or replace a warehouse (admin)',
    params: warehouseParams,
    body: warehouseBody,
    answer: { description: 'Replaced', schema: warehouseResponse },
    responses: { '201': { description: 'Created', schema: warehouseResponse } },
    handler: async ({ res, params: { id }, body }) => {
      const { warehouse: stored, created } = await inventory.putWarehouse(id, body);
      // Two statuses for one shape: sent here rather than returned.
      res.status(created ? 201 : 200).json(stored satisfies z.input<typeof warehouseResponse>);
    },
  });

  const suggestions = route({
    method: 'get',
    path: '/v1/purchase-suggestions',
    access: 'read',
    operationId: 'listPurchaseSuggestions',
    tag: 'Inventory',
    summary:
      'What to restock, recorded when a reship found no warehouse with the order; newest first, cursor paging',
    query: suggestionsQuery,
    answer: { description: '{items, nextCursor}', schema: purchaseSuggestionListResponse },
    handler: async ({ query: { cursor, ...q } }) => {
      const after = cursor ? decodeCursor(cursor, suggestionsCursor) : undefined;
      const rows = await inventory.purchaseSuggestions({ ...q, limit: q.limit + 1, after });
      const page = toPage(rows, q.limit, (r) => [r.cursorAt, r.id]);
      return { items: page.items.map(({ cursorAt: _, ...r }) => r), nextCursor: page.nextCursor };
    },
  });

  return [importRows, stock, warehouses, warehouse, putWarehouse, suggestions];
}
