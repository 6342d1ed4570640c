import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AfterShipClient } from '../../src/carriers/aftership/aftership.carrier';
import type { CarrierError } from '../../src/carriers/carrier';
import { parseAfterShip } from '../../src/webhooks/webhooks.parsers';
import {
  createdPending,
  deliveredTracking,
  DELIVERED_NUMBER,
  errorBody,
  getTrackings,
  inTransitTracking,
  IN_TRANSIT_NUMBER,
} from './fixtures/aftership/trackings';
import { startProviderServer, type ProviderServer } from './support/provider-server';

const API_KEY = 'asat_test_0123456789abcdef';
let server: ProviderServer;
let client: AfterShipClient;

beforeAll(async () => {
  server = await startProviderServer();
  client = new AfterShipClient({ apiKey: API_KEY, baseUrl: server.baseUrl, timeoutMs: 500 });
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

describe('AfterShip tracking lookups', () => {
  it('reads a tracked parcel by slug and number with the documented request', async () => {
    server.replyWith({ body: getTrackings([inTransitTracking]) });
    await client.carrier('usps').track(IN_TRANSIT_NUMBER);
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req).toMatchObject({
      method: 'GET',
      path: '/tracking/2025-01/trackings',
      query: { tracking_numbers: IN_TRANSIT_NUMBER, slug: 'usps' },
    });
    expect(req?.headers['as-api-key']).toBe(API_KEY);
  });

  it('maps checkpoints to our events: statuses, instants, alpha-2 countries and the estimate', async () => {
    server.replyWith({ body: getTrackings([inTransitTracking]) });
    const result = await client.carrier('usps').track(IN_TRANSIT_NUMBER);
    expect(result.known).toBe(true);
    expect(result.estimatedDeliveryAt).toBe('2025-02-26T23:59:59.000Z');
    expect(result.proofOfDelivery).toBeUndefined();
    expect(
      result.events.map((e) => [e.occurredAt, e.status, e.subStatus, e.location?.country]),
    ).toEqual([
      ['2025-02-18T02:05:00.000Z', 'in_transit', 'InTransit_002', 'CN'],
      ['2025-02-20T02:30:00.000Z', 'customs', 'InTransit_006', 'US'],
      // `2025-02-20T21:14:00` has no offset: Los Angeles local time (PST, UTC-8).
      ['2025-02-21T05:14:00.000Z', 'in_transit', 'InTransit_004', 'US'],
    ]);
    expect(result.events[0]).toMatchObject({
      carrierCode: 'usps',
      description: 'Shipment accepted',
      location: { country: 'CN', city: 'SHENZHEN', postalCode: '518000' },
      expectedDeliveryAt: '2025-02-26T23:59:59.000Z',
    });
  });

  it('a scan read through a lookup has the same event id as through the webhook', async () => {
    server.replyWith({ body: getTrackings([inTransitTracking]) });
    const looked = await client.carrier('usps').track(IN_TRANSIT_NUMBER);
    const pushed = parseAfterShip({
      ts: 1740100000,
      event: 'tracking_update',
      event_id: 'b3f1c2d4-0c1e-4e7a-9b55-3c2d1e0f9a8b',
      msg: inTransitTracking,
    });
    expect(looked.events.map((e) => e.eventId)).toEqual(
      pushed.trackings[0]?.events.map((e) => e.eventId),
    );
  });

  it('a delivered parcel carries its proof of delivery (signer, time, place)', async () => {
    server.replyWith({ body: getTrackings([deliveredTracking]) });
    const result = await client.carrier('usps').track(DELIVERED_NUMBER);
    expect(result.events.at(-1)?.status).toBe('delivered');
    expect(result.proofOfDelivery).toEqual({
      deliveredAt: '2025-02-24T22:02:00.000Z',
      signedBy: 'J SMITH',
      note: 'Front Door/Porch',
    });
  });

  it('a number AfterShip does not track yet is created, and is unknown while pending', async () => {
    server.replyWith(
      { body: getTrackings([]) },
      { status: 201, body: createdPending('LX123456789CN', 'china-post') },
    );
    const result = await client.carrier('china-post').track('LX123456789CN');
    expect(result).toEqual({ known: false, events: [] });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /tracking/2025-01/trackings',
      'POST /tracking/2025-01/trackings',
    ]);
    expect(server.requests[1]?.body).toEqual({
      tracking_number: 'LX123456789CN',
      slug: 'china-post',
    });
    expect(server.requests[1]?.headers['content-type']).toBe('application/json');
    expect(server.requests[1]?.headers['as-api-key']).toBe(API_KEY);
  });

  it('a tracking created by someone else meanwhile (4003) is read back', async () => {
    server.replyWith(
      { body: getTrackings([]) },
      { status: 400, body: errorBody(4003, 'Tracking already exists.', 'BadRequest') },
      { body: getTrackings([inTransitTracking]) },
    );
    const result = await client.carrier('usps').track(IN_TRANSIT_NUMBER);
    expect(result.known).toBe(true);
    expect(result.events).toHaveLength(3);
  });

  it('an invalid tracking number (4005) is a parcel the carrier does not know', async () => {
    server.replyWith(
      { body: getTrackings([]) },
      {
        status: 400,
        body: errorBody(4005, 'The value of `tracking_number` is invalid.', 'BadRequest'),
      },
    );
    await expect(client.carrier('usps').track('NOT-A-NUMBER')).resolves.toEqual({
      known: false,
      events: [],
    });
  });
});

