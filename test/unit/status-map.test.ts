import { readFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { renderStatusMappingDoc, STATUS_MAPPING_DOC } from '../../src/tracking/status-map/doc';
import {
  AFTERSHIP_STATUS_TABLE,
  EASYPOST_STATUS_TABLE,
  TRACK17_STATUS_TABLE,
  from17Track,
  fromAfterShip,
  fromEasyPost,
} from '../../src/tracking/status-map';
import type { TrackingStatus } from '../../workflows/shipment.contract';

// Expected statuses are written out by hand from the providers' documentation, never read from
// the tables under test.
type Row = [code: string, expected: TrackingStatus];

const afterShipTags: Row[] = [
  ['Pending', 'unknown'],
  ['InfoReceived', 'info_received'],
  ['InTransit', 'in_transit'],
  ['OutForDelivery', 'out_for_delivery'],
  ['AttemptFail', 'failed_attempt'],
  ['Delivered', 'delivered'],
  ['AvailableForPickup', 'available_for_pickup'],
  ['Exception', 'exception'],
  ['Expired', 'exception'],
];

// [subtag, its tag, expected]
const afterShipSubtags: [string, string, TrackingStatus][] = [
  ['Delivered_001', 'Delivered', 'delivered'],
  ['Delivered_002', 'Delivered', 'delivered'],
  ['Delivered_003', 'Delivered', 'delivered'],
  ['Delivered_004', 'Delivered', 'delivered'],
  ['Delivered_005', 'Delivered', 'delivered'],
  ['AvailableForPickup_001', 'AvailableForPickup', 'available_for_pickup'],
  ['Exception_001', 'Exception', 'exception'],
  ['Exception_002', 'Exception', 'exception'],
  ['Exception_003', 'Exception', 'exception'],
  ['Exception_004', 'Exception', 'customs'],
  ['Exception_005', 'Exception', 'exception'],
  ['Exception_006', 'Exception', 'exception'],
  ['Exception_007', 'Exception', 'exception'],
  ['Exception_008', 'Exception', 'exception'],
  ['Exception_009', 'Exception', 'exception'],
  ['Exception_010', 'Exception', 'returning'],
  ['Exception_011', 'Exception', 'returned'],
  ['Exception_012', 'Exception', 'damaged'],
  ['Exception_013', 'Exception', 'lost'],
  ['Exception_016', 'Exception', 'exception'],
  ['Exception_017', 'Exception', 'exception'],
  ['Exception_018', 'Exception', 'customs'],
  ['Exception_019', 'Exception', 'exception'],
  ['Exception_020', 'Exception', 'exception'],
  ['Exception_021', 'Exception', 'destroyed'],
  ['AttemptFail_001', 'AttemptFail', 'failed_attempt'],
  ['AttemptFail_002', 'AttemptFail', 'failed_attempt'],
  ['AttemptFail_003', 'AttemptFail', 'failed_attempt'],
  ['InTransit_001', 'InTransit', 'in_transit'],
  ['InTransit_002', 'InTransit', 'in_transit'],
  ['InTransit_003', 'InTransit', 'in_transit'],
  ['InTransit_004', 'InTransit', 'in_transit'],
  ['InTransit_005', 'InTransit', 'in_transit'],
  ['InTransit_006', 'InTransit', 'customs'],
  ['InTransit_007', 'InTransit', 'in_transit'],
  ['InTransit_008', 'InTransit', 'in_transit'],
  ['InTransit_009', 'InTransit', 'in_transit'],
  ['InfoReceived_001', 'InfoReceived', 'info_received'],
  ['OutForDelivery_001', 'OutForDelivery', 'out_for_delivery'],
  ['OutForDelivery_003', 'OutForDelivery', 'out_for_delivery'],
  ['OutForDelivery_004', 'OutForDelivery', 'out_for_delivery'],
  ['Pending_001', 'Pending', 'unknown'],
  ['Expired_001', 'Expired', 'exception'],
];

const track17Main: Row[] = [
  ['NotFound', 'unknown'],
  ['InfoReceived', 'info_received'],
  ['InTransit', 'in_transit'],
  ['Expired', 'exception'],
  ['AvailableForPickup', 'available_for_pickup'],
  ['OutForDelivery', 'out_for_delivery'],
  ['DeliveryFailure', 'failed_attempt'],
  ['Delivered', 'delivered'],
  ['Exception', 'exception'],
];

const track17Sub: [string, string, TrackingStatus][] = [
  ['NotFound_Other', 'NotFound', 'unknown'],
  ['NotFound_InvalidCode', 'NotFound', 'unknown'],
  ['InfoReceived', 'InfoReceived', 'info_received'],
  ['InTransit_PickedUp', 'InTransit', 'in_transit'],
  ['InTransit_Other', 'InTransit', 'in_transit'],
  ['InTransit_Departure', 'InTransit', 'in_transit'],
  ['InTransit_Arrival', 'InTransit', 'in_transit'],
  ['InTransit_CustomsProcessing', 'InTransit', 'customs'],
  ['InTransit_CustomsReleased', 'InTransit', 'in_transit'],
  ['InTransit_CustomsRequiringInformation', 'InTransit', 'customs'],
  ['Expired_Other', 'Expired', 'exception'],
  ['AvailableForPickup_Other', 'AvailableForPickup', 'available_for_pickup'],
  ['OutForDelivery_Other', 'OutForDelivery', 'out_for_delivery'],
  ['DeliveryFailure_Other', 'DeliveryFailure', 'failed_attempt'],
  ['DeliveryFailure_NoBody', 'DeliveryFailure', 'failed_attempt'],
  ['DeliveryFailure_Security', 'DeliveryFailure', 'failed_attempt'],
  ['DeliveryFailure_Rejected', 'DeliveryFailure', 'failed_attempt'],
  ['DeliveryFailure_InvalidAddress', 'DeliveryFailure', 'failed_attempt'],
  ['Delivered_Other', 'Delivered', 'delivered'],
  ['Exception_Other', 'Exception', 'exception'],
  ['Exception_Returning', 'Exception', 'returning'],
  ['Exception_Returned', 'Exception', 'returned'],
  ['Exception_NoBody', 'Exception', 'exception'],
  ['Exception_Security', 'Exception', 'customs'],
  ['Exception_Damage', 'Exception', 'damaged'],
  ['Exception_Rejected', 'Exception', 'exception'],
  ['Exception_Delayed', 'Exception', 'exception'],
  ['Exception_Lost', 'Exception', 'lost'],
  ['Exception_Destroyed', 'Exception', 'destroyed'],
  ['Exception_Cancel', 'Exception', 'exception'],
];

const easyPostStatus: Row[] = [
  ['unknown', 'unknown'],
  ['pre_transit', 'info_received'],
  ['in_transit', 'in_transit'],
  ['out_for_delivery', 'out_for_delivery'],
  ['available_for_pickup', 'available_for_pickup'],
  ['delivered', 'delivered'],
  ['return_to_sender', 'returning'],
  ['failure', 'exception'],
  ['cancelled', 'exception'],
  ['error', 'unknown'],
];

// [status_detail, a status it arrives with, expected]
const easyPostDetailsThatDecide: [string, string, TrackingStatus][] = [
  ['lost', 'in_transit', 'lost'],
  ['damaged', 'in_transit', 'damaged'],
  ['customs_hold', 'in_transit', 'customs'],
  ['return', 'in_transit', 'returning'],
  ['label_created', 'unknown', 'info_received'],
  ['out_for_delivery', 'in_transit', 'out_for_delivery'],
  ['arrived_at_pickup_location', 'in_transit', 'available_for_pickup'],
  ['delivery_exception', 'in_transit', 'exception'],
  ['transit_exception', 'in_transit', 'exception'],
  ['expired', 'in_transit', 'exception'],
];

// Scan-level details: the status they arrive with stands (shown with in_transit and delivered).
const easyPostDetailsThatKeepTheStatus = [
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
];

describe('AfterShip tags and subtags', () => {
  it.each(afterShipTags)('tag %s is %s', (tag, expected) => {
    expect(fromAfterShip(tag)).toEqual({ status: expected });
  });

  it.each(afterShipSubtags)('subtag %s (tag %s) is %s', (subtag, tag, expected) => {
    expect(fromAfterShip(tag, subtag)).toEqual({ status: expected, subStatus: subtag });
  });

  it('every row of the AfterShip table has a test row', () => {
    expect(afterShipTags.map(([c]) => c).sort()).toEqual(
      Object.keys(AFTERSHIP_STATUS_TABLE.main).sort(),
    );
    expect(afterShipSubtags.map(([c]) => c).sort()).toEqual(
      Object.keys(AFTERSHIP_STATUS_TABLE.sub).sort(),
    );
  });
});

describe('17TRACK main and sub-statuses', () => {
  it.each(track17Main)('main status %s is %s', (main, expected) => {
    expect(from17Track(main)).toEqual({ status: expected });
  });

  it.each(track17Sub)('sub-status %s (main %s) is %s', (sub, main, expected) => {
    expect(from17Track(main, sub)).toEqual({ status: expected, subStatus: sub });
  });

  it('every row of the 17TRACK table has a test row', () => {
    expect(track17Main.map(([c]) => c).sort()).toEqual(
      Object.keys(TRACK17_STATUS_TABLE.main).sort(),
    );
    expect(track17Sub.map(([c]) => c).sort()).toEqual(Object.keys(TRACK17_STATUS_TABLE.sub).sort());
  });
});

describe('EasyPost status and status_detail', () => {
  it.each(easyPostStatus)('status %s is %s', (status, expected) => {
    expect(fromEasyPost(status)).toEqual({ status: expected });
  });

  it.each(easyPostDetailsThatDecide)(
    'status_detail %s (with status %s) is %s',
    (detail, status, expected) => {
      expect(fromEasyPost(status, detail)).toEqual({ status: expected, subStatus: detail });
    },
  );

  it.each(easyPostDetailsThatKeepTheStatus)('status_detail %s keeps the status', (detail) => {
    expect(fromEasyPost('in_transit', detail)).toEqual({
      status: 'in_transit',
      subStatus: detail,
    });
    expect(fromEasyPost('delivered', detail)).toEqual({ status: 'delivered', subStatus: detail });
  });

  it('every row of the EasyPost table has a test row', () => {
    expect(easyPostStatus.map(([c]) => c).sort()).toEqual(
      Object.keys(EASYPOST_STATUS_TABLE.main).sort(),
    );
    expect(easyPostDetailsThatDecide.map(([c]) => c).sort()).toEqual(
      Object.keys(EASYPOST_STATUS_TABLE.sub).sort(),
    );
    expect([...easyPostDetailsThatKeepTheStatus].sort()).toEqual(
      [...EASYPOST_STATUS_TABLE.keepsMain].sort(),
    );
  });
});

describe('fallbacks', () => {
  it('an unknown AfterShip subtag falls back to its tag and keeps the code', () => {
    expect(fromAfterShip('Exception', 'Exception_014')).toEqual({
      status: 'exception',
      subStatus: 'Exception_014',
    });
    expect(fromAfterShip('InTransit', 'InTransit_010')).toEqual({
      status: 'in_transit',
      subStatus: 'InTransit_010',
    });
  });

  it('an unknown 17TRACK sub-status falls back to its main status', () => {
    expect(from17Track('DeliveryFailure', 'DeliveryFailure_Weather')).toEqual({
      status: 'failed_attempt',
      subStatus: 'DeliveryFailure_Weather',
    });
  });

  it('an unknown EasyPost status_detail falls back to the status', () => {
    expect(fromEasyPost('out_for_delivery', 'driver_on_break')).toEqual({
      status: 'out_for_delivery',
      subStatus: 'driver_on_break',
    });
  });

  it('an unknown main code is unknown, for every provider', () => {
    expect(fromAfterShip('Teleported')).toEqual({ status: 'unknown' });
    expect(from17Track('Teleported')).toEqual({ status: 'unknown' });
    expect(fromEasyPost('teleported')).toEqual({ status: 'unknown' });
  });

  it('an unknown main code with an unknown sub code is unknown and keeps the sub code', () => {
    expect(from17Track('Teleported', 'Teleported_Other')).toEqual({
      status: 'unknown',
      subStatus: 'Teleported_Other',
    });
  });

  it('a known sub code decides even when the main code is missing or odd', () => {
    expect(fromAfterShip('', 'Exception_013')).toEqual({
      status: 'lost',
      subStatus: 'Exception_013',
    });
  });

  it('codes are case-sensitive as documented and never hit object prototype keys', () => {
    expect(fromAfterShip('delivered')).toEqual({ status: 'unknown' });
    expect(fromEasyPost('DELIVERED')).toEqual({ status: 'unknown' });
    expect(from17Track('constructor', '__proto__')).toEqual({
      status: 'unknown',
      subStatus: '__proto__',
    });
    expect(fromAfterShip('toString')).toEqual({ status: 'unknown' });
  });
});

describe('the status mapping doc', () => {
  it('docs/status-mapping.md is current with the tables (regenerate with src/scripts/status-mapping-doc.ts)', async () => {
    const options = (await resolveConfig(STATUS_MAPPING_DOC)) ?? {};
    const expected = await format(renderStatusMappingDoc(), {
      ...options,
      filepath: STATUS_MAPPING_DOC,
    });
    expect(await readFile(STATUS_MAPPING_DOC, 'utf8')).toBe(expected);
  });

  it('lists every code of every provider with its status', () => {
    const doc = renderStatusMappingDoc();
    expect(doc).toContain('| `Exception_013` | `lost` |');
    expect(doc).toContain('| `Exception_Destroyed` | `destroyed` |');
    expect(doc).toContain('| `return_to_sender` | `returning` |');
    expect(doc).toContain('`weather_delay`');
  });
});
