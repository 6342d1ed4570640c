import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/api/app';
import { isOpen, rolesFor, routeKey, type Access } from '../../src/http/route';
import { appRoutes } from '../helpers/app-routes';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

// The same factory the server uses: who may call what is read from the route declarations.
const declared = appRoutes();
const access: Record<string, Access> = Object.fromEntries(
  declared.map((r) => [routeKey(r), r.access]),
);
/** Routes a key's role decides about (not public or signed). */
const routes = declared
  .filter((r) => !isOpen(r.access))
  .map(routeKey)
  .sort();

describe('the declared access', () => {
  it('covers the keyed routes', () => {
    expect(routes.length).toBeGreaterThan(40);
  });

  it('lets ingest only register, push and read the carrier codes, and never read shipments or decide', () => {
    const ingestMay = Object.entries(access)
      .filter(([, a]) => a !== 'public' && a !== 'signed' && rolesFor(a).includes('ingest'))
      .map(([r]) => r)
      .sort();
    expect(ingestMay).toEqual([
      // Reference data, no shipment: the carrier codes a registration may use.
      'GET /v1/carriers',
      // Who the key is (its role), so a client can tell what it may do.
      'GET /v1/me',
      // Advice before shipping and the packaging rules it uses (issue 20).
      'GET /v1/packaging-rules/{seller}',
      'POST /v1/advice',
      'POST /v1/inbound/email',
      'POST /v1/shipments',
      'POST /v1/shipments/{id}/inquiries',
      'POST /v1/shipments:batch',
      'POST /v1/stock:import',
      'POST /v1/tracking-events',
    ]);
  });

  it('gives admin every route and keeps the key routes to admin', () => {
    for (const a of Object.values(access)) expect(rolesFor(a)).toContain('admin');
    for (const r of ['POST /v1/api-keys', 'GET /v1/api-keys', 'DELETE /v1/api-keys/{id}'])
      expect(rolesFor(access[r]!)).toEqual(['admin']);
  });
});

/** A request for a route template: placeholders filled, an empty JSON body for writes. */
function requestFor(route: string): { method: string; path: string; body?: unknown } {
  const [method, template] = route.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, 'matrix-$1');
  return method === 'GET' ? { method, path } : { method, path, body: {} };
}

describe('every route × every role', () => {
  it('answers 403 auth.forbidden exactly to the roles the table leaves out', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const allowed = rolesFor(access[route]!);
      for (const role of ROLES) {
        const { method, path, body } = requestFor(route);
        const res = await api.call(method, path, { as: role, body });
        const denied = res.status === 403 && res.body?.code === 'auth.forbidden';
        if (allowed.includes(role)) {
          // Past the role check: the handler answers (400 for the empty body, 404 for the id…).
          if (denied || res.status === 401 || res.status >= 500)
            wrong.push(`${route} as ${role}: ${res.status} (allowed)`);
        } else if (!denied) {
          wrong.push(`${route} as ${role}: ${res.status} (should be 403)`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('cannot be dodged by spelling a path in capitals or with a trailing slash', async () => {
    for (const [method, path] of [
      ['GET', '/V1/API-KEYS'],
      ['GET', '/v1/api-keys/'],
      ['DELETE', '/v1/Api-Keys/key_x'],
    ] as const)
      expect((await api.call(method, path, { as: 'ingest' })).status, path).toBe(403);
  });

  it('tells a refused caller which roles may call the route', async () => {
    const res = await api.call('POST', '/v1/reviews:batch', { as: 'analyst', body: {} });
    expect(res.status).toBe(403);
    expect(res.body.detail).toBe(
      'The role "analyst" may not call POST /v1/reviews:batch; allowed roles: ops, admin.',
    );
  });
});
