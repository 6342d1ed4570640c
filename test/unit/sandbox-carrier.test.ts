import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CarrierError, type ClaimRequest, type LabelRequest } from '../../src/carriers/carrier';
import { createCarrierRegistry, sandboxRegistry } from '../../src/carriers/registry';
import { SandboxCarrierClient } from '../../src/carriers/sandbox/sandbox.client';
import { createSandboxCarrier, type SandboxStore } from '../../src/carriers/sandbox/sandbox.server';
import type { TrackingEvent } from '../../workflows/shipment.contract';

const API_KEY = 'test-sandbox-key';
const HOUR = 60 * 60 * 1000;

let url: string;
let store: SandboxStore;
let close: () => Promise<void>;
let clock: number;
let client: SandboxCarrierClient;

beforeEach(async () => {
  clock = Date.parse('2025-03-01T10:00:00Z');
  const sandbox = createSandboxCarrier({ apiKey: API_KEY, now: () => clock });
  const server = await sandbox.listen(0);
  url = server.url;
  close = () => server.close();
  store = sandbox.store;
  client = new SandboxCarrierClient({
    baseUrl: url,
    apiKey: API_KEY,
    timeoutMs: 2_000,
  });
});

afterEach(async () => {
  await close();
});

/** The fields these tests read from sandbox answers. */
interface ApiBody {
  error?: { code: string };
  status?: string;
  trackingNumber?: string;
  labelId?: string;
  claimId?: string;
  labels?: number;
  claims?: number;
}

/** Calls the sandbox the way a test script or demo does. */
async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ApiBody; headers: Headers }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as ApiBody,
    headers: res.headers,
  };
}

async function setFault(fault: {
  route: 'track' | 'label' | 'claim';
  mode: 'error500' | 'rate_limit' | 'hold' | 'none';
  count?: number;
  retryAfterSeconds?: number;
}) {
  const res = await api('POST', '/__control/faults', fault);
  expect(res.status).toBe(200);
}

async function stats() {
  return (await api('GET', '/__control/stats')).body as {
    labels: number;
    claims: number;
  };
}

function scan(eventId: string, occurredAt: string, status: TrackingEvent['status']): TrackingEvent {
  return {
    eventId,
    occurredAt,
    status,
    location: { country: 'DE', city: 'Leipzig' },
  };
}

function labelRequest(idempotencyKey: string, overrides: Partial<LabelRequest> = {}): LabelRequest {
  return {
    idempotencyKey,
    reference: 'order-1001~R1',
    from: { country: 'DE', warehouseId: 'wh-leipzig' },
    to: {
      country: 'FR',
      name: 'Camille Martin',
      line1: '12 rue des Lilas',
      city: 'Lyon',
      postalCode: '69003',
    },
    items: [{ sku: 'MUG-BLUE', quantity: 2, unitPrice: 14.5 }],
    declaredValue: 29,
    currency: 'EUR',
    ...overrides,
  };
}

function claimRequest(idempotencyKey: string, trackingNumber: string): ClaimRequest {
  return {
    idempotencyKey,
    trackingNumber,
    reason: 'lost',
    amount: 29,
    currency: 'EUR',
    description: 'No scan for 9 days after export; customer never received it.',
    evidence: { lastScanAt: '2025-02-20T08:00:00Z', invoice: 'INV-1001' },
  };
}

async function expectCarrierError(p: Promise<unknown>): Promise<CarrierError> {
  const err = await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CarrierError);
  return err as CarrierError;
}

