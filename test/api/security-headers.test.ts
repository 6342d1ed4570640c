import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsCsp } from '../../src/api/docs.routes';
import { CONSOLE_CSP } from '../../src/console/console.routes';
import { uniqueId } from '../helpers/factories';
import '../helpers/provided';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi({ app: { taskQueue: uniqueId('headers') } });
});

afterAll(async () => {
  await api?.close();
});

/** What helmet sets on every answer (securityHeaders in src/http/security.ts). */
function expectSecurityHeaders(headers: Headers) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+$/);
  expect(headers.get('content-security-policy')).toBeTruthy();
  expect(headers.get('x-powered-by')).toBeNull();
}

describe('security headers on every answer of the API', () => {
  it.each([
    ['JSON', 'GET', '/v1/policies', 'ops', /^application\/json/, 200],
    ['SVG', 'GET', '/v1/analytics/carriers.svg', 'analyst', /^image\/svg\+xml/, 200],
    ['a 401 problem', 'GET', '/v1/policies', undefined, /^application\/problem\+json/, 401],
    ['a 404 problem', 'GET', '/no/such/route', 'ops', /^application\/problem\+json/, 404],
    ['a 403 problem', 'PUT', '/v1/policies/x', 'ops', /^application\/problem\+json/, 403],
    ['the OpenAPI document', 'GET', '/openapi.json', undefined, /^application\/json/, 200],
    ['a webhook answer', 'POST', '/v1/webhooks/sandbox', undefined, /problem\+json/, undefined],
    ['the health probe', 'GET', '/healthz', undefined, /json/, 200],
  ] as const)('%s', async (_what, method, path, as, type, status) => {
    const res = await api.call(method, path, {
      ...(as ? { as } : {}),
      ...(method === 'POST' || method === 'PUT' ? { body: {} } : {}),
    });
    if (status !== undefined) expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(type);
    expectSecurityHeaders(res.headers);
    // An answer that is data, not a page: nothing in it may load or run anything.
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
    );
  });

  it('the HTML pages keep the policy they need: /docs its renderer and start-up script, the console its own files', async () => {
    const docs = await fetch(`${api.url}/docs`);
    expect(docs.status).toBe(200);
    expectSecurityHeaders(docs.headers);
    const nonce = /'nonce-([^']+)'/.exec(docs.headers.get('content-security-policy') ?? '')?.[1];
    expect(docs.headers.get('content-security-policy')).toBe(docsCsp(nonce ?? 'missing'));

    // The console's page and the content-hashed files it names (built into dist/console).
    const consolePage = await fetch(`${api.url}/console`).then((r) => r.text());
    const consoleAssets = [
      ...consolePage.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g),
    ].map((m) => m[1]!);
    expect(consoleAssets.length).toBeGreaterThanOrEqual(2);
    for (const path of ['/console', ...consoleAssets]) {
      const res = await fetch(`${api.url}${path}`);
      expect(res.status).toBe(200);
      expectSecurityHeaders(res.headers);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    }
  });
});
