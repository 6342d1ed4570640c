import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../../src/http/route';
import { CSV_LIMIT } from '../../src/inventory/inventory.routes';
import { signatureFor } from '../../src/webhooks/webhooks.signatures';
import { aRegistration, uniqueId } from '../helpers/factories';
import '../helpers/provided';
import { startApi, type ApiUnderTest } from './harness';

const SANDBOX_SECRET = 'body-limit-sandbox-secret';
const MB = 1024 * 1024;
let api: ApiUnderTest;
let port: number;

beforeAll(async () => {
  api = await startApi({
    app: { taskQueue: uniqueId('body-limits'), webhookSecrets: { sandbox: SANDBOX_SECRET } },
  });
  port = Number(new URL(api.url).port);
});

afterAll(async () => {
  await api?.close();
});

/** A JSON body of about `bytes` bytes: a registration with a long note. */
function jsonOf(bytes: number): string {
  return JSON.stringify({ ...aRegistration(), note: 'x'.repeat(bytes) });
}

function expectTooLarge(res: { status: number; headers: Headers; body: unknown }, limit: string) {
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status: 413,
    code: 'request.too_large',
    detail: `The request body exceeds the limit of ${limit}.`,
  });
}

/**
 * Writes raw bytes to the API's socket, chunk by chunk (`gapMs` apart), optionally half-closing
 * afterwards; resolves with what the server answered by the time it closes (or the deadline).
 */
function rawRequest(
  chunks: (string | Buffer)[],
  opts: { gapMs?: number; halfClose?: boolean; deadlineMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, opts.deadlineMs ?? 10_000);
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', (err: NodeJS.ErrnoException) =>
      // The server may drop a connection that lied to it; that is an answer too.
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? done() : reject(err),
    );
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (opts.gapMs) await sleep(opts.gapMs);
      }
      if (opts.halfClose) socket.end();
    });
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

async function stillServing(): Promise<void> {
  const res = await api.call('GET', '/v1/policies', { as: 'ops' });
  expect(res.status).toBe(200);
}

describe('body size limits', () => {
  it(`refuses JSON over ${BODY_LIMIT} with 413 problem+json`, async () => {
    expect(BODY_LIMIT).toBe('1mb');
    const res = await api.call('POST', '/v1/shipments', { as: 'ingest', rawBody: jsonOf(MB + 10) });
    expectTooLarge(res, '1 MB');
    // Just under the limit is read (and judged on its content, not its size).
    const under = await api.call('POST', '/v1/shipments', {
      as: 'ingest',
      rawBody: jsonOf(MB - 2048),
    });
    expect(under.status).not.toBe(413);
    expect(under.status).toBeLessThan(500);
  });

  it('refuses a webhook delivery over the limit with 413, signed or not', async () => {
    const raw = JSON.stringify({ type: 'tracking.updated', padding: 'x'.repeat(MB + 10) });
    const signed = await api.call('POST', '/v1/webhooks/sandbox', {
      rawBody: raw,
      headers: { 'x-sandbox-signature': signatureFor('sandbox', Buffer.from(raw), SANDBOX_SECRET) },
    });
    expectTooLarge(signed, '1 MB');
    const unsigned = await api.call('POST', '/v1/webhooks/sandbox', { rawBody: raw });
    expectTooLarge(unsigned, '1 MB');
  });

  it(`refuses a CSV stock import over ${CSV_LIMIT} with 413, and reads one of 2 MB`, async () => {
    expect(CSV_LIMIT).toBe('4mb');
    const header = 'warehouse_id,sku,quantity\n';
    const big = header + 'wh-nowhere,SKU-PAD,1\n'.repeat(Math.ceil((4 * MB) / 20) + 10);
    const res = await api.call('POST', '/v1/stock:import', {
      as: 'ingest',
      rawBody: big,
      headers: { 'content-type': 'text/csv' },
    });
    expectTooLarge(res, '4 MB');
    const mid = header + 'wh-nowhere,SKU-PAD,1\n'.repeat(Math.ceil((2 * MB) / 20));
    const read = await api.call('POST', '/v1/stock:import', {
      as: 'ingest',
      rawBody: mid,
      headers: { 'content-type': 'text/csv' },
    });
    expect(read.status).not.toBe(413);
    expect(read.status).toBeLessThan(500);
  });

  it('refuses a body whose Content-Length announces more than the limit, without reading it', async () => {
    // body-parser refuses on the announced length, then drains what the client still sends before
    // answering; a client that hangs up after a few bytes has aborted its request: 400 (or 413).
    const answer = await rawRequest(
      [
        'POST /v1/shipments HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
          `Authorization: Bearer ${api.keys.ingest}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${50 * MB}\r\n\r\n{"shipmentId":`,
      ],
      { halfClose: true },
    );
    // (Node's HTTP parser itself may answer a bare 400 to the cut-off request.)
    if (answer) expect([400, 413]).toContain(statusOf(answer));
    if (statusOf(answer) === 413) expect(answer).toContain('application/problem+json');
    await stillServing();
  });

  it('does not read a stranger’s body: no key, no parsing, whatever the size', async () => {
    const res = await api.call('POST', '/v1/shipments', { rawBody: jsonOf(3 * MB) });
    expect(res.status).toBe(401);
  });
});

