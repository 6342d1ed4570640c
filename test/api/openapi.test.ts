import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TAGS } from '../../src/api/openapi';
import { rolesFor, routeKey, type Access } from '../../src/http/route';
import { appRoutes, routeKeys } from '../helpers/app-routes';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
let routes: string[];
// The document is JSON checked property by property.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;
beforeAll(async () => {
  api = await startApi();
  routes = routeKeys(appRoutes());
  const res = await api.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await api?.close();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function operations(): { key: string; path: string; method: string; op: any; item: any }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op: (item as Record<string, unknown>)[method],
      item,
    })),
  );
}

describe('the OpenAPI document', () => {
  it('is served without a key and describes exactly the routes the app serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = operations().map((o) => o.key);
    expect({
      undocumented: routes.filter((r) => !documented.includes(r)),
      notServed: documented.filter((d) => !routes.includes(d)),
    }).toEqual({ undocumented: [], notServed: [] });
  });

  it('names every operation once, with an operationId and a tag it describes', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(ids.filter((id) => typeof id !== 'string' || !/^[a-z][A-Za-z0-9]+$/.test(id))).toEqual(
      [],
    );
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const tags = doc.tags.map((t: { name: string }) => t.name);
    expect(tags.every((t: string) => API_TAGS.some((d) => d.name === t))).toBe(true);
    for (const { key, op } of operations()) expect(tags, key).toContain(op.tags?.[0]);
    expect(doc.servers.length).toBeGreaterThan(0);
  });

  it('states for every operation the roles it was declared with, with the problems it can answer', () => {
    const access: Record<string, Access> = Object.fromEntries(
      appRoutes().map((r) => [routeKey(r), r.access]),
    );
    for (const { key, op } of operations()) {
      const a = access[key];
      expect(op['x-roles'], key).toEqual(rolesFor(a!));
      expect(op.responses['500'], key).toBeDefined();
      if (a === 'public') expect(op.security, key).toEqual([]);
      if (a !== 'public' && a !== 'signed') {
        expect(op.responses['401'], key).toBeDefined();
        expect(op.responses['403'], key).toBeDefined();
      }
    }
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('is well formed: declared path parameters, described responses, resolvable references', () => {
    const problems: string[] = [];
    for (const { key, path, op, item } of operations()) {
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        const p = params.find((x: { name: string; in: string }) => x.name === name);
        if (!p || p.in !== 'path' || p.required !== true)
          problems.push(`${key}: path parameter ${name} not declared as required`);
      }
      if (!op.summary) problems.push(`${key}: no summary`);
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        if (!/^[1-5]\d\d$/.test(status)) problems.push(`${key}: response key ${status}`);
        if (!(r as { description?: string }).description)
          problems.push(`${key} ${status}: no description`);
      }
      for (const [type, c] of Object.entries(op.requestBody?.content ?? {}))
        if (type.includes('json') && typeof (c as { schema?: unknown }).schema !== 'object')
          problems.push(`${key}: request body ${type} without schema`);
    }
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = ref!.split('/').reduce((node, part) => node?.[part], doc);
      if (target === undefined) problems.push(`unresolved $ref #/${ref}`);
    }
    expect(problems).toEqual([]);
  });

  it('carries the request schemas the API validates against', () => {
    const registration =
      doc.paths['/v1/shipments'].post.requestBody.content['application/json'].schema;
    expect(registration.required).toEqual(expect.arrayContaining(['shipmentId', 'currency']));
    const keyBody = doc.paths['/v1/api-keys'].post.requestBody.content['application/json'].schema;
    expect(keyBody.properties.role.enum).toEqual(['ingest', 'ops', 'analyst', 'admin']);
    const paging = doc.paths['/v1/api-keys'].get.parameters.map((p: { name: string }) => p.name);
    expect(paging).toEqual(['limit', 'cursor']);
  });
});

describe('every operation answers as documented', () => {
  it('with a documented status, and documented problems as problem+json quoting the request id', async () => {
    const wrong: string[] = [];
    let n = 0;
    for (const { key, path, method, op } of operations()) {
      const roles: string[] = op['x-roles'];
      // The caller the operation is for, and one it is not for (when there is one).
      const callers = ['admin', ...['ingest', 'ops', 'analyst'].filter((r) => !roles.includes(r))];
      for (const as of callers.slice(0, 2) as ('admin' | 'ingest' | 'ops' | 'analyst')[]) {
        const id = `doc-check-${(n += 1)}`;
        const res = await api.call(method.toUpperCase(), path.replace(/\{(\w+)\}/g, 'doc-$1'), {
          as,
          body: method === 'get' ? undefined : {},
          headers: { 'x-request-id': id },
        });
        if (!(String(res.status) in op.responses))
          wrong.push(`${key} as ${as}: ${res.status} is not documented`);
        if (res.headers.get('x-request-id') !== id) wrong.push(`${key}: request id not echoed`);
        const documented = op.responses[String(res.status)]?.content ?? {};
        if ('application/problem+json' in documented) {
          if (!res.headers.get('content-type')?.startsWith('application/problem+json'))
            wrong.push(`${key} as ${as}: ${res.status} is not problem+json`);
          else if (res.body.requestId !== id)
            wrong.push(`${key} as ${as}: problem without the request id`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the docs page', () => {
  it('is the Scalar reference of this document, loading only our own files', async () => {
    const res = await fetch(`${api.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<script src="/docs/scalar.js"');
    expect(html).toContain('"url": "/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${api.url}/docs/scalar.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('createApiReference');
  });
});