describe('tracking', () => {
  it('a scripted parcel is tracked with its scans in scan order and its latest status', async () => {
    const created = await api('POST', '/v1/parcels', {
      trackingNumber: 'LX123456789CN',
      events: [
        scan('e2', '2025-02-21T09:00:00Z', 'in_transit'),
        scan('e1', '2025-02-20T08:00:00Z', 'info_received'),
      ],
      estimatedDeliveryAt: '2025-03-05T00:00:00Z',
    });
    expect(created.status).toBe(201);
    const appended = await api('POST', '/v1/parcels/LX123456789CN/events', {
      events: [
        scan('e3', '2025-02-23T07:30:00Z', 'customs'),
        scan('e1', '2025-02-20T08:00:00Z', 'info_received'),
      ],
    });
    expect(appended.status).toBe(200);

    const raw = await api('GET', '/v1/trackings/LX123456789CN');
    expect(raw.body.status).toBe('customs');

    const result = await client.track('LX123456789CN');
    expect(result.known).toBe(true);
    expect(result.events.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
    expect(result.events[2]).toMatchObject({
      status: 'customs',
      location: { country: 'DE' },
    });
    expect(result.estimatedDeliveryAt).toBe('2025-03-05T00:00:00Z');
  });

  it('a tracking number the carrier never heard of is a business answer, not an error', async () => {
    const raw = await api('GET', '/v1/trackings/NOPE0000000');
    expect(raw.status).toBe(404);
    expect(raw.body.error?.code).toBe('tracking.not_found');

    await expect(client.track('NOPE0000000')).resolves.toEqual({
      known: false,
      events: [],
    });
  });

  it('scan events with an unknown status are refused when scripting a parcel', async () => {
    const res = await api('POST', '/v1/parcels', {
      trackingNumber: 'LX999',
      events: [
        {
          eventId: 'x',
          occurredAt: '2025-02-20T08:00:00Z',
          status: 'teleported',
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('request.invalid');
  });
});

describe('labels', () => {
  it('booking a label twice with the same key returns the same tracking number', async () => {
    const body = labelRequest('shipment:order-1001/reship/label');
    const { idempotencyKey, ...payload } = body;
    const first = await api('POST', '/v1/labels', payload, {
      'Idempotency-Key': idempotencyKey,
    });
    const second = await api('POST', '/v1/labels', payload, {
      'Idempotency-Key': idempotencyKey,
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body.trackingNumber).toMatch(/^SBX\d{10}$/);

    const viaClient = await client.bookLabel(body);
    expect(viaClient.trackingNumber).toBe(first.body.trackingNumber);
    expect(viaClient.labelId).toBe(first.body.labelId);
    expect((await stats()).labels).toBe(1);
  });

  it('a booked label makes its tracking number known with an info_received scan', async () => {
    const label = await client.bookLabel(labelRequest('key-track'));
    const tracked = await client.track(label.trackingNumber);
    expect(tracked.known).toBe(true);
    expect(tracked.events.map((e) => e.status)).toEqual(['info_received']);
    // Standard service: a week from booking.
    expect(tracked.estimatedDeliveryAt).toBe('2025-03-08T10:00:00.000Z');
  });

  it('concurrent bookings with one key book exactly one label', async () => {
    const labels = await Promise.all(
      Array.from({ length: 8 }, () => client.bookLabel(labelRequest('key-concurrent'))),
    );
    expect(new Set(labels.map((l) => l.trackingNumber)).size).toBe(1);
    expect(store.labels.size).toBe(1);
    expect((await stats()).labels).toBe(1);
  });

  it('different keys book different parcels at the same deterministic postage', async () => {
    const a = await client.bookLabel(labelRequest('key-a'));
    const b = await client.bookLabel(labelRequest('key-b'));
    expect(a.trackingNumber).not.toBe(b.trackingNumber);
    expect(a).toMatchObject({
      carrier: 'sandbox',
      service: 'standard',
      currency: 'EUR',
    });
    // EU zone 8.90 + one extra piece 0.75.
    expect(a.postage).toBe(9.65);
    expect(b.postage).toBe(a.postage);
    const express = await client.bookLabel(
      labelRequest('key-c', {
        service: 'express',
        to: { ...labelRequest('x').to, country: 'US' },
      }),
    );
    expect(express.postage).toBeGreaterThan(a.postage);
    expect(
      await fetch(a.labelUrl!, {
        headers: { Authorization: `Bearer ${API_KEY}` },
      }).then((r) => r.text()),
    ).toContain(a.trackingNumber);
  });

  it('reusing a key for a different label request is refused for good', async () => {
    await client.bookLabel(labelRequest('key-reused'));
    const err = await expectCarrierError(
      client.bookLabel(labelRequest('key-reused', { declaredValue: 500 })),
    );
    expect(err).toMatchObject({
      permanent: true,
      code: 'idempotency.key_reused',
      status: 422,
    });
    expect(store.labels.size).toBe(1);
  });

  it('a label request without an Idempotency-Key is refused', async () => {
    const payload: Partial<LabelRequest> = labelRequest('unused');
    delete payload.idempotencyKey;
    const res = await api('POST', '/v1/labels', payload);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('request.idempotency_key_required');
    expect(store.labels.size).toBe(0);
  });

  it('an invalid label request is a permanent failure naming the carrier code', async () => {
    const err = await expectCarrierError(client.bookLabel(labelRequest('key-bad', { items: [] })));
    expect(err).toMatchObject({
      permanent: true,
      code: 'request.invalid',
      status: 400,
    });
  });
});

describe('claims', () => {
  it('filing a claim twice with the same key returns the same claim', async () => {
    await api('POST', '/v1/parcels', { trackingNumber: 'LX555', events: [] });
    const first = await client.fileClaim(claimRequest('shipment:order-1001/claim', 'LX555'));
    const again = await client.fileClaim(claimRequest('shipment:order-1001/claim', 'LX555'));
    expect(first).toMatchObject({
      status: 'submitted',
      amount: 29,
      currency: 'EUR',
    });
    expect(first.filedAt).toBe('2025-03-01T10:00:00.000Z');
    expect(again).toEqual(first);
    expect((await stats()).claims).toBe(1);

    const { idempotencyKey, ...payload } = claimRequest('shipment:order-1001/claim', 'LX555');
    const raw = await api('POST', '/v1/claims', payload, {
      'Idempotency-Key': idempotencyKey,
    });
    expect(raw.status).toBe(200);
    expect(raw.body.claimId).toBe(first.claimId);
  });

  it('a claim for a tracking number the carrier does not know is rejected for good', async () => {
    const err = await expectCarrierError(client.fileClaim(claimRequest('key-x', 'GHOST123')));
    expect(err).toMatchObject({
      permanent: true,
      code: 'claim.unknown_tracking',
      status: 422,
    });
    expect(store.claims.size).toBe(0);
  });

  it('a claim is approved once the carrier has had a day to look at it', async () => {
    await api('POST', '/v1/parcels', { trackingNumber: 'LX777', events: [] });
    const filed = await client.fileClaim(claimRequest('key-approve', 'LX777'));
    clock += 23 * HOUR;
    expect(await client.claimStatus(filed.claimId)).toMatchObject({
      status: 'submitted',
    });
    clock += HOUR;
    expect(await client.claimStatus(filed.claimId)).toMatchObject({
      status: 'approved',
      amountApproved: 29,
    });
  });

  it('a claim can be denied by the test script, and the client reads the denial as data', async () => {
    await api('POST', '/v1/parcels', { trackingNumber: 'LX778', events: [] });
    const filed = await client.fileClaim(claimRequest('key-deny', 'LX778'));
    const decided = await api('POST', `/__control/claims/${filed.claimId}`, {
      status: 'denied',
    });
    expect(decided.status).toBe(200);
    const status = await client.claimStatus(filed.claimId);
    expect(status.status).toBe('denied');
    expect(status.amountApproved).toBeUndefined();
  });
});

describe('authentication', () => {
  it('a caller without the right key is turned away with 401', async () => {
    const noKey = await fetch(`${url}/v1/trackings/LX1`);
    expect(noKey.status).toBe(401);
    const control = await fetch(`${url}/__control/stats`, {
      headers: { Authorization: 'Bearer wrong' },
    });
    expect(control.status).toBe(401);

    const wrong = new SandboxCarrierClient({ baseUrl: url, apiKey: 'wrong' });
    const err = await expectCarrierError(wrong.track('LX1'));
    expect(err).toMatchObject({
      permanent: true,
      code: 'auth.unauthorized',
      status: 401,
    });
  });
});

describe('carrier failures', () => {
  it('a carrier 500 is a transient failure, and the call works once the carrier recovers', async () => {
    await api('POST', '/v1/parcels', { trackingNumber: 'LX200', events: [] });
    await setFault({ route: 'track', mode: 'error500', count: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await expectCarrierError(client.track('LX200'));
      expect(err).toMatchObject({
        permanent: false,
        code: 'carrier.server_error',
        status: 500,
      });
    }
    await expect(client.track('LX200')).resolves.toMatchObject({ known: true });
  });

  it('a rate-limited call is transient and says when to come back', async () => {
    await setFault({
      route: 'label',
      mode: 'rate_limit',
      retryAfterSeconds: 7,
    });
    const err = await expectCarrierError(client.bookLabel(labelRequest('key-429')));
    expect(err).toMatchObject({
      permanent: false,
      code: 'carrier.rate_limited',
      status: 429,
      retryAfterMs: 7_000,
    });
    expect(store.labels.size).toBe(0);
    await expect(client.bookLabel(labelRequest('key-429'))).resolves.toMatchObject({
      carrier: 'sandbox',
    });
  });

  it('a carrier that does not answer in time is a transient failure', async () => {
    await setFault({ route: 'track', mode: 'hold' });
    const impatient = new SandboxCarrierClient({
      baseUrl: url,
      apiKey: API_KEY,
      timeoutMs: 150,
    });
    const err = await expectCarrierError(impatient.track('LX300'));
    expect(err).toMatchObject({ permanent: false, code: 'carrier.timeout' });
    await setFault({ route: 'track', mode: 'none' });
  });

  it('a held label request that timed out and was retried books exactly one label', async () => {
    await setFault({ route: 'label', mode: 'hold' });
    const impatient = new SandboxCarrierClient({
      baseUrl: url,
      apiKey: API_KEY,
      timeoutMs: 150,
    });
    const err = await expectCarrierError(impatient.bookLabel(labelRequest('key-held')));
    expect(err.permanent).toBe(false);
    expect(store.labels.size).toBe(0);

    // The carrier finishes the held booking once released; the retry must get that same label.
    await setFault({ route: 'label', mode: 'none' });
    const retried = await client.bookLabel(labelRequest('key-held'));
    expect(store.labels.size).toBe(1);
    expect([...store.labels.values()][0]!.trackingNumber).toBe(retried.trackingNumber);
    expect((await stats()).labels).toBe(1);
  });

  it('an unreachable carrier is a transient failure', async () => {
    await close();
    const err = await expectCarrierError(client.track('LX400'));
    expect(err).toMatchObject({
      permanent: false,
      code: 'carrier.unreachable',
    });
    // afterEach closes again; give it a live server to close.
    const again = await createSandboxCarrier({ apiKey: API_KEY }).listen(0);
    close = () => again.close();
  });
});

describe('carrier registry', () => {
  it('an unknown carrier code is a permanent carrier.unsupported error', () => {
    const registry = createCarrierRegistry([client]);
    expect(registry.get('SANDBOX')).toBe(client);
    let thrown: unknown;
    try {
      registry.get('pigeon-post');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CarrierError);
    expect(thrown).toMatchObject({
      permanent: true,
      code: 'carrier.unsupported',
    });
  });

  it('in the walking skeleton the sandbox serves every carrier a shipment names', async () => {
    const registry = sandboxRegistry(client);
    await api('POST', '/v1/parcels', {
      trackingNumber: '9400111899223817',
      events: [scan('u1', '2025-02-20T08:00:00Z', 'in_transit')],
    });
    for (const code of ['usps', 'dhl', 'yanwen']) {
      expect(registry.get(code)).toBe(client);
    }
    await expect(registry.get('usps').track('9400111899223817')).resolves.toMatchObject({
      known: true,
    });
  });
});
