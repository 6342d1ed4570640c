import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiKeys } from '../../src/api/app';
import { requestLogging } from '../../src/http/request-id';
import { createLogger } from '../../src/logger';
import { aRegistration } from '../helpers/factories';
import { serve, startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

describe('API keys', () => {
  it('reads role:key pairs from API_KEYS, ignoring spaces and empty entries', () => {
    expect(parseApiKeys(' ingest:abc , ops:def,,admin:ghi ')).toEqual([
      { role: 'ingest', key: 'abc' },
      { role: 'ops', key: 'def' },
      { role: 'admin', key: 'ghi' },
    ]);
    expect(parseApiKeys('')).toEqual([]);
  });

  it('refuses an entry that is not role:key, without echoing the key', () => {
    expect(() => parseApiKeys('ops:abc,justasecret')).toThrow(
      /entry 2 is not of the form role:key/,
    );
    expect(() => parseApiKeys('ops:abc,justasecret')).not.toThrow(/justasecret/);
    expect(() => parseApiKeys('ops:')).toThrow(/entry 1 is not of the form role:key/);
  });

  it('refuses an unknown role and names the roles that exist', () => {
    expect(() => parseApiKeys('superuser:abc')).toThrow(
      'API_KEYS entry 1 has unknown role "superuser"; roles are ingest, ops, analyst, admin',
    );
  });

  it('refuses the same key given to two roles', () => {
    expect(() => parseApiKeys('ops:same,admin:same')).toThrow(/entry 2 \(admin\) repeats a key/);
  });
});

describe('authentication and roles', () => {
  it('a request without an API key is turned away with 401 problem+json', async () => {
    const res = await api.call('GET', '/v1/shipments');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({
      type: 'https://parcelwarden.dev/problems/auth.missing_key',
      code: 'auth.missing_key',
      status: 401,
      title: 'API key required',
    });
  });

  it('a wrong API key is turned away with 401', async () => {
    const res = await api.call('GET', '/v1/shipments', {
      headers: { authorization: `Bearer ${api.keys.admin}x` },
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.invalid_key');
  });

  it('an ingest key may not decide a review (403)', async () => {
    const res = await api.call('POST', '/v1/shipments/ANY/review', {
      as: 'ingest',
      body: { decision: 'reship', reviewer: 'bot' },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'auth.forbidden', status: 403 });
    expect(res.body.detail).toContain('ops, admin');
  });

  it('an analyst may read but not register shipments or change policies', async () => {
    expect((await api.call('GET', '/v1/shipments', { as: 'analyst' })).status).toBe(200);
    expect(
      (await api.call('POST', '/v1/shipments', { as: 'analyst', body: aRegistration() })).status,
    ).toBe(403);
    expect((await api.call('PUT', '/v1/policies/x', { as: 'ops', body: {} })).status).toBe(403);
  });

  it('a key that may not call a route gets 403 before its body is read: malformed or oversized, it is never parsed', async () => {
    const malformed = await api.call('POST', '/v1/api-keys', {
      as: 'ops',
      rawBody: '{"role": ',
    });
    expect(malformed.status).toBe(403);
    expect(malformed.body.code).toBe('auth.forbidden');
    const oversized = await api.call('POST', '/codec/encode', {
      as: 'analyst',
      rawBody: JSON.stringify({ payloads: [], padding: 'x'.repeat(1_100_000) }),
    });
    expect(oversized.status).toBe(403);
    expect(oversized.body.code).toBe('auth.forbidden');
    // The same bodies from a key that may call the routes are read, and refused as such.
    const parsed = await api.call('POST', '/v1/api-keys', { as: 'admin', rawBody: '{"role": ' });
    expect(parsed.status).toBe(400);
    expect(parsed.body.code).toBe('request.malformed_json');
  });

  it('an ingest key may not read shipments', async () => {
    expect((await api.call('GET', '/v1/shipments', { as: 'ingest' })).status).toBe(403);
  });

  it('liveness and readiness need no key', async () => {
    const live = await api.call('GET', '/healthz');
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await api.call('GET', '/readyz');
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { db: true, temporal: true } },
    });
  });
});

describe('OpenAPI', () => {
  it('describes every v1 route with the request schemas the API validates against', async () => {
    const res = await api.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/policies/{name}',
        '/v1/shipments',
        '/v1/shipments/{id}',
        '/v1/shipments/{id}/inquiries',
        '/v1/shipments/{id}/review',
        '/v1/tracking-events',
        '/v1/reviews',
      ]),
    );
    const registration =
      res.body.paths['/v1/shipments'].post.requestBody.content['application/json'].schema;
    expect(registration.required).toEqual(
      expect.arrayContaining(['shipmentId', 'items', 'currency']),
    );
    expect(registration.properties.items.items.properties.quantity.type).toBe('integer');
    const review =
      res.body.paths['/v1/shipments/{id}/review'].post.requestBody.content['application/json']
        .schema;
    expect(review.properties.decision.enum).toEqual([
      'reship',
      'refund',
      'keep_waiting',
      'mark_delivered',
    ]);
  });
});

describe('readiness', () => {
  it('reports 503 and names Temporal when the Temporal server cannot be reached', async () => {
    // A real client aimed at a port where nothing listens (no gRPC retries, so it fails at once).
    const connection = Connection.lazy({
      address: '127.0.0.1:1',
      connectTimeout: 500,
      interceptors: [],
    });
    const unreachable = await serve(
      { db: api.db, temporal: new Client({ connection }), taskQueue: 'unused' },
      () => connection.close(),
    );
    try {
      const res = await unreachable.call('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'unavailable',
        checks: { db: true, temporal: false },
        failed: ['temporal'],
      });
    } finally {
      await unreachable.close();
    }
  });
});

