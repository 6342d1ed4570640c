import { createHash, createHmac } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_API_KEY_SECRET } from '../../src/config';
import { apiKeys } from '../../src/db/schema/api-keys';
import { aRegistration } from '../helpers/factories';
import { waitUntil } from '../helpers/wait';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
/** How keys are stored: HMAC-SHA-256 under API_KEY_SECRET (the harness runs the development one). */
const hmac = (s: string) =>
  createHmac('sha256', DEV_API_KEY_SECRET).update(s, 'utf8').digest('hex');

async function createKey(role: string, name: string) {
  const res = await api.call('POST', '/v1/api-keys', { as: 'admin', body: { role, name } });
  expect(res.status).toBe(201);
  return res.body as { id: string; role: string; name: string; key: string };
}

const withKey = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys created by an admin', () => {
  it('are shown once, work with their role at once, and are stored only as an HMAC', async () => {
    const created = await createKey('analyst', 'Looker export');
    expect(created).toMatchObject({ role: 'analyst', name: 'Looker export', source: 'api' });
    expect(created.key).toMatch(/^pwk_[A-Za-z0-9_-]{43}$/);

    const read = await api.call('GET', '/v1/shipments', { headers: withKey(created.key) });
    expect(read.status).toBe(200);
    const write = await api.call('POST', '/v1/shipments', {
      headers: withKey(created.key),
      body: aRegistration(),
    });
    expect(write.status).toBe(403);

    const [row] = await api.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row).toMatchObject({ keyHash: hmac(created.key), hashScheme: 'hmac-sha256' });
    expect(JSON.stringify(row)).not.toContain(created.key);
  });

  it('are listed without the key or its hash, and record when they were last used', async () => {
    const created = await createKey('ops', 'night shift');
    await api.call('GET', '/v1/reviews', { headers: withKey(created.key) });
    const listed = (res: { body: { items: { id: string; lastUsedAt: string | null }[] } }) =>
      res.body.items.find((k) => k.id === created.id);
    await waitUntil(
      'lastUsedAt of the new key',
      () => api.call('GET', '/v1/api-keys?limit=200', { as: 'admin' }),
      (res) => Boolean(listed(res)?.lastUsedAt),
      10_000,
    );
    const res = await api.call('GET', '/v1/api-keys?limit=200', { as: 'admin' });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(hmac(created.key));
    expect(text).not.toContain(sha256(created.key));
    expect(res.body.items.find((k: { id: string }) => k.id === created.id)).toEqual({
      id: created.id,
      role: 'ops',
      name: 'night shift',
      source: 'api',
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      revokedAt: null,
    });
  });

  it('stop working as soon as they are revoked', async () => {
    const created = await createKey('ingest', 'old importer');
    expect((await api.call('GET', '/v1/api-keys', { as: 'admin' })).status).toBe(200);
    const revoked = await api.call('DELETE', `/v1/api-keys/${created.id}`, { as: 'admin' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const res = await api.call('POST', '/v1/tracking-events', {
      headers: withKey(created.key),
      body: { events: [] },
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.invalid_key');
  });

  it('revoking an unknown key is a 404 problem', async () => {
    const res = await api.call('DELETE', '/v1/api-keys/key_nope', { as: 'admin' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('api_key.not_found');
  });

  it('an unknown role is refused with the field named', async () => {
    const res = await api.call('POST', '/v1/api-keys', {
      as: 'admin',
      body: { role: 'root', name: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'role', message: expect.any(String) }]);
  });

  it('only an admin may manage keys', async () => {
    for (const role of ['ingest', 'ops', 'analyst'] as const) {
      expect((await api.call('GET', '/v1/api-keys', { as: role })).status).toBe(403);
      expect(
        (await api.call('POST', '/v1/api-keys', { as: role, body: { role: 'admin', name: 'x' } }))
          .status,
      ).toBe(403);
    }
  });
});

describe('keys from API_KEYS', () => {
  it('are stored hashed at start, never in plain', async () => {
    const hashes = Object.values(api.keys).map(hmac);
    const rows = await api.db.select().from(apiKeys).where(inArray(apiKeys.keyHash, hashes));
    expect(rows.map((r) => r.role).sort()).toEqual(['admin', 'analyst', 'ingest', 'ops']);
    expect(rows.every((r) => r.source === 'env')).toBe(true);
    const plain = new Set(Object.values(api.keys));
    expect(rows.some((r) => plain.has(r.keyHash) || plain.has(r.name))).toBe(false);
  });
});

describe('paging the key list', () => {
  it('walks every key once, newest first, with an opaque cursor', async () => {
    const mine = [
      await createKey('analyst', 'page 1'),
      await createKey('analyst', 'page 2'),
      await createKey('analyst', 'page 3'),
    ].map((k) => k.id);
    const seen: { id: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await api.call('GET', `/v1/api-keys?limit=2${q}`, { as: 'admin' });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 500);
    expect(cursor).toBeNull();
    const ids = seen.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Newest first: the three created in order appear in reverse.
    const positions = mine.map((id) => ids.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions[0]).toBeGreaterThan(positions[1]!);
    expect(positions[1]).toBeGreaterThan(positions[2]!);
  });

  it('a forged cursor or an oversized limit is a 400 naming the field', async () => {
    const forged = await api.call('GET', '/v1/api-keys?cursor=bm90LWEtY3Vyc29y', { as: 'admin' });
    expect(forged.status).toBe(400);
    expect(forged.body.errors).toEqual([
      { path: 'cursor', message: 'is not a cursor returned by this API' },
    ]);
    const big = await api.call('GET', '/v1/api-keys?limit=100000', { as: 'admin' });
    expect(big.status).toBe(400);
    expect(big.body.errors[0].path).toBe('limit');
  });
});