describe('slow and lying bodies', () => {
  it('takes a body sent slowly, a few bytes at a time', async () => {
    const body = JSON.stringify(aRegistration());
    const head =
      'POST /v1/shipments HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
      `Authorization: Bearer ${api.keys.ingest}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const pieces = body.match(/[\s\S]{1,40}/g)!;
    const answer = await rawRequest([head, ...pieces], { gapMs: 5, deadlineMs: 60_000 });
    expect(statusOf(answer)).toBe(201);
  });

  it('survives a Content-Length larger than the body, then the client hanging up', async () => {
    const answer = await rawRequest(
      [
        'POST /v1/tracking-events HTTP/1.1\r\nHost: x\r\n' +
          `Authorization: Bearer ${api.keys.ingest}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 5000\r\n\r\n{"events":[',
      ],
      { halfClose: true },
    );
    // Either a 400 problem or a dropped connection; never a 500.
    if (answer) expect(statusOf(answer)).toBeLessThan(500);
    await stillServing();
  });

  it('survives a Content-Length smaller than the body (the rest is not a request)', async () => {
    const body = '{"events":[]}GARBAGE-NOT-HTTP\r\n\r\n';
    const answer = await rawRequest([
      'POST /v1/tracking-events HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${api.keys.ingest}\r\nContent-Type: application/json\r\n` +
        `Content-Length: 13\r\n\r\n${body}`,
    ]);
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses[0]).toBe(400); // {"events":[]}: at least one event is required
    for (const s of statuses) expect(s).toBeLessThan(500);
    await stillServing();
  });

  it('survives a Content-Length that is not a number, or two that disagree', async () => {
    for (const lengths of [['abc'], ['10', '20'], ['-1']]) {
      const answer = await rawRequest([
        'POST /v1/tracking-events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
          `Authorization: Bearer ${api.keys.ingest}\r\nContent-Type: application/json\r\n` +
          lengths.map((l) => `Content-Length: ${l}\r\n`).join('') +
          '\r\n{"events":[]}',
      ]);
      expect(statusOf(answer), lengths.join(',')).toBe(400);
    }
    await stillServing();
  });

  it('survives a gzip body that inflates past the limit (a zip bomb)', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.from(`{"note":"${'0'.repeat(20 * MB)}"}`));
    expect(bomb.length).toBeLessThan(MB / 10);
    const res = await fetch(`${api.url}/v1/shipments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${api.keys.ingest}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: bomb,
    });
    expect(res.status).toBe(413);
    await stillServing();
  });
});
