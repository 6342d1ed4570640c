/**
 * Real provider payloads (test/fixtures/carriers, see its SOURCES.md) read both ways: pushed to the
 * HTTP receiver signed as the provider signs, and answered to the lookup adapter by a local server.
 * Both must give the same events: statuses, carrier code, location and estimate.
 */
import { describe, expect, it } from 'vitest';
import { EasyPostClient } from '../../src/carriers/easypost/easypost.carrier';
import { Track17Client } from '../../src/carriers/track17/track17.carrier';
import type { WebhookRouting } from '../../src/webhooks/webhooks.routing';
import { carrierFixtureRig, fixtureJson, fixtureText } from '../helpers/carrier-fixtures';
import { uniqueId } from '../helpers/factories';

const epSignature = fixtureJson('ep01-signature.json') as {
  secret: string;
  hmac_signature: string;
};
const SECRETS = {
  aftership: 'aftership-test-secret',
  '17track': '17track-test-api-key',
  // The secret EasyPost signed ep01 with.
  easypost: epSignature.secret,
  sandbox: 'sandbox-test-secret',
} as const;

const ROUTING: WebhookRouting = {
  tracking: 'sandbox',
  claims: 'sandbox',
  carriers: {
    fedex: { tracking: 'aftership' },
    usps: { tracking: 'aftership' },
    ups: { tracking: '17track' },
    'fedex-easypost': { tracking: 'easypost' },
  },
};

const rig = carrierFixtureRig(SECRETS, ROUTING);
const { registered, deliver, stored, expectSameBothWays, afterShipLookup } = rig;
const afterShipList = (tracking: unknown) => ({
  meta: { code: 200 },
  data: { trackings: [tracking] },
});

