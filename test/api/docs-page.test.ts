/**
 * The API reference at /docs (Scalar, served from our own node_modules), the examples it shows,
 * and the favicon the browser asks for on our pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_EXAMPLES, PROBLEM_EXAMPLE } from '../../src/api/examples';
import type { RouteSpec } from '../../src/http/route';
import { appRoutes } from '../helpers/app-routes';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
// The document is JSON checked property by property.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;
beforeAll(async () => {
  api = await startApi();
  doc = (await api.call('GET', '/openapi.json')).body;
});
afterAll(async () => {
  await api?.close();
});

describe('the docs page', () => {
  it('loads the renderer from our server, its start-up script allowed by a fresh nonce', async () => {
    const first = await fetch(`${api.url}/docs`);
    expect(first.status).toBe(200);
    const csp = first.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("connect-src 'self'");
    const html = await first.text();
    expect(html).toContain(`<script src="/docs/scalar.js" nonce="${nonce}"></script>`);
    expect(html).toContain(`nonce="${nonce}">\n      Scalar.createApiReference('#app'`);
    expect(html).toContain('"url": "/openapi.json"');
    // Nothing fetched from elsewhere: no CDN, no web fonts.
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('"withDefaultFonts": false');

    const second = await fetch(`${api.url}/docs`);
    expect(second.headers.get('content-security-policy')).not.toBe(csp);
  });

  it('serves the renderer without a key, as JavaScript', async () => {
    const res = await fetch(`${api.url}/docs/scalar.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const body = await res.text();
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(body).toContain('createApiReference');
  });
});

describe('the examples in the document', () => {
  const media = (part: { content: Record<string, { example?: unknown }> }) =>
    Object.values(part.content)[0]!;

  it('show a request and its answer for registration, tracking events and a review decision', () => {
    const op = (path: string, method: string) => doc.paths[path][method];
    const register = op('/v1/shipments', 'post');
    expect(media(register.requestBody).example).toEqual(
      OPERATION_EXAMPLES.registerShipment!.request,
    );
    expect(media(register.responses['201']).example).toMatchObject({ stage: 'monitoring' });
    expect(media(op('/v1/tracking-events', 'post').requestBody).example).toMatchObject({
      events: [expect.objectContaining({ status: 'in_transit' })],
    });
    expect(media(op('/v1/tracking-events', 'post').responses['202']).example).toEqual({
      accepted: 1,
      duplicates: 0,
      unknown: 0,
    });
    const decide = op('/v1/shipments/{id}/review', 'post');
    expect(media(decide.requestBody).example).toMatchObject({ decision: 'reship' });
    expect(media(decide.responses['200']).example).toMatchObject({ stage: 'reshipping' });
    expect(media(op('/v1/shipments/{id}', 'get').responses['200']).example).toMatchObject({
      stage: 'awaiting_review',
    });
  });

  it('show a problem+json answer on the Problem schema, and only there', () => {
    expect(doc.components.schemas.Problem.examples).toEqual([PROBLEM_EXAMPLE]);
    // The shared 400 of other operations is not given one operation's example.
    const list = doc.paths['/v1/shipments'].get.responses['400'];
    expect(media(list).example).toBeUndefined();
  });

  it('each fit the zod schema of the route they illustrate', () => {
    const routes = appRoutes();
    const misfits: string[] = [];
    for (const [operationId, examples] of Object.entries(OPERATION_EXAMPLES)) {
      const spec = routes.find((r) => r.operationId === operationId);
      if (!spec) {
        misfits.push(`${operationId}: no such operation`);
        continue;
      }
      if (examples.request !== undefined) {
        const parsed = spec.body?.safeParse(examples.request);
        if (!parsed?.success) misfits.push(`${operationId} request: ${parsed?.error.message}`);
      }
      for (const [status, example] of Object.entries(examples.answers ?? {})) {
        const schema = answerSchema(spec, status);
        const parsed = schema?.safeParse(example);
        if (!parsed?.success) misfits.push(`${operationId} ${status}: ${parsed?.error.message}`);
      }
    }
    expect(misfits).toEqual([]);
  });
});

function answerSchema(spec: RouteSpec, status: string) {
  if (status === String(spec.answer.status ?? 200)) return spec.answer.schema;
  const other = spec.responses?.[status];
  return typeof other === 'object' ? other.schema : undefined;
}

describe('the favicon', () => {
  it('answers without a key, as our SVG icon', async () => {
    const res = await fetch(`${api.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await res.text()).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});
