import { sql } from 'drizzle-orm';
import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import type { KeyStore } from '../api-keys/api-keys.repository';
import { bearerToken } from '../http/auth';
import { ProblemError } from '../http/problems';
import { rolesFor, route, routeOf, type RouteSpec } from '../http/route';
import { safeEqual } from '../http/safe-equal';

/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms with
 * labels. prom-client is not a dependency; this is the part of it we need.
 */
type Labels = Record<string, string>;

const escapeLabel = (v: string) =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : '-Inf');

interface Metric {
  name: string;
  render(): string[];
}

abstract class Family<T> implements Metric {
  protected readonly series = new Map<string, { labels: Labels; value: T }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  protected entry(labels: Labels, init: () => T): { labels: Labels; value: T } {
    const key = JSON.stringify(Object.entries(labels).sort());
    let e = this.series.get(key);
    if (!e) {
      e = { labels, value: init() };
      this.series.set(key, e);
    }
    return e;
  }
  protected abstract lines(labels: Labels, value: T): string[];
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) out.push(...this.lines(labels, value));
    return out;
  }
}

export class Counter extends Family<{ n: number }> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels, () => ({ n: 0 })).value.n += by;
  }
  protected lines(labels: Labels, v: { n: number }): string[] {
    return [`${this.name}${labelText(labels)} ${num(v.n)}`];
  }
}

export class Gauge extends Family<{ n: number }> {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  set(labels: Labels, value: number): void {
    this.entry(labels, () => ({ n: 0 })).value.n = value;
  }
  /** Scrape-time gauges: forget series that no longer exist (a stage with no shipments left). */
  reset(): void {
    this.series.clear();
  }
  protected lines(labels: Labels, v: { n: number }): string[] {
    return [`${this.name}${labelText(labels)} ${num(v.n)}`];
  }
}

