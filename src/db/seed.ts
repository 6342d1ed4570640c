import { sql } from 'drizzle-orm';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { Db } from './client';
import { DEFAULT_CHANNEL_RATES } from '../channels/rates';
import { policies } from './schema/policies';
import { channelRates, stock, warehouses } from './schema/inventory';

type WarehouseSeed = typeof warehouses.$inferInsert;
type StockSeed = typeof stock.$inferInsert;

export const DEMO_WAREHOUSES: WarehouseSeed[] = [
  { warehouseId: 'wh-shenzhen', name: 'Shenzhen fulfilment centre', country: 'CN', kind: 'origin' },
  { warehouseId: 'wh-us-ca', name: 'Ontario, California', country: 'US', kind: 'overseas' },
  { warehouseId: 'wh-de-berlin', name: 'Berlin', country: 'DE', kind: 'overseas' },
  { warehouseId: 'wh-gb-london', name: 'London', country: 'GB', kind: 'overseas' },
];

export const DEMO_STOCK: StockSeed[] = [
  { warehouseId: 'wh-shenzhen', sku: 'SKU-MUG', onHand: 200 },
  { warehouseId: 'wh-shenzhen', sku: 'SKU-TEE', onHand: 200 },
  { warehouseId: 'wh-shenzhen', sku: 'SKU-CASE', onHand: 200 },
  { warehouseId: 'wh-us-ca', sku: 'SKU-MUG', onHand: 80 },
  { warehouseId: 'wh-us-ca', sku: 'SKU-TEE', onHand: 120 },
  { warehouseId: 'wh-us-ca', sku: 'SKU-CASE', onHand: 60 },
  { warehouseId: 'wh-de-berlin', sku: 'SKU-MUG', onHand: 50 },
  { warehouseId: 'wh-de-berlin', sku: 'SKU-TEE', onHand: 90 },
  { warehouseId: 'wh-de-berlin', sku: 'SKU-CASE', onHand: 70 },
  { warehouseId: 'wh-gb-london', sku: 'SKU-MUG', onHand: 60 },
  { warehouseId: 'wh-gb-london', sku: 'SKU-TEE', onHand: 50 },
  { warehouseId: 'wh-gb-london', sku: 'SKU-CASE', onHand: 100 },
];

/**
 * Idempotent: the `default` policy when missing (an edited one is kept), demo warehouses and
 * stock only when there are no warehouses at all (a real inventory is never touched), and the
 * demo rate table for reship channels only when it is empty.
 */
export async function seed(db: Db): Promise<{ policy: boolean; warehouses: boolean }> {
  const insertedPolicy = await db
    .insert(policies)
    .values({ name: DEFAULT_POLICY.name, body: DEFAULT_POLICY })
    .onConflictDoNothing()
    .returning({ name: policies.name });

  const seededWarehouses = await db.transaction(async (tx) => {
    // Serialise concurrent seeders (API and worker starting together).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('parcelwarden.seed'))`);
    const [any] = await tx.select({ id: warehouses.warehouseId }).from(warehouses).limit(1);
    if (any) return false;
    await tx.insert(warehouses).values(DEMO_WAREHOUSES);
    await tx.insert(stock).values(DEMO_STOCK);
    return true;
  });
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('parcelwarden.seed.rates'))`);
    const [anyRate] = await tx.select({ id: channelRates.id }).from(channelRates).limit(1);
    if (!anyRate) await tx.insert(channelRates).values(DEFAULT_CHANNEL_RATES);
  });
  return { policy: insertedPolicy.length > 0, warehouses: seededWarehouses };
}
