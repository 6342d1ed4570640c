import { z } from 'zod';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { toCsv, wantsCsv } from './csv';
import type { AnalyticsRepository } from './analytics.repository';
import {
  analyticsQuery,
  analyticsTableResponse,
  TABLE_NAMES,
  type TableName,
} from './analytics.schemas';
import { RATE_SAMPLES, sampleSize } from './analytics.samples';
import { TABLES, type Table } from './analytics.tables';

function tableNotFound(name: string): ProblemError {
  return new ProblemError(
    404,
    'analytics.unknown_table',
    'Unknown analytics table',
    `There is no analytics table "${name}"; tables: ${TABLE_NAMES.join(', ')} (each also as .svg).`,
  );
}

/** A table by name, or its chart: `carriers`, `carriers.svg`. */
const analyticsParams = z.object({
  table: z
    .enum(TABLE_NAMES.flatMap((t) => [t, `${t}.svg` as const]))
    .describe('A table, or a table with .svg for its chart'),
});

export function analyticsRoutes(repo: AnalyticsRepository): RouteSpec[] {
  const index = route({
    method: 'get',
    path: '/v1/analytics',
    access: 'analyze',
    operationId: 'listAnalyticsTables',
    tag: 'Analytics',
    summary: 'The analytics tables (analyst, admin)',
    answer: {
      description: '{tables: [{name, title, json, csv, svg}]}',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    handler: () => ({
      tables: TABLE_NAMES.map((name) => ({
        name,
        title: TABLES[name].title,
        json: `/v1/analytics/${name}`,
        csv: `/v1/analytics/${name}?format=csv`,
        svg: `/v1/analytics/${name}.svg`,
      })),
    }),
  });

  const table = route({
    method: 'get',
    path: '/v1/analytics/{table}',
    access: 'analyze',
    operationId: 'getAnalyticsTable',
    tag: 'Analytics',
    summary:
      'An analytics table from the read model (analyst, admin): JSON, CSV (?format=csv or Accept: text/csv) or an SVG chart (.svg)',
    params: analyticsParams,
    // An unknown table is a 404 whatever the query says: the path is checked first.
    onInvalidParams: (_errors, params) =>
      tableNotFound(String((params as { table?: unknown }).table)),
    query: analyticsQuery,
    answer: {
      description: '{table, title, filters, columns, items}; or CSV; or SVG',
      schema: analyticsTableResponse,
      alternatives: { 'text/csv': { type: 'string' }, 'image/svg+xml': { type: 'string' } },
    },
    responses: { '404': 'Unknown table' },
    handler: async ({ req, res, params, query: q }) => {
      const svg = params.table.endsWith('.svg');
      const name = svg ? params.table.slice(0, -'.svg'.length) : params.table;
      // One generic table at a time: the row type is the table's own.
      const found = TABLES[name as TableName] as unknown as Table<Record<string, unknown>>;
      const rows = await found.load(repo, q);
      if (svg) {
        res.type('image/svg+xml').send(found.chart(rows, q));
        return;
      }
      if (wantsCsv(req, q.format)) {
        res
          .type('text/csv; charset=utf-8; header=present')
          .attachment(`${name}.csv`)
          .send(toCsv(found.columns, rows));
        return;
      }
      // Sent rather than returned: the generic rows cannot be checked against one table's shape.
      res.json({
        table: name,
        title: found.title,
        filters: {
          from: q.from?.toISOString(),
          to: q.to?.toISOString(),
          carrier: q.carrier,
          origin: q.origin,
          destination: q.destination,
          ...(name === 'risk' ? { threshold: q.threshold, minSample: q.minSample } : {}),
        },
        columns: found.columns.map((c) => c.key),
        sampleSize: sampleSize(name as TableName, rows),
        rateSamples: RATE_SAMPLES[name as TableName],
        items: rows,
      });
    },
  });

  return [index, table];
}