describe('AfterShip fixtures, by webhook and by lookup', () => {
  it('as01 (FedEx CN→JP, delivered): slugs as carrier codes, alpha-2 countries, the latest estimate', async () => {
    const tracking = fixtureJson('as01-get-tracking-fedex-cn-jp-delivered.json').data.tracking;
    const reg = await registered('fedex', tracking.tracking_number);
    rig.now = Date.parse('2018-08-17T06:00:00Z');
    const raw = JSON.stringify({
      ts: Math.floor(rig.now / 1000) - 60,
      event: 'tracking_update',
      event_id: uniqueId('as01'),
      msg: tracking,
    });
    expect(await deliver('aftership', raw)).toMatchObject({ accepted: 14, unknown: [] });

    rig.providers.replyWith({ body: afterShipList(tracking) });
    const looked = await afterShipLookup().carrier('fedex').track(tracking.tracking_number);
    expect(looked.estimatedDeliveryAt).toBe('2022-01-05T11:11:11.000Z');
    const events = await expectSameBothWays(reg.shipmentId, 'aftership', looked);

    expect(events).toHaveLength(14);
    // Every checkpoint's carrier is the slug (never FedEx's raw code `FPX_L_RPIF`).
    expect(new Set(events.map((e) => e.carrierCode))).toEqual(new Set(['fedex']));
    expect(events.every((e) => e.expectedDeliveryAt === '2022-01-05T11:11:11.000Z')).toBe(true);
    expect(events[0]).toEqual({
      eventId: expect.stringMatching(/^aftership-[0-9a-f]{32}$/),
      occurredAt: '2018-07-23T06:21:39.000Z',
      status: 'info_received',
      subStatus: 'InfoReceived_001',
      carrierCode: 'fedex',
      description: 'Shipment information sent to FedEx',
      expectedDeliveryAt: '2022-01-05T11:11:11.000Z',
    });
    // `country_iso3` (API v4) is read: CHN → CN.
    expect(events[1]).toMatchObject({
      occurredAt: '2018-07-23T08:58:00.000Z',
      status: 'in_transit',
      subStatus: 'InTransit_002',
      description: 'Picked up',
      location: { country: 'CN' },
    });
    expect(events.at(-1)).toMatchObject({ status: 'delivered', location: { country: 'JP' } });
    // Overall Delivered, with the signature: a proof of delivery by webhook as by lookup.
    expect(looked.summary).toMatchObject({
      provider: 'aftership',
      native: 'Delivered/Delivered_001',
      status: 'delivered',
      proofOfDelivery: { signedBy: '..KOSUTOKO' },
    });
  });

  it('as01 without AfterShip’s latest estimate: the custom estimate {type, datetime} is read both ways', async () => {
    const tracking = fixtureJson('as01-get-tracking-fedex-cn-jp-delivered.json').data.tracking;
    delete tracking.latest_estimated_delivery;
    tracking.tracking_number = '111111111112';
    const reg = await registered('fedex', tracking.tracking_number);
    rig.now = Date.parse('2018-08-17T06:00:00Z');
    const raw = JSON.stringify({
      ts: Math.floor(rig.now / 1000) - 60,
      event: 'tracking_update',
      event_id: uniqueId('as01-custom'),
      msg: tracking,
    });
    expect(await deliver('aftership', raw)).toMatchObject({ accepted: 14 });

    rig.providers.replyWith({ body: afterShipList(tracking) });
    const looked = await afterShipLookup().carrier('fedex').track(tracking.tracking_number);
    // `custom_estimated_delivery_date.datetime` is the date 2022-01-05: the end of that day.
    expect(looked.estimatedDeliveryAt).toBe('2022-01-05T23:59:59.000Z');
    const events = await expectSameBothWays(reg.shipmentId, 'aftership', looked);
    expect(events.every((e) => e.expectedDeliveryAt === '2022-01-05T23:59:59.000Z')).toBe(true);
  });

  it('as06 (USPS webhook, in transit): slug, state-less US locations, postal codes, local times', async () => {
    const raw = fixtureText('as06-webhook-tracking_update-usps-intransit-2021.json');
    const body = JSON.parse(raw);
    const reg = await registered('usps', body.msg.tracking_number);
    rig.now = body.ts * 1000 + 60_000;
    expect(await deliver('aftership', raw)).toMatchObject({ accepted: 7, unknown: [] });

    rig.providers.replyWith({ body: afterShipList(body.msg) });
    const looked = await afterShipLookup().carrier('usps').track(body.msg.tracking_number);
    // `expected_delivery` comes after AfterShip's own estimate in our order of preference.
    expect(looked.estimatedDeliveryAt).toBe('2022-01-03T23:59:59.000Z');
    const events = await expectSameBothWays(reg.shipmentId, 'aftership', looked);

    expect(events).toHaveLength(7);
    expect(new Set(events.map((e) => e.carrierCode))).toEqual(new Set(['usps']));
    // Offset-less checkpoint times are local: Boca Raton (state FL), "WEST PALM BEACH FL
    // DISTRIBUTION CENTER", "FAYETTEVILLE NC DISTRIBUTION CENTER ANNEX" and Holly Ridge (state NC)
    // are all on New York time, daylight saving in May (UTC-4). Stored so by webhook and lookup.
    // [checkpoint_time, stored instant], in the fixture's order.
    const local = [
      ['2021-05-13T13:04:00', '2021-05-13T17:04:00.000Z'],
      ['2021-05-13T18:10:00', '2021-05-13T22:10:00.000Z'],
      ['2021-05-13T19:25:00', '2021-05-13T23:25:00.000Z'],
      ['2021-05-14T00:25:00', '2021-05-14T04:25:00.000Z'],
      ['2021-05-15T13:06:00', '2021-05-15T17:06:00.000Z'],
      ['2021-05-16T05:52:00', '2021-05-16T09:52:00.000Z'],
      ['2021-05-17T03:45:00', '2021-05-17T07:45:00.000Z'],
    ];
    const checkpoints = body.msg.checkpoints as { checkpoint_time: string }[];
    expect(checkpoints.map((c) => c.checkpoint_time)).toEqual(local.map(([time]) => time));
    const instants = local.map(([, instant]) => instant);
    expect(events.map((e) => e.occurredAt)).toEqual(instants);
    expect((await stored(reg.shipmentId)).map((r) => r.occurredAt)).toEqual(instants);
    expect(events[0]).toEqual({
      eventId: expect.stringMatching(/^aftership-[0-9a-f]{32}$/),
      occurredAt: '2021-05-13T17:04:00.000Z',
      status: 'info_received',
      subStatus: 'InfoReceived_001',
      carrierCode: 'usps',
      description: 'Shipping Label Created, USPS Awaiting Item',
      location: { country: 'US', city: 'BOCA RATON', postalCode: '33487' },
      expectedDeliveryAt: '2022-01-03T23:59:59.000Z',
    });
  });
});

