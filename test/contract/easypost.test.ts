import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CarrierError, LabelRequest } from '../../src/carriers/carrier';
import { EasyPostClient } from '../../src/carriers/easypost/easypost.carrier';
import { parseEasyPost } from '../../src/webhooks/webhooks.parsers';
import {
  approvedClaim,
  boughtShipment,
  createdShipment,
  deliveredTracker,
  errorBody,
  lostTracker,
  submittedClaim,
  unknownTracker,
} from './fixtures/easypost/objects';
import { startProviderServer, type ProviderServer } from './support/provider-server';

const API_KEY = 'EZTK_test_0123456789abcdef';
const BASIC = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;
let server: ProviderServer;
let client: EasyPostClient;

beforeAll(async () => {
  server = await startProviderServer();
  client = new EasyPostClient({
    apiKey: API_KEY,
    baseUrl: server.baseUrl,
    timeoutMs: 500,
    warehouseAddresses: { 'wh-sc': 'adr_2b3c4d5e6f7a48b9c0d1e2f3a4b5c6d7' },
    parcelWeightOz: 12,
    customsSigner: 'Jane Ops',
    claimContactEmail: 'ops@parcelwarden.local',
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

async function failure(p: Promise<unknown>): Promise<CarrierError> {
  try {
    await p;
  } catch (err) {
    return err as CarrierError;
  }
  throw new Error('expected the call to fail');
}

const domesticLabel: LabelRequest = {
  idempotencyKey: 'shipment:S-1001:reship',
  reference: 'S-1001~R1',
  from: { country: 'US', warehouseId: 'wh-sc' },
  to: {
    name: 'Dr. Steve Brule',
    line1: '179 N Harbor Dr',
    city: 'Redondo Beach',
    region: 'CA',
    postalCode: '90277',
    country: 'US',
  },
  items: [
    { sku: 'MUG-BLUE', quantity: 2, unitPrice: 12.5 },
    { sku: 'TEA-50', quantity: 1, unitPrice: 24.9 },
  ],
  declaredValue: 49.9,
  currency: 'USD',
};

describe('EasyPost trackers', () => {
  it('creates a tracker with the documented request (basic auth, wrapped in `tracker`)', async () => {
    server.replyWith({ body: deliveredTracker });
    await client.carrier('usps').track('9400110898825022579493');
    const [req] = server.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/v2/trackers',
      body: { tracker: { tracking_code: '9400110898825022579493', carrier: 'USPS' } },
    });
    expect(req?.headers.authorization).toBe(BASIC);
  });

  it('maps tracking details, the estimate and the proof of delivery', async () => {
    server.replyWith({ body: deliveredTracker });
    const result = await client.carrier('usps').track('9400110898825022579493');
    expect(result.known).toBe(true);
    expect(result.estimatedDeliveryAt).toBe('2025-02-24T22:02:00.000Z');
    expect(
      result.events.map((e) => [e.occurredAt, e.status, e.subStatus, e.location?.city]),
    ).toEqual([
      ['2025-01-19T17:21:41.000Z', 'info_received', 'status_update', undefined],
      ['2025-02-20T05:48:41.000Z', 'in_transit', 'arrived_at_facility', 'COLUMBIA'],
      ['2025-02-24T22:02:00.000Z', 'delivered', 'arrived_at_destination', 'CHARLESTON'],
    ]);
    expect(result.proofOfDelivery).toEqual({
      deliveredAt: '2025-02-24T22:02:00.000Z',
      signedBy: 'John Tester',
    });
  });

  it('a lookup and a tracker.updated event of the same tracker give the same event ids', async () => {
    server.replyWith({ body: deliveredTracker });
    const looked = await client.carrier('usps').track('9400110898825022579493');
    const pushed = parseEasyPost({
      id: 'evt_d0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5',
      object: 'Event',
      mode: 'test',
      description: 'tracker.updated',
      previous_attributes: { status: 'in_transit' },
      pending_urls: [],
      completed_urls: [],
      result: deliveredTracker,
    });
    expect(looked.events.map((e) => e.eventId)).toEqual(
      pushed.trackings[0]?.events.map((e) => e.eventId),
    );
  });

  it('a carrier detail "lost" is our lost', async () => {
    server.replyWith({ body: lostTracker });
    const result = await client.carrier('usps').track('EZ7000000007');
    expect(result.events.map((e) => e.status)).toEqual(['lost']);
  });

  it('a code the carrier knows nothing about is unknown', async () => {
    server.replyWith({ body: unknownTracker });
    await expect(client.carrier('usps').track('EZ9999999999')).resolves.toEqual({
      known: false,
      events: [],
    });
  });

  it('a carrier EasyPost has no name for is left to its detection', async () => {
    server.replyWith({ body: unknownTracker });
    await client.carrier('yanwen').track('UG123456789YP');
    expect(server.requests[0]?.body).toEqual({ tracker: { tracking_code: 'UG123456789YP' } });
  });
});

describe('EasyPost labels', () => {
  it('creates the shipment, buys the asked service insured for its value, and returns the label', async () => {
    server.replyWith({ body: createdShipment }, { body: boughtShipment });
    const label = await client
      .carrier('usps')
      .bookLabel({ ...domesticLabel, service: 'GroundAdvantage' });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/shipments',
      `POST /v2/shipments/${createdShipment.id}/buy`,
    ]);
    expect(server.requests[0]?.body).toEqual({
      shipment: {
        reference: 'S-1001~R1',
        to_address: {
          name: 'Dr. Steve Brule',
          street1: '179 N Harbor Dr',
          city: 'Redondo Beach',
          state: 'CA',
          zip: '90277',
          country: 'US',
        },
        from_address: { id: 'adr_2b3c4d5e6f7a48b9c0d1e2f3a4b5c6d7' },
        parcel: { weight: 12 },
        line_items: [
          { item_description: 'MUG-BLUE', total_line_value: '25.00' },
          { item_description: 'TEA-50', total_line_value: '24.90' },
        ],
      },
    });
    expect(server.requests[1]?.body).toEqual({
      rate: { id: 'rate_groundadvantage' },
      insurance: '49.90',
    });
    expect(server.requests.every((r) => r.headers.authorization === BASIC)).toBe(true);
    expect(label).toEqual({
      labelId: boughtShipment.id,
      carrier: 'usps',
      trackingNumber: '9400100208271110520227',
      service: 'GroundAdvantage',
      postage: 6.07,
      currency: 'USD',
      labelUrl: boughtShipment.postage_label.label_url,
    });
  });

  it("without a service, buys the carrier's cheapest rate (never another carrier's)", async () => {
    server.replyWith({ body: createdShipment }, { body: boughtShipment });
    await client.carrier('usps').bookLabel(domesticLabel);
    expect(server.requests[1]?.body).toMatchObject({ rate: { id: 'rate_groundadvantage' } });
  });

  it('an international label carries a customs declaration of the items', async () => {
    server.replyWith({ body: createdShipment }, { body: boughtShipment });
    await client.carrier('usps').bookLabel({
      ...domesticLabel,
      to: {
        ...domesticLabel.to,
        country: 'CA',
        region: 'ON',
        city: 'Toronto',
        postalCode: 'M5V 2T6',
      },
    });
    const shipment = (server.requests[0]?.body as { shipment: Record<string, unknown> }).shipment;
    expect(shipment.customs_info).toEqual({
      contents_type: 'merchandise',
      customs_certify: true,
      customs_signer: 'Jane Ops',
      non_delivery_option: 'return',
      restriction_type: 'none',
      eel_pfc: 'NOEEI 30.37(a)',
      customs_items: [
        {
          description: 'MUG-BLUE',
          quantity: 2,
          value: 25,
          weight: 8,
          origin_country: 'US',
          code: 'MUG-BLUE',
        },
        {
          description: 'TEA-50',
          quantity: 1,
          value: 24.9,
          weight: 4,
          origin_country: 'US',
          code: 'TEA-50',
        },
      ],
    });
  });

  it('a service EasyPost does not offer for the carrier is a permanent no-rate error', async () => {
    server.replyWith({ body: createdShipment });
    const err = await failure(
      client.carrier('usps').bookLabel({ ...domesticLabel, service: 'Express' }),
    );
    expect(err).toMatchObject({ permanent: true, code: 'carrier.no_rate' });
    expect(server.requests).toHaveLength(1);
  });

  it('a warehouse without an EasyPost address is a permanent error before any call', async () => {
    const err = await failure(
      client
        .carrier('usps')
        .bookLabel({ ...domesticLabel, from: { country: 'US', warehouseId: 'wh-x' } }),
    );
    expect(err).toMatchObject({ permanent: true, code: 'carrier.label_origin_unknown' });
    expect(err.message).toContain('EASYPOST_WAREHOUSE_ADDRESSES');
    expect(server.requests).toHaveLength(0);
  });

  it('an address EasyPost rejects (422) is permanent and names its error code', async () => {
    server.replyWith({
      status: 422,
      body: errorBody('ADDRESS.VERIFY.FAILURE', 'Unable to verify address.'),
    });
    const err = await failure(client.carrier('usps').bookLabel(domesticLabel));
    expect(err).toMatchObject({ permanent: true, code: 'carrier.rejected', status: 422 });
    expect(err.message).toContain('ADDRESS.VERIFY.FAILURE');
  });
});

