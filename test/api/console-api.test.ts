import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviews } from '../../src/db/schema';
import { aRegistration, insertShipmentRow } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

// What the console asks of the API besides the usual routes: who the key is, and whether the
// review queue changed since it last looked.
let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

describe('GET /v1/me', () => {
  it('tells each key its role and what it may do, so the console shows only those buttons', async () => {
    const ops = await api.call('GET', '/v1/me', { as: 'ops' });
    expect(ops.status).toBe(200);
    expect(ops.body.role).toBe('ops');
    expect(ops.body.permissions).toEqual(['reference', 'read', 'decide']);
    const analyst = await api.call('GET', '/v1/me', { as: 'analyst' });
    expect(analyst.body.permissions).toEqual(['reference', 'read', 'analyze']);
    expect(analyst.body.permissions).not.toContain('decide');
    const ingest = await api.call('GET', '/v1/me', { as: 'ingest' });
    expect(ingest.body.permissions).toEqual(['ingest', 'reference']);
    const admin = await api.call('GET', '/v1/me', { as: 'admin' });
    expect(admin.body.permissions).toEqual([
      'ingest',
      'reference',
      'read',
      'decide',
      'configure',
      'analyze',
      'administer',
    ]);
    expect(typeof admin.body.keyId).toBe('string');
  });

  it('refuses a wrong key with 401, as every keyed route does', async () => {
    const res = await api.call('GET', '/v1/me', { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.invalid_key');
  });
});

describe('the review queue’s change token', () => {
  /** A 304 for the ETag just received; other tests may change the queue in between, so retried. */
  async function notModified(path: string): Promise<string> {
    for (let i = 0; i < 10; i++) {
      const first = await api.call('GET', path, { as: 'ops' });
      const etag = first.headers.get('etag');
      expect(etag, 'GET /v1/reviews sends an ETag').toBeTruthy();
      const again = await api.call('GET', path, {
        as: 'ops',
        // As a browser sends it: fetch adds no-cache to a request that sets If-None-Match.
        headers: { 'if-none-match': etag!, 'cache-control': 'no-cache' },
      });
      if (again.status === 304) {
        expect(again.body).toBeUndefined();
        return etag!;
      }
      // Changed meanwhile: then the answer is a full one under another tag.
      expect(again.status).toBe(200);
      expect(again.headers.get('etag')).not.toBe(etag);
    }
    throw new Error('the queue never stayed the same for two requests');
  }

  it('answers an unchanged queue with 304 and a changed one in full under a new ETag', async () => {
    const path = '/v1/reviews?limit=200';
    const etag = await notModified(path);

    const reg = aRegistration();
    await insertShipmentRow(api.db, reg);
    const [row] = await api.db
      .insert(reviews)
      .values({
        shipmentId: reg.shipmentId,
        round: 1,
        reason: 'stalled',
        detectedAt: new Date(),
        slaDeadline: new Date(Date.now() + 3600_000),
      })
      .returning({ id: reviews.id });
    try {
      const changed = await api.call('GET', path, {
        as: 'ops',
        headers: { 'if-none-match': etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect(
        (changed.body.items as { shipmentId: string }[]).some(
          (i) => i.shipmentId === reg.shipmentId,
        ),
      ).toBe(true);
    } finally {
      await api.db.delete(reviews).where(eq(reviews.id, row!.id));
    }
  });
});
