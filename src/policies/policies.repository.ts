import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { policies } from '../db/schema/policies';
import type { Policy } from '../../workflows/shipment.contract';

export interface StoredPolicy {
  name: string;
  version: number;
  updatedAt: Date;
  policy: Policy;
}

const toStored = (row: typeof policies.$inferSelect): StoredPolicy => ({
  name: row.name,
  version: row.version,
  updatedAt: row.updatedAt,
  policy: row.body,
});

export function createPolicyRepository(db: Db) {
  return {
    async get(name: string): Promise<StoredPolicy | undefined> {
      const [row] = await db.select().from(policies).where(eq(policies.name, name));
      return row ? toStored(row) : undefined;
    },

    async exists(name: string): Promise<boolean> {
      const rows = await db
        .select({ name: policies.name })
        .from(policies)
        .where(eq(policies.name, name));
      return rows.length > 0;
    },

    async list(): Promise<StoredPolicy[]> {
      const rows = await db.select().from(policies).orderBy(asc(policies.name));
      return rows.map(toStored);
    },

    /** Inserts or replaces; the version goes up only when the body actually changes. */
    async put(policy: Policy): Promise<StoredPolicy> {
      const [changed] = await db
        .insert(policies)
        .values({ name: policy.name, body: policy })
        .onConflictDoUpdate({
          target: policies.name,
          set: {
            body: sql`excluded.body`,
            version: sql`${policies.version} + 1`,
            updatedAt: sql`now()`,
          },
          setWhere: sql`${policies.body} is distinct from excluded.body`,
        })
        .returning();
      if (changed) return toStored(changed);
      const unchanged = await this.get(policy.name);
      if (!unchanged) throw new Error(`policy ${policy.name} vanished while being written`);
      return unchanged;
    },
  };
}
export type PolicyRepository = ReturnType<typeof createPolicyRepository>;
