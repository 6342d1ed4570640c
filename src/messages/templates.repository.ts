import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { messageTemplates } from '../db/schema/messages';
import type { NotificationKind } from '../../workflows/shipment.contract';
import type { OverrideLookup, TemplateSource } from './templates';

export type TemplateOverrideRow = typeof messageTemplates.$inferSelect;

export function createTemplateRepository(db: Db) {
  return {
    /** Overrides by kind then locale, keyset-paged after `after`. */
    async list(q: {
      limit: number;
      after?: readonly [kind: string, locale: string];
    }): Promise<TemplateOverrideRow[]> {
      return db
        .select()
        .from(messageTemplates)
        .where(
          q.after
            ? sql`(${messageTemplates.kind}, ${messageTemplates.locale}) > (${q.after[0]}, ${q.after[1]})`
            : undefined,
        )
        .orderBy(asc(messageTemplates.kind), asc(messageTemplates.locale))
        .limit(q.limit);
    },

    /** The seller's overrides of one kind, as the renderer looks them up. */
    async lookupFor(kind: NotificationKind): Promise<OverrideLookup> {
      const rows = await db.select().from(messageTemplates).where(eq(messageTemplates.kind, kind));
      const byLocale = new Map<string, TemplateSource>(
        rows.map((r) => [
          r.locale,
          { subject: r.subject, text: r.text, ...(r.html !== null ? { html: r.html } : {}) },
        ]),
      );
      return (k, locale) => (k === kind ? byLocale.get(locale) : undefined);
    },

    async put(
      kind: NotificationKind,
      locale: string,
      t: TemplateSource,
    ): Promise<{ row: TemplateOverrideRow; created: boolean }> {
      const existing = await this.get(kind, locale);
      const values = { subject: t.subject, text: t.text, html: t.html ?? null };
      const [row] = await db
        .insert(messageTemplates)
        .values({ kind, locale, ...values })
        .onConflictDoUpdate({
          target: [messageTemplates.kind, messageTemplates.locale],
          set: { ...values, updatedAt: new Date() },
        })
        .returning();
      return { row: row!, created: !existing };
    },

    async get(kind: NotificationKind, locale: string): Promise<TemplateOverrideRow | undefined> {
      const [row] = await db
        .select()
        .from(messageTemplates)
        .where(and(eq(messageTemplates.kind, kind), eq(messageTemplates.locale, locale)));
      return row;
    },

    async remove(kind: NotificationKind, locale: string): Promise<boolean> {
      const rows = await db
        .delete(messageTemplates)
        .where(and(eq(messageTemplates.kind, kind), eq(messageTemplates.locale, locale)))
        .returning({ kind: messageTemplates.kind });
      return rows.length > 0;
    },
  };
}
export type TemplateRepository = ReturnType<typeof createTemplateRepository>;
