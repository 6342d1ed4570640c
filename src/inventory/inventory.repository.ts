import { and, asc, desc, eq, getTableColumns, gt, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { purchaseSuggestions, stock, warehouses } from '../db/schema';
import type { WarehouseBody } from './inventory.schemas';
import { regionOf } from './regions';

export interface WarehouseView {
  warehouseId: string;
  name: string;
  country: string;
  kind: string;
  region: string;
  updatedAt: string;
}

const toView = (w: typeof warehouses.$inferSelect): WarehouseView => ({
  warehouseId: w.warehouseId,
  name: w.name,
  country: w.country,
  kind: w.kind,
  region: w.region ?? regionOf(w.country),
  updatedAt: w.updatedAt.toISOString(),
});

const stockColumns = {
  warehouseId: stock.warehouseId,
  sku: stock.sku,
  onHand: stock.onHand,
  reserved: stock.reserved,
  updatedAt: stock.updatedAt,
};

const stockView = (s: {
  warehouseId: string;
  sku: string;
  onHand: number;
  reserved: number;
  updatedAt: Date;
}) => ({
  warehouseId: s.warehouseId,
  sku: s.sku,
  onHand: s.onHand,
  reserved: s.reserved,
  available: s.onHand - s.reserved,
  updatedAt: s.updatedAt.toISOString(),
});

export function createInventoryRepository(db: Db) {
  return {
    /** Warehouses by id, keyset-paged after the id `after`. */
    async listWarehouses(q: { limit: number; after?: string }): Promise<WarehouseView[]> {
      const rows = await db
        .select()
        .from(warehouses)
        .where(q.after !== undefined ? gt(warehouses.warehouseId, q.after) : undefined)
        .orderBy(asc(warehouses.warehouseId))
        .limit(q.limit);
      return rows.map(toView);
    },

    async getWarehouse(id: string) {
      const [w] = await db.select().from(warehouses).where(eq(warehouses.warehouseId, id));
      if (!w) return undefined;
      const levels = await db
        .select(stockColumns)
        .from(stock)
        .where(eq(stock.warehouseId, id))
        .orderBy(asc(stock.sku));
      return { ...toView(w), stock: levels.map(stockView) };
    },

    /** Creates or replaces a warehouse; `created` tells which. */
    async putWarehouse(
      id: string,
      body: WarehouseBody,
    ): Promise<{ warehouse: WarehouseView; created: boolean }> {
      const values = {
        name: body.name,
        country: body.country,
        kind: body.kind,
        region: body.region ?? null,
      };
      const [row] = await db
        .insert(warehouses)
        .values({ warehouseId: id, ...values })
        .onConflictDoUpdate({
          target: warehouses.warehouseId,
          set: { ...values, updatedAt: sql`now()` },
        })
        // xmax = 0 only on a freshly inserted row.
        .returning({ ...getTableColumns(warehouses), inserted: sql<boolean>`(xmax = 0)` });
      const { inserted, ...w } = row!;
      return { warehouse: toView(w), created: inserted };
    },

    /** Stock levels by (warehouse_id, sku), keyset-paged after `after`. */
    async stock(filter: {
      sku?: string;
      warehouse?: string;
      limit: number;
      after?: readonly [warehouseId: string, sku: string];
    }) {
      const rows = await db
        .select(stockColumns)
        .from(stock)
        .where(
          and(
            filter.sku ? eq(stock.sku, filter.sku) : undefined,
            filter.warehouse ? eq(stock.warehouseId, filter.warehouse) : undefined,
            filter.after
              ? sql`(${stock.warehouseId}, ${stock.sku}) > (${filter.after[0]}, ${filter.after[1]})`
              : undefined,
          ),
        )
        .orderBy(asc(stock.warehouseId), asc(stock.sku))
        .limit(filter.limit);
      return rows.map(stockView);
    },

    /**
     * Newest first (id ascending within one instant), keyset-paged after `after`; `cursorAt` is
     * created_at as PostgreSQL text, for the cursor.
     */
    async purchaseSuggestions(q: {
      status: 'open' | 'all';
      limit: number;
      after?: readonly [createdAt: string, id: number];
    }) {
      const rows = await db
        .select({
          ...getTableColumns(purchaseSuggestions),
          cursorAt: sql<string>`${purchaseSuggestions.createdAt}::text`,
        })
        .from(purchaseSuggestions)
        .where(
          and(
            q.status === 'open' ? eq(purchaseSuggestions.status, 'open') : undefined,
            q.after
              ? or(
                  lt(purchaseSuggestions.createdAt, sql`${q.after[0]}::timestamptz`),
                  and(
                    eq(purchaseSuggestions.createdAt, sql`${q.after[0]}::timestamptz`),
                    gt(purchaseSuggestions.id, q.after[1]),
                  ),
                )
              : undefined,
          ),
        )
        .orderBy(desc(purchaseSuggestions.createdAt), asc(purchaseSuggestions.id))
        .limit(q.limit);
      return rows.map((r) => ({
        id: r.id,
        shipmentId: r.shipmentId,
        sku: r.sku,
        warehouseId: r.warehouseId,
        quantityMissing: r.quantityMissing,
        status: r.status,
        createdAt: r.createdAt.toISOString(),
        cursorAt: r.cursorAt,
      }));
    },
  };
}
export type InventoryRepository = ReturnType<typeof createInventoryRepository>;
