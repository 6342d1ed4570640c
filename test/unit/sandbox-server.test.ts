/**
 * The plumbing the sandbox servers share (src/http/sandbox-server.ts): unknown routes, bodies the
 * parser refuses and thrown errors get an answer in the sandbox's own format, never a bare HTML
 * page; the request log leaves out the query string when asked to.
 */
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxCarrier } from '../../src/carriers/sandbox/sandbox.server';
import {
  createSandboxApp,
  finishSandboxApp,
  listenSandbox,
  sendSandboxError,
} from '../../src/http/sandbox-server';
import { createShopifySandbox } from '../../src/shops/sandbox/shopify-sandbox';
import { createWooCommerceSandbox } from '../../src/shops/sandbox/woocommerce-sandbox';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function started(listen: (port: number) => Promise<{ url: string; close(): Promise<void> }>) {
  const server = await listen(0);
  closers.push(server.close);
  return server.url;
}

function postJson(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

describe('the shared sandbox plumbing', () => {
  async function aSandbox(logWithoutQuery = false) {
    const lines: string[] = [];
    const app = createSandboxApp({ log: (l) => lines.push(l), logWithoutQuery });
    app.use(express.json({ limit: '1kb' }));
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    app.get('/boom', () => {
      throw new Error('the sandbox broke');
    });
    finishSandboxApp(app, {
      name: 'test sandbox',
      log: (l) => lines.push(l),
      send: sendSandboxError,
    });
    const url = await started((port) => listenSandbox(app, port));
    return { url, lines };
  }

  it('answers an unknown route with route.not_found', async () => {
    const { url } = await aSandbox();
    const res = await fetch(`${url}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'route.not_found', message: 'No route GET /nowhere.' },
    });
  });

  it('answers a body that is not JSON with request.invalid_json, a too large one with request.invalid', async () => {
    const { url } = await aSandbox();
    const broken = await postJson(`${url}/echo`, '{"a":');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe(
      'request.invalid_json',
    );

    const large = await postJson(`${url}/echo`, JSON.stringify({ a: 'x'.repeat(2048) }));
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { code: string } }).error.code).toBe(
      'request.invalid',
    );

    const fine = await postJson(`${url}/echo`, '{"a":1}');
    expect(await fine.json()).toEqual({ a: 1 });
  });

  it('answers a thrown error with a bare 500 and logs it under the sandbox name', async () => {
    const { url, lines } = await aSandbox();
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'Internal error.' } });
    expect(
      lines.some((l) => l.startsWith('test sandbox internal error: Error: the sandbox broke')),
    ).toBe(true);
  });

  it('logs each request, without its query string when asked to', async () => {
    const withQuery = await aSandbox();
    await fetch(`${withQuery.url}/nowhere?oauth_signature=secret`);
    await expect.poll(() => withQuery.lines).toHaveLength(1);
    expect(withQuery.lines[0]).toMatch(/^GET \/nowhere\?oauth_signature=secret → 404 \(\d+ ms\)$/);

    const withoutQuery = await aSandbox(true);
    await fetch(`${withoutQuery.url}/nowhere?oauth_signature=secret`);
    await expect.poll(() => withoutQuery.lines).toHaveLength(1);
    expect(withoutQuery.lines[0]).toMatch(/^GET \/nowhere → 404 \(\d+ ms\)$/);
  });

  it('runs beforeClose and stops listening on close', async () => {
    const app = createSandboxApp();
    finishSandboxApp(app, { name: 'test sandbox', send: sendSandboxError });
    let before = 0;
    const server = await listenSandbox(app, 0, '127.0.0.1', () => (before += 1));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await server.close();
    expect(before).toBe(1);
    await expect(fetch(`${server.url}/nowhere`)).rejects.toThrow();
  });
});

describe('each sandbox keeps its own error format', () => {
  it('the sandbox carrier: { error: { code, message } }', async () => {
    const url = await started(createSandboxCarrier({ apiKey: 'carrier-key' }).listen);
    const auth = { authorization: 'Bearer carrier-key' };
    const missing = await fetch(`${url}/nowhere`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      'route.not_found',
    );
    const broken = await postJson(`${url}/v1/labels`, '{', auth);
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe(
      'request.invalid_json',
    );
  });

  it('the Shopify sandbox: { error: { code, message } }', async () => {
    const sandbox = createShopifySandbox({ accessToken: 'shpat_test', webhookSecret: 'hook' });
    const url = await started(sandbox.listen);
    const auth = { 'x-shopify-access-token': 'shpat_test' };
    const missing = await fetch(`${url}/nowhere`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      'route.not_found',
    );
    const broken = await postJson(`${url}/sandbox/orders`, '{', auth);
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe(
      'request.invalid_json',
    );
  });

  it("the WooCommerce sandbox: WordPress's { code, message, data: { status } }", async () => {
    const sandbox = createWooCommerceSandbox({
      consumerKey: 'ck_test',
      consumerSecret: 'cs_test',
      webhookSecret: 'hook',
    });
    const url = await started(sandbox.listen);
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      code: 'rest_no_route',
      message: 'No route was found matching the URL and request method.',
      data: { status: 404 },
    });
    const broken = await postJson(`${url}/sandbox/orders`, '{');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      code: 'rest_invalid_json',
      message: 'Invalid JSON body passed.',
      data: { status: 400 },
    });
  });
});
