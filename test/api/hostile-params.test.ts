/**
 * Property tests over the path parameters, query strings and headers of every declared route:
 * whatever a client puts there, the answer is never a 500, and every refusal is problem+json.
 * Bodies have their own properties (hostile-input.test.ts). The routes come from the route
 * declarations, so a route added later is covered without touching this file.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/http/pagination';
import { routeKey, type RouteSpec } from '../../src/http/route';
import type { Role } from '../../src/http/auth';
import { ALL_WEBHOOK_SECRETS, appRoutes } from '../helpers/app-routes';
import { startApi, type ApiUnderTest } from './harness';

/** Problems that say a dependency is down (no worker runs here), not that we crashed. */
const DEPENDENCY_DOWN = ['workflow.unavailable', 'temporal.unavailable'];
const RUNS = Number(process.env.HOSTILE_RUNS ?? 12);

/** Text that has given 500s before: bad encodings, numbers past int4, impossible dates. */
const NASTY: string[] = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%ED%A0%80',
  '%00',
  '%EF%BF%BF',
  'a%00b',
  '2147483648',
  '-2147483649',
  '99999999999999999999999',
  '1e400',
  '-0',
  'NaN',
  '0000-01-01',
  '0000-01-01T00:00:00Z',
  '2026-02-30',
  '2026-13-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  "' or 1=1 --",
  '..%2F..%2Fetc%2Fpasswd',
  '%F0%9F%92%A9',
  'x'.repeat(5000),
  encodeURIComponent(encodeCursor(['0000-01-01 00:00:00', 2147483648])),
  encodeURIComponent(encodeCursor(['2026-02-30 25:61:00+00', 'x'])),
  encodeURIComponent(encodeCursor([null as unknown as string])),
  encodeURIComponent(Buffer.from('{"__proto__":1}').toString('base64url')),
];

/** A raw (already encoded) URL component: nasty text, or anything fast-check makes up. */
const component = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...NASTY),
    fc.string({ unit: 'binary', maxLength: 40 }).map((s) => encodeURIComponent(s)),
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map(String),
    fc.date({ noInvalidDate: true }).map((d) => encodeURIComponent(d.toISOString())),
  );

const queryNames = (spec: RouteSpec): string[] => {
  const shape = (spec.query as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
};

/** The role a keyed route is for (admin may call all), none for public and signed routes. */
const callerOf = (spec: RouteSpec): Role | undefined =>
  spec.access === 'public' || spec.access === 'signed' ? undefined : 'admin';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ app: { webhookSecrets: ALL_WEBHOOK_SECRETS } });
});
afterAll(async () => {
  await api?.close();
});

async function expectNo500(
  spec: RouteSpec,
  path: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const method = spec.method.toUpperCase();
  const res = await api.call(method, path, {
    as: callerOf(spec),
    headers,
    ...(method === 'GET' || method === 'DELETE' ? {} : { rawBody: '{}' }),
  });
  const where = `${routeKey(spec)} as ${method} ${path.slice(0, 200)}`;
  if (res.status === 503) expect(DEPENDENCY_DOWN, where).toContain(res.body?.code);
  else expect(res.status, where).toBeLessThan(500);
  // Headers over Node's limit (16 KiB together) are refused by Node's HTTP parser before any
  // route runs: a bare 431, which no route of ours writes.
  if (res.status === 431) return;
  if (res.status >= 400 && res.status !== 503) {
    // Pages for people (the survey) refuse with a page in the customer's language.
    if (spec.answer.contentType === 'text/html') {
      expect(res.headers.get('content-type'), where).toMatch(
        /^(text\/html|application\/problem\+json)/,
      );
      return;
    }
    expect(res.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
    expect(res.body?.detail, where).toEqual(expect.any(String));
  }
}

const declared = appRoutes();
const withParams = declared.filter((r) => /\{\w+\}/.test(r.path));

describe('hostile path parameters', () => {
  it.each(withParams.map((r) => [routeKey(r), r] as const))(
    '%s never answers 500',
    async (_key, spec) => {
      await fc.assert(
        fc.asyncProperty(component(), async (value) => {
          await expectNo500(
            spec,
            spec.path.replace(/\{(\w+)\}/g, (_, name: string) =>
              name === 'provider' ? 'sandbox' : value,
            ),
          );
        }),
        { numRuns: RUNS },
      );
    },
  );
});

describe('hostile query strings', () => {
  it.each(declared.map((r) => [routeKey(r), r] as const))(
    '%s never answers 500',
    async (_key, spec) => {
      const names = [...queryNames(spec), 'cursor', 'limit', 'unknown', '__proto__', '%'];
      const filled = spec.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === 'provider' ? 'sandbox' : `hostile-${name}`,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom(...names), component()), {
            minLength: 1,
            maxLength: 4,
          }),
          async (pairs) => {
            const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
            await expectNo500(spec, `${filled}?${query}`);
          },
        ),
        { numRuns: RUNS },
      );
    },
  );
});

describe('every nasty value in every query field', () => {
  const lists = declared.filter((r) => r.method === 'get' && queryNames(r).length > 0);

  it('covers the paged lists', () => {
    expect(lists.map(routeKey)).toEqual(
      expect.arrayContaining(['GET /v1/shipments', 'GET /v1/reviews', 'GET /v1/claims']),
    );
  });

  it.each(lists.map((r) => [routeKey(r), r] as const))('%s never answers 500', async (_k, spec) => {
    const filled = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => `hostile-${name}`);
    for (const name of queryNames(spec))
      for (const value of NASTY) await expectNo500(spec, `${filled}?${name}=${value}`);
  });
});

describe('hostile headers', () => {
  const HEADER_NAMES = [
    'x-request-id',
    'content-type',
    'accept',
    'cookie',
    'if-none-match',
    'idempotency-key',
    'x-namespace',
    'accept-language',
  ];
  // Header values must be ByteStrings without CR/LF to be sent at all.
  const headerValue = fc.oneof(
    fc.constantFrom('%', 'a'.repeat(8000), '\u00ff\u00fe', 'parcelwarden_codec=%; x=y', '*/*;q=x'),
    fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  );

  it.each(declared.map((r) => [routeKey(r), r] as const))(
    '%s never answers 500',
    async (_key, spec) => {
      const filled = spec.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === 'provider' ? 'sandbox' : `hostile-${name}`,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue, { maxKeys: 3 }),
          async (headers) => {
            await expectNo500(spec, filled, headers);
          },
        ),
        { numRuns: RUNS },
      );
    },
  );
});
