/**
 * EasyPost Tracker `status` and `status_detail` → our statuses.
 * https://docs.easypost.com/docs/trackers ; values from EasyPost/easypost-node types/Tracker/.
 * Most details describe a scan (arrived_at_facility, departed_facility…) and appear under several
 * statuses, so only details that change what we know about the parcel override the status.
 */
import { lookup, type MappedStatus, type StatusTable } from './types';

export const EASYPOST_STATUS_TABLE = {
  provider: 'EasyPost',
  source: 'https://docs.easypost.com/docs/trackers',
  main: {
    unknown: 'unknown',
    pre_transit: 'info_received',
    in_transit: 'in_transit',
    out_for_delivery: 'out_for_delivery',
    available_for_pickup: 'available_for_pickup',
    delivered: 'delivered',
    // On its way back (EasyPost has no separate "returned" status).
    return_to_sender: 'returning',
    failure: 'exception',
    cancelled: 'exception',
    // A tracking error on EasyPost's side says nothing about the parcel.
    error: 'unknown',
  },
  sub: {
    lost: 'lost',
    damaged: 'damaged',
    customs_hold: 'customs',
    return: 'returning',
    label_created: 'info_received',
    out_for_delivery: 'out_for_delivery',
    arrived_at_pickup_location: 'available_for_pickup',
    delivery_exception: 'exception',
    transit_exception: 'exception',
    expired: 'exception',
  },
  keepsMain: [
    'address_correction',
    'arrived_at_destination',
    'arrived_at_facility',
    'awaiting_information',
    'cancelled',
    'delayed',
    'departed_facility',
    'departed_origin_facility',
    'failure',
    'held',
    'in_transit',
    'missorted',
    'received_at_destination_facility',
    'received_at_origin_facility',
    'refused',
    'status_update',
    'transferred_to_destination_carrier',
    'unknown',
    'weather_delay',
  ],
} as const satisfies StatusTable;

export function fromEasyPost(status: string, statusDetail?: string): MappedStatus {
  return lookup(EASYPOST_STATUS_TABLE, status, statusDetail);
}