describe('EasyPost claims', () => {
  it('files a loss claim with the documented fields and maps the answer', async () => {
    server.replyWith({ status: 201, body: submittedClaim });
    const filed = await client.carrier('usps').fileClaim({
      idempotencyKey: 'shipment:S-1001:claim',
      trackingNumber: '9400100208271110520227',
      reason: 'lost',
      amount: 49.9,
      currency: 'USD',
      description: 'Parcel lost in transit',
      evidence: {},
    });
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/claims',
      body: {
        tracking_code: '9400100208271110520227',
        type: 'loss',
        amount: '49.90',
        description: 'Parcel lost in transit',
        payment_method: 'easypost_wallet',
        contact_email: 'ops@parcelwarden.local',
      },
    });
    expect(filed).toEqual({
      claimId: 'clm_097e1f0f5c964c9c8a2b1d5e0f4a3b21',
      status: 'submitted',
      amount: 49.9,
      currency: 'USD',
      filedAt: '2025-03-12T15:00:00.000Z',
    });
  });

  it('reads a claim back with its decision and approved amount', async () => {
    server.replyWith({ body: approvedClaim });
    const claim = await client.carrier('usps').claimStatus(approvedClaim.id);
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      path: `/v2/claims/${approvedClaim.id}`,
    });
    expect(claim).toMatchObject({ status: 'approved', amountApproved: 49.9, amount: 49.9 });
  });

  it('a rejected claim reads as denied', async () => {
    server.replyWith({ body: { ...submittedClaim, status: 'rejected' } });
    await expect(client.carrier('usps').claimStatus(submittedClaim.id)).resolves.toMatchObject({
      status: 'denied',
    });
  });

  it('a delay is not an insured loss: refused before any call', async () => {
    const err = await failure(
      client.carrier('usps').fileClaim({
        idempotencyKey: 'k',
        trackingNumber: 'T',
        reason: 'delayed',
        amount: 10,
        currency: 'USD',
        description: 'late',
        evidence: {},
      }),
    );
    expect(err).toMatchObject({ permanent: true, code: 'carrier.unsupported' });
    expect(server.requests).toHaveLength(0);
  });

  it('EasyPost opens no carrier traces', async () => {
    await expect(client.carrier('usps').openTrace({} as never)).rejects.toMatchObject({
      code: 'carrier.unsupported',
    });
  });
});

