import { describe, expect, it } from 'vitest';
import {
  buildTrackingPayload,
  SCAN_KINDS,
  toTrackingEvent,
  type Scan,
} from '../../src/webhooks/webhooks.payloads';
import {
  parse17Track,
  parseAfterShip,
  parseEasyPost,
  parseSandbox,
  parseWebhook,
} from '../../src/webhooks/webhooks.parsers';
import { WEBHOOK_PROVIDERS } from '../../src/webhooks/webhooks.providers';
import type { TrackingStatus } from '../../workflows/shipment.contract';

/** Shaped like the documented AfterShip tracking_update example (older field names included). */
const afterShipExample = {
  ts: 1740990000,
  event: 'tracking_update',
  event_id: '3f7f2d2e-2b8a-4a43-9d55-2b4f3e1b7c10',
  is_tracking_first_tag: false,
  msg: {
    id: '5b74f4958776db0e00b6f5ed',
    slug: 'usps',
    tracking_number: '9400111899223817',
    tag: 'Exception',
    subtag: 'Exception_013',
    expected_delivery: '2025-03-07',
    checkpoints: [
      {
        slug: 'usps',
        created_at: '2025-03-02T01:02:03+00:00',
        checkpoint_time: '2025-03-01T18:40:00',
        message: 'Arrived at USPS Regional Facility',
        tag: 'InTransit',
        subtag: 'InTransit_003',
        subtag_message: 'Arrival scan',
        city: 'LOS ANGELES',
        state: 'CA',
        zip: '90052',
        country_iso3: 'USA',
        country_name: 'USA',
        coordinates: [],
        raw_tag: '10',
      },
      {
        slug: 'usps',
        checkpoint_time: '2025-03-04T09:00:00-08:00',
        message: 'Your item is lost',
        tag: 'Exception',
        subtag: 'Exception_013',
        city: null,
        country_region: null,
      },
    ],
  },
};

/** Shaped like 17TRACK's v2 TRACKING_UPDATED push: two provider legs, newest event first. */
const track17Example = {
  event: 'TRACKING_UPDATED',
  data: {
    number: 'RR123456789CN',
    carrier: 3011,
    param: null,
    tag: null,
    track_info: {
      latest_status: { status: 'Exception', sub_status: 'Exception_Lost' },
      time_metrics: {
        estimated_delivery_date: {
          source: 'Official',
          from: '2025-03-10T00:00:00+08:00',
          to: '2025-03-12T00:00:00+08:00',
        },
      },
      tracking: {
        providers: [
          {
            provider: { key: 21051, name: 'USPS', country: 'US' },
            events: [
              {
                time_iso: '2025-03-08T10:00:00-05:00',
                time_utc: '2025-03-08T15:00:00Z',
                description: 'Item could not be located',
                stage: null,
                sub_status: 'Exception_Lost',
                address: { country: 'US', city: 'NEW YORK', postal_code: '10001' },
              },
            ],
          },
          {
            provider: { key: 3011, name: 'China Post', country: 'CN' },
            events: [
              {
                time_iso: '2025-03-02T08:00:00+08:00',
                time_utc: null,
                description: 'Departed from the exchange office',
                stage: 'Departure',
                sub_status: 'InTransit_Whatever',
                address: { country: 'CN', city: 'Beijing' },
              },
              {
                time_iso: null,
                time_utc: null,
                description: 'A scan without a time is dropped',
                sub_status: 'InTransit_Other',
              },
            ],
          },
        ],
      },
    },
  },
};

/** Shaped like EasyPost's documented tracker.updated Event. */
const easyPostExample = {
  id: 'evt_6f2c8d1e4b5a4c3d9e8f7a6b5c4d3e2f',
  object: 'Event',
  mode: 'production',
  description: 'tracker.updated',
  previous_attributes: { status: 'in_transit' },
  pending_urls: ['https://example.com/easypost-webhook'],
  completed_urls: [],
  created_at: '2025-03-05T16:00:00Z',
  updated_at: '2025-03-05T16:00:00Z',
  result: {
    id: 'trk_c8e0edb5bb284caa934a0d3db23a148z',
    object: 'Tracker',
    mode: 'production',
    tracking_code: '9400110898825022579493',
    status: 'delivered',
    status_detail: 'arrived_at_destination',
    signed_by: 'JOHN DOE',
    weight: 17.6,
    est_delivery_date: '2025-03-05T16:00:00Z',
    carrier: 'USPS',
    tracking_details: [
      {
        object: 'TrackingDetail',
        message: 'Pre-Shipment Info Sent to USPS',
        status: 'pre_transit',
        status_detail: 'status_update',
        datetime: '2025-03-01T12:00:00Z',
        source: 'USPS',
        carrier_code: null,
        tracking_location: {
          object: 'TrackingLocation',
          city: null,
          state: null,
          country: null,
          zip: null,
        },
      },
      {
        object: 'TrackingDetail',
        message: 'Delivered, In/At Mailbox',
        status: 'delivered',
        status_detail: 'arrived_at_destination',
        datetime: '2025-03-05T15:45:00Z',
        source: 'USPS',
        carrier_code: '01',
        tracking_location: {
          object: 'TrackingLocation',
          city: 'CHARLESTON',
          state: 'SC',
          country: 'US',
          zip: '29401',
        },
      },
    ],
  },
};

