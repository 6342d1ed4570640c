import { and, asc, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { policies, policyVersions } from '../db/schema/policies';
import type { Policy } from '../../workflows/shipment.contract';

export interface StoredPolicy {
  name: string;
  version: number;
  updatedAt: Date;
  policy: Policy;
}

export interface PutOutcome {
  stored: StoredPolicy;
  /** False when the same content was sent again: no new version. */
  changed: boolean;
}

const toStored = (row: typeof policies.$inferSelect): StoredPolicy => ({
  name: row.name,
  version: row.version,
  updatedAt: row.updatedAt,
  policy: row.body,
});

const versionToStored = (row: typeof policyVersions.$inferSelect): StoredPolicy => ({
  name: row.name,
  version: row.version,
  updatedAt: row.createdAt,
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

    /** Every policy at its current version, by name, keyset-paged after the name `after`. */
    async list(q: { limit: number; after?: string }): Promise<StoredPolicy[]> {
      const rows = await db
        .select()
        .from(policies)
        .where(q.after !== undefined ? gt(policies.name, q.after) : undefined)
        .orderBy(asc(policies.name))
        .limit(q.limit);
      return rows.map(toStored);
    },

    /**
     * Stores a new version when the content differs from the current one (compared as JSON
     * values, so key order does not matter); the same content again changes nothing.
     */
    async put(policy: Policy): Promise<PutOutcome> {
      const body = JSON.stringify(policy);
      return db.transaction(async (tx) => {
        // Serialises writers of one policy so two changes cannot both become version n+1.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`policy:${policy.name}`}))`);
        const [current] = await tx
          .select({
            ...getTableColumns(policies),
            same: sql<boolean>`${policies.body} = ${body}::jsonb`,
          })
          .from(policies)
          .where(eq(policies.name, policy.name));
        if (current?.same) return { stored: toStored(current), changed: false };

        const version = current ? current.version + 1 : 1;
        if (current) {
          // Rows written outside this repository (the seed, older installs) have no history yet.
          await tx
            .insert(policyVersions)
            .values({
              name: current.name,
              version: current.version,
              body: current.body,
              createdAt: current.updatedAt,
            })
            .onConflictDoNothing();
        }
        const [row] = await tx
          .insert(policies)
          .values({ name: policy.name, version, body: policy })
          .onConflictDoUpdate({
            target: policies.name,
            set: { body: policy, version, updatedAt: sql`now()` },
          })
          .returning();
        if (!row) throw new Error(`policy ${policy.name} was not written`);
        await tx
          .insert(policyVersions)
          .values({ name: row.name, version, body: row.body, createdAt: row.updatedAt });
        return { stored: toStored(row), changed: true };
      });
    },

    /**
     * Up to `limit` versions of a policy after version `after`, oldest first; undefined when there
     * is no such policy.
     */
    async versions(
      name: string,
      q: { limit: number; after?: number },
    ): Promise<StoredPolicy[] | undefined> {
      const current = await this.get(name);
      if (!current) return undefined;
      const rows = await db
        .select()
        .from(policyVersions)
        .where(
          and(
            eq(policyVersions.name, name),
            q.after !== undefined ? gt(policyVersions.version, q.after) : undefined,
          ),
        )
        .orderBy(asc(policyVersions.version))
        .limit(q.limit);
      const some = rows.map(versionToStored);
      // A seeded policy never changed through the API has its current version only: it is the
      // newest, so it belongs after the last stored version once the history is read to its end.
      const end = some.length < q.limit;
      const missing = !some.some((v) => v.version === current.version);
      if (end && missing && current.version > (q.after ?? 0)) some.push(current);
      return some;
    },

    async version(name: string, version: number): Promise<StoredPolicy | undefined> {
      const [row] = await db
        .select()
        .from(policyVersions)
        .where(and(eq(policyVersions.name, name), eq(policyVersions.version, version)));
      if (row) return versionToStored(row);
      const current = await this.get(name);
      return current?.version === version ? current : undefined;
    },
  };
}
export type PolicyRepository = ReturnType<typeof createPolicyRepository>;
