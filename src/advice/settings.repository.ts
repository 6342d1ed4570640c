/**
 * Versioned settings documents (channel policy, rate card, packaging rules per seller), stored as
 * policies are: the current version in `settings`, every version in `setting_versions`. The same
 * content again makes no new version.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { settings, settingVersions } from '../db/schema';

export type SettingKind = 'channel_policy' | 'rate_card' | 'packaging_rules';

export interface StoredSetting<T> {
  kind: SettingKind;
  name: string;
  version: number;
  updatedAt: Date;
  body: T;
  source?: string;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export function createSettingsRepository(db: Db) {
  return {
    async get<T>(kind: SettingKind, name: string): Promise<StoredSetting<T> | undefined> {
      const [row] = await db
        .select()
        .from(settings)
        .where(and(eq(settings.kind, kind), eq(settings.name, name)));
      return row ? { ...row, kind, body: row.body as T } : undefined;
    },

    /** Every current document of a kind (e.g. every seller's packaging rules). */
    async all<T>(kind: SettingKind): Promise<StoredSetting<T>[]> {
      const rows = await db
        .select()
        .from(settings)
        .where(eq(settings.kind, kind))
        .orderBy(asc(settings.name));
      return rows.map((row) => ({ ...row, kind, body: row.body as T }));
    },

    /**
     * Stores a new version when the content differs from the current one (compared as JSON values);
     * `also` runs in the same transaction when a version is made (the rate card rewrites its table).
     */
    async put<T>(
      kind: SettingKind,
      name: string,
      body: T,
      source: string,
      also?: (tx: Tx) => Promise<void>,
    ): Promise<{ stored: StoredSetting<T>; changed: boolean }> {
      const json = JSON.stringify(body);
      return db.transaction(async (tx) => {
        // Serialises writers of one document so two changes cannot both become version n+1.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`setting:${kind}:${name}`}))`);
        const [current] = await tx
          .select({
            version: settings.version,
            updatedAt: settings.updatedAt,
            body: settings.body,
            same: sql<boolean>`${settings.body} = ${json}::jsonb`,
          })
          .from(settings)
          .where(and(eq(settings.kind, kind), eq(settings.name, name)));
        if (current?.same)
          return {
            stored: { kind, name, ...current, body: current.body as T },
            changed: false,
          };
        const version = (current?.version ?? 0) + 1;
        const [row] = await tx
          .insert(settings)
          .values({ kind, name, version, body })
          .onConflictDoUpdate({
            target: [settings.kind, settings.name],
            set: { body, version, updatedAt: sql`now()` },
          })
          .returning();
        if (!row) throw new Error(`setting ${kind}/${name} was not written`);
        await tx
          .insert(settingVersions)
          .values({ kind, name, version, body, source, createdAt: row.updatedAt });
        if (also) await also(tx);
        return {
          stored: { kind, name, version, updatedAt: row.updatedAt, body, source },
          changed: true,
        };
      });
    },

    /** Versions of a document after `after`, oldest first. */
    async versions<T>(
      kind: SettingKind,
      name: string,
      q: { limit: number; after?: number },
    ): Promise<StoredSetting<T>[]> {
      const rows = await db
        .select()
        .from(settingVersions)
        .where(
          and(
            eq(settingVersions.kind, kind),
            eq(settingVersions.name, name),
            q.after !== undefined ? gt(settingVersions.version, q.after) : undefined,
          ),
        )
        .orderBy(asc(settingVersions.version))
        .limit(q.limit);
      return rows.map((r) => ({
        kind,
        name,
        version: r.version,
        updatedAt: r.createdAt,
        body: r.body as T,
        source: r.source,
      }));
    },
  };
}
export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
