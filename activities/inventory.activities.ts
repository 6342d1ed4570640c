import { and, eq, inArray, sql } from 'drizzle-orm';
import { purchaseSuggestions, reservations, stock, warehouses } from '../src/db/schema';
import type { Db } from '../src/db/client';
import { chooseWarehouse, type WarehouseCandidate } from '../src/inventory/warehouse-choice';
import type { ActivityDeps } from './deps';
import { createNotifyActivities } from './notify.activities';

export type ReservationResult =
  | {
      ok: true;
      reservationId: string;
      warehouseId: string;
      warehouseCountry: string;
      /** Why this warehouse (nearest lane with the whole order). */
      reason?: string;
    }
  | {
      ok: false;
      shortfall: { sku: string; missing: number }[];
      /** A sentence for the timeline and the review queue. */
      reason?: string;
      /** What was recorded in `purchase_suggestions` for ops (empty when there is no warehouse). */
      purchaseSuggestion?: { warehouseId: string; items: { sku: string; quantity: number }[] };
    };

async function existingReservation(db: Db, key: string): Promise<ReservationResult | undefined> {
  const [row] = await db
    .select({
      id: reservations.id,
      warehouseId: reservations.warehouseId,
      country: warehouses.country,
      status: reservations.status,
      reason: reservations.reason,
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
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

/** Every warehouse with what it has free of the order's SKUs (warehouses without them too). */
async function candidatesFor(db: Db, skus: string[]): Promise<WarehouseCandidate[]> {
  const all = await db.select().from(warehouses);
  const rows = await db
    .select({
      warehouseId: stock.warehouseId,
      sku: stock.sku,
      available: sql<number>`${stock.onHand} - ${stock.reserved}`.mapWith(Number),
    })
    .from(stock)
    .where(inArray(stock.sku, skus));
  const byWarehouse = new Map<string, WarehouseCandidate>(
    all.map((w) => [
      w.warehouseId,
      {
        warehouseId: w.warehouseId,
        country: w.country,
        kind: w.kind,
        region: w.region,
        available: {},
      },
    ]),
  );
  for (const r of rows) {
    const w = byWarehouse.get(r.warehouseId);
    if (w) w.available[r.sku] = r.available;
  }
  return [...byWarehouse.values()];
}

export function createInventoryActivities(deps: ActivityDeps) {
  const { db } = deps;
  const { sendOpsAlert } = createNotifyActivities(deps);
  return {
    /**
     * Reserves the whole order in one warehouse (see chooseWarehouse), in one transaction, once
     * per idempotency key: a retry (or a replayed workflow) gets the reservation it already made.
     * A shortfall is an outcome, not an error: it records a purchase suggestion, alerts ops once
     * and returns `ok: false` with the reason so the workflow sends the shipment back to review.
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
      const result = await db.transaction(async (tx): Promise<ReservationResult> => {
        // Serialise reservations per key so two attempts cannot both reserve.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.idempotencyKey}))`);
        const again = await existingReservation(tx as unknown as Db, input.idempotencyKey);
        if (again) return again;
        const choice = chooseWarehouse(
          await candidatesFor(tx as unknown as Db, skus),
          input.destinationCountry,
          input.items,
        );
        if (!choice.ok) {
          const preferred = choice.preferred;
          if (preferred && choice.toBuy.length) {
            await tx
              .insert(purchaseSuggestions)
              .values(
                choice.toBuy.map((b) => ({
                  idempotencyKey: input.idempotencyKey,
                  shipmentId: input.shipmentId,
                  sku: b.sku,
                  warehouseId: preferred.warehouseId,
                  quantityMissing: b.quantity,
                })),
              )
              .onConflictDoNothing();
          }
          return {
            ok: false,
            shortfall: choice.shortfall,
            reason: choice.reason,
            ...(preferred && choice.toBuy.length
              ? { purchaseSuggestion: { warehouseId: preferred.warehouseId, items: choice.toBuy } }
              : {}),
          };
        }
        const w = choice.warehouse;
        for (const i of input.items) {
          // The guard re-checks availability in SQL: a concurrent reservation under another key
          // may have taken the stock since we read it.
          const updated = await tx
            .update(stock)
            .set({ reserved: sql`${stock.reserved} + ${i.quantity}`, updatedAt: new Date() })
            .where(
              and(
                eq(stock.warehouseId, w.warehouseId),
                eq(stock.sku, i.sku),
                sql`${stock.onHand} - ${stock.reserved} >= ${i.quantity}`,
              ),
            )
            .returning({ sku: stock.sku });
          if (updated.length === 0) {
            throw new Error(`stock of ${i.sku} in ${w.warehouseId} changed while reserving; retry`);
          }
        }
        const [created] = await tx
          .insert(reservations)
          .values({
            idempotencyKey: input.idempotencyKey,
            shipmentId: input.shipmentId,
            warehouseId: w.warehouseId,
            items: input.items,
            reason: choice.reason,
          })
          .returning({ id: reservations.id });
        return {
          ok: true,
          reservationId: String(created!.id),
          warehouseId: w.warehouseId,
          warehouseCountry: w.country,
          reason: choice.reason,
        };
      });
      if (!result.ok) {
        await sendOpsAlert({
          idempotencyKey: `${input.idempotencyKey}:shortfall-alert`,
          shipmentId: input.shipmentId,
          subject: `Reship of ${input.shipmentId} is short of stock`,
          text: `${result.reason ?? 'No warehouse has the whole order.'}\n\nThe shipment is back in the review queue. Restock (see purchase suggestions) and decide again, or refund.`,
        });
      }
      return result;
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
