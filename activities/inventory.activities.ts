import { and, eq, inArray, sql } from 'drizzle-orm';
import { reservations, stock, warehouses } from '../src/db/schema';
import type { Db } from '../src/db/client';
import type { ActivityDeps } from './deps';

export type ReservationResult =
  | { ok: true; reservationId: string; warehouseId: string; warehouseCountry: string }
  | { ok: false; shortfall: { sku: string; missing: number }[] };

interface Candidate {
  warehouseId: string;
  country: string;
  kind: string;
}

/**
 * Orders warehouses for a reship: an overseas warehouse in the destination country first
 * (shorter chain, fewer losses), then other overseas ones, then origin warehouses.
 */
export function rankWarehouses(candidates: Candidate[], destinationCountry: string): Candidate[] {
  const score = (w: Candidate) =>
    w.country === destinationCountry ? 0 : w.kind === 'overseas' ? 1 : 2;
  return [...candidates].sort(
    (a, b) => score(a) - score(b) || a.warehouseId.localeCompare(b.warehouseId),
  );
}

async function existingReservation(db: Db, key: string): Promise<ReservationResult | undefined> {
  const [row] = await db
    .select({
      id: reservations.id,
      warehouseId: reservations.warehouseId,
      country: warehouses.country,
      status: reservations.status,
    })
    .from(reservations)
    .innerJoin(warehouses, eq(warehouses.warehouseId, reservations.warehouseId))
    .where(eq(reservations.idempotencyKey, key));
  if (!row || row.status !== 'reserved') return undefined;
  return {
    ok: true,
    reservationId: String(row.id),
    warehouseId: row.warehouseId,
    warehouseCountry: row.country,
  };
}

export function createInventoryActivities({ db }: ActivityDeps) {
  return {
    /**
     * Reserves all items in one warehouse, in one transaction, once per idempotency key.
     * A retry (or a replayed workflow) gets the reservation it already made.
     */
    async reserveStock(input: {
      idempotencyKey: string;
      shipmentId: string;
      items: { sku: string; quantity: number }[];
      destinationCountry: string;
    }): Promise<ReservationResult> {
      const done = await existingReservation(db, input.idempotencyKey);
      if (done) return done;
      const skus = input.items.map((i) => i.sku);
      return db.transaction(async (tx) => {
        // Serialise reservations per key so two attempts cannot both reserve.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.idempotencyKey}))`);
        const again = await existingReservation(tx as unknown as Db, input.idempotencyKey);
        if (again) return again;
        const rows = await tx
          .select({
            warehouseId: stock.warehouseId,
            sku: stock.sku,
            available: sql<number>`${stock.onHand} - ${stock.reserved}`.mapWith(Number),
            country: warehouses.country,
            kind: warehouses.kind,
          })
          .from(stock)
          .innerJoin(warehouses, eq(warehouses.warehouseId, stock.warehouseId))
          .where(inArray(stock.sku, skus));
        const byWarehouse = new Map<string, { w: Candidate; available: Map<string, number> }>();
        for (const r of rows) {
          const entry = byWarehouse.get(r.warehouseId) ?? {
            w: { warehouseId: r.warehouseId, country: r.country, kind: r.kind },
            available: new Map<string, number>(),
          };
          entry.available.set(r.sku, r.available);
          byWarehouse.set(r.warehouseId, entry);
        }
        const ranked = rankWarehouses(
          [...byWarehouse.values()].map((e) => e.w),
          input.destinationCountry,
        );
        for (const w of ranked) {
          const available = byWarehouse.get(w.warehouseId)!.available;
          if (!input.items.every((i) => (available.get(i.sku) ?? 0) >= i.quantity)) continue;
          for (const i of input.items) {
            await tx
              .update(stock)
              .set({ reserved: sql`${stock.reserved} + ${i.quantity}`, updatedAt: new Date() })
              .where(and(eq(stock.warehouseId, w.warehouseId), eq(stock.sku, i.sku)));
          }
          const [created] = await tx
            .insert(reservations)
            .values({
              idempotencyKey: input.idempotencyKey,
              shipmentId: input.shipmentId,
              warehouseId: w.warehouseId,
              items: input.items,
            })
            .returning({ id: reservations.id });
          return {
            ok: true,
            reservationId: String(created!.id),
            warehouseId: w.warehouseId,
            warehouseCountry: w.country,
          };
        }
        // Shortfall: per SKU, what even the best-stocked warehouse lacks. An order that exists
        // only split across warehouses reports its SKUs with missing 0 (no single source).
        const most = (sku: string) =>
          Math.max(0, ...[...byWarehouse.values()].map((e) => e.available.get(sku) ?? 0));
        const shortfall = input.items.map((i) => ({
          sku: i.sku,
          missing: Math.max(0, i.quantity - most(i.sku)),
        }));
        const missing = shortfall.filter((s) => s.missing > 0);
        return { ok: false, shortfall: missing.length ? missing : shortfall };
      });
    },

    /** Compensation: gives the stock of an abandoned reship back (idempotent). */
    async releaseReservation({ idempotencyKey }: { idempotencyKey: string }): Promise<void> {
      await db.transaction(async (tx) => {
        const [row] = await tx
          .update(reservations)
          .set({ status: 'released' })
          .where(
            and(
              eq(reservations.idempotencyKey, idempotencyKey),
              eq(reservations.status, 'reserved'),
            ),
          )
          .returning();
        if (!row) return;
        for (const i of row.items) {
          await tx
            .update(stock)
            .set({ reserved: sql`${stock.reserved} - ${i.quantity}`, updatedAt: new Date() })
            .where(and(eq(stock.warehouseId, row.warehouseId), eq(stock.sku, i.sku)));
        }
      });
    },
  };
}