describe('EasyPost failures', () => {
  it('an unknown claim (404) is permanent', async () => {
    server.replyWith({
      status: 404,
      body: errorBody('NOT_FOUND', 'The requested resource could not be found.'),
    });
    const err = await failure(client.carrier('usps').claimStatus('clm_missing'));
    expect(err).toMatchObject({ permanent: true, code: 'carrier.rejected', status: 404 });
  });

  it('a refused key is permanent and the key never appears in the message', async () => {
    server.replyWith({
      status: 401,
      body: errorBody('APIKEY.INACTIVE', `This api key (${API_KEY}) is no longer active.`),
    });
    const err = await failure(client.carrier('usps').track('EZ1000000001'));
    expect(err).toMatchObject({ permanent: true, code: 'carrier.unauthorized' });
    expect(err.message).not.toContain(API_KEY);
  });

  it('a 500 is transient', async () => {
    server.replyWith({
      status: 500,
      body: errorBody('INTERNAL_SERVER_ERROR', 'Something went wrong.'),
    });
    const err = await failure(client.carrier('usps').track('EZ1000000002'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.server_error' });
  });

  it('a 503 with an HTML page from a proxy is still transient', async () => {
    server.handle(() => ({
      status: 503,
      body: undefined,
      headers: { 'content-type': 'text/html' },
    }));
    const err = await failure(client.carrier('usps').track('EZ1000000003'));
    expect(err).toMatchObject({ permanent: false, status: 503 });
  });

  it('a 429 is transient and honours Retry-After', async () => {
    server.replyWith({
      status: 429,
      headers: { 'Retry-After': '3' },
      body: errorBody('RATE_LIMITED', 'Too many requests.'),
    });
    const err = await failure(client.carrier('usps').track('EZ1000000004'));
    expect(err).toMatchObject({
      permanent: false,
      code: 'carrier.rate_limited',
      retryAfterMs: 3000,
    });
  });

  it('no answer within the timeout is transient', async () => {
    server.replyWith({ hang: true });
    const err = await failure(client.carrier('usps').track('EZ1000000005'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.timeout' });
  });
});

describe('EasyPost answers we cannot read', () => {
  it('a 200 that is not JSON is a transient bad response', async () => {
    server.replyWith({ status: 200, raw: '{"id":"trk_1","object":"Tra' });
    const err = await failure(client.carrier('usps').track('EZ1000000006'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.bad_response' });
  });
});
