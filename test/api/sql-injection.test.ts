/**
 * SQL only through drizzle parameters (the ESLint rule in eslint.config.js keeps raw SQL text
 * out of src/): here the running app gets injection strings in every path id and query parameter
 * of every read route, and must answer without a 500 and leave every table as it was.
 */
import { Client, Connection } from '@temporalio/client';
import { is, sql } from 'drizzle-orm';
import { PgTable, getTableConfig } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Role } from '../../src/http/auth';
import { openApiDocument } from '../../src/api/openapi';
import { appRoutes } from '../helpers/app-routes';
import { connectDatabase, type Database } from '../../src/db/client';
import * as schema from '../../src/db/schema';
import { seed } from '../../src/db/seed';
import { aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import { SQL_INJECTION } from '../helpers/hostile';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import '../helpers/provided';
import { serve, type ApiUnderTest } from './harness';

const ROLE_FOR: Record<string, Role> = {
  public: 'admin',
  signed: 'admin',
  read: 'ops',
  analyze: 'analyst',
  administer: 'admin',
  configure: 'admin',
  decide: 'ops',
  ingest: 'ingest',
};

const declared = appRoutes();
const doc = openApiDocument(declared) as {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
};
const READ_ROUTES = declared
  .filter((r) => r.method === 'get')
  .map(({ path: template, access }) => {
    const route = `GET ${template}`;
    const op = doc.paths[template]?.get;
    const query = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    return { route, template, role: ROLE_FOR[access] ?? 'admin', query };
  });

let own: OwnDatabase;
let database: Database;
let api: ApiUnderTest;

beforeAll(async () => {
  own = await ownDatabase();
  database = connectDatabase(own.url, { max: 3 });
  await seed(database.db);
  await insertShipmentRow(database.db, aRegistration());
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection, namespace: inject('temporalNamespace') });
  api = await serve(
    { db: database.db, temporal: client, taskQueue: uniqueId('sqli'), queryTimeoutMs: 300 },
    async () => {
      await connection.close();
      await database.close();
    },
  );
  // The first authenticated call stores the keys of API_KEYS: done before anything is counted.
  expect((await api.call('GET', '/v1/policies', { as: 'admin' })).status).toBe(200);
});

afterAll(async () => {
  await api?.close();
  await own?.drop();
});

const TABLES = (Object.values(schema) as unknown[]).filter((t): t is PgTable => is(t, PgTable));

/** The tables that exist and the rows in each of ours. */
async function snapshot(): Promise<{ tables: string[]; rows: Record<string, number> }> {
  const names = await database.db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
  );
  const columns = TABLES.map(
    (t) => sql`(select count(*) from ${t})::int as ${sql.identifier(getTableConfig(t).name)}`,
  );
  const rows = await database.db.execute(sql`select ${sql.join(columns, sql`, `)}`);
  return {
    tables: names.map((r) => String(r.table_name)),
    rows: rows[0] as Record<string, number>,
  };
}

const injection = fc.oneof(
  fc.constantFrom(...SQL_INJECTION),
  fc.tuple(fc.constantFrom(...SQL_INJECTION), fc.string({ maxLength: 10 })).map(([a, b]) => a + b),
);

it('covers every declared GET route, list routes with their query parameters', () => {
  expect(READ_ROUTES.map((r) => r.route)).toEqual(
    expect.arrayContaining(['GET /v1/shipments', 'GET /v1/shipments/{id}', 'GET /v1/claims']),
  );
  expect(READ_ROUTES.find((r) => r.route === 'GET /v1/shipments')!.query).toEqual(
    expect.arrayContaining(['stage', 'carrier', 'cursor']),
  );
});

it('answers injection strings in path ids and query parameters without a 500, tables intact', async () => {
  const before = await snapshot();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...READ_ROUTES),
      injection,
      fc.option(fc.nat(), { nil: undefined }),
      async (r, evil, pick) => {
        const path = r.template.replace(/\{\w+\}/g, encodeURIComponent(evil));
        const q = new URLSearchParams();
        if (r.query.length) q.set(r.query[(pick ?? 0) % r.query.length]!, evil);
        const url = q.size ? `${path}?${q.toString()}` : path;
        const res = await api.call('GET', url, { as: r.role });
        const where = `GET ${url} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        if (res.status === 503) expect(res.body?.code, where).not.toBe('internal.error');
        else expect(res.status, where).toBeLessThan(500);
        if (res.status >= 400 && res.headers.get('content-type')?.includes('json'))
          expect(res.headers.get('content-type'), where).toMatch(/problem\+json/);
      },
    ),
    { numRuns: Math.max(60, READ_ROUTES.length * 3) },
  );
  expect(await snapshot()).toEqual(before);
});
