/**
 * The rest of the real provider payloads (test/fixtures/carriers, see its SOURCES.md) read both
 * ways, as in carrier-fixtures.test.ts: pushed to the HTTP receiver signed as the provider signs,
 * and answered to the lookup adapter by a local server. Both must give the same events. The
 * expected values below are read off the payloads.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { EasyPostClient } from '../../src/carriers/easypost/easypost.carrier';
import { claimHistory, claims } from '../../src/db/schema';
import type { WebhookRouting } from '../../src/webhooks/webhooks.routing';
import { claimUpdateSignal, type ClaimUpdate } from '../../workflows/claim.contract';
import { shipmentWorkflowId } from '../../workflows/shipment.contract';
import { carrierFixtureRig, fixtureJson, fixtureText } from '../helpers/carrier-fixtures';
import { uniqueId } from '../helpers/factories';
import { signalsReceived } from '../helpers/payload-key';

const SECRETS = {
  aftership: 'aftership-test-secret',
  easypost: 'easypost-test-secret',
} as const;

// EasyPost tracks and claims every carrier code but these two, which AfterShip tracks.
const ROUTING: WebhookRouting = {
  tracking: 'easypost',
  claims: 'easypost',
  carriers: { fedex: { tracking: 'aftership' }, usps: { tracking: 'aftership' } },
};

const rig = carrierFixtureRig(SECRETS, ROUTING);
const { registered, deliver, signalled, stored, expectSameBothWays, afterShipLookup } = rig;

/** An AfterShip `tracking_update` webhook around a tracking object, sent a minute ago. */
function afterShipWebhook(tracking: unknown, name: string) {
  return JSON.stringify({
    ts: Math.floor(rig.now / 1000) - 60,
    event: 'tracking_update',
    event_id: uniqueId(name),
    msg: tracking,
  });
}

describe('AfterShip fixtures, by webhook and by lookup', () => {
  it('as03 (created, Pending, no checkpoint): nothing stored, nothing failed, no estimate either way', async () => {
    const created = fixtureJson('as03-create-tracking-pending.json');
    const tracking = created.data.tracking;
    expect(tracking).toMatchObject({ tag: 'Pending', checkpoints: [], expected_delivery: null });
    const reg = await registered('fedex', tracking.tracking_number);
    rig.now = Date.parse(tracking.updated_at) + 60_000;
    expect(await deliver('aftership', afterShipWebhook(tracking, 'as03'))).toMatchObject({
      duplicate: false,
      kind: 'tracking',
      accepted: 0,
      duplicates: 0,
      unknown: [],
    });
    expect(await signalled(reg.shipmentId)).toEqual([]);
    expect(await stored(reg.shipmentId)).toEqual([]);

    // The lookup finds no tracking, creates it and gets this answer (in the 2025-01 envelope,
    // `data` being the tracking itself).
    rig.providers.requests.length = 0;
    rig.providers.replyWith(
      { body: { meta: { code: 200 }, data: { trackings: [] } } },
      { status: 201, body: { meta: created.meta, data: tracking } },
    );
    const looked = await afterShipLookup().carrier('fedex').track(tracking.tracking_number);
    expect(rig.providers.requests.map((r) => [r.method, r.query, r.body])).toEqual([
      ['GET', { tracking_numbers: tracking.tracking_number, slug: 'fedex' }, undefined],
      ['POST', {}, { tracking_number: tracking.tracking_number, slug: 'fedex' }],
    ]);
    // Pending without a checkpoint: AfterShip has nothing on the number yet.
    expect(looked).toMatchObject({ known: false, events: [] });
    // `order_promised_delivery_date` is the shop's promise, not an estimate: none is read.
    expect(looked.estimatedDeliveryAt).toBeUndefined();
    expect(await stored(reg.shipmentId)).toEqual([]);
  });

  it('as04 (USPS list answer, InfoReceived with an offset): one event, the same both ways', async () => {
    const raw = fixtureText('as04-list-trackings-usps-inforeceived-2023.json');
    const tracking = JSON.parse(raw).data.trackings[0];
    const reg = await registered('usps', tracking.tracking_number);
    rig.now = Date.parse(tracking.updated_at) + 60_000;
    expect(await deliver('aftership', afterShipWebhook(tracking, 'as04'))).toMatchObject({
      accepted: 1,
      unknown: [],
    });

    // The file is a list answer: the lookup gets its exact bytes.
    rig.providers.replyWith({ raw });
    const looked = await afterShipLookup().carrier('usps').track(tracking.tracking_number);
    expect(looked.known).toBe(true);
    // Every estimate field of the tracking is null.
    expect(looked.estimatedDeliveryAt).toBeUndefined();
    const events = await expectSameBothWays(reg.shipmentId, 'aftership', looked);

    expect(events).toEqual([
      {
        eventId: expect.stringMatching(/^aftership-[0-9a-f]{32}$/),
        // 2023-12-20T02:12:00-06:00
        occurredAt: '2023-12-20T08:12:00.000Z',
        status: 'info_received',
        subStatus: 'InfoReceived_001',
        carrierCode: 'usps',
        description: 'Shipping Label Created, USPS Awaiting Item',
        // country_iso3 USA, zip 78940
        location: { country: 'US', city: 'FAYETTEVILLE', postalCode: '78940' },
      },
    ]);
  });
});

