import { and, asc, desc, eq, lt, ne, sql, type SQL } from 'drizzle-orm';
import { validationFailed } from '../api/problems';
import type { Db } from '../db/client';
import { claimHistory, claims } from '../db/schema';
import type { ClaimListQuery, ClaimOutcomeBody } from './claims.schemas';

export type ClaimRow = typeof claims.$inferSelect;
export type ClaimHistoryRow = typeof claimHistory.$inferSelect;

/** Paging position: the last row's id (claims are listed newest first). */
export function encodeClaimCursor(id: number): string {
  return Buffer.from(JSON.stringify({ before: id })).toString('base64url');
}

export function decodeClaimCursor(s: string): number {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    const before = (v as { before?: unknown } | null)?.before;
    if (typeof before === 'number' && Number.isInteger(before) && before > 0) return before;
  } catch {
    // fall through to the validation problem
  }
  throw validationFailed(
    [{ path: 'cursor', message: 'is not a cursor returned by this API' }],
    'query string',
  );
}

const DECIDED = ['approved', 'partially_approved', 'denied', 'paid', 'expired'];

export function createClaimRepository(db: Db) {
  return {
    async list(q: ClaimListQuery): Promise<{ rows: ClaimRow[]; nextCursor: string | null }> {
      const where: SQL[] = [];
      if (q.status) where.push(eq(claims.status, q.status));
      if (q.carrier) where.push(sql`lower(${claims.carrier}) = ${q.carrier.toLowerCase()}`);
      if (q.shipmentId) where.push(eq(claims.shipmentId, q.shipmentId));
      if (q.cursor) where.push(lt(claims.id, decodeClaimCursor(q.cursor)));
      const rows = await db
        .select()
        .from(claims)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(claims.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        rows: page,
        nextCursor: rows.length > q.limit && last ? encodeClaimCursor(last.id) : null,
      };
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
        if (DECIDED.includes(row.status) && !(row.status !== 'paid' && body.status === 'paid')) {
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
