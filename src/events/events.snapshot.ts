/**
 * The events a shipment's state shows (flagged, reshipped, refunded, closed), read from each
 * snapshot the workflow writes: every fact has its dedupe key, so writing the same state again
 * adds nothing, and a fact is told once it is in the state, whichever snapshot carried it first.
 */
import type { ShipmentState } from '../../workflows/shipment.contract';
import type { EventInput } from './events.repository';

export function snapshotEvents(state: ShipmentState, now: Date = new Date()): EventInput[] {
  const id = state.shipmentId;
  const out: EventInput[] = [];
  if (state.suspicion) {
    const { reason, detectedAt, detail } = state.suspicion;
    out.push({
      type: 'shipment.flagged',
      dedupeKey: `shipment.flagged:${id}:${detectedAt}`,
      shipmentId: id,
      occurredAt: detectedAt,
      data: { shipmentId: id, reason, detectedAt, ...(detail ? { detail } : {}) },
    });
  }
  if (state.reship) {
    const r = state.reship;
    out.push({
      type: 'shipment.reshipped',
      dedupeKey: `shipment.reshipped:${id}:${r.shipmentId}`,
      shipmentId: id,
      occurredAt: now,
      data: {
        shipmentId: id,
        replacementShipmentId: r.shipmentId,
        carrier: r.carrier,
        trackingNumber: r.trackingNumber,
        ...(r.channel ? { channel: r.channel } : {}),
        ...(r.shopOrder ? { shopOrder: r.shopOrder } : {}),
      },
    });
  }
  // A manual refund is the seller's to do: nothing was refunded yet.
  if (state.refund && state.refund.status === 'refunded') {
    const f = state.refund;
    out.push({
      type: 'shipment.refunded',
      dedupeKey: `shipment.refunded:${id}`,
      shipmentId: id,
      occurredAt: f.recordedAt,
      data: {
        shipmentId: id,
        amount: f.amount,
        currency: f.currency,
        status: 'refunded',
        ...(f.reference ? { reference: f.reference } : {}),
        ...(f.shopId ? { shopId: f.shopId } : {}),
      },
    });
  }
  if (state.stage === 'closed' && state.resolution) {
    out.push({
      type: 'shipment.closed',
      dedupeKey: `shipment.closed:${id}`,
      shipmentId: id,
      occurredAt: now,
      data: { shipmentId: id, resolution: state.resolution },
    });
  }
  return out;
}
