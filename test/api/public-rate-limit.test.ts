import { afterEach, describe, expect, it } from 'vitest';
import { uniqueId } from '../helpers/factories';
import '../helpers/provided';
import { startApi, type ApiUnderTest } from './harness';

const LIMIT = 12;
let api: ApiUnderTest | undefined;

async function apiWithLimit(perMinute: number | undefined): Promise<ApiUnderTest> {
  api = await startApi({
    app: { taskQueue: uniqueId('public-limit'), publicRateLimitPerMinute: perMinute },
  });
  return api;
}

afterEach(async () => {
  await api?.close();
  api = undefined;
});

const badKey = { headers: { authorization: 'Bearer not-a-key' } };

describe('the per-IP limit in front of traffic without an accepted key', () => {
  it('a flood of wrong keys gets 429 problem+json with Retry-After once over the limit', async () => {
    const a = await apiWithLimit(LIMIT);
    const answers = await Promise.all(
      Array.from({ length: LIMIT }, () => a.call('GET', '/v1/shipments', badKey)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(LIMIT).fill(401));

    const over = await a.call('GET', '/v1/shipments', badKey);
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(over.body).toMatchObject({
      status: 429,
      code: 'rate_limit.unauthenticated',
      detail: expect.stringContaining(`${LIMIT} requests per minute`),
    });
    // The address is over the limit: even a good key from it waits.
    expect((await a.call('GET', '/v1/policies', { as: 'ops' })).status).toBe(429);
  });

  it('requests with a valid key are not counted', async () => {
    const a = await apiWithLimit(LIMIT);
    for (let i = 0; i < LIMIT * 2; i++) {
      expect((await a.call('GET', '/v1/policies', { as: 'ops' })).status).toBe(200);
    }
    // Forbidden for the role, but authenticated: still not a stranger's request.
    expect((await a.call('PUT', '/v1/policies/x', { as: 'ops', body: {} })).status).toBe(403);
    const wrong = await a.call('GET', '/v1/policies', badKey);
    expect(wrong.status).toBe(401);
  });

  it('webhook deliveries and survey pages count, health probes do not', async () => {
    const a = await apiWithLimit(LIMIT);
    for (let i = 0; i < 3 * LIMIT; i++) expect((await a.call('GET', '/healthz')).status).toBe(200);
    const half = LIMIT / 2;
    for (let i = 0; i < half; i++) {
      const hook = await a.call('POST', '/v1/webhooks/sandbox', { body: { events: [] } });
      expect(hook.status).not.toBe(429);
      const survey = await a.call('GET', `/survey/not-a-token-${i}`);
      expect(survey.status).not.toBe(429);
    }
    expect((await a.call('POST', '/v1/webhooks/sandbox', { body: {} })).status).toBe(429);
    expect((await a.call('GET', '/survey/x')).status).toBe(429);
  });

  it('without a configured limit (tests, the bench) nothing is throttled', async () => {
    const a = await apiWithLimit(undefined);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => a.call('GET', '/v1/shipments', badKey)),
    );
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([401]));
  });
});
