import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { reviews, shipments } from '../db/schema/shipments';

export interface PendingReview {
  shipmentId: string;
  round: number;
  reason: string;
  detectedAt: string;
  slaDeadline: string;
  declaredValue: number;
  currency: string;
  carrier: string;
  trackingNumber: string;
  destination: string;
}

export function createReviewRepository(db: Db) {
  return {
    /** The review queue, oldest suspicion first. */
    async pending(limit: number): Promise<PendingReview[]> {
      const rows = await db
        .select({
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
        .where(eq(reviews.status, 'pending'))
        .orderBy(asc(reviews.detectedAt), asc(reviews.id))
        .limit(limit);
      return rows.map((r) => ({
        ...r,
        detectedAt: r.detectedAt.toISOString(),
        slaDeadline: r.slaDeadline.toISOString(),
      }));
    },
  };
}
export type ReviewRepository = ReturnType<typeof createReviewRepository>;
