import { and, eq, inArray, or } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { carrierCode } from '../carriers/catalogue';
import { shipments, trackingEvents } from '../db/schema/shipments';
import type { ShipmentRegistration, TrackingEvent } from '../../workflows/shipment.contract';
import type { TrackingEventInput } from './tracking.schemas';

const pairKey = (carrier: string, trackingNumber: string) => `${carrier}\u0000${trackingNumber}`;
/** A carrier as registrations store it: a catalogue code as the catalogue writes it (DHL → dhl). */
const asStored = (carrier: string) => carrierCode(carrier) ?? carrier;

/**
 * The stored rows of events, in (shipment, event id) order: concurrent inserts of overlapping
 * events then take their row locks in the same order and cannot deadlock.
 */
export function eventRows(
  events: { shipmentId: string; event: TrackingEvent }[],
  source: string,
): (typeof trackingEvents.$inferInsert)[] {
  return events
    .map(({ shipmentId, event }) => ({
      shipmentId,
      eventId: event.eventId,
      occurredAt: new Date(event.occurredAt),
      status: event.status,
      subStatus: event.subStatus ?? null,
      description: event.description ?? null,
      location: event.location ?? null,
      source,
    }))
    .sort((a, b) =>
      a.shipmentId === b.shipmentId
        ? a.eventId.localeCompare(b.eventId)
        : a.shipmentId.localeCompare(b.shipmentId),
    );
}

export interface RegisteredShipment {
  registration: ShipmentRegistration;
  registeredAt: string;
  /** The read model says the workflow finished: it must not be started again. */
  closed: boolean;
}

/** `db` may be a transaction: the webhook receiver stores and signals inside one. */
export function createTrackingRepository(db: Queryable) {
  return {
    /**
     * Maps `carrier + tracking number` (see `pairKey`), as each event names them, to the shipment
     * id, for the known ones. A catalogue carrier matches whatever its case (`DHL` finds `dhl`).
     */
    async resolve(events: TrackingEventInput[]): Promise<Map<string, string>> {
      const pairs = new Map<string, { carrier: string; trackingNumber: string }>();
      for (const e of events) {
        const carrier = asStored(e.carrier);
        pairs.set(pairKey(carrier, e.trackingNumber), {
          carrier,
          trackingNumber: e.trackingNumber,
        });
      }
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
      const byStored = new Map(
        rows.map((r) => [pairKey(r.carrier, r.trackingNumber), r.shipmentId]),
      );
      for (const e of events) {
        const shipmentId = byStored.get(pairKey(asStored(e.carrier), e.trackingNumber));
        if (shipmentId) found.set(pairKey(e.carrier, e.trackingNumber), shipmentId);
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
        .values(eventRows(events, source))
        .onConflictDoNothing()
        .returning({ id: trackingEvents.id });
      return inserted.length;
    },
  };
}
export type TrackingRepository = ReturnType<typeof createTrackingRepository>;
export { pairKey };
