import { ApplicationFailure } from '@temporalio/activity';
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { policies, reviews, shipments, trackingEvents } from '../src/db/schema';
import { withEvents } from '../src/events/events.repository';
import { snapshotEvents } from '../src/events/events.snapshot';
import { withFindings, withSummaryFinding } from '../src/tracking/description-rules';
import { createTrackingRepository } from '../src/tracking/tracking.repository';
import { currentEvent } from '../workflows/detection';
import type {
  Policy,
  ProofOfDeliveryRecord,
  ReviewDecision,
  ShipmentState,
  SuspicionReason,
  TrackingEvent,
  TrackingStatus,
  TrackingSummary,
} from '../workflows/shipment.contract';
import type { ActivityDeps } from './deps';
import { carrierCall } from './failures';

/** What verification learns from the carrier. */
export interface CarrierCheck {
  known: boolean;
  events: TrackingEvent[];
  estimatedDeliveryAt?: string;
  proofOfDelivery?: ProofOfDeliveryRecord;
  /** The provider's word on the whole tracking (overall status), where it gives one. */
  summary?: TrackingSummary;
}

export function createShipmentActivities({ db, carriers }: ActivityDeps) {
  const tracking = createTrackingRepository(db);
  return {
    /**
     * The current version of a named policy, resolved when a workflow starts (or is told to
     * refresh); the workflow keeps what it got until told again.
     */
    async resolvePolicy(name: string): Promise<Policy> {
      const [row] = await db.select().from(policies).where(eq(policies.name, name));
      if (!row)
        throw ApplicationFailure.nonRetryable(
          `policy "${name}" does not exist`,
          'policy.not_found',
        );
      return { ...row.body, name, version: row.version };
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
      return withFindings(
        rows.map((r) => ({
          eventId: r.eventId,
          occurredAt: r.occurredAt.toISOString(),
          status: r.status as TrackingStatus,
          ...(r.subStatus ? { subStatus: r.subStatus } : {}),
          ...(r.description ? { description: r.description } : {}),
          ...(r.location ? { location: r.location } : {}),
        })),
      );
    },

    /**
     * Verification: asks the carrier for everything it knows (scans, revised estimate, proof of
     * delivery) and stores the scans. A carrier that is down throws a retryable failure; a 4xx is
     * non-retryable; an unknown number is an answer (`known: false`).
     */
    async checkWithCarrier(input: {
      shipmentId: string;
      carrier: string;
      trackingNumber: string;
    }): Promise<CarrierCheck> {
      const result = await carrierCall(() =>
        carriers.get(input.carrier).track(input.trackingNumber),
      );
      await tracking.insert(
        result.events.map((event) => ({ shipmentId: input.shipmentId, event })),
        'carrier_lookup',
      );
      return {
        known: result.known,
        events: withFindings(result.events),
        ...(result.estimatedDeliveryAt ? { estimatedDeliveryAt: result.estimatedDeliveryAt } : {}),
        ...(result.proofOfDelivery ? { proofOfDelivery: result.proofOfDelivery } : {}),
        ...(result.summary ? { summary: withSummaryFinding(result.summary) } : {}),
      };
    },

    /**
     * Writes the workflow's state to the read model; an older version never overwrites a newer one.
     * The same version may be written again: a local activity of a workflow task that failed has
     * written it already, and the retry that succeeds holds the state that counts.
     */
    async recordSnapshot({
      state,
      version,
    }: {
      state: ShipmentState;
      version: number;
    }): Promise<{ writtenAt: number }> {
      const write = db
        .update(shipments)
        .set({
          stage: state.stage,
          resolution: state.resolution ?? null,
          suspicionReason: state.suspicion?.reason ?? null,
          suspicionDetectedAt: state.suspicion ? new Date(state.suspicion.detectedAt) : null,
          deliveredAt: deliveredAt(state),
          snapshot: state,
          stateVersion: version,
          updatedAt: new Date(),
        })
        .where(
          and(eq(shipments.shipmentId, state.shipmentId), lte(shipments.stateVersion, version)),
        );
      // Facts the state shows (flagged, reshipped, refunded, closed) go out as events in the
      // same statement; a state with none of them costs nothing more.
      const facts = snapshotEvents(state);
      if (facts.length === 0) await write;
      else await withEvents(db, write, facts);
      // The workflow counts its next deadline from this clock rather than from the start of its
      // task (ShipmentContext.taskNow).
      return { writtenAt: Date.now() };
    },

    /**
     * Puts the shipment in the ops review queue (idempotent per round); `note` says why it is
     * back when a decision could not be carried out (until the next decision's note replaces it).
     */
    async openReview(input: {
      shipmentId: string;
      round: number;
      reason: SuspicionReason;
      detectedAt: string;
      slaDeadline: string;
      note?: string;
    }): Promise<OpenedReview> {
      const write = db
        .insert(reviews)
        .values({
          shipmentId: input.shipmentId,
          round: input.round,
          reason: input.reason,
          detectedAt: new Date(input.detectedAt),
          slaDeadline: new Date(input.slaDeadline),
          note: input.note ?? null,
        })
        // A local activity's side effect stays when its workflow task fails and is retried: the
        // attempt that succeeds (the last one) sets the round's times while it is still pending.
        .onConflictDoUpdate({
          target: [reviews.shipmentId, reviews.round],
          set: {
            reason: input.reason,
            detectedAt: new Date(input.detectedAt),
            slaDeadline: new Date(input.slaDeadline),
            note: input.note ?? null,
          },
          setWhere: sql`${reviews.status} = 'pending'`,
        });
      await withEvents(db, write, [
        {
          type: 'review.opened',
          dedupeKey: `review.opened:${input.shipmentId}:${input.round}`,
          shipmentId: input.shipmentId,
          data: {
            shipmentId: input.shipmentId,
            round: input.round,
            reason: input.reason,
            slaDeadline: input.slaDeadline,
            ...(input.note ? { note: input.note } : {}),
          },
        },
      ]);
      // What the history shows of it: a local activity's history keeps its result, not its input.
      return { round: input.round, reason: input.reason, slaDeadline: input.slaDeadline };
    },

    /** Takes an undecided review off the queue (the shipment was cancelled meanwhile). */
    async withdrawReview(input: { shipmentId: string; round: number }): Promise<{ round: number }> {
      await db
        .update(reviews)
        .set({ status: 'withdrawn' })
        .where(
          and(
            eq(reviews.shipmentId, input.shipmentId),
            eq(reviews.round, input.round),
            sql`${reviews.status} = 'pending'`,
          ),
        );
      return { round: input.round };
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
    }): Promise<ClosedReview> {
      const write = db
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
        )
        .returning({ id: reviews.id });
      const { round, decision, reviewer, automatic } = input;
      // Told when this call decided the review (a retry finds it decided and its event made).
      await withEvents(
        db,
        write,
        [
          {
            type: 'review.decided',
            dedupeKey: `review.decided:${input.shipmentId}:${round}`,
            shipmentId: input.shipmentId,
            occurredAt: input.decidedAt,
            data: {
              shipmentId: input.shipmentId,
              round,
              decision,
              reviewer,
              automatic,
              decidedAt: input.decidedAt,
            },
          },
        ],
        { onlyIfWritten: true },
      );
      return { round, decision, reviewer, automatic };
    },
  };
}

/** What opening a review answers: the fields its history line tells. */
export interface OpenedReview {
  round: number;
  reason: SuspicionReason;
  slaDeadline: string;
}

export interface ClosedReview {
  round: number;
  decision: ReviewDecision;
  reviewer: string;
  automatic: boolean;
}

/** When the parcel was delivered, by the newest scan or by the provider's summary in force. */
function deliveredAt(state: ShipmentState): Date | null {
  const current = currentEvent(state.lastEvent, state.carrierSummary, state.eventCount);
  if (current?.status !== 'delivered') return null;
  const pod = current === state.lastEvent ? undefined : state.carrierSummary?.proofOfDelivery;
  return new Date(pod?.deliveredAt ?? current.occurredAt);
}