interface HistogramValue {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<HistogramValue> {
  constructor(
    name: string,
    help: string,
    readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(labels: Labels, value: number): void {
    const v = this.entry(labels, () => ({
      counts: this.buckets.map(() => 0),
      sum: 0,
      count: 0,
    })).value;
    this.buckets.forEach((le, i) => {
      if (value <= le) v.counts[i]! += 1;
    });
    v.sum += value;
    v.count += 1;
  }
  protected lines(labels: Labels, v: HistogramValue): string[] {
    const out = this.buckets.map(
      (le, i) => `${this.name}_bucket${labelText({ ...labels, le: num(le) })} ${v.counts[i]}`,
    );
    out.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${v.count}`);
    out.push(`${this.name}_sum${labelText(labels)} ${num(v.sum)}`);
    out.push(`${this.name}_count${labelText(labels)} ${v.count}`);
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name))
      throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.push(metric);
    return metric;
  }
  render(): string {
    return this.metrics.flatMap((m) => m.render()).join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The API's metrics: one registry per app, so apps built in one process (tests) stay apart. */
export function createApiMetrics(db: Db) {
  const registry = new Registry();
  const requests = registry.register(
    new Counter(
      'parcelwarden_http_requests_total',
      'HTTP requests by method, route template and status.',
    ),
  );
  const duration = registry.register(
    new Histogram(
      'parcelwarden_http_request_duration_seconds',
      'HTTP request duration by method and route template.',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
  );
  const shipmentsByStage = registry.register(
    new Gauge('parcelwarden_shipments', 'Shipments in the read model by stage and resolution.'),
  );
  const reviewsPending = registry.register(
    new Gauge('parcelwarden_reviews_pending', 'Reviews waiting for a decision.'),
  );
  const reviewsOverdue = registry.register(
    new Gauge('parcelwarden_reviews_overdue', 'Pending reviews past their SLA deadline.'),
  );
  const oldestReview = registry.register(
    new Gauge(
      'parcelwarden_reviews_oldest_pending_age_seconds',
      'Age of the oldest pending review (0 when none).',
    ),
  );
  const outbox = registry.register(
    new Gauge('parcelwarden_outbox_messages', 'Customer messages not sent yet, by status.'),
  );

  /** Counts every request when it finishes, labelled with its route template (bounded). */
  const httpMetrics: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      // The route's own template: a path nothing matched is one label, however many are probed.
      const template = routeOf(res)?.path ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      requests.inc({ method: req.method, route: template, status: String(res.statusCode) });
      duration.observe({ method: req.method, route: template }, seconds);
    });
    next();
  };

  /** Workflow outcomes and queue depth from the read model: three small aggregate queries. */
  async function collectReadModel(): Promise<void> {
    const [stages, reviews, messages] = await Promise.all([
      db.execute<{ stage: string; resolution: string | null; n: number }>(
        sql`select stage, resolution, count(*)::int as n from shipments group by stage, resolution`,
      ),
      db.execute<{ pending: number; overdue: number; oldest: number | null }>(
        sql`select count(*)::int as pending,
                   count(*) filter (where sla_deadline < now())::int as overdue,
                   extract(epoch from now() - min(detected_at))::float8 as oldest
            from reviews where status = 'pending'`,
      ),
      db.execute<{ status: string; n: number }>(
        sql`select status, count(*)::int as n from notifications
            where status <> 'sent' group by status`,
      ),
    ]);
    shipmentsByStage.reset();
    for (const r of stages)
      shipmentsByStage.set({ stage: r.stage, resolution: r.resolution ?? 'none' }, r.n);
    const q = reviews[0];
    reviewsPending.set({}, q?.pending ?? 0);
    reviewsOverdue.set({}, q?.overdue ?? 0);
    oldestReview.set({}, q?.oldest ?? 0);
    outbox.reset();
    // Always present, so an alert on failing messages has a series at 0.
    for (const status of ['pending', 'sending', 'failing']) outbox.set({ status }, 0);
    for (const r of messages) outbox.set({ status: r.status }, r.n);
  }

  return { registry, httpMetrics, collectReadModel };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

const SDK_TIMEOUT_MS = 1_000;

/**
 * The worker's Temporal SDK metrics (Runtime Prometheus exporter), appended to our own so one
 * scrape gets both. When it does not answer, `parcelwarden_sdk_metrics_up 0` says so.
 */
async function sdkMetrics(url: string): Promise<string> {
  const up = (v: number) =>
    `# HELP parcelwarden_sdk_metrics_up Whether the worker's Temporal SDK metrics answered.\n# TYPE parcelwarden_sdk_metrics_up gauge\nparcelwarden_sdk_metrics_up ${v}\n`;
  try {
    // The worker's own address (internal by design, so not address-checked); no redirects.
    const res = await fetch(url, {
      signal: AbortSignal.timeout(SDK_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!res.ok) return up(0);
    const text = await res.text();
    return up(1) + (text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    return up(0);
  }
}

/**
 * `GET /metrics`: for a Prometheus scraper with METRICS_TOKEN (a credential good for nothing
 * else), or for an analyst or admin key. It checks the caller itself, so it is mounted ahead of
 * the API-key middleware, which would turn the token away.
 */
export function metricsRoutes(deps: {
  metrics: ApiMetrics;
  keys: KeyStore;
  token?: string;
  sdkMetricsUrl?: string;
}): RouteSpec[] {
  const access = 'analyze';
  const allowed: readonly string[] = rolesFor(access);
  const scrape = route({
    method: 'get',
    path: '/metrics',
    access,
    selfAuthenticated: true,
    operationId: 'getMetrics',
    tag: 'Operations',
    summary:
      'Prometheus metrics: HTTP, shipments by stage and resolution, review queue, outbox, Temporal SDK (with METRICS_TOKEN, or an analyst or admin key)',
    answer: {
      description: 'Prometheus text exposition format 0.0.4',
      contentType: 'text/plain',
      bodySchema: { type: 'string' },
    },
    responses: {
      '401': 'Missing or invalid token',
      '403': 'The role of the key may not read metrics',
    },
    handler: async ({ req, res }) => {
      const token = bearerToken(req.headers.authorization);
      if (!token) {
        throw new ProblemError(
          401,
          'auth.missing_key',
          'API key required',
          'Send METRICS_TOKEN or an analyst or admin API key as "Authorization: Bearer <key>".',
          { headers: { 'WWW-Authenticate': 'Bearer realm="parcelwarden"' } },
        );
      }
      const byToken = deps.token !== undefined && safeEqual(token, deps.token);
      if (!byToken) {
        const principal = await deps.keys.verify(token);
        if (!principal) {
          throw new ProblemError(
            401,
            'auth.invalid_key',
            'Invalid API key',
            'The key is not valid.',
          );
        }
        if (!allowed.includes(principal.role)) {
          throw new ProblemError(
            403,
            'auth.forbidden',
            'Forbidden',
            `The role "${principal.role}" may not read metrics; allowed: METRICS_TOKEN or roles ${allowed.join(', ')}.`,
          );
        }
      }
      await deps.metrics.collectReadModel();
      const sdk = deps.sdkMetricsUrl ? await sdkMetrics(deps.sdkMetricsUrl) : '';
      res.type(PROMETHEUS_CONTENT_TYPE).send(deps.metrics.registry.render() + sdk);
    },
  });
  return [scrape];
}
