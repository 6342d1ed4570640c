import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CarrierError } from '../../src/carriers/carrier';
import { Track17Client } from '../../src/carriers/track17/track17.carrier';
import { parse17Track } from '../../src/webhooks/webhooks.parsers';
import {
  accepted,
  answer,
  LOST_NUMBER,
  lostTrackInfo,
  notFoundTrackInfo,
  notRegistered,
  registered,
  requestRefused,
} from './fixtures/track17/trackinfo';
import { startProviderServer, type ProviderServer } from './support/provider-server';

const API_KEY = '17T-TEST-KEY-0123456789';
let server: ProviderServer;
let client: Track17Client;

beforeAll(async () => {
  server = await startProviderServer();
  client = new Track17Client({
    apiKey: API_KEY,
    baseUrl: server.baseUrl,
    timeoutMs: 500,
    batchDelayMs: 5,
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

describe('17TRACK lookups', () => {
  it('asks gettrackinfo with the documented request: POST, 17token, a list of numbers', async () => {
    server.replyWith({ body: answer([accepted(LOST_NUMBER, 3011, lostTrackInfo)]) });
    await client.carrier('china-post').track(LOST_NUMBER);
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/track/v2.2/gettrackinfo',
      body: [{ number: LOST_NUMBER, carrier: 3011 }],
    });
    expect(req?.headers['17token']).toBe(API_KEY);
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('a carrier 17TRACK detects itself is sent without a carrier key', async () => {
    server.replyWith({ body: answer([accepted('YT2412345678901234', 190008, notFoundTrackInfo)]) });
    await client.carrier('yunexpress').track('YT2412345678901234');
    expect(server.requests[0]?.body).toEqual([{ number: 'YT2412345678901234' }]);
  });

  it('maps the events of every leg (origin and destination carrier) in time order', async () => {
    server.replyWith({ body: answer([accepted(LOST_NUMBER, 3011, lostTrackInfo)]) });
    const result = await client.carrier('china-post').track(LOST_NUMBER);
    expect(result.known).toBe(true);
    expect(result.estimatedDeliveryAt).toBe('2025-03-07T00:00:00.000Z');
    expect(
      result.events.map((e) => [
        e.occurredAt,
        e.status,
        e.subStatus,
        e.carrierCode,
        e.location?.city,
      ]),
    ).toEqual([
      ['2025-02-20T01:12:00.000Z', 'in_transit', 'InTransit_PickedUp', 'Cainiao', 'Shenzhen'],
      [
        '2025-03-02T13:00:00.000Z',
        'customs',
        'InTransit_CustomsProcessing',
        'DHL Paket',
        'Frankfurt',
      ],
      ['2025-03-10T08:00:00.000Z', 'lost', 'Exception_Lost', 'DHL Paket', 'Berlin'],
    ]);
    expect(result.proofOfDelivery).toBeUndefined();
  });

  it('a lookup and a TRACKING_UPDATED push of the same track_info give the same event ids', async () => {
    server.replyWith({ body: answer([accepted(LOST_NUMBER, 3011, lostTrackInfo)]) });
    const looked = await client.carrier('china-post').track(LOST_NUMBER);
    const push = {
      event: 'TRACKING_UPDATED',
      data: {
        number: LOST_NUMBER,
        carrier: 3011,
        param: null,
        tag: null,
        track_info: lostTrackInfo,
      },
    };
    const pushed = parse17Track(push, Buffer.from(JSON.stringify(push)));
    expect(looked.events.map((e) => e.eventId)).toEqual(
      pushed.trackings[0]?.events.map((e) => e.eventId),
    );
  });

  it('a registered number with nothing found yet is unknown', async () => {
    server.replyWith({ body: answer([accepted('LX000000001CN', 3011, notFoundTrackInfo)]) });
    await expect(client.carrier('china-post').track('LX000000001CN')).resolves.toEqual({
      known: false,
      events: [],
    });
  });

  it('an unregistered number is registered (same request shape) and unknown for now', async () => {
    server.handle((req) =>
      req.path.endsWith('/gettrackinfo')
        ? { body: answer([], [notRegistered('LX000000002CN')]) }
        : { body: answer([registered('LX000000002CN', 3011)]) },
    );
    const result = await client.carrier('china-post').track('LX000000002CN');
    expect(result).toEqual({ known: false, events: [] });
    expect(server.requests.map((r) => [r.path, r.body])).toEqual([
      ['/track/v2.2/gettrackinfo', [{ number: 'LX000000002CN', carrier: 3011 }]],
      ['/track/v2.2/register', [{ number: 'LX000000002CN', carrier: 3011 }]],
    ]);
  });

  it('45 concurrent lookups become two gettrackinfo calls of 40 and 5 numbers', async () => {
    server.handle((req) => ({
      body: answer(
        (req.body as { number: string }[]).map((n) => accepted(n.number, 3011, notFoundTrackInfo)),
      ),
    }));
    const numbers = Array.from({ length: 45 }, (_, i) => `LY${String(i).padStart(9, '0')}CN`);
    const results = await Promise.all(numbers.map((n) => client.carrier('china-post').track(n)));
    expect(results.every((r) => r.known === false)).toBe(true);
    expect(server.requests.map((r) => (r.body as unknown[]).length)).toEqual([40, 5]);
    expect(
      server.requests.flatMap((r) => (r.body as { number: string }[]).map((n) => n.number)),
    ).toEqual(numbers);
  });
});

describe('17TRACK failures', () => {
  it('a request 17TRACK refuses as a whole (wrong token) is permanent, without the token in the message', async () => {
    server.replyWith({ body: requestRefused });
    const err = await failure(client.carrier('usps').track('9400111899223817000001'));
    expect(err).toMatchObject({ permanent: true, code: 'carrier.rejected' });
    expect(err.message).toContain('-18010002');
    expect(err.message).not.toContain(API_KEY);
  });

  it('a 400 is permanent', async () => {
    server.replyWith({ status: 400, body: requestRefused });
    const err = await failure(client.carrier('usps').track('9400111899223817000002'));
    expect(err).toMatchObject({ permanent: true, code: 'carrier.rejected', status: 400 });
  });

  it('a 500 is transient', async () => {
    server.replyWith({ status: 500, body: { code: -1, data: {} } });
    const err = await failure(client.carrier('usps').track('9400111899223817000003'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.server_error', status: 500 });
  });

  it('a 429 is transient and honours Retry-After', async () => {
    server.replyWith({
      status: 429,
      headers: { 'Retry-After': '2' },
      body: { code: 429, data: {} },
    });
    const err = await failure(client.carrier('usps').track('9400111899223817000004'));
    expect(err).toMatchObject({
      permanent: false,
      code: 'carrier.rate_limited',
      retryAfterMs: 2000,
    });
  });

  it('no answer within the timeout is transient', async () => {
    server.replyWith({ hang: true });
    const err = await failure(client.carrier('usps').track('9400111899223817000005'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.timeout' });
  });

  it('labels, claims and traces are not 17TRACK services', async () => {
    const carrier = client.carrier('usps');
    for (const call of [
      carrier.bookLabel({} as never),
      carrier.fileClaim({} as never),
      carrier.claimStatus('c1'),
      carrier.openTrace({} as never),
    ]) {
      await expect(call).rejects.toMatchObject({ code: 'carrier.unsupported', permanent: true });
    }
  });
});
