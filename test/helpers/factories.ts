import { randomUUID } from 'node:crypto';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import type { Db } from '../../src/db/client';
import { policies, shipments, stock, warehouses } from '../../src/db/schema';
import { DEFAULT_POLICY } from '../../workflows/policy';
import {
  type Policy,
  type ShipmentRegistration,
  type TrackingEvent,
  type TrackingStatus,
} from '../../workflows/shipment.contract';

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A registration as a seller's order system would send it; override what the test is about. */
export function aRegistration(overrides: Partial<ShipmentRegistration> = {}): ShipmentRegistration {
  const id = overrides.shipmentId ?? uniqueId('SHP');
  return {
    shipmentId: id,
    orderId: `ORD-${id}`,
    marketplace: 'shopify',
    carrier: 'yanwen',
    trackingNumber: `YW${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
    policy: 'default',
    origin: { country: 'CN', warehouseId: 'wh-shenzhen' },
    destination: {
      country: 'US',
      name: 'Ada Buyer',
      line1: '1 Market St',
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94105',
    },
    customer: { name: 'Ada Buyer', email: `ada.${id.toLowerCase()}@example.com`, locale: 'en-US' },
    items: [{ sku: 'SKU-MUG', quantity: 1, unitPrice: 19.9 }],
    currency: 'USD',
    declaredValue: 19.9,
    shippedAt: new Date(Date.now() - 3600_000).toISOString(),
    ...overrides,
  };
}

/** A policy whose days are seconds: how tests run a month in a minute, no clock tricks. */
export function aFastPolicy(name: string, overrides: Partial<Policy> = {}): Policy {
  return {
    ...DEFAULT_POLICY,
    name,
    stallAfter: {
      info_received: 'PT2S',
      in_transit: 'PT2S',
      customs: 'PT4S',
      out_for_delivery: 'PT2S',
      failed_attempt: 'PT2S',
      available_for_pickup: 'PT2S',
    },
    overdueGrace: 'PT2S',
    inquirySurge: { count: 2, window: 'PT10S' },
    reviewSla: 'PT60S',
    deliveredWatch: 'PT2S',
    claimWait: 'PT0S',
    ...overrides,
  };
}

export async function insertPolicy(db: Db, policy: Policy): Promise<void> {
  await db
    .insert(policies)
    .values({ name: policy.name, body: policy })
    .onConflictDoUpdate({ target: policies.name, set: { body: policy } });
}

/** The read-model row the API writes on registration (for workflow tests that start directly). */
export async function insertShipmentRow(db: Db, reg: ShipmentRegistration): Promise<void> {
  await db.insert(shipments).values(shipmentRow(reg));
}

/** A warehouse with stock, unique to the test so tests never fight over quantities. */
export async function insertWarehouse(
  db: Db,
  w: {
    warehouseId?: string;
    country: string;
    kind: 'origin' | 'overseas';
    stock: Record<string, number>;
  },
): Promise<string> {
  const warehouseId = w.warehouseId ?? uniqueId(`wh-${w.country.toLowerCase()}`);
  await db
    .insert(warehouses)
    .values({ warehouseId, name: warehouseId, country: w.country, kind: w.kind });
  const rows = Object.entries(w.stock).map(([sku, onHand]) => ({ warehouseId, sku, onHand }));
  if (rows.length) await db.insert(stock).values(rows);
  return warehouseId;
}

let eventSeq = 0;
export function anEvent(
  status: TrackingStatus,
  occurredAt: Date | string,
  extra: Partial<TrackingEvent> = {},
): TrackingEvent {
  eventSeq += 1;
  return {
    eventId: `EV-${eventSeq}-${randomUUID().slice(0, 6)}`,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
    status,
    ...extra,
  };
}
