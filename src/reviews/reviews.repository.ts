import { and, asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { reviewQueueResponse } from './reviews.schemas';
import type { Db } from '../db/client';
import { reviews, shipments } from '../db/schema/shipments';

/** One queue entry as GET /v1/reviews answers it (the schema is the source of its fields). */
export type PendingReview = z.output<typeof reviewQueueResponse>['items'][number];

export function createReviewRepository(db: Db) {
  return {
    /**
     * The review queue, oldest suspicion first, keyset-paged on (detected_at, id) after `after`;
     * `cursorAt` is detected_at as PostgreSQL text, for the cursor.
     */
    async pending(q: {
      limit: number;
      after?: readonly [detectedAt: string, id: number];
    }): Promise<(PendingReview & { id: number; cursorAt: string })[]> {
      const rows = await db
        .select({
          id: reviews.id,
          cursorAt: sql<string>`${reviews.detectedAt}::text`,
          shipmentId: reviews.shipmentId,
          round: reviews.round,
          reason: reviews.reason,
          detectedAt: reviews.detectedAt,
          slaDeadline: reviews.slaDeadline,
          declaredValue: shipments.declaredValue,
          currency: shipments.currency,
          carrier: shipments.carrier,
          trackingNumber: shipments.trackingNumber,
          destination: shipments.destinationCountry,
        })
        .from(reviews)
        .innerJoin(shipments, eq(shipments.shipmentId, reviews.shipmentId))
        .where(
          and(
            eq(reviews.status, 'pending'),
            q.after
              ? sql`(${reviews.detectedAt}, ${reviews.id}) > (${q.after[0]}::timestamptz, ${q.after[1]})`
              : undefined,
          ),
        )
        .orderBy(asc(reviews.detectedAt), asc(reviews.id))
        .limit(q.limit);
      return rows.map((r) => ({
        ...r,
        detectedAt: r.detectedAt.toISOString(),
        slaDeadline: r.slaDeadline.toISOString(),
      }));
    },
  };
}
export type ReviewRepository = ReturnType<typeof createReviewRepository>;
