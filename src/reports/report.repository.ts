import { and, desc, eq, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { decodeCursor, toPage, type Page } from '../http/pagination';
import type { Db } from '../db/client';
import { reportSnapshots } from '../db/schema';

export type ReportSnapshotRow = typeof reportSnapshots.$inferSelect;
export type NewReportSnapshot = typeof reportSnapshots.$inferInsert;

const cursorKey = z.tuple([z.string().datetime(), z.number().int()]);

export function createReportRepository(db: Db) {
  const findByPeriod = async (start: Date, end: Date) => {
    const [row] = await db
      .select()
      .from(reportSnapshots)
      .where(and(eq(reportSnapshots.periodStart, start), eq(reportSnapshots.periodEnd, end)));
    return row;
  };

  return {
    findByPeriod,

    /** Stores the period's snapshot once: the first write wins, later ones get it back. */
    async store(s: NewReportSnapshot): Promise<{ row: ReportSnapshotRow; created: boolean }> {
      const [created] = await db
        .insert(reportSnapshots)
        .values(s)
        .onConflictDoNothing()
        .returning();
      if (created) return { row: created, created: true };
      const row = await findByPeriod(s.periodStart, s.periodEnd);
      if (!row) throw new Error('report snapshot vanished after a conflicting insert');
      return { row, created: false };
    },

    async get(id: number): Promise<ReportSnapshotRow | undefined> {
      const [row] = await db.select().from(reportSnapshots).where(eq(reportSnapshots.id, id));
      return row;
    },

    /** Newest period first. */
    async list(q: { limit: number; cursor?: string }): Promise<Page<ReportSnapshotRow>> {
      const after = q.cursor ? decodeCursor(q.cursor, cursorKey) : undefined;
      const rows = await db
        .select()
        .from(reportSnapshots)
        .where(
          after
            ? or(
                lt(reportSnapshots.periodStart, new Date(after[0])),
                and(
                  eq(reportSnapshots.periodStart, new Date(after[0])),
                  lt(reportSnapshots.id, after[1]),
                ),
              )
            : undefined,
        )
        .orderBy(desc(reportSnapshots.periodStart), desc(reportSnapshots.id))
        .limit(q.limit + 1);
      return toPage(rows, q.limit, (r) => [r.periodStart.toISOString(), r.id]);
    },
  };
}
export type ReportRepository = ReturnType<typeof createReportRepository>;
