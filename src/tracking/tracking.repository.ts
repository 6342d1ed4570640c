import { and, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { shipments, trackingEvents } from '../db/schema/shipments';
import type { ShipmentRegistration, TrackingEvent } from '../../workflows/shipment.contract';
import type { TrackingEventInput } from './tracking.schemas';

const pairKey = (carrier: string, trackingNumber: string) => `${carrier}\u0000${trackingNumber}`;

export interface RegisteredShipment {
  registration: ShipmentRegistration;
  registeredAt: string;
  /** The read model says the workflow finished: it must not be started again. */
  closed: boolean;
}

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

    /**
     * Maps tracking numbers to shipment ids regardless of carrier code: providers name carriers
     * their own way (AfterShip slugs, 17TRACK numbers). When a number is shared (carriers recycle
     * them), the shipment of `carrierHint` wins, else the most recently registered one.
     */
    async resolveNumbers(numbers: string[], carrierHint?: string): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      const unique = [...new Set(numbers)];
      if (unique.length === 0) return found;
      const rows = await db
        .select({
          shipmentId: shipments.shipmentId,
          carrier: shipments.carrier,
          trackingNumber: shipments.trackingNumber,
          createdAt: shipments.createdAt,
        })
        .from(shipments)
        .where(inArray(shipments.trackingNumber, unique))
        .orderBy(shipments.createdAt);
      const hint = carrierHint?.toLowerCase();
      const hinted = new Set<string>();
      for (const r of rows) {
        const matches = r.carrier.toLowerCase() === hint;
        if (hinted.has(r.trackingNumber) && !matches) continue;
        if (matches) hinted.add(r.trackingNumber);
        found.set(r.trackingNumber, r.shipmentId);
      }
      return found;
    },

    /** What starting a shipment's workflow needs, read from the read model. */
    async registrations(shipmentIds: string[]): Promise<Map<string, RegisteredShipment>> {
      const out = new Map<string, RegisteredShipment>();
      if (shipmentIds.length === 0) return out;
      const rows = await db
        .select({
          shipmentId: shipments.shipmentId,
          registration: shipments.registration,
          createdAt: shipments.createdAt,
          stage: shipments.stage,
        })
        .from(shipments)
        .where(inArray(shipments.shipmentId, shipmentIds));
      for (const r of rows) {
        // The same registeredAt as POST /v1/shipments uses, so every start sends the same input.
        out.set(r.shipmentId, {
          registration: r.registration,
          registeredAt: r.createdAt.toISOString(),
          closed: r.stage === 'closed',
        });
      }
      return out;
    },

    /** Stores events once per (shipment, eventId); returns how many were new. */
    async insert(
      events: { shipmentId: string; event: TrackingEvent }[],
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
