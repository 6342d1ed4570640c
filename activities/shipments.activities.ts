import { ApplicationFailure } from '@temporalio/activity';
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { policies, reviews, shipments, trackingEvents } from '../src/db/schema';
import type {
  Policy,
  ReviewDecision,
  ShipmentState,
  SuspicionReason,
  TrackingEvent,
  TrackingStatus,
} from '../workflows/shipment.contract';
import type { ActivityDeps } from './deps';

export function createShipmentActivities({ db }: ActivityDeps) {
  return {
    /** Resolves a named policy when a workflow starts; the workflow keeps it for its life. */
    async resolvePolicy(name: string): Promise<Policy> {
      const [row] = await db.select().from(policies).where(eq(policies.name, name));
      if (!row)
        throw ApplicationFailure.nonRetryable(
          `policy "${name}" does not exist`,
          'policy.not_found',
        );
      return { ...row.body, name };
    },

    /**
     * Scans already stored for the shipment: events pushed between registration and the
     * workflow's start (or while Temporal was unreachable) are not lost.
     */
    async loadTrackingEvents(shipmentId: string): Promise<TrackingEvent[]> {
      const rows = await db
        .select()
        .from(trackingEvents)
        .where(eq(trackingEvents.shipmentId, shipmentId))
        .orderBy(asc(trackingEvents.occurredAt))
        .limit(2000);
      return rows.map((r) => ({
        eventId: r.eventId,
        occurredAt: r.occurredAt.toISOString(),
        status: r.status as TrackingStatus,
        ...(r.subStatus ? { subStatus: r.subStatus } : {}),
        ...(r.description ? { description: r.description } : {}),
        ...(r.location ? { location: r.location as TrackingEvent['location'] } : {}),
      }));
    },

    /** Writes the workflow's state to the read model; an older version never overwrites a newer one. */
    async recordSnapshot({
      state,
      version,
    }: {
      state: ShipmentState;
      version: number;
    }): Promise<void> {
      await db
        .update(shipments)
        .set({
          stage: state.stage,
          resolution: state.resolution ?? null,
          suspicionReason: state.suspicion?.reason ?? null,
          suspicionDetectedAt: state.suspicion ? new Date(state.suspicion.detectedAt) : null,
          deliveredAt:
            state.lastEvent?.status === 'delivered' ? new Date(state.lastEvent.occurredAt) : null,
          snapshot: state,
          stateVersion: version,
          updatedAt: new Date(),
        })
        .where(
          and(eq(shipments.shipmentId, state.shipmentId), lt(shipments.stateVersion, version)),
        );
    },

    /** Puts the shipment in the ops review queue (idempotent per round). */
    async openReview(input: {
      shipmentId: string;
      round: number;
      reason: SuspicionReason;
      detectedAt: string;
      slaDeadline: string;
    }): Promise<void> {
      await db
        .insert(reviews)
        .values({
          shipmentId: input.shipmentId,
          round: input.round,
          reason: input.reason,
          detectedAt: new Date(input.detectedAt),
          slaDeadline: new Date(input.slaDeadline),
        })
        .onConflictDoNothing();
    },

    /** Records the decision on the review row, taking it off the queue. */
    async closeReview(input: {
      shipmentId: string;
      round: number;
      decision: ReviewDecision;
      reviewer: string;
      note?: string;
      decidedAt: string;
      automatic: boolean;
    }): Promise<void> {
      await db
        .update(reviews)
        .set({
          status: 'decided',
          decision: input.decision,
          reviewer: input.reviewer,
          note: input.note ?? null,
          automatic: input.automatic,
          decidedAt: new Date(input.decidedAt),
        })
        .where(
          and(
            eq(reviews.shipmentId, input.shipmentId),
            eq(reviews.round, input.round),
            sql`${reviews.status} = 'pending'`,
          ),
        );
    },
  };
}
