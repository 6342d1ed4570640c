import { createHash } from 'node:crypto';
import type { shipments } from '../db/schema/shipments';
import { shipmentWorkflowId, type ShipmentRegistration } from '../../workflows/shipment.contract';
import { canonicalJson } from './shipments.schemas';

/** SHA-256 of the canonical body: the same registration sent again is recognised as the same. */
export function registrationHash(registration: ShipmentRegistration): string {
  return createHash('sha256').update(canonicalJson(registration)).digest('hex');
}

/** The read-model row of a registration (written by the API, and by the reship for a replacement). */
export function shipmentRow(
  registration: ShipmentRegistration,
  extra: Partial<typeof shipments.$inferInsert> = {},
): typeof shipments.$inferInsert {
  return {
    shipmentId: registration.shipmentId,
    workflowId: shipmentWorkflowId(registration.shipmentId),
    orderId: registration.orderId,
    carrier: registration.carrier,
    trackingNumber: registration.trackingNumber,
    originCountry: registration.origin.country,
    destinationCountry: registration.destination.country,
    policy: registration.policy,
    declaredValue: registration.declaredValue,
    currency: registration.currency,
    registration,
    requestHash: registrationHash(registration),
    shopId: registration.shop?.shopId ?? null,
    shippedAt: new Date(registration.shippedAt),
    expectedDeliveryAt: registration.expectedDeliveryAt
      ? new Date(registration.expectedDeliveryAt)
      : null,
    ...extra,
  };
}
