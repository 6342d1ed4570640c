import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from '../../src/api/metrics';
import { reviews } from '../../src/db/schema/shipments';
import { aRegistration } from '../helpers/factories';
import { serve, startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(target: ApiUnderTest = api): Promise<string> {
  const res = await target.call('GET', '/metrics', { as: 'analyst' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.body as string;
}

describe('the Prometheus registry', () => {
  it('writes counters, gauges and cumulative histogram buckets in the text format', () => {
    const registry = new Registry();
    const c = registry.register(new Counter('t_total', 'Things.'));
    const g = registry.register(new Gauge('t_depth', 'Depth.'));
    const h = registry.register(new Histogram('t_seconds', 'Time.', [0.01, 1]));
    c.inc({ kind: 'a"b\\c' });
    c.inc({ kind: 'a"b\\c' }, 2);
    g.set({}, 7);
    for (const v of [0.003, 0.2, 20]) h.observe({ route: '/x' }, v);
    expect(registry.render()).toBe(
      [
        '# HELP t_total Things.',
        '# TYPE t_total counter',
        't_total{kind="a\\"b\\\\c"} 3',
        '# HELP t_depth Depth.',
        '# TYPE t_depth gauge',
        't_depth 7',
        '# HELP t_seconds Time.',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{route="/x",le="0.01"} 1',
        't_seconds_bucket{route="/x",le="1"} 2',
        't_seconds_bucket{route="/x",le="+Inf"} 3',
        't_seconds_sum{route="/x"} 20.203',
        't_seconds_count{route="/x"} 3',
        '',
      ].join('\n'),
    );
  });
});

describe('GET /metrics', () => {
  it('counts requests by method, route template and status, with a duration histogram', async () => {
    await api.call('GET', '/v1/shipments/METRICS-NOPE', { as: 'ops' });
    await api.call('GET', '/v1/shipments/METRICS-NOPE-2', { as: 'ops' });
    await api.call('GET', '/v1/no-such-thing', { as: 'ops' });
    const text = await scrape();
    expect(
      sample(
        text,
        'parcelwarden_http_requests_total{method="GET",route="/v1/shipments/{id}",status="404"}',
      ),
    ).toBe(2);
    expect(
      sample(text, 'parcelwarden_http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('METRICS-NOPE');
    expect(
      sample(
        text,
        'parcelwarden_http_request_duration_seconds_count{method="GET",route="/v1/shipments/{id}"}',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        'parcelwarden_http_request_duration_seconds_bucket{method="GET",route="/v1/shipments/{id}",le="+Inf"}',
      ),
    ).toBe(2);
  });

  it('reports shipments by stage and the review queue from the read model at scrape time', async () => {
    const before = await scrape();
    const monitoring = 'parcelwarden_shipments{stage="monitoring",resolution="none"}';
    const reg = aRegistration();
    expect((await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg })).status).toBe(201);
    // A review past its SLA, removed again so other tests' queues stay as they were.
    await api.db.insert(reviews).values({
      shipmentId: reg.shipmentId,
      round: 1,
      reason: 'stalled',
      detectedAt: new Date(Date.now() - 60_000),
      slaDeadline: new Date(Date.now() - 1_000),
    });
    try {
      const after = await scrape();
      expect(sample(after, monitoring)).toBeGreaterThanOrEqual(
        (sample(before, monitoring) ?? 0) + 1,
      );
      expect(sample(after, 'parcelwarden_reviews_pending')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'parcelwarden_reviews_overdue')).toBeGreaterThanOrEqual(1);
      expect(
        sample(after, 'parcelwarden_reviews_oldest_pending_age_seconds'),
      ).toBeGreaterThanOrEqual(59);
      expect(sample(after, 'parcelwarden_outbox_messages{status="failing"}')).toEqual(
        expect.any(Number),
      );
    } finally {
      await api.db
        .delete(reviews)
        .where(and(eq(reviews.shipmentId, reg.shipmentId), eq(reviews.round, 1)));
    }
  });

  it('is for analysts and admins: other roles get 403, no key 401', async () => {
    expect((await api.call('GET', '/metrics')).status).toBe(401);
    for (const role of ['ingest', 'ops'] as const) {
      const res = await api.call('GET', '/metrics', { as: role });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
    }
    expect((await api.call('GET', '/metrics', { as: 'admin' })).status).toBe(200);
  });

  it('accepts METRICS_TOKEN for a scraper, which opens nothing else', async () => {
    const token = 'scrape-token-0123456789';
    const withToken = await serve({
      db: api.db,
      temporal: api.client,
      taskQueue: 'unused',
      metricsToken: token,
    });
    try {
      const auth = { authorization: `Bearer ${token}` };
      expect((await withToken.call('GET', '/metrics', { headers: auth })).status).toBe(200);
      expect((await withToken.call('GET', '/v1/shipments', { headers: auth })).status).toBe(401);
      const wrong = { authorization: `Bearer ${token}x` };
      expect((await withToken.call('GET', '/metrics', { headers: wrong })).status).toBe(401);
    } finally {
      await withToken.close();
    }
  });
});

describe('Temporal SDK metrics', () => {
  let sdk: Server;
  let sdkUrl: string;
  beforeAll(async () => {
    sdk = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end('# TYPE temporal_workflow_completed counter\ntemporal_workflow_completed 3\n');
    });
    await new Promise<void>((resolve) => sdk.listen(0, '127.0.0.1', resolve));
    sdkUrl = `http://127.0.0.1:${(sdk.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    await new Promise((resolve) => sdk.close(resolve));
  });

  it("are appended from the worker's endpoint, with a gauge saying whether it answered", async () => {
    const up = await serve({
      db: api.db,
      temporal: api.client,
      taskQueue: 'unused',
      sdkMetricsUrl: sdkUrl,
    });
    const down = await serve({
      db: api.db,
      temporal: api.client,
      taskQueue: 'unused',
      sdkMetricsUrl: 'http://127.0.0.1:1/metrics',
    });
    try {
      const upText = await scrape(up);
      expect(sample(upText, 'parcelwarden_sdk_metrics_up')).toBe(1);
      expect(sample(upText, 'temporal_workflow_completed')).toBe(3);
      const downText = await scrape(down);
      expect(sample(downText, 'parcelwarden_sdk_metrics_up')).toBe(0);
      expect(downText).toContain('parcelwarden_http_requests_total');
    } finally {
      await up.close();
      await down.close();
    }
  });
});