// ---------- EasyPost ----------

/** ep01's Event envelope: the keys and values EasyPost sends around a `result`. */
const { result: _ep01Tracker, ...ep01Envelope } = fixtureJson(
  'ep01-event-tracker-updated-fedex-signed.json',
);

/** An EasyPost Event around an object, shaped like ep01's, sent when the object last changed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function easyPostEvent(description: string, result: Record<string, any>) {
  const event = {
    ...ep01Envelope,
    description,
    mode: result.mode,
    previous_attributes: {},
    created_at: result.updated_at,
    updated_at: result.updated_at,
    id: `evt_${uniqueId(result.id)}`,
    result,
  };
  expect(Object.keys(event)).toEqual([...Object.keys(ep01Envelope), 'result']);
  return event;
}

const easyPostLookup = () =>
  new EasyPostClient({ apiKey: 'EZTK_test', baseUrl: rig.providers.baseUrl, timeoutMs: 2000 });

/**
 * Pushes a Tracker fixture as a signed `tracker.updated` Event, answers its exact bytes to a
 * lookup, and checks both agree. ep03 and ep10 share EasyPost's test code EZ1000000001, so each
 * fixture's shipment is registered under an unlisted carrier code of its own (EasyPost serves
 * them all): the push, naming none of them, goes to the most recently registered, this test's.
 */
async function easyPostBothWays(name: string) {
  const raw = fixtureText(name);
  const tracker = JSON.parse(raw);
  const reg = await registered(`usps-${name.slice(0, 4)}`, tracker.tracking_code, true);
  const event = easyPostEvent('tracker.updated', tracker);
  rig.now = Date.parse(event.created_at) + 60_000;
  expect(await deliver('easypost', JSON.stringify(event))).toMatchObject({
    kind: 'tracking',
    event: 'tracker.updated',
    accepted: tracker.tracking_details.length,
    unknown: [],
  });

  rig.providers.requests.length = 0;
  rig.providers.replyWith({ status: 201, raw });
  const looked = await easyPostLookup().carrier('usps').track(tracker.tracking_code);
  expect(rig.providers.requests.map((r) => [r.method, r.path, r.body])).toEqual([
    [
      'POST',
      '/v2/trackers',
      { tracker: { tracking_code: tracker.tracking_code, carrier: 'USPS' } },
    ],
  ]);
  expect(looked.known).toBe(true);
  const events = await expectSameBothWays(reg.shipmentId, 'easypost', looked);
  return { events, looked };
}

type Scan = [occurredAt: string, status: string, description: string, city?: string];

const PLACES: Record<string, { country: string; city: string; postalCode: string }> = {
  Oakland: { country: 'US', city: 'Oakland', postalCode: '94612' },
  Chicago: { country: 'US', city: 'Chicago', postalCode: '60290' },
  Radnor: { country: 'US', city: 'Radnor', postalCode: '19087' },
};

/**
 * The scans EasyPost's test codes EZ1…EZ6 share (EasyPost status in brackets), recorded at second
 * `s`: none has a `status_detail` or a `carrier_code`, so each is the Tracker's carrier's.
 */
const journey = (s: string): Scan[] => [
  [`2020-04-08T05:01:${s}.000Z`, 'info_received', 'Pre-Shipment information received'], // pre_transit
  [`2020-04-08T23:50:${s}.000Z`, 'info_received', 'Shipping label created'], // pre_transit
  [`2020-04-09T05:01:${s}.000Z`, 'in_transit', 'Picked Up', 'Oakland'],
  [`2020-04-09T23:28:${s}.000Z`, 'in_transit', 'Arrived at Sort Facility', 'Chicago'],
  [`2020-04-11T00:08:${s}.000Z`, 'in_transit', 'Departed Sort Facility', 'Chicago'],
  [`2020-04-11T05:01:${s}.000Z`, 'in_transit', 'Arrived at Distribution Center', 'Radnor'],
  [`2020-04-11T22:47:${s}.000Z`, 'out_for_delivery', 'Out For Delivery', 'Radnor'],
];

