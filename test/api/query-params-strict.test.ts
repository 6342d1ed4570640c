/**
 * Unknown query parameters are refused on every route (src/http/route.ts), not ignored: a filter
 * the route does not have would otherwise answer as if it had been applied. The routes come from
 * the route declarations, so a route added later is covered without touching this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedQueryParameters, routeKey, type RouteSpec } from '../../src/http/route';
import { ALL_WEBHOOK_SECRETS, appRoutes } from '../helpers/app-routes';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ app: { webhookSecrets: ALL_WEBHOOK_SECRETS } });
});
afterAll(async () => {
  await api?.close();
});

const routes = appRoutes();
const strict = routes.filter((r) => r.access !== 'signed');
const signed = routes.filter((r) => r.access === 'signed');

/** A concrete URL of a route's path template. */
const target = (spec: RouteSpec, query: string) =>
  `${spec.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'provider' ? 'sandbox' : `strict-${name}`,
  )}?${query}`;

const call = (spec: RouteSpec, query: string) => {
  const method = spec.method.toUpperCase();
  return api.call(method, target(spec, query), {
    as: 'admin',
    body: method === 'GET' || method === 'DELETE' ? undefined : {},
  });
};

describe('an unknown query parameter', () => {
  it('covers most of the routes (the list below is not empty by mistake)', () => {
    expect(strict.length).toBeGreaterThan(50);
    expect(strict.map(routeKey)).toEqual(
      expect.arrayContaining(['GET /v1/shipments', 'POST /v1/shipments', 'GET /docs']),
    );
  });

  it.each(strict.map((r) => [routeKey(r), r] as const))(
    'is refused on %s with its name and the parameters the route takes',
    async (_key, spec) => {
      const res = await call(spec, 'colour=red&limit=5');
      expect(res.status, String(JSON.stringify(res.body)).slice(0, 500)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('validation.failed');
      const allowed = allowedQueryParameters(spec)!;
      const unknown = allowed.includes('limit') ? ['colour'] : ['colour', 'limit'];
      expect(res.body.unknownParameters).toEqual(unknown);
      expect(res.body.allowedParameters).toEqual(allowed);
      expect(res.body.detail).toContain('"colour"');
      expect(res.body.detail).toContain(routeKey(spec));
    },
  );

  it('names every parameter the route takes in the answer', async () => {
    const res = await api.call('GET', '/v1/claims?orderId=1', { as: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('"orderId"');
    expect(res.body.detail).toContain('it takes status, carrier, shipmentId, limit, cursor');
    expect(res.body.errors).toEqual([{ path: 'query', message: 'unknown parameter "orderId"' }]);
  });

  it('is refused where a route takes no query parameters at all', async () => {
    const res = await api.call('GET', '/v1/carriers?verbose=1', { as: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.allowedParameters).toEqual([]);
    expect(res.body.detail).toContain('it takes no query parameters');
  });

  it.each(signed.map((r) => [routeKey(r), r] as const))(
    'is left to %s, whose URL a provider, shop or mail client may add to',
    async (_key, spec) => {
      const res = await call(spec, 'utm_source=newsletter');
      expect(res.body?.unknownParameters).toBeUndefined();
    },
  );
});

describe('the parameters a route documents', () => {
  it.each(
    strict
      .filter((r) => (allowedQueryParameters(r) ?? []).length > 0)
      .map((r) => [routeKey(r), r] as const),
  )('all pass the check on %s', async (_key, spec) => {
    const query = allowedQueryParameters(spec)!
      .map((name) => `${encodeURIComponent(name)}=`)
      .join('&');
    const res = await call(spec, query);
    expect(
      res.body?.unknownParameters,
      String(JSON.stringify(res.body)).slice(0, 500),
    ).toBeUndefined();
    expect(res.status).not.toBe(500);
  });

  it('include those the console and the CLI send', async () => {
    for (const path of [
      '/v1/reviews?limit=1',
      '/v1/claims?limit=50',
      '/v1/messages?status=failing&limit=50',
      '/v1/shipments?q=ORD-1&limit=20&stage=awaiting_review',
      '/v1/analytics/carriers?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&carrier=dhl&destination=DE',
    ]) {
      const res = await api.call('GET', path, { as: 'admin' });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  });
});
