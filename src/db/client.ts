import type { PgDatabase } from 'drizzle-orm/pg-core';
import {
  drizzle,
  type PostgresJsDatabase,
  type PostgresJsQueryResultHKT,
} from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import * as schema from './schema/index';

export type Db = PostgresJsDatabase<typeof schema>;
/** The database or one of its transactions: what a repository needs to query through. */
export type Queryable = PgDatabase<PostgresJsQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'migrations',
);

/**
 * Seconds before a pooled connection tries again after failing to connect: 50 ms doubling, at
 * most 1 s. The driver's default grows to 20 s, so during a database outage every request waited
 * up to 20 s before failing (a hang to API clients) and the pool took as long to come back.
 */
export function reconnectBackoff(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1);
}

export function connectDatabase(url: string, opts: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    backoff: reconnectBackoff,
    // A server that does not answer at all fails the query in 10 s, not the driver's 30 s.
    connect_timeout: 10,
    onnotice: () => undefined,
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** Applies the checked-in migrations (idempotent; API and worker starting together take turns). */
export async function migrateDatabase(url: string): Promise<void> {
  // One connection, so the session-level advisory lock covers the whole migration.
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`select pg_advisory_lock(hashtext('parcelwarden.migrate'))`;
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
    await sql`select pg_advisory_unlock(hashtext('parcelwarden.migrate'))`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Creates a database on the server of `url` if it does not exist; returns the URL of the new one. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await sql.unsafe(`create database "${name.replace(/"/g, '')}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Drops a database, closing its open connections (scratch databases of tests, the bench and the
 * history recorder). The name is an identifier, which takes no parameters: it is quoted here.
 */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`drop database if exists "${name.replace(/"/g, '')}" with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