describe('AfterShip failures', () => {
  it('a 400 is permanent', async () => {
    server.replyWith({
      status: 400,
      body: errorBody(4010, 'The value of `slug` is invalid.', 'BadRequest'),
    });
    const err = await failure(client.carrier('nope').track('X1'));
    expect(err).toMatchObject({
      name: 'CarrierError',
      permanent: true,
      code: 'carrier.rejected',
      status: 400,
    });
    expect(err.message).toContain('4010');
  });

  it('a refused key is permanent and the key never appears in the message', async () => {
    server.replyWith({
      status: 401,
      body: errorBody(401, `Invalid API key: ${API_KEY}`, 'Unauthorized'),
    });
    const err = await failure(client.carrier('usps').track('X2'));
    expect(err).toMatchObject({ permanent: true, code: 'carrier.unauthorized', status: 401 });
    expect(err.message).not.toContain(API_KEY);
  });

  it('a 500 is transient', async () => {
    server.replyWith({
      status: 500,
      body: errorBody(500, 'Something went wrong on AfterShip', 'InternalError'),
    });
    const err = await failure(client.carrier('usps').track('X3'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.server_error', status: 500 });
  });

  it('a 429 is transient and honours Retry-After', async () => {
    server.replyWith({
      status: 429,
      headers: { 'Retry-After': '7' },
      body: errorBody(429, 'You have exceeded the API call rate limit.', 'TooManyRequests'),
    });
    const err = await failure(client.carrier('usps').track('X4'));
    expect(err).toMatchObject({
      permanent: false,
      code: 'carrier.rate_limited',
      status: 429,
      retryAfterMs: 7000,
    });
  });

  it('no answer within the timeout is transient', async () => {
    server.replyWith({ hang: true });
    const err = await failure(client.carrier('usps').track('X5'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.timeout' });
  });

  it('an answer that is not the documented shape is a transient bad response', async () => {
    server.replyWith({ body: { meta: { code: 200 }, data: { trackings: [{ slug: 'usps' }] } } });
    const err = await failure(client.carrier('usps').track('X6'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.bad_response' });
  });

  it('labels, claims and traces are not AfterShip services', async () => {
    const carrier = client.carrier('usps');
    const calls = [
      carrier.bookLabel({} as never),
      carrier.fileClaim({} as never),
      carrier.claimStatus('c1'),
      carrier.openTrace({} as never),
    ];
    for (const call of calls) {
      await expect(call).rejects.toMatchObject({ code: 'carrier.unsupported', permanent: true });
    }
    expect(server.requests).toHaveLength(0);
  });
});