describe('problems', () => {
  it('an unknown route is a 404 problem', async () => {
    const res = await api.call('GET', '/v1/parcels', { as: 'admin' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      code: 'route.not_found',
      detail: 'There is no route GET /v1/parcels.',
    });
  });

  it('malformed JSON is a 400 problem, not a crash', async () => {
    const res = await api.call('POST', '/v1/shipments', {
      as: 'ingest',
      rawBody: '{"shipmentId": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'request.malformed_json', status: 400 });
  });

  it('a body over 1 MB is refused with 413', async () => {
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      rawBody: JSON.stringify({ events: [], padding: 'x'.repeat(1_100_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('request.too_large');
  });

  it('a body that is not JSON is refused with 415', async () => {
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      rawBody: 'events=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('request.unsupported_media_type');
  });

  it('the caller’s request id is echoed and quoted in problems', async () => {
    const res = await api.call('GET', '/v1/nothing', {
      as: 'admin',
      headers: { 'x-request-id': 'req-abc.123' },
    });
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    expect(res.body.requestId).toBe('req-abc.123');
  });

  it('a request without an id gets a fresh one, and an unsafe one is replaced', async () => {
    const a = await api.call('GET', '/healthz');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const b = await api.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id<script>' } });
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an internal failure is a bare 500 with the request id, never the SQL or a stack', async () => {
    // A database that is gone: the repository query fails inside the route.
    const { connectDatabase } = await import('../../src/db/client');
    const { inject } = await import('vitest');
    const closed = connectDatabase(inject('databaseUrl'), { max: 1 });
    await closed.close();
    const { logger, lines } = capturedLogger();
    const broken = await serve({
      db: closed.db,
      temporal: api.client,
      taskQueue: 'unused',
      logger,
    });
    try {
      const res = await broken.call('GET', '/v1/shipments', {
        as: 'admin',
        headers: { 'x-request-id': 'boom-1' },
      });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        type: 'https://parcelwarden.dev/problems/internal.error',
        title: 'Internal error',
        status: 500,
        code: 'internal.error',
        detail: 'Something went wrong on our side. Quote request id boom-1 when reporting it.',
        requestId: 'boom-1',
      });
      // The details go to the log, under the same id.
      const logged = lines.find((l) => l.msg === 'unhandled error');
      expect(logged).toMatchObject({ requestId: 'boom-1', level: 50 });
      expect(logged?.err).toMatchObject({ stack: expect.any(String) });
    } finally {
      await broken.close();
    }
  });
});

/** A logger writing JSON lines into memory, as the service writes them to stdout. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger('info', 'test', sink), lines, raw };
}

describe('logs', () => {
  it('every line logged for a request carries its request id, and no line carries the key', async () => {
    const { logger, lines, raw } = capturedLogger();
    const logged = await serve({ db: api.db, temporal: api.client, taskQueue: 'unused', logger });
    try {
      const res = await logged.call('POST', '/v1/api-keys', {
        as: 'admin',
        body: { role: 'analyst', name: 'log test' },
        headers: { 'x-request-id': 'log-check-1' },
      });
      expect(res.status).toBe(201);
      const forRequest = lines.filter((l) => l.requestId === 'log-check-1');
      expect(forRequest.map((l) => l.msg)).toEqual(['API key created', 'request completed']);
      expect(forRequest[1]).toMatchObject({
        req: { method: 'POST', path: '/v1/api-keys' },
        res: { statusCode: 201 },
      });
      const text = raw.join('\n');
      expect(text).not.toContain(logged.keys.admin);
      expect(text).not.toContain(res.body.key);
    } finally {
      await logged.close();
    }
  });

  it('a module logging with the service logger, not the request’s, still stamps the request id', async () => {
    const { logger, lines, raw } = capturedLogger();
    const app = express();
    app.use(requestLogging(logger));
    app.get('/work', async (_req, res) => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info({ shipmentId: 'SHP-9' }, 'did some work');
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await fetch(`http://127.0.0.1:${port}/work`, { headers: { 'x-request-id': 'als-1' } });
      logger.info('outside any request');
      expect(lines.find((l) => l.msg === 'did some work')).toMatchObject({ requestId: 'als-1' });
      expect(lines.find((l) => l.msg === 'outside any request')).not.toHaveProperty('requestId');
      // Once per line, also on the request's own child logger.
      expect(raw.every((l) => (l.match(/"requestId"/g) ?? []).length <= 1)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('redacts authorization headers and the customer’s name, e-mail and address', () => {
    const { logger, lines, raw } = capturedLogger();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer secret-key-1' } },
        shipmentId: 'SHP-1',
        customer: { name: 'Ada Buyer', email: 'ada@example.com', locale: 'en' },
        notification: { to: 'ada@example.com', kind: 'delay_notice' },
        registration: { destination: { name: 'Ada Buyer', line1: '1 Main St' } },
        email: 'ada@example.com',
      },
      'registered',
    );
    const text = raw.join('\n');
    for (const secret of ['secret-key-1', 'Ada Buyer', 'ada@example.com', '1 Main St'])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      shipmentId: 'SHP-1',
      notification: { kind: 'delay_notice', to: '[redacted]' },
      customer: '[redacted]',
      name: 'test',
    });
  });
});
