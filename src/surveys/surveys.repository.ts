import { and, asc, eq, gte, isNotNull, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { surveys } from '../db/schema/messages';
import { newSurveyId } from './survey-token';

export type SurveyRow = typeof surveys.$inferSelect;

export interface SurveyResults {
  /** Surveys sent in the period. */
  sent: number;
  /** Answers given in the period. */
  count: number;
  average: number | null;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
  responseRate: number | null;
}

export function createSurveyRepository(db: Db) {
  return {
    async get(surveyId: string): Promise<SurveyRow | undefined> {
      const [row] = await db.select().from(surveys).where(eq(surveys.surveyId, surveyId));
      return row;
    },

    /**
     * The survey a message carries, made on its first send: a retried send (same idempotency key)
     * gets the survey already stored, never a second one.
     */
    async forMessage(input: {
      idempotencyKey: string;
      shipmentId: string;
      locale: string;
    }): Promise<SurveyRow> {
      const [created] = await db
        .insert(surveys)
        .values({ surveyId: newSurveyId(), ...input })
        .onConflictDoNothing({ target: surveys.idempotencyKey })
        .returning();
      if (created) return created;
      const [known] = await db
        .select()
        .from(surveys)
        .where(eq(surveys.idempotencyKey, input.idempotencyKey));
      if (!known) throw new Error('survey of this message vanished between insert and read');
      return known;
    },

    /** Stores the answer once; undefined when the survey was already answered. */
    async answer(surveyId: string, rating: number, comment: string | undefined) {
      const [row] = await db
        .update(surveys)
        .set({ rating, comment: comment ?? null, answeredAt: sql`now()` })
        .where(and(eq(surveys.surveyId, surveyId), isNull(surveys.answeredAt)))
        .returning();
      return row;
    },

    async answeredFor(shipmentId: string): Promise<SurveyRow[]> {
      return db
        .select()
        .from(surveys)
        .where(and(eq(surveys.shipmentId, shipmentId), isNotNull(surveys.answeredAt)))
        .orderBy(asc(surveys.answeredAt));
    },

    /** Survey results for analytics: answers by rating, average and response rate. */
    async results(q: { from?: string; to?: string }): Promise<SurveyResults> {
      const sentWhere: SQL[] = [];
      const answeredWhere: SQL[] = [isNotNull(surveys.answeredAt)];
      if (q.from) {
        sentWhere.push(gte(surveys.createdAt, new Date(q.from)));
        answeredWhere.push(gte(surveys.answeredAt, new Date(q.from)));
      }
      if (q.to) {
        sentWhere.push(lte(surveys.createdAt, new Date(q.to)));
        answeredWhere.push(lte(surveys.answeredAt, new Date(q.to)));
      }
      const [sent] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(surveys)
        .where(and(...sentWhere));
      const byRating = await db
        .select({ rating: surveys.rating, n: sql<number>`count(*)::int` })
        .from(surveys)
        .where(and(...answeredWhere))
        .groupBy(surveys.rating);
      const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
      let count = 0;
      let total = 0;
      for (const r of byRating) {
        if (r.rating === null) continue;
        distribution[String(r.rating) as keyof typeof distribution] = r.n;
        count += r.n;
        total += r.rating * r.n;
      }
      const sentCount = sent?.n ?? 0;
      return {
        sent: sentCount,
        count,
        average: count ? Math.round((total / count) * 100) / 100 : null,
        distribution,
        responseRate: sentCount ? Math.round((count / sentCount) * 1000) / 1000 : null,
      };
    },
  };
}
export type SurveyRepository = ReturnType<typeof createSurveyRepository>;
