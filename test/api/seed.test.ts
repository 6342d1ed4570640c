import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  connectDatabase,
  type Database,
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
} from '../../src/db/client';
import { policies, stock, warehouses } from '../../src/db/schema';
import { seed } from '../../src/db/seed';
import { DEFAULT_POLICY } from '../../workflows/policy';
import '../helpers/provided';

// A database of its own: the shared one already holds other tests' warehouses.
const name = `pw_seed_${randomBytes(4).toString('hex')}`;
let database: Database;
beforeAll(async () => {
  const url = await ensureDatabase(inject('databaseServerUrl'), name);
  await migrateDatabase(url);
  database = connectDatabase(url, { max: 2 });
});
afterAll(async () => {
  await database?.close();
  await dropDatabase(inject('databaseServerUrl'), name);
});

describe('seeding a new installation', () => {
  it('seeding twice gives one default policy and the demo warehouses and stock once', async () => {
    expect(await seed(database.db)).toEqual({ policy: true, warehouses: true });
    expect(await seed(database.db)).toEqual({ policy: false, warehouses: false });

    const [stored] = await database.db.select().from(policies).where(eq(policies.name, 'default'));
    expect(stored?.body).toEqual(DEFAULT_POLICY);
    const whs = await database.db.select().from(warehouses);
    expect(whs.map((w) => `${w.warehouseId}:${w.country}:${w.kind}`).sort()).toEqual([
      'wh-de-berlin:DE:overseas',
      'wh-gb-london:GB:overseas',
      'wh-shenzhen:CN:origin',
      'wh-us-ca:US:overseas',
    ]);
    const rows = await database.db.select().from(stock);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.sku))).toEqual(new Set(['SKU-MUG', 'SKU-TEE', 'SKU-CASE']));
    expect(rows.every((r) => r.onHand >= 50 && r.onHand <= 200 && r.reserved === 0)).toBe(true);
  });

  it('an edited default policy is kept by a later seed', async () => {
    await seed(database.db);
    const edited = { ...DEFAULT_POLICY, reviewSla: 'PT4H' };
    await database.db.update(policies).set({ body: edited }).where(eq(policies.name, 'default'));
    await seed(database.db);
    const [stored] = await database.db.select().from(policies).where(eq(policies.name, 'default'));
    expect(stored?.body.reviewSla).toBe('PT4H');
  });
});
