/**
 * 17TRACK main statuses and sub-statuses → our statuses.
 * https://help.17track.net/hc/en-us/articles/37471096573337-Understanding-Tracking-Status-Main-Status-Substatus
 */
import { lookup, type MappedStatus, type StatusTable } from './types';

export const TRACK17_STATUS_TABLE = {
  provider: '17TRACK',
  source:
    'https://help.17track.net/hc/en-us/articles/37471096573337-Understanding-Tracking-Status-Main-Status-Substatus',
  summary: { Expired: 'expired', Expired_Other: 'expired' },
  main: {
    NotFound: 'unknown',
    InfoReceived: 'info_received',
    InTransit: 'in_transit',
    // In transit for a long time and still not delivered: 17TRACK's own stall verdict.
    Expired: 'exception',
    AvailableForPickup: 'available_for_pickup',
    OutForDelivery: 'out_for_delivery',
    DeliveryFailure: 'failed_attempt',
    Delivered: 'delivered',
    Exception: 'exception',
  },
  sub: {
    NotFound_Other: 'unknown',
    NotFound_InvalidCode: 'unknown',
    InfoReceived: 'info_received',
    InTransit_PickedUp: 'in_transit',
    InTransit_Other: 'in_transit',
    InTransit_Departure: 'in_transit',
    InTransit_Arrival: 'in_transit',
    InTransit_CustomsProcessing: 'customs',
    // Released by customs: moving again.
    InTransit_CustomsReleased: 'in_transit',
    InTransit_CustomsRequiringInformation: 'customs',
    Expired_Other: 'exception',
    AvailableForPickup_Other: 'available_for_pickup',
    OutForDelivery_Other: 'out_for_delivery',
    DeliveryFailure_Other: 'failed_attempt',
    DeliveryFailure_NoBody: 'failed_attempt',
    DeliveryFailure_Security: 'failed_attempt',
    DeliveryFailure_Rejected: 'failed_attempt',
    DeliveryFailure_InvalidAddress: 'failed_attempt',
    Delivered_Other: 'delivered',
    Exception_Other: 'exception',
    Exception_Returning: 'returning',
    Exception_Returned: 'returned',
    Exception_NoBody: 'exception',
    // Detained by customs or a security check before delivery.
    Exception_Security: 'customs',
    Exception_Damage: 'damaged',
    Exception_Rejected: 'exception',
    Exception_Delayed: 'exception',
    Exception_Lost: 'lost',
    Exception_Destroyed: 'destroyed',
    Exception_Cancel: 'exception',
  },
  // Milestone stages (`key_stage`, an event's `stage`), which events carry without a sub status.
  stage: {
    InfoReceived: 'info_received',
    PickedUp: 'in_transit',
    Departure: 'in_transit',
    Arrival: 'in_transit',
    AvailableForPickup: 'available_for_pickup',
    OutForDelivery: 'out_for_delivery',
    Delivered: 'delivered',
    Returning: 'returning',
    Returned: 'returned',
    Exception: 'exception',
    Failure: 'failed_attempt',
  },
} as const satisfies StatusTable;

export function from17Track(status: string, subStatus?: string): MappedStatus {
  return lookup(TRACK17_STATUS_TABLE, status, subStatus);
}

/** A 17TRACK stage name as our status; undefined for a stage we do not know. */
export function from17TrackStage(stage: string | undefined): MappedStatus | undefined {
  const table: Readonly<Record<string, MappedStatus['status']>> = TRACK17_STATUS_TABLE.stage;
  return stage !== undefined && Object.hasOwn(table, stage) ? { status: table[stage]! } : undefined;
}
