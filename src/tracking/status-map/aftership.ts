/**
 * AfterShip Tracking tags and subtags → our statuses.
 * Tags: https://www.aftership.com/docs/tracking/2025-01/enum/delivery-statuses
 * Subtags: https://www.aftership.com/docs/tracking/2026-07/enum/delivery-sub-statuses
 */
import { lookup, type MappedStatus, type StatusTable } from './types';

export const AFTERSHIP_STATUS_TABLE = {
  provider: 'AfterShip',
  source: 'https://www.aftership.com/docs/tracking/2026-07/enum/delivery-sub-statuses',
  summary: { Expired: 'expired', Expired_001: 'expired' },
  main: {
    // Added but the carrier has nothing yet: we cannot say where it is.
    Pending: 'unknown',
    InfoReceived: 'info_received',
    InTransit: 'in_transit',
    OutForDelivery: 'out_for_delivery',
    AttemptFail: 'failed_attempt',
    Delivered: 'delivered',
    AvailableForPickup: 'available_for_pickup',
    Exception: 'exception',
    // No tracking information for 30 days: AfterShip's own stall verdict.
    Expired: 'exception',
  },
  sub: {
    Delivered_001: 'delivered',
    Delivered_002: 'delivered',
    Delivered_003: 'delivered',
    Delivered_004: 'delivered',
    Delivered_005: 'delivered',
    AvailableForPickup_001: 'available_for_pickup',
    Exception_001: 'exception',
    Exception_002: 'exception',
    Exception_003: 'exception',
    Exception_004: 'customs',
    Exception_005: 'exception',
    Exception_006: 'exception',
    Exception_007: 'exception',
    Exception_008: 'exception',
    Exception_009: 'exception',
    Exception_010: 'returning',
    Exception_011: 'returned',
    Exception_012: 'damaged',
    Exception_013: 'lost',
    Exception_016: 'exception',
    Exception_017: 'exception',
    // Held for missing regulatory documents: a customs hold.
    Exception_018: 'customs',
    Exception_019: 'exception',
    Exception_020: 'exception',
    Exception_021: 'destroyed',
    AttemptFail_001: 'failed_attempt',
    AttemptFail_002: 'failed_attempt',
    AttemptFail_003: 'failed_attempt',
    InTransit_001: 'in_transit',
    InTransit_002: 'in_transit',
    InTransit_003: 'in_transit',
    InTransit_004: 'in_transit',
    // Clearance completed: released from customs, moving again.
    InTransit_005: 'in_transit',
    InTransit_006: 'customs',
    InTransit_007: 'in_transit',
    InTransit_008: 'in_transit',
    InTransit_009: 'in_transit',
    InfoReceived_001: 'info_received',
    OutForDelivery_001: 'out_for_delivery',
    OutForDelivery_003: 'out_for_delivery',
    OutForDelivery_004: 'out_for_delivery',
    Pending_001: 'unknown',
    Expired_001: 'exception',
  },
} as const satisfies StatusTable;

export function fromAfterShip(tag: string, subtag?: string): MappedStatus {
  return lookup(AFTERSHIP_STATUS_TABLE, tag, subtag);
}