describe('17TRACK fixture, by webhook and by lookup', () => {
  it('t01 (UPS, delivered; every sub_status null): no unknown event, UPS as the carrier', async () => {
    const raw = fixtureText('t01-push-ups-delivered-doc-sample.json');
    const body = JSON.parse(raw);
    const reg = await registered('ups', body.data.number);
    rig.now = Date.parse('2022-04-05T00:00:00Z');
    expect(await deliver('17track', raw)).toMatchObject({ accepted: 5, unknown: [] });

    rig.providers.replyWith({
      body: {
        code: 0,
        data: {
          accepted: [
            { number: body.data.number, carrier: 100002, track_info: body.data.track_info },
          ],
          rejected: [],
        },
      },
    });
    const lookup = new Track17Client({
      apiKey: 'track17-test',
      baseUrl: rig.providers.baseUrl,
      timeoutMs: 2000,
      batchDelayMs: 5,
    });
    const looked = await lookup.carrier('ups').track(body.data.number);
    const events = await expectSameBothWays(reg.shipmentId, '17track', looked);

    expect(
      events.map((e) => [e.occurredAt, e.status, e.carrierCode, e.description, e.location]),
    ).toEqual([
      [
        '2022-03-29T05:43:08.000Z',
        'info_received',
        'UPS',
        'Shipper created a label, UPS has not received the package yet.',
        { country: 'US' },
      ],
      [
        '2022-03-31T23:36:47.000Z',
        'in_transit',
        'UPS',
        'Origin Scan',
        { country: 'US', city: 'Ontario' },
      ],
      [
        '2022-04-02T09:15:00.000Z',
        'in_transit',
        'UPS',
        'Arrived at Facility',
        { country: 'US', city: 'Anderson' },
      ],
      [
        '2022-04-04T15:46:06.000Z',
        'out_for_delivery',
        'UPS',
        'Out For Delivery Today',
        { country: 'US', city: 'Crescent City' },
      ],
      [
        '2022-04-04T23:35:22.000Z',
        'delivered',
        'UPS',
        'DELIVERED',
        { country: 'US', city: 'GASQUET' },
      ],
    ]);
    expect(events.every((e) => e.subStatus === undefined && !e.expectedDeliveryAt)).toBe(true);
  });
});

describe('EasyPost fixture, by webhook and by lookup (unchanged)', () => {
  it('ep01 (FedEx tracker.updated, EasyPost’s own signature): seven events, the same both ways', async () => {
    // The bytes EasyPost's SDK tests sign: the file re-serialized.
    const event = fixtureJson('ep01-event-tracker-updated-fedex-signed.json');
    const raw = JSON.stringify(event);
    // A code of this test's own (outside the catalogue) that ROUTING sends to EasyPost.
    const reg = await registered('fedex-easypost', event.result.tracking_code, true);
    rig.now = Date.parse(event.created_at) + 60_000;
    expect(await deliver('easypost', raw, epSignature.hmac_signature)).toMatchObject({
      accepted: 7,
      unknown: [],
    });

    rig.providers.replyWith({ status: 201, body: event.result });
    const lookup = new EasyPostClient({
      apiKey: 'EZTK_test',
      baseUrl: rig.providers.baseUrl,
      timeoutMs: 2000,
    });
    const looked = await lookup.carrier('fedex').track(event.result.tracking_code);
    expect(looked.estimatedDeliveryAt).toBe('2024-08-05T00:00:00.000Z');
    const events = await expectSameBothWays(reg.shipmentId, 'easypost', looked);

    expect(events.map((e) => [e.occurredAt, e.status, e.subStatus, e.carrierCode])).toEqual([
      ['2024-07-31T15:00:00.000Z', 'info_received', 'label_created', 'fedex'],
      ['2024-07-31T19:27:00.000Z', 'in_transit', 'arrived_at_facility', 'fedex'],
      ['2024-07-31T22:35:00.000Z', 'in_transit', 'arrived_at_facility', 'fedex'],
      ['2024-08-01T14:42:13.000Z', 'in_transit', 'departed_facility', 'fedex'],
      ['2024-08-02T02:46:19.000Z', 'in_transit', 'unknown', 'fedex'],
      ['2024-08-02T18:35:20.000Z', 'in_transit', 'unknown', 'fedex'],
      ['2024-08-02T18:50:00.000Z', 'in_transit', 'arrived_at_facility', 'fedex'],
    ]);
  });

  it('ep02 (UPS, EasyPost’s tracking guide): overall Delivered with a signature, whatever the scans’ times say, the same both ways', async () => {
    const event = fixtureJson('ep02-event-tracker-updated-ups-delivered-guide.json');
    const raw = JSON.stringify(event);
    const reg = await registered('fedex-easypost', event.result.tracking_code, true);
    rig.now = Date.parse(event.created_at) + 60_000;
    expect(await deliver('easypost', raw)).toMatchObject({ accepted: 6, unknown: [] });

    rig.providers.replyWith({ status: 201, body: event.result });
    const lookup = new EasyPostClient({
      apiKey: 'EZTK_test',
      baseUrl: rig.providers.baseUrl,
      timeoutMs: 2000,
    });
    const looked = await lookup.carrier('ups').track(event.result.tracking_code);
    const events = await expectSameBothWays(reg.shipmentId, 'easypost', looked);
    // The delivered scan is timed before the others: by time, the newest is out for delivery.
    expect(events.map((e) => e.status)).toEqual([
      'delivered',
      'info_received',
      'in_transit',
      'in_transit',
      'in_transit',
      'out_for_delivery',
    ]);
    expect(looked.summary).toEqual({
      provider: 'easypost',
      native: 'delivered',
      status: 'delivered',
      updatedAt: '2014-11-19T10:51:54.000Z',
      proofOfDelivery: { deliveredAt: '2014-11-19T10:51:54.000Z', signedBy: 'John Tester' },
    });
    expect(looked.proofOfDelivery).toEqual(looked.summary?.proofOfDelivery);
  });
});
