/**
 * The Shopify client against recorded answers, where the sandbox (which accepts any API version
 * and path) could hide a mistake: the URL and headers it sends, and Shopify's own throttle answer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ShopConnection } from '../../src/shops/platform';
import { shopifyPlatform } from '../../src/shops/shopify';
import { shopApiError } from '../helpers/shop-api-error';

interface Seen {
  url: string;
  method?: string;
  headers: Headers;
  body: { query: string; variables?: Record<string, unknown> };
}

function recordingFetch(answer: (body: Seen['body']) => Response) {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as Seen['body'];
    seen.push({
      url: String(input),
      method: init?.method,
      headers: new Headers(init?.headers),
      body,
    });
    return answer(body);
  }) as typeof fetch;
  return { seen, fetchImpl };
}

function connection(apiUrl: string): ShopConnection {
  return {
    shopId: 'acme',
    platform: 'shopify',
    domain: 'acme.myshopify.com',
    apiUrl,
    credentials: { accessToken: 'shpat_recorded', webhookSecret: 'shpss_recorded' },
    policy: 'default',
    originCountry: 'US',
  };
}

const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), {
    ...init,
    headers: { 'content-type': 'application/json; charset=utf-8', ...init.headers },
  });

function recorded(name: string): unknown {
  const file = JSON.parse(
    readFileSync(new URL(`../fixtures/shopify/${name}.json`, import.meta.url), 'utf8'),
  ) as { source: string; payload: unknown };
  expect(file.source).toMatch(/^https:\/\//);
  return file.payload;
}

describe('what the Shopify client sends', () => {
  it("a real store is called at its myshopify domain, pinned version, with the app's token", async () => {
    const { seen, fetchImpl } = recordingFetch(() => json({ data: { order: null } }));
    const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
      fetch: fetchImpl,
    });
    expect(await api.getOrder('450789469')).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('https://acme.myshopify.com/admin/api/2026-07/graphql.json');
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers.get('x-shopify-access-token')).toBe('shpat_recorded');
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(seen[0]!.body.variables).toEqual({ id: 'gid://shopify/Order/450789469' });
    expect(seen[0]!.body.query).toMatch(/order\(id: \$id\)/);
  });

  it('a sandbox on plain http is called at its own URL, not https on its host', async () => {
    const { seen, fetchImpl } = recordingFetch(() => json({ data: { order: null } }));
    const api = shopifyPlatform.createApi(connection('http://127.0.0.1:4123'), {
      fetch: fetchImpl,
    });
    await api.getOrder('gid://shopify/Order/1');
    expect(seen[0]!.url).toBe('http://127.0.0.1:4123/admin/api/2026-07/graphql.json');
  });
});

describe('what a refund sends', () => {
  const paidOrder = {
    order: {
      id: 'gid://shopify/Order/450789469',
      currencyCode: 'USD',
      refunds: [],
      transactions: [
        {
          id: 'gid://shopify/OrderTransaction/389404469',
          kind: 'SALE',
          status: 'SUCCESS',
          gateway: 'shopify_payments',
          amountSet: { shopMoney: { amount: '199.00' } },
        },
      ],
    },
  };
  const refundMade = {
    refundCreate: { refund: { id: 'gid://shopify/Refund/929361462' }, userErrors: [] },
  };
  const refundInput = (idempotencyKey: string) => ({
    idempotencyKey,
    orderId: '450789469',
    amount: 41.94,
    currency: 'USD',
    reason: 'Parcel lost in transit.',
  });

  it('refundCreate carries @idempotent with a UUID key derived from ours: the same on a retry', async () => {
    const { seen, fetchImpl } = recordingFetch((body) =>
      json({ data: body.query.includes('refundCreate') ? refundMade : paidOrder }),
    );
    const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
      fetch: fetchImpl,
    });
    const key = 'shipment:shopify-450789469:refund';
    expect(await api.refund(refundInput(key))).toEqual({
      reference: 'gid://shopify/Refund/929361462',
    });
    await api.refund(refundInput(key));
    await api.refund(refundInput(`${key}:other`));
    const creates = seen.filter((s) => s.body.query.includes('refundCreate'));
    expect(creates).toHaveLength(3);
    for (const { body } of creates) {
      // The directive goes on the field (not the operation), its key a declared variable.
      expect(body.query).toMatch(
        /refundCreate\(input: \$input\) @idempotent\(key: \$idempotencyKey\)/,
      );
      expect(body.query).toMatch(/\$idempotencyKey: String!/);
      expect(body.variables!.idempotencyKey).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    const keys = creates.map((c) => c.body.variables!.idempotencyKey);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    // The note keeps our own marker too, for a retry after Shopify has forgotten the key.
    expect((creates[0]!.body.variables!.input as { note: string }).note).toMatch(
      /\[parcelwarden:pw-[0-9a-f]{20}\]$/,
    );
  });

  it("a refund without the directive meets Shopify's BAD_REQUEST, which is rejected", async () => {
    // What a 2026-04+ store answers a refundCreate without @idempotent.
    const { fetchImpl } = recordingFetch((body) =>
      body.query.includes('refundCreate')
        ? json({
            errors: [
              {
                message:
                  'The @idempotent directive is required for this mutation but was not provided.',
                locations: [{ line: 2, column: 5 }],
                extensions: { code: 'BAD_REQUEST' },
                path: ['refundCreate'],
              },
            ],
            data: { refundCreate: null },
          })
        : json({ data: paidOrder }),
    );
    const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
      fetch: fetchImpl,
    });
    const err = await shopApiError(api.refund(refundInput('k')));
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('@idempotent directive is required');
  });

  it('a refund Shopify is still working on under the same key is retried, not refused', async () => {
    // Shopify's answer while an earlier request with the same idempotency key is in progress.
    const { fetchImpl } = recordingFetch((body) =>
      json({
        data: body.query.includes('refundCreate')
          ? {
              refundCreate: {
                refund: null,
                userErrors: [
                  {
                    field: null,
                    message: 'This request is currently in progress, please try again.',
                  },
                ],
              },
            }
          : paidOrder,
      }),
    );
    const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
      fetch: fetchImpl,
    });
    const err = await shopApiError(api.refund(refundInput('k')));
    expect(err.kind).toBe('unavailable');
  });
});

describe("Shopify's failure answers", () => {
  it('a THROTTLED answer waits until the bucket refills to the query cost', async () => {
    const { fetchImpl } = recordingFetch(() => json(recorded('graphql-throttled')));
    const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
      fetch: fetchImpl,
    });
    // (752 requested - 666 available) / 50 restored a second = 1.72 s.
    const err = await shopApiError(api.getOrder('1'));
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1720 });
  });

  it('429 with Retry-After: 2.0 waits two seconds', async () => {
    const { fetchImpl } = recordingFetch(() =>
      json(
        {
          errors:
            'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        },
        { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '2.0' } },
      ),
    );
    const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
      fetch: fetchImpl,
    });
    expect(await shopApiError(api.getOrder('1'))).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 2000,
    });
  });

  it('403 (a scope the app lacks) is unauthorized; 404 and 422 are rejected; 503 is unavailable', async () => {
    const cases: [number, string][] = [
      [403, 'unauthorized'],
      [404, 'rejected'],
      [422, 'rejected'],
      [503, 'unavailable'],
    ];
    for (const [status, kind] of cases) {
      const { fetchImpl } = recordingFetch(() => json({ errors: 'x' }, { status }));
      const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
        fetch: fetchImpl,
      });
      expect(await shopApiError(api.getOrder('1'))).toMatchObject({ kind, status });
    }
  });

  it('userErrors of a mutation are rejected with their fields and messages', async () => {
    const { fetchImpl } = recordingFetch(() =>
      json({
        data: {
          order: {
            id: 'gid://shopify/Order/1',
            currencyCode: 'USD',
            refunds: [],
            transactions: [
              {
                id: 'gid://shopify/OrderTransaction/9',
                kind: 'SALE',
                status: 'SUCCESS',
                gateway: 'shopify_payments',
                amountSet: { shopMoney: { amount: '10.00' } },
              },
            ],
          },
          refundCreate: {
            refund: null,
            userErrors: [{ field: ['transactions', '0', 'amount'], message: 'Amount is invalid' }],
          },
        },
      }),
    );
    const api = shopifyPlatform.createApi(connection('https://acme.myshopify.com'), {
      fetch: fetchImpl,
    });
    const err = await shopApiError(
      api.refund({
        idempotencyKey: 'k',
        orderId: '1',
        amount: 10,
        currency: 'USD',
        reason: 'lost',
      }),
    );
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('transactions.0.amount: Amount is invalid');
  });
});
