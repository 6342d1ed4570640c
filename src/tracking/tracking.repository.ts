import { and, eq, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { shipments, trackingEvents } from '../db/schema/shipments';
import type { TrackingEventInput } from './tracking.schemas';

const pairKey = (carrier: string, trackingNumber: string) => `${carrier}\u0000${trackingNumber}`;

export function createTrackingRepository(db: Db) {
  return {
    /** Maps `carrier + tracking number` (see `pairKey`) to the shipment id, for the known ones. */
    async resolve(events: TrackingEventInput[]): Promise<Map<string, string>> {
      const pairs = new Map<string, { carrier: string; trackingNumber: string }>();
      for (const e of events) pairs.set(pairKey(e.carrier, e.trackingNumber), e);
      const found = new Map<string, string>();
      if (pairs.size === 0) return found;
      const rows = await db
        .select({
          shipmentId: shipments.shipmentId,
          carrier: shipments.carrier,
          trackingNumber: shipments.trackingNumber,
        })
        .from(shipments)
        .where(
          or(
            ...[...pairs.values()].map((p) =>
              and(eq(shipments.carrier, p.carrier), eq(shipments.trackingNumber, p.trackingNumber)),
            ),
          ),
        );
      for (const r of rows) found.set(pairKey(r.carrier, r.trackingNumber), r.shipmentId);
      return found;
    },

    /** Stores events once per (shipment, eventId); returns how many were new. */
    async insert(
      events: { shipmentId: string; event: TrackingEventInput }[],
      source: string,
    ): Promise<number> {
      if (events.length === 0) return 0;
      const inserted = await db
        .insert(trackingEvents)
        .values(
          events.map(({ shipmentId, event }) => ({
            shipmentId,
            eventId: event.eventId,
            occurredAt: new Date(event.occurredAt),
            status: event.status,
            subStatus: event.subStatus ?? null,
            description: event.description ?? null,
            location: event.location ?? null,
            source,
          })),
        )
        .onConflictDoNothing()
        .returning({ id: trackingEvents.id });
      return inserted.length;
    },
  };
}
export type TrackingRepository = ReturnType<typeof createTrackingRepository>;
export { pairKey };
