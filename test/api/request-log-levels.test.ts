/**
 * The level of each request's log line: a client's mistake (4xx) is answered as designed and
 * logged at `info`, like a success; only what is ours to fix (5xx) is an `error`. The app logs
 * through createLogger, as in production, into a stream the test reads.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { startApi, type ApiUnderTest } from './harness';

const INFO = 30;
const ERROR = 50;

let api: ApiUnderTest;
let out = '';
/** The request line of the answer that carried this request id. */
const lineOf = (requestId: string | null) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; requestId?: string; res?: object })
    .find((l) => l.requestId === requestId && l.res);

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  api = await startApi({
    app: {
      logger: createLogger('info', 'parcelwarden-api', destination),
      // Not ready: /readyz answers 503, a 5xx without breaking anything.
      ready: () => Promise.resolve({ db: false, temporal: true }),
    },
  });
});
afterAll(async () => {
  await api?.close();
});

describe('request log lines', () => {
  it.each([
    ['a refused query parameter (400)', 'GET', '/v1/shipments?colour=red', 'analyst', 400],
    ['a missing key (401)', 'GET', '/v1/shipments', undefined, 401],
    ['a role that may not (403)', 'POST', '/v1/reviews:batch', 'analyst', 403],
    ['an unknown route (404)', 'GET', '/v1/nothing-here', 'admin', 404],
  ] as const)('of %s are at info', async (_what, method, path, as, status) => {
    const res = await api.call(method, path, { as, body: method === 'POST' ? {} : undefined });
    expect(res.status).toBe(status);
    expect(lineOf(res.headers.get('x-request-id'))?.level).toBe(INFO);
  });

  it('of a success are at info', async () => {
    const res = await api.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(lineOf(res.headers.get('x-request-id'))?.level).toBe(INFO);
  });

  it('of a 5xx are at error', async () => {
    const res = await api.call('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(lineOf(res.headers.get('x-request-id'))?.level).toBe(ERROR);
  });
});
