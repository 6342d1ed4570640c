/**
 * Each HTTP operation is declared once, as a route spec (src/http/route.ts): the app mounts the
 * specs and nothing else, and every declared operation is really served. Access control and the
 * OpenAPI document read the same specs, so they cannot drift from what is mounted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../src/http/route';
import { ALL_WEBHOOK_SECRETS, appRoutes } from '../helpers/app-routes';
import { startApi, type ApiUnderTest } from './harness';

const root = path.resolve(__dirname, '../..');
/** Servers of their own, not the API: the development stand-ins and the benchmark rig. */
const OTHER_SERVERS = ['src/carriers/sandbox/', 'src/shops/sandbox/', 'src/mail/', 'src/bench/'];
/** Express route registration, on an app or a router. */
const REGISTRATION =
  /\b(?:app|router|Router\(\))\s*\.\s*(?:get|post|put|delete|patch|all|route)\s*\(/;

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ app: { webhookSecrets: ALL_WEBHOOK_SECRETS } });
});
afterAll(async () => {
  await api?.close();
});

describe('the routes of the API', () => {
  it('are registered with express only by mountRoutes', () => {
    const registering = sources('src')
      .filter((f) => f !== 'src/http/route.ts' && !OTHER_SERVERS.some((o) => f.startsWith(o)))
      .filter((f) => REGISTRATION.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(registering).toEqual([]);
  });

  it('finds a registration where there is one (the check above can fail)', () => {
    const sandbox = fs.readFileSync(
      path.join(root, 'src/carriers/sandbox/sandbox.server.ts'),
      'utf8',
    );
    expect(REGISTRATION.test(sandbox)).toBe(true);
  });

  it('are each declared once, with a unique operationId', () => {
    const routes = appRoutes();
    const keys = routes.map(routeKey);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const ids = routes.map((r) => r.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('are all served: no declared operation answers "route not found"', async () => {
    const missing: string[] = [];
    for (const spec of appRoutes()) {
      const target = spec.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === 'provider' ? 'sandbox' : `declared-${name}`,
      );
      const method = spec.method.toUpperCase();
      const res = await api.call(method, target, {
        as: 'admin',
        body: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      if (res.status === 404 && res.body?.code === 'route.not_found') missing.push(routeKey(spec));
    }
    expect(missing).toEqual([]);
  });

  it('answer "route not found" to what is not declared', async () => {
    const res = await api.call('GET', '/v1/not-declared', { as: 'admin' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('route.not_found');
  });
});
