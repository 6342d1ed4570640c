import { Router } from 'express';
import { requirePermission } from '../http/auth';
import { ProblemError } from '../http/problems';
import { parseQuery } from '../http/validate';
import { toCsv, wantsCsv } from './csv';
import type { AnalyticsRepository } from './analytics.repository';
import { analyticsQuery } from './analytics.schemas';
import { TABLE_NAMES, TABLES, type Table, type TableName } from './analytics.tables';

function tableNotFound(name: string): ProblemError {
  return new ProblemError(
    404,
    'analytics.unknown_table',
    'Unknown analytics table',
    `There is no analytics table "${name}"; tables: ${TABLE_NAMES.join(', ')} (each also as .svg).`,
  );
}

export function analyticsRouter(repo: AnalyticsRepository) {
  const router = Router();

  router.get('/v1/analytics', requirePermission('analyze'), (_req, res) => {
    res.json({
      tables: TABLE_NAMES.map((name) => ({
        name,
        title: TABLES[name].title,
        json: `/v1/analytics/${name}`,
        csv: `/v1/analytics/${name}?format=csv`,
        svg: `/v1/analytics/${name}.svg`,
      })),
    });
  });

  router.get('/v1/analytics/:table', requirePermission('analyze'), async (req, res) => {
    const raw = String(req.params.table);
    const svg = raw.endsWith('.svg');
    const name = svg ? raw.slice(0, -'.svg'.length) : raw;
    if (!(TABLE_NAMES as string[]).includes(name)) throw tableNotFound(raw);
    const q = parseQuery(req, analyticsQuery);
    // One generic table at a time: the row type is the table's own.
    const table = TABLES[name as TableName] as unknown as Table<Record<string, unknown>>;
    const rows = await table.load(repo, q);
    if (svg) {
      res.type('image/svg+xml').send(table.chart(rows, q));
      return;
    }
    if (wantsCsv(req, q.format)) {
      res
        .type('text/csv; charset=utf-8; header=present')
        .attachment(`${name}.csv`)
        .send(toCsv(table.columns, rows));
      return;
    }
    res.json({
      table: name,
      title: table.title,
      filters: {
        from: q.from?.toISOString(),
        to: q.to?.toISOString(),
        carrier: q.carrier,
        destination: q.destination,
        ...(name === 'risk' ? { threshold: q.threshold, minSample: q.minSample } : {}),
      },
      columns: table.columns.map((c) => c.key),
      items: rows,
    });
  });

  return router;
}
