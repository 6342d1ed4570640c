import { z } from 'zod';
import { count, timestamp } from '../../workflows/model/scalars';
import { page, pageQueryFields, pgTimestampKey } from '../http/pagination';
import { named } from '../http/route';
import { int4Key, unstorable } from '../http/validate';

export const WAREHOUSE_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const warehouseId = z
  .string()
  .regex(WAREHOUSE_ID, 'must be 1-64 characters: letters, digits, ".", "_" or "-"');
export const sku = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^\S+$/, 'must not contain spaces')
  // CSV imports do not pass the JSON body check (src/api/validate.ts): refuse NUL and the like here.
  .superRefine((s, ctx) => {
    const why = unstorable(s);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. DE');

export const STOCK_MODES = ['set', 'add'] as const;
export type StockMode = (typeof STOCK_MODES)[number];

/** One stock level: `set` replaces the quantity on hand, `add` adds to it (negative removes). */
export const stockRow = z.strictObject({
  warehouseId,
  sku,
  quantity: z.number().int('must be a whole number'),
  mode: z.enum(STOCK_MODES).default('set'),
});

/** The JSON form of POST /v1/stock:import (the CSV form has the same columns). */
export const stockImportBody = z.strictObject({
  rows: z.array(z.unknown()).min(1, 'must hold at least one row'),
});

export const stockQuery = z.strictObject({
  sku: sku.optional(),
  warehouse: warehouseId.optional(),
  ...pageQueryFields,
});
/** Stock pages on its primary key (warehouse_id, sku). */
export const stockCursor = z.tuple([z.string().min(1).max(64), z.string().min(1).max(64)]);

export const warehousesQuery = z.strictObject(pageQueryFields);
export const warehousesCursor = z.tuple([z.string().min(1).max(64)]);

export const warehouseParams = z.object({ id: warehouseId });

export const WAREHOUSE_KINDS = ['origin', 'overseas'] as const;
export const warehouseBody = z.strictObject({
  name: z.string().min(1).max(200),
  country,
  /** `origin`: where the seller ships from; `overseas`: stock near the customers. */
  kind: z.enum(WAREHOUSE_KINDS),
  /** Continent-level region for "nearest by lane" (e.g. EU, NA, AS); derived from the country when omitted. */
  region: z
    .string()
    .regex(/^[A-Z]{2,8}$/, 'must be 2-8 capital letters, e.g. EU')
    .optional(),
});
export type WarehouseBody = z.output<typeof warehouseBody>;

export const suggestionsQuery = z.strictObject({
  status: z.enum(['open', 'all']).default('open'),
  ...pageQueryFields,
});
/** Suggestions page newest first on (created_at as PostgreSQL text, id). */
export const suggestionsCursor = z.tuple([pgTimestampKey, int4Key]);

/* The answers (response schemas, named as OpenAPI components). */

const stockLevel = z.object({
  warehouseId: z.string(),
  sku: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int().describe('onHand − reserved'),
  updatedAt: timestamp,
});
export const stockListResponse = named('StockPage', page(stockLevel));

export const stockImportResponse = named(
  'StockImported',
  z.object({
    importKey: z.string(),
    replayed: z.boolean().describe('The same import had been applied before; nothing changed'),
    rows: count,
    created: count,
    updated: count,
  }),
);

const warehouseFields = {
  warehouseId: z.string(),
  name: z.string(),
  country: z.string(),
  kind: z.string(),
  region: z.string(),
  updatedAt: timestamp,
};
export const warehouseResponse = named('Warehouse', z.object(warehouseFields));
export const warehouseListResponse = named('WarehousePage', page(warehouseResponse));
export const warehouseWithStockResponse = named(
  'WarehouseWithStock',
  z.object({
    ...warehouseFields,
    stock: z.array(stockLevel),
  }),
);

export const purchaseSuggestionListResponse = named(
  'PurchaseSuggestionPage',
  page(
    z.object({
      id: z.number().int(),
      shipmentId: z.string(),
      sku: z.string(),
      warehouseId: z.string().nullable(),
      quantityMissing: z.number().int(),
      status: z.string(),
      createdAt: timestamp,
    }),
  ),
);
