import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../helpers/factories';
import '../helpers/provided';
import { startApi, type ApiUnderTest } from './harness';

const PER_MINUTE = 2;
let now = Date.parse('2026-03-01T10:00:00Z');
let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi({
    app: {
      taskQueue: uniqueId('rate-limit'),
      rateLimitPerMinute: PER_MINUTE,
      rateLimitClock: () => now,
    },
  });
});

afterAll(async () => {
  await api?.close();
});

describe('the rate limit per API key', () => {
  it('answers 429 problem+json with Retry-After and RateLimit headers once a key is over it', async () => {
    const first = await api.call('GET', '/v1/policies', { as: 'ops' });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect(first.headers.get('ratelimit-reset')).toBe('30');

    // Forbidden calls count too: the key spent its allowance whatever the answer.
    const second = await api.call('PUT', '/v1/policies/x', { as: 'ops', body: {} });
    expect(second.status).toBe(403);
    expect(second.headers.get('ratelimit-remaining')).toBe('0');

    const third = await api.call('GET', '/v1/policies', { as: 'ops' });
    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(third.headers.get('retry-after')).toBe('30');
    expect(third.headers.get('ratelimit-limit')).toBe('2');
    expect(third.headers.get('ratelimit-remaining')).toBe('0');
    expect(third.headers.get('ratelimit-reset')).toBe('60');
    expect(third.body).toMatchObject({
      status: 429,
      code: 'rate_limit.exceeded',
      type: 'https://parcelwarden.dev/problems/rate_limit.exceeded',
      detail: expect.stringMatching(/2 requests per minute; retry in 30 s/),
    });
  });

  it('leaves other keys alone, and lets the key in again once a token is back', async () => {
    expect((await api.call('GET', '/v1/policies', { as: 'analyst' })).status).toBe(200);
    expect((await api.call('GET', '/v1/policies', { as: 'ops' })).status).toBe(429);
    now += 29_000;
    expect((await api.call('GET', '/v1/policies', { as: 'ops' })).status).toBe(429);
    now += 1_000;
    expect((await api.call('GET', '/v1/policies', { as: 'ops' })).status).toBe(200);
  });

  it('does not key unauthenticated calls: wrong keys get 401, webhooks their own answer', async () => {
    for (let i = 0; i < PER_MINUTE + 2; i++) {
      const stranger = await api.call('GET', '/v1/policies', {
        headers: { authorization: 'Bearer not-a-key' },
      });
      expect(stranger.status).toBe(401);
      // Providers sign instead of sending a key, and retry on 429: they are not limited here.
      const webhook = await api.call('POST', '/v1/webhooks/sandbox', { body: {} });
      expect(webhook.status).toBe(404);
      expect(webhook.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('is documented as a 429 answer of every keyed operation, with its headers', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const listing = doc.paths['/v1/shipments'].get.responses['429'];
    expect(listing.content['application/problem+json']).toBeDefined();
    expect(Object.keys(listing.headers)).toEqual([
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
    ]);
    // Webhooks carry no key: their 429 is the per-address limit on unauthenticated traffic.
    const webhook = doc.paths['/v1/webhooks/{provider}'].post.responses['429'];
    expect(webhook.description).toMatch(/without an accepted API key/);
    expect(Object.keys(webhook.headers)).toEqual(['Retry-After']);
    expect(doc.paths['/healthz'].get.responses['429']).toBeUndefined();
    expect(doc.paths['/v1/shipments'].post.responses['413']).toBeDefined();
  });
});
