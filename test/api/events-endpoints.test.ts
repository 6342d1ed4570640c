import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEndpoints } from '../../src/db/schema/events';
import { EVENT_TYPES } from '../../src/events/events.types';
import { createSecretBox } from '../../src/shops/secret-box';
import { uniqueId } from '../helpers/factories';
import { testPayloadKey } from '../helpers/payload-key';
import { startApi, type ApiUnderTest } from './harness';

const box = () => createSecretBox(testPayloadKey());

let api: ApiUnderTest;
let production: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ app: { secretBox: box() } });
  production = await startApi({
    app: {
      secretBox: box(),
      webhookEndpointUrls: { production: true, allowedHosts: ['hooks.internal'] },
    },
  });
});
afterAll(async () => {
  await api?.close();
  await production?.close();
});

const hookUrl = () => `https://hooks.example.com/${uniqueId('in')}`;

async function stored(url: string) {
  return api.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.url, url));
}

describe('webhook endpoints', () => {
  it('are made by an admin, who sees the signing secret once; it is stored sealed and never shown again', async () => {
    const url = hookUrl();
    const res = await api.call('POST', '/v1/webhook-endpoints', {
      as: 'admin',
      body: {
        url,
        eventTypes: ['review.opened', 'shipment.reshipped', 'review.opened'],
        description: 'order system',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^we_[0-9a-f]{24}$/),
      url,
      eventTypes: ['review.opened', 'shipment.reshipped'],
      description: 'order system',
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const { id, secret } = res.body as { id: string; secret: string };

    const [row] = await stored(url);
    expect(row!.secret).not.toContain(secret.slice(6));
    expect(box().open(row!.secret)).toBe(secret);

    const one = await api.call('GET', `/v1/webhook-endpoints/${id}`, { as: 'admin' });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      id,
      url,
      eventTypes: ['review.opened', 'shipment.reshipped'],
      description: 'order system',
      createdAt: res.body.createdAt,
    });
    const list = await api.call('GET', '/v1/webhook-endpoints?limit=200', { as: 'admin' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(6));
    expect(JSON.stringify(one.body)).not.toContain(secret.slice(6));
  });

  it('are listed newest first, a page at a time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.call('POST', '/v1/webhook-endpoints', {
        as: 'admin',
        body: { url: hookUrl(), eventTypes: ['shipment.closed'] },
      });
      ids.push(res.body.id);
    }
    const first = await api.call('GET', '/v1/webhook-endpoints?limit=2', { as: 'admin' });
    expect(first.body.items.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const second = await api.call(
      'GET',
      `/v1/webhook-endpoints?limit=2&cursor=${first.body.nextCursor}`,
      { as: 'admin' },
    );
    expect(second.body.items[0].id).toBe(ids[0]);
  });

  it('are deleted: gone from the list and from GET, and a second delete is 404', async () => {
    const made = await api.call('POST', '/v1/webhook-endpoints', {
      as: 'admin',
      body: { url: hookUrl(), eventTypes: ['claim.filed'] },
    });
    const { id } = made.body as { id: string };
    const del = await api.call('DELETE', `/v1/webhook-endpoints/${id}`, { as: 'admin' });
    expect(del.status).toBe(200);
    expect(del.body.id).toBe(id);
    const get = await api.call('GET', `/v1/webhook-endpoints/${id}`, { as: 'admin' });
    expect(get.status).toBe(404);
    expect(get.body.code).toBe('webhook_endpoint.not_found');
    const list = await api.call('GET', '/v1/webhook-endpoints?limit=200', { as: 'admin' });
    expect(list.body.items.map((e: { id: string }) => e.id)).not.toContain(id);
    expect((await api.call('DELETE', `/v1/webhook-endpoints/${id}`, { as: 'admin' })).status).toBe(
      404,
    );
  });

  it('with an unknown event type are refused with 422 listing the types there are; nothing is stored', async () => {
    const url = hookUrl();
    const res = await api.call('POST', '/v1/webhook-endpoints', {
      as: 'admin',
      body: { url, eventTypes: ['review.opened', 'parcel.teleported'] },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      code: 'webhook_endpoint.unknown_event_type',
      validEventTypes: [...EVENT_TYPES],
    });
    expect(res.body.detail).toContain('"parcel.teleported"');
    expect(await stored(url)).toEqual([]);
  });

  it('with a URL that is not one, or not http(s), are refused with 422; nothing is stored', async () => {
    for (const url of [
      'not a url',
      'ftp://hooks.example.com/x',
      'https://u:p@hooks.example.com/',
    ]) {
      const res = await api.call('POST', '/v1/webhook-endpoints', {
        as: 'admin',
        body: { url, eventTypes: ['shipment.closed'] },
      });
      expect(res.status, url).toBe(422);
      expect(res.body.code).toBe('webhook_endpoint.bad_url');
      expect(await stored(url)).toEqual([]);
    }
  });

  it('in production must be https on a public address (or a host in OUTBOUND_ALLOWED_HOSTS)', async () => {
    const refused = [
      'http://hooks.example.com/in',
      'https://127.0.0.1/in',
      'https://192.168.1.10/in',
      'https://localhost:8443/in',
    ];
    for (const url of refused) {
      const res = await production.call('POST', '/v1/webhook-endpoints', {
        as: 'admin',
        body: { url, eventTypes: ['shipment.closed'] },
      });
      expect(res.status, url).toBe(422);
      expect(res.body.code).toBe('webhook_endpoint.bad_url');
    }
    const allowed = await production.call('POST', '/v1/webhook-endpoints', {
      as: 'admin',
      body: { url: `https://hooks.internal/${uniqueId('in')}`, eventTypes: ['shipment.closed'] },
    });
    expect(allowed.status).toBe(201);
  });

  it('with a malformed body are a 400, and only admins may make, read or delete them', async () => {
    const missing = await api.call('POST', '/v1/webhook-endpoints', {
      as: 'admin',
      body: { url: hookUrl() },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('validation.failed');
    for (const role of ['ops', 'analyst', 'ingest'] as const) {
      const res = await api.call('POST', '/v1/webhook-endpoints', {
        as: role,
        body: { url: hookUrl(), eventTypes: ['shipment.closed'] },
      });
      expect(res.status, role).toBe(403);
      expect((await api.call('GET', '/v1/webhook-endpoints', { as: role })).status).toBe(403);
    }
  });
});