/** The events a Tracker of EasyPost's test codes gives: USPS scans with the Tracker's estimate. */
const expectedEvents = (scans: Scan[], estimate: string) =>
  scans.map(([occurredAt, status, description, city]) => ({
    eventId: expect.stringMatching(/^easypost-[0-9a-f]{32}$/),
    occurredAt,
    status,
    carrierCode: 'usps',
    description,
    ...(city ? { location: PLACES[city] } : {}),
    expectedDeliveryAt: estimate,
  }));

describe('EasyPost Trackers of the test codes, by webhook and by lookup', () => {
  it('ep03 (EZ1…, pre_transit): two label scans, the carrier USPS, the estimate', async () => {
    const { events, looked } = await easyPostBothWays('ep03-tracker-pre_transit.json');
    expect(looked.estimatedDeliveryAt).toBe('2020-05-08T05:01:21.000Z');
    expect(events).toEqual(expectedEvents(journey('21').slice(0, 2), '2020-05-08T05:01:21.000Z'));
    expect(looked.proofOfDelivery).toBeUndefined();
  });

  it('ep04 (EZ2…, in_transit): picked up in Oakland, through Chicago to Radnor', async () => {
    const { events, looked } = await easyPostBothWays('ep04-tracker-in_transit.json');
    expect(looked.estimatedDeliveryAt).toBe('2020-05-08T05:01:21.000Z');
    expect(events).toEqual(expectedEvents(journey('21').slice(0, 6), '2020-05-08T05:01:21.000Z'));
    expect(looked.proofOfDelivery).toBeUndefined();
  });

  it('ep05 (EZ3…, out_for_delivery): the last scan is out for delivery in Radnor', async () => {
    const { events, looked } = await easyPostBothWays('ep05-tracker-out_for_delivery.json');
    expect(events).toEqual(expectedEvents(journey('21'), '2020-05-08T05:01:21.000Z'));
    expect(events.at(-1)).toMatchObject({ status: 'out_for_delivery' });
    expect(looked.proofOfDelivery).toBeUndefined();
  });

  it('ep06 (EZ4…, delivered): delivered in Radnor, signed by John Tester', async () => {
    const { events, looked } = await easyPostBothWays('ep06-tracker-delivered.json');
    expect(events).toEqual(
      expectedEvents(
        [...journey('22'), ['2020-04-12T06:10:22.000Z', 'delivered', 'Delivered', 'Radnor']],
        '2020-05-08T05:01:22.000Z',
      ),
    );
    expect(looked.proofOfDelivery).toEqual({
      deliveredAt: '2020-04-12T06:10:22.000Z',
      signedBy: 'John Tester',
    });
  });

  it('ep07 (EZ5…, return_to_sender): the last scan is our returning, not delivered', async () => {
    const { events, looked } = await easyPostBothWays('ep07-tracker-return_to_sender.json');
    expect(events).toEqual(
      expectedEvents(
        [
          ...journey('22'),
          [
            '2020-04-12T06:10:22.000Z',
            'returning',
            'Address Does Not Exist - Returning to Sender',
            'Radnor',
          ],
        ],
        '2020-05-08T05:01:22.000Z',
      ),
    );
    expect(looked.proofOfDelivery).toBeUndefined();
  });

  it('ep08 (EZ6…, failure): seized after pickup in Oakland, our exception', async () => {
    const { events, looked } = await easyPostBothWays('ep08-tracker-failure.json');
    const expected = expectedEvents(
      [
        ...journey('22').slice(0, 3),
        [
          '2020-04-09T23:03:22.000Z',
          'exception',
          'Prohibited articles - Item not delivered - Item seized or destroyed',
          'Oakland',
        ],
      ],
      '2020-05-08T05:01:22.000Z',
    );
    // The receiver reads the exception's words: "destroyed" is the graver of the two findings.
    expect(events).toEqual([
      ...expected.slice(0, 3),
      {
        ...expected[3],
        finding: { finding: 'destroyed', rule: 'en.destroyed', matched: 'destroyed' },
      },
    ]);
    expect(looked.proofOfDelivery).toBeUndefined();
  });
});