describe('AfterShip payloads', () => {
  it('checkpoints become events in scan order, with country, postal code and the carrier estimate', () => {
    const parsed = parseAfterShip(afterShipExample);
    expect(parsed).toMatchObject({
      deliveryId: '3f7f2d2e-2b8a-4a43-9d55-2b4f3e1b7c10',
      kind: 'tracking',
      event: 'tracking_update',
    });
    const [t] = parsed.trackings;
    expect(t).toMatchObject({ trackingNumber: '9400111899223817', carrier: 'usps' });
    expect(t!.events).toEqual([
      {
        eventId: expect.stringMatching(/^aftership-[0-9a-f]{32}$/),
        // A checkpoint time without an offset is local: Los Angeles, PST (UTC-8).
        occurredAt: '2025-03-02T02:40:00.000Z',
        status: 'in_transit',
        subStatus: 'InTransit_003',
        // The courier's slug, as a lookup stores it (not its raw status code `raw_tag`).
        carrierCode: 'usps',
        description: 'Arrived at USPS Regional Facility',
        location: { country: 'US', city: 'LOS ANGELES', postalCode: '90052' },
        // A date alone is the end of that day.
        expectedDeliveryAt: '2025-03-07T23:59:59.000Z',
      },
      {
        eventId: expect.stringMatching(/^aftership-/),
        occurredAt: '2025-03-04T17:00:00.000Z',
        status: 'lost',
        subStatus: 'Exception_013',
        carrierCode: 'usps',
        description: 'Your item is lost',
        expectedDeliveryAt: '2025-03-07T23:59:59.000Z',
      },
    ]);
  });

  it('the same checkpoint keeps its event id across pushes, whatever else changed', () => {
    const first = parseAfterShip(afterShipExample).trackings[0]!.events;
    const reworded = structuredClone(afterShipExample);
    reworded.event_id = 'another-delivery';
    reworded.msg.checkpoints[0]!.message = 'Arrived at regional facility (updated text)';
    const second = parseAfterShip(reworded).trackings[0]!.events;
    expect(second.map((e) => e.eventId)).toEqual(first.map((e) => e.eventId));

    const otherParcel = structuredClone(afterShipExample);
    otherParcel.msg.tracking_number = '9400111899223818';
    expect(parseAfterShip(otherParcel).trackings[0]!.events[0]!.eventId).not.toBe(
      first[0]!.eventId,
    );
  });

  it('a payload without a tracking number is refused with the field named', () => {
    expect(() => parseAfterShip({ ...afterShipExample, msg: { slug: 'usps' } })).toThrow(
      /msg\.tracking_number/,
    );
  });
});

