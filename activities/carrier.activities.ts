import { asc, eq } from 'drizzle-orm';
import {
  claimHistory,
  claims,
  inquiries,
  notifications,
  reshipOrders,
  shipments,
  trackingEvents,
} from '../src/db/schema';
import type {
  ClaimRecord,
  ShipmentRegistration,
  TrackingEvent,
} from '../workflows/shipment.contract';
import { shipmentRow } from '../src/shipments/shipments.rows';
import type { ActivityDeps } from './deps';
import { carrierCall } from './failures';

export interface BookedReship {
  labelId: string;
  postage: number;
  registration: ShipmentRegistration;
}

export function createCarrierActivities({ db, carriers, clock = () => new Date() }: ActivityDeps) {
  return {
    /** Asks the carrier for the latest tracking; stores what it says in the read model. */
    async lookupTracking(input: {
      shipmentId: string;
      carrier: string;
      trackingNumber: string;
    }): Promise<{ known: boolean; events: TrackingEvent[] }> {
      const result = await carrierCall(() =>
        carriers.get(input.carrier).track(input.trackingNumber),
      );
      if (result.events.length > 0) {
        await db
          .insert(trackingEvents)
          .values(
            result.events.map((e) => ({
              shipmentId: input.shipmentId,
              eventId: e.eventId,
              occurredAt: new Date(e.occurredAt),
              status: e.status,
              subStatus: e.subStatus ?? null,
              description: e.description ?? null,
              location: e.location ?? null,
              source: 'carrier_lookup',
            })),
          )
          .onConflictDoNothing();
      }
      return { known: result.known, events: result.events };
    },

    /**
     * Books the replacement's label once per key: the carrier dedupes on the same key, and the
     * reship order row (unique key) records it with its cost and the replacement shipment.
     */
    async bookReshipLabel(input: {
      idempotencyKey: string;
      original: ShipmentRegistration;
      replacementShipmentId: string;
      warehouseId: string;
      warehouseCountry: string;
    }): Promise<BookedReship> {
      const [done] = await db
        .select({ order: reshipOrders, registration: shipments.registration })
        .from(reshipOrders)
        .innerJoin(shipments, eq(shipments.shipmentId, reshipOrders.replacementShipmentId))
        .where(eq(reshipOrders.idempotencyKey, input.idempotencyKey));
      if (done)
        return {
          labelId: done.order.labelId,
          postage: done.order.postage,
          registration: done.registration,
        };

      const orig = input.original;
      const label = await carrierCall(() =>
        carriers.get(orig.carrier).bookLabel({
          idempotencyKey: input.idempotencyKey,
          service: orig.service,
          reference: input.replacementShipmentId,
          from: { country: input.warehouseCountry, warehouseId: input.warehouseId },
          to: orig.destination,
          items: orig.items,
          declaredValue: orig.declaredValue,
          currency: orig.currency,
        }),
      );
      const now = clock();
      const registration: ShipmentRegistration = {
        ...orig,
        shipmentId: input.replacementShipmentId,
        carrier: label.carrier,
        trackingNumber: label.trackingNumber,
        service: label.service,
        origin: { country: input.warehouseCountry, warehouseId: input.warehouseId },
        shippedAt: now.toISOString(),
        expectedDeliveryAt: undefined,
      };
      const goodsCost = orig.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0);
      await db.transaction(async (tx) => {
        await tx
          .insert(shipments)
          .values(shipmentRow(registration, { replacesShipmentId: orig.shipmentId }))
          .onConflictDoNothing();
        await tx
          .insert(reshipOrders)
          .values({
            idempotencyKey: input.idempotencyKey,
            originalShipmentId: orig.shipmentId,
            replacementShipmentId: registration.shipmentId,
            warehouseId: input.warehouseId,
            carrier: label.carrier,
            service: label.service,
            trackingNumber: label.trackingNumber,
            labelId: label.labelId,
            postage: label.postage,
            goodsCost,
            currency: label.currency,
          })
          .onConflictDoNothing();
      });
      return { labelId: label.labelId, postage: label.postage, registration };
    },

    /** Files the claim once per key with the evidence we hold, and records it. */
    async fileClaim(input: {
      idempotencyKey: string;
      shipmentId: string;
      carrier: string;
      trackingNumber: string;
      reason: 'lost' | 'damaged';
      amount: number;
      currency: string;
    }): Promise<ClaimRecord> {
      const evidence = await buildEvidence(input.shipmentId);
      await db
        .insert(claims)
        .values({
          idempotencyKey: input.idempotencyKey,
          shipmentId: input.shipmentId,
          carrier: input.carrier,
          trackingNumber: input.trackingNumber,
          reason: input.reason,
          status: 'pending_eligibility',
          amount: input.amount,
          currency: input.currency,
          evidence,
        })
        .onConflictDoNothing();
      const [row] = await db
        .select()
        .from(claims)
        .where(eq(claims.idempotencyKey, input.idempotencyKey));
      if (!row) throw new Error(`claim row for ${input.idempotencyKey} vanished`);
      if (row.claimId && row.filedAt) {
        return {
          claimId: row.claimId,
          status: row.status,
          amount: row.amount,
          currency: row.currency,
          filedAt: row.filedAt.toISOString(),
        };
      }
      const filed = await carrierCall(() =>
        carriers.get(input.carrier).fileClaim({
          idempotencyKey: input.idempotencyKey,
          trackingNumber: input.trackingNumber,
          reason: input.reason,
          amount: input.amount,
          currency: input.currency,
          description: `Parcel ${input.trackingNumber} (shipment ${input.shipmentId}) ${input.reason}; declared value ${input.amount} ${input.currency}.`,
          // The evidence stored with the first attempt: a retry sends the very same request.
          evidence: row.evidence as Record<string, unknown>,
        }),
      );
      await db.transaction(async (tx) => {
        await tx
          .update(claims)
          .set({
            claimId: filed.claimId,
            status: 'filed',
            filedAt: new Date(filed.filedAt),
            updatedAt: new Date(),
          })
          .where(eq(claims.id, row.id));
        await tx.insert(claimHistory).values({
          claimRowId: row.id,
          status: 'filed',
          detail: `carrier claim ${filed.claimId} (${filed.status})`,
        });
      });
      return {
        claimId: filed.claimId,
        status: 'filed',
        amount: filed.amount,
        currency: filed.currency,
        filedAt: filed.filedAt,
      };
    },
  };

  /** The evidence a carrier asks for: order, value, tracking history, what the customer told us. */
  async function buildEvidence(shipmentId: string): Promise<Record<string, unknown>> {
    const [shipment] = await db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, shipmentId));
    const events = await db
      .select()
      .from(trackingEvents)
      .where(eq(trackingEvents.shipmentId, shipmentId))
      .orderBy(asc(trackingEvents.occurredAt));
    const messages = await db.select().from(inquiries).where(eq(inquiries.shipmentId, shipmentId));
    const sent = await db
      .select()
      .from(notifications)
      .where(eq(notifications.shipmentId, shipmentId));
    return {
      order: shipment && {
        orderId: shipment.orderId,
        items: shipment.registration.items,
        declaredValue: shipment.declaredValue,
        currency: shipment.currency,
        shippedAt: shipment.shippedAt,
        destination: shipment.registration.destination.country,
      },
      trackingHistory: events.map((e) => ({
        at: e.occurredAt,
        status: e.status,
        description: e.description,
        source: e.source,
      })),
      customerMessages: messages.map((m) => ({
        at: m.receivedAt,
        channel: m.channel,
        message: m.message,
      })),
      notificationsSent: sent.map((n) => ({ at: n.sentAt, kind: n.kind })),
      suspicion: shipment?.snapshot?.suspicion,
    };
  }
}
