/**
 * The carrier catalogue at the API: `GET /v1/carriers` lists it, and registrations (single, batch)
 * must name one of its carriers unless the seller marks the carrier as unlisted.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARRIER_CODES } from '../../src/carriers/catalogue';
import { shipments } from '../../src/db/schema';
import { ROLES } from '../../src/http/auth';
import { aRegistration } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const register = (body: unknown) => api.call('POST', '/v1/shipments', { as: 'ingest', body });
const storedCarrier = async (shipmentId: string) =>
  (await api.db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId)))[0]?.carrier;

describe('the carrier catalogue', () => {
  it('is listed to every role with names and provider codes', async () => {
    for (const role of ROLES) {
      const res = await api.call('GET', '/v1/carriers', { as: role });
      expect(res.status).toBe(200);
      expect(res.body.items.map((c: { code: string }) => c.code)).toEqual(CARRIER_CODES);
    }
    const res = await api.call('GET', '/v1/carriers', { as: 'ingest' });
    const byCode = Object.fromEntries(res.body.items.map((c: { code: string }) => [c.code, c]));
    expect(byCode.ups).toEqual({
      code: 'ups',
      name: 'UPS',
      aftership: 'ups',
      easypost: 'UPS',
      track17: 100002,
      aliases: ['United Parcel Service'],
    });
    expect(byCode.yanwen).toMatchObject({ name: 'Yanwen', track17: 190012 });
    expect(byCode.sandbox).toEqual({ code: 'sandbox', name: 'Sandbox carrier', aliases: [] });
  });

  it('is not listed without a key', async () => {
    const res = await api.call('GET', '/v1/carriers');
    expect(res.status).toBe(401);
  });
});

describe('registering with a carrier code', () => {
  it('a typo in the carrier is refused with 422 and a suggestion, and nothing is stored', async () => {
    const reg = aRegistration({ carrier: 'yanwn' });
    const res = await register(reg);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'carrier.unknown',
      status: 422,
      suggestions: ['yanwen'],
      knownCarriers: CARRIER_CODES,
      errors: [{ path: 'carrier', message: expect.stringContaining('did you mean "yanwen"?') }],
    });
    expect(res.body.detail).toMatch(/^Unknown carrier "yanwn"; did you mean "yanwen"\?/);
    expect(res.body.detail).toContain('GET /v1/carriers');
    expect(await storedCarrier(reg.shipmentId)).toBeUndefined();
  });

  it('a carrier given by its display name is refused with its code as the suggestion', async () => {
    const res = await register(aRegistration({ carrier: 'Royal Mail' }));
    expect(res.status).toBe(422);
    expect(res.body.suggestions).toEqual(['royal-mail']);
  });

  it('a carrier far from every known one is refused without a guess', async () => {
    const res = await register(aRegistration({ carrier: 'pigeon-post' }));
    expect(res.status).toBe(422);
    expect(res.body.suggestions).toEqual([]);
    expect(res.body.detail).toMatch(/^Unknown carrier "pigeon-post"\. Known carriers/);
  });

  it('a known code in another case is stored and started as the catalogue writes it', async () => {
    const reg = aRegistration({ carrier: 'YunExpress' });
    expect((await register(reg)).status).toBe(201);
    expect(await storedCarrier(reg.shipmentId)).toBe('yunexpress');
    // The same body again is the same registration.
    expect((await register(reg)).status).toBe(200);
  });

  it('scans pushed under the carrier as the order system writes it find the shipment', async () => {
    const reg = aRegistration({ carrier: 'DHL' });
    expect((await register(reg)).status).toBe(201);
    expect(await storedCarrier(reg.shipmentId)).toBe('dhl');
    const scan = (carrier: string, eventId: string) => ({
      carrier,
      trackingNumber: reg.trackingNumber,
      eventId,
      occurredAt: '2025-03-01T10:00:00Z',
      status: 'in_transit',
    });
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: { events: [scan('DHL', 'D1'), scan('dhl', 'D2'), scan('dhl-global-mail', 'D3')] },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, unknown: 1 });
  });

  it('a carrier outside the catalogue is registered as given when marked unlisted', async () => {
    const reg = { ...aRegistration({ carrier: 'Posta Regionale' }), carrierUnlisted: true };
    const res = await register(reg);
    expect(res.status).toBe(201);
    expect(await storedCarrier(reg.shipmentId)).toBe('Posta Regionale');
    // The mark lets the code in; it is not part of the stored registration.
    const [row] = await api.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, reg.shipmentId));
    expect(row!.registration).not.toHaveProperty('carrierUnlisted');
  });

  it('carrierUnlisted must be a boolean, and false does not let an unknown code in', async () => {
    const notBoolean = await register({ ...aRegistration(), carrierUnlisted: 'yes' });
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.body.errors).toEqual([expect.objectContaining({ path: 'carrierUnlisted' })]);
    const refused = await register({
      ...aRegistration({ carrier: 'yanwn' }),
      carrierUnlisted: false,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('carrier.unknown');
  });

  it('a batch refuses the item with an unknown carrier alone, naming its path', async () => {
    const good = aRegistration();
    const typo = aRegistration({ carrier: 'fedx' });
    const unlisted = { ...aRegistration({ carrier: 'posta-regionale' }), carrierUnlisted: true };
    const res = await api.call('POST', '/v1/shipments:batch', {
      as: 'ingest',
      body: { shipments: [good, typo, unlisted] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 2, failed: 1 });
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([201, 422, 201]);
    expect(res.body.results[1]).toMatchObject({
      shipmentId: typo.shipmentId,
      problem: {
        code: 'carrier.unknown',
        status: 422,
        suggestions: ['fedex'],
        knownCarriers: CARRIER_CODES,
        errors: [{ path: 'shipments.1.carrier', message: expect.stringContaining('"fedex"') }],
      },
    });
    expect(await storedCarrier(typo.shipmentId)).toBeUndefined();
    expect(await storedCarrier(unlisted.shipmentId)).toBe('posta-regionale');
  });

  it('the document says what carrier and carrierUnlisted mean', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const body =
      doc.paths['/v1/shipments'].post.requestBody.content['application/json'].schema.properties;
    expect(body.carrier.description).toContain('GET /v1/carriers');
    expect(body.carrierUnlisted).toMatchObject({ type: 'boolean' });
    expect(body.carrierUnlisted.description).toMatch(/outside the catalogue/);
    expect(doc.paths['/v1/carriers'].get.operationId).toBe('listCarriers');
  });
});