describe('17TRACK payloads', () => {
  it('events of every provider leg are merged in time order; an unknown sub status falls back to its main', () => {
    const raw = Buffer.from(JSON.stringify(track17Example));
    const parsed = parse17Track(track17Example, raw);
    expect(parsed.deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const [t] = parsed.trackings;
    expect(t).toMatchObject({ trackingNumber: 'RR123456789CN', carrier: 'china-post' });
    expect(t!.events.map((e) => [e.occurredAt, e.status, e.subStatus, e.location])).toEqual([
      [
        '2025-03-02T00:00:00.000Z',
        'in_transit',
        'InTransit_Whatever',
        { country: 'CN', city: 'Beijing' },
      ],
      [
        '2025-03-08T15:00:00.000Z',
        'lost',
        'Exception_Lost',
        { country: 'US', city: 'NEW YORK', postalCode: '10001' },
      ],
    ]);
    // The later end of 17TRACK's estimate window.
    expect(t!.events[0]!.expectedDeliveryAt).toBe('2025-03-11T16:00:00.000Z');
  });

  it('a TRACKING_STOPPED push is acknowledged without events', () => {
    const stopped = { event: 'TRACKING_STOPPED', data: { number: 'RR123456789CN' } };
    const parsed = parse17Track(stopped, Buffer.from(JSON.stringify(stopped)));
    expect(parsed).toMatchObject({ kind: 'ignored', trackings: [] });
  });
});

describe('EasyPost payloads', () => {
  it('a tracker.updated Event yields its tracking details with the estimate', () => {
    const parsed = parseEasyPost(easyPostExample);
    expect(parsed).toMatchObject({
      deliveryId: 'evt_6f2c8d1e4b5a4c3d9e8f7a6b5c4d3e2f',
      kind: 'tracking',
    });
    const [t] = parsed.trackings;
    expect(t).toMatchObject({ trackingNumber: '9400110898825022579493', carrier: 'usps' });
    expect(
      t!.events.map((e) => [e.status, e.subStatus, e.carrierCode ?? null, e.location ?? null]),
    ).toEqual([
      // The Tracker's carrier as our catalogue code, as a lookup reads it (not the scan's code).
      ['info_received', 'status_update', 'usps', null],
      [
        'delivered',
        'arrived_at_destination',
        'usps',
        { country: 'US', city: 'CHARLESTON', postalCode: '29401' },
      ],
    ]);
    expect(t!.events[1]!.expectedDeliveryAt).toBe('2025-03-05T16:00:00.000Z');
  });

  it('claim events (claim.* and the older claims.*) become claim updates in our vocabulary', () => {
    const claim = (description: string, status: string, approved: string | null) => ({
      id: `evt_${description}`,
      object: 'Event',
      description,
      result: {
        id: 'clm_097f8ed2a1b84b2d9bd0f7ba1bbf5e5c',
        object: 'Claim',
        status,
        status_detail: status === 'rejected' ? 'Item not covered under policy' : null,
        status_timestamp: '2025-04-01T09:30:00Z',
        approved_amount: approved,
        requested_amount: '40.00',
      },
    });
    expect(parseEasyPost(claim('claim.approved', 'approved_partial', '25.00')).claims).toEqual([
      {
        claimId: 'clm_097f8ed2a1b84b2d9bd0f7ba1bbf5e5c',
        status: 'partially_approved',
        amountApproved: 25,
        at: '2025-04-01T09:30:00.000Z',
      },
    ]);
    expect(parseEasyPost(claim('claims.rejected', 'rejected', null)).claims[0]).toMatchObject({
      status: 'denied',
      detail: 'Item not covered under policy',
    });
  });

  it('events we do not act on (batches, claim messages) are acknowledged and ignored', () => {
    const batch = { id: 'evt_batch', object: 'Event', description: 'batch.created', result: {} };
    expect(parseEasyPost(batch)).toMatchObject({ kind: 'ignored', trackings: [], claims: [] });
  });
});

describe('sandbox payloads', () => {
  it('keep the sandbox own event ids, so lookups and pushes agree', () => {
    const parsed = parseSandbox({
      type: 'tracking.updated',
      deliveryId: 'd1',
      trackingNumber: 'SBX0000000001',
      events: [
        { eventId: 'SBX0000000001-1', occurredAt: '2025-03-01T10:00:00Z', status: 'customs' },
      ],
    });
    expect(parsed.trackings[0]!.events).toEqual([
      { eventId: 'SBX0000000001-1', occurredAt: '2025-03-01T10:00:00.000Z', status: 'customs' },
    ]);
  });
});

describe('payloads the sandbox builds', () => {
  const edd = '2025-03-12T18:00:00.000Z';
  const scanOf = (kind: Scan['kind'], i: number): Scan => ({
    at: new Date(Date.parse('2025-03-01T10:00:00Z') + i * 3_600_000).toISOString(),
    kind,
    description: `scan ${kind}`,
    location: { country: 'DE', city: 'Leipzig', postalCode: '04109' },
  });
  const all = SCAN_KINDS.map(scanOf);

  it.each(WEBHOOK_PROVIDERS)(
    '%s: every kind of scan reads back as the event the sandbox stores',
    (format) => {
      const payload = buildTrackingPayload(format, {
        deliveryId: 'evt_roundtrip',
        sentAt: '2025-03-02T10:00:00.000Z',
        trackingNumber: 'SBX1234567890',
        carrier: 'sandbox',
        scans: all,
        estimatedDeliveryAt: edd,
      });
      const raw = Buffer.from(JSON.stringify(payload));
      const parsed = parseWebhook(format, JSON.parse(raw.toString()), raw);
      expect(parsed.trackings[0]!.events).toEqual(
        all.map((s) => ({
          ...toTrackingEvent(format, 'SBX1234567890', s),
          // AfterShip's slug, 17TRACK's provider name and EasyPost's Tracker carrier (its scans
          // have no code of their own) are the carrier of each scan.
          ...(format === 'sandbox' ? {} : { carrierCode: 'sandbox' }),
          expectedDeliveryAt: edd,
        })),
      );
    },
  );

  const expectations: [Scan['kind'], TrackingStatus][] = [
    ['lost', 'lost'],
    ['damaged', 'damaged'],
    ['customs_held', 'customs'],
    ['delivered', 'delivered'],
    ['out_for_delivery', 'out_for_delivery'],
  ];
  it.each(WEBHOOK_PROVIDERS)(
    '%s: lost, damaged, customs and delivery scans keep their meaning',
    (format) => {
      for (const [kind, status] of expectations) {
        expect(toTrackingEvent(format, 'SBX1', scanOf(kind, 0)).status).toBe(status);
      }
    },
  );
});
