import { and, asc, desc, eq, lt, ne, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { decodeCursor, toPage } from '../http/pagination';
import type { Db } from '../db/client';
import { claimHistory, claims } from '../db/schema';
import { DECIDED_STATUSES } from './claims.eligibility';
import type { ClaimListQuery, ClaimOutcomeBody } from './claims.schemas';

export type ClaimRow = typeof claims.$inferSelect;
export type ClaimHistoryRow = typeof claimHistory.$inferSelect;

/** Paging position: the last row's id (claims are listed newest first). */
const claimCursorKey = z.tuple([z.number().int().positive()]);

export function createClaimRepository(db: Db) {
  return {
    async list(q: ClaimListQuery): Promise<{ rows: ClaimRow[]; nextCursor: string | null }> {
      const where: SQL[] = [];
      if (q.status) where.push(eq(claims.status, q.status));
      if (q.carrier) where.push(sql`lower(${claims.carrier}) = ${q.carrier.toLowerCase()}`);
      if (q.shipmentId) where.push(eq(claims.shipmentId, q.shipmentId));
      if (q.cursor) where.push(lt(claims.id, decodeCursor(q.cursor, claimCursorKey)[0]));
      const rows = await db
        .select()
        .from(claims)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(claims.id))
        .limit(q.limit + 1);
      const page = toPage(rows, q.limit, (r) => [r.id]);
      return { rows: page.items, nextCursor: page.nextCursor };
    },

    async get(id: number): Promise<{ row: ClaimRow; history: ClaimHistoryRow[] } | undefined> {
      const [row] = await db.select().from(claims).where(eq(claims.id, id));
      if (!row) return undefined;
      const history = await db
        .select()
        .from(claimHistory)
        .where(eq(claimHistory.claimRowId, id))
        .orderBy(asc(claimHistory.at), asc(claimHistory.id));
      return { row, history };
    },

    /**
     * Records an outcome decided outside the system. The same outcome again changes nothing;
     * a claim already decided otherwise is `already_decided`.
     */
    async recordOutcome(
      id: number,
      body: ClaimOutcomeBody,
      who: string,
    ): Promise<'recorded' | 'same' | { decided: string } | undefined> {
      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(claims).where(eq(claims.id, id)).for('update');
        if (!row) return undefined;
        if (row.status === body.status) return 'same';
        if (
          (DECIDED_STATUSES as readonly string[]).includes(row.status) &&
          !(row.status !== 'paid' && body.status === 'paid')
        ) {
          return { decided: row.status };
        }
        const now = new Date();
        await tx
          .update(claims)
          .set({
            status: body.status,
            decidedAt: now,
            updatedAt: now,
            ...(body.amountRecovered !== undefined
              ? { amountRecovered: body.amountRecovered }
              : {}),
          })
          .where(and(eq(claims.id, id), ne(claims.status, body.status)));
        await tx.insert(claimHistory).values({
          claimRowId: id,
          status: body.status,
          detail: `recorded by ${who}${body.note ? `: ${body.note}` : ''}`,
          at: now,
        });
        return 'recorded';
      });
    },
  };
}
export type ClaimRepository = ReturnType<typeof createClaimRepository>;