describe('EasyPost Tracker of 2024, by webhook and by lookup', () => {
  it('ep10 (USPS, blank carrier_code, no country): the carrier USPS, Houston without a country', async () => {
    const { events, looked } = await easyPostBothWays('ep10-tracker-create-usps-2024.json');
    expect(looked.estimatedDeliveryAt).toBe('2024-07-30T16:06:32.000Z');
    expect(events).toEqual([
      {
        eventId: expect.stringMatching(/^easypost-[0-9a-f]{32}$/),
        occurredAt: '2024-06-30T16:06:32.000Z',
        status: 'info_received',
        subStatus: 'status_update',
        // `carrier_code` is "": the Tracker's carrier.
        carrierCode: 'usps',
        description: 'Pre-Shipment Info Sent to USPS',
        expectedDeliveryAt: '2024-07-30T16:06:32.000Z',
      },
      {
        eventId: expect.stringMatching(/^easypost-[0-9a-f]{32}$/),
        occurredAt: '2024-07-01T04:43:32.000Z',
        status: 'info_received',
        subStatus: 'status_update',
        carrierCode: 'usps',
        description: 'Shipping Label Created',
        // city HOUSTON, state TX, zip 77063, country null
        location: { city: 'HOUSTON', postalCode: '77063' },
        expectedDeliveryAt: '2024-07-30T16:06:32.000Z',
      },
    ]);
    expect(looked.proofOfDelivery).toBeUndefined();
  });
});

describe('EasyPost Claim, by webhook and by lookup', () => {
  it('ep11 (submitted): a claim.submitted Event and a claim lookup read the same claim', async () => {
    const raw = fixtureText('ep11-claim-submitted-docs.json');
    const claim = JSON.parse(raw);
    // The claim we filed through EasyPost on the parcel it names.
    const reg = await registered('usps', claim.tracking_code);
    const workflowId = shipmentWorkflowId(reg.shipmentId);
    const [row] = await rig.database.db
      .insert(claims)
      .values({
        idempotencyKey: uniqueId('claim-key'),
        shipmentId: reg.shipmentId,
        workflowId,
        carrier: 'usps',
        trackingNumber: claim.tracking_code,
        claimId: claim.id,
        reason: 'damaged',
        status: 'filed',
        amount: 100,
        currency: 'USD',
        evidence: {},
      })
      .returning({ id: claims.id });

    const event = easyPostEvent('claim.submitted', claim);
    rig.now = Date.parse(event.created_at) + 60_000;
    expect(await deliver('easypost', JSON.stringify(event))).toMatchObject({
      duplicate: false,
      kind: 'claim',
      event: 'claim.submitted',
      accepted: 0,
      unknown: [],
    });
    const update: ClaimUpdate = {
      claimId: 'clm_09d891bf4d9045b48cb64e0319338f1c',
      status: 'submitted',
      // status_timestamp
      at: '2025-05-12T19:08:07.000Z',
      detail: 'Claim was created.',
    };
    // No approved amount yet (`approved_amount` null): none is passed on or recorded.
    expect(await signalsReceived(rig.api.client, workflowId, claimUpdateSignal.name)).toEqual([
      update,
    ]);
    const [updated] = await rig.database.db.select().from(claims).where(eq(claims.id, row!.id));
    // Submitted at EasyPost is filed in our claim's vocabulary.
    expect(updated).toMatchObject({ status: 'filed', amount: 100, amountRecovered: null });
    const history = await rig.database.db
      .select()
      .from(claimHistory)
      .where(eq(claimHistory.claimRowId, row!.id));
    expect(history.map((h) => [h.status, h.detail, h.at.toISOString()])).toEqual([
      ['filed', 'Claim was created.', '2025-05-12T19:08:07.000Z'],
    ]);

    // The claim as its lookup answers it (GET /v2/claims/{id}, the exact bytes).
    const filed = {
      claimId: 'clm_09d891bf4d9045b48cb64e0319338f1c',
      status: 'submitted',
      // requested_amount "100.00"
      amount: 100,
      currency: 'USD',
      filedAt: '2025-05-12T19:08:07.000Z',
    };
    rig.providers.requests.length = 0;
    rig.providers.replyWith({ raw });
    expect(await easyPostLookup().claimStatus(claim.id)).toEqual(filed);
    expect(rig.providers.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/v2/claims/clm_09d891bf4d9045b48cb64e0319338f1c'],
    ]);

    // And as the answer to filing it: what we send is what the Claim says was filed.
    rig.providers.requests.length = 0;
    rig.providers.replyWith({ status: 201, raw });
    const client = new EasyPostClient({
      apiKey: 'EZTK_test',
      baseUrl: rig.providers.baseUrl,
      timeoutMs: 2000,
      claimContactEmail: 'test@example.com',
    });
    expect(
      await client.fileClaim({
        idempotencyKey: uniqueId('claim'),
        trackingNumber: '9405500208303109888326',
        reason: 'damaged',
        amount: 100,
        currency: 'USD',
        description: 'Test description',
        evidence: {},
      }),
    ).toEqual(filed);
    expect(rig.providers.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      [
        'POST',
        '/v2/claims',
        {
          tracking_code: claim.tracking_code,
          type: claim.type,
          amount: claim.requested_amount,
          description: claim.description,
          payment_method: claim.payment_method,
          contact_email: claim.contact_email,
        },
      ],
    ]);
  });
});
