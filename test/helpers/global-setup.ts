/**
 * Vitest global setup: ONE Temporal dev server and ONE freshly migrated database for the whole
 * run, shared by every test file through `inject(...)` (see ./provided.ts).
 * Database: a new `pw_test_*` database on DATABASE_URL's server when set, else embedded PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { dropDatabase, ensureDatabase, migrateDatabase } from '../../src/db/client';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres';
import { findFreePort } from '../../src/infra/free-port';
import { findTemporalCli } from '../../src/infra/temporal-cli';
import { generatePayloadKey } from '../../src/temporal/payload-codec';
import { startTemporalDevServer } from '../../src/infra/temporal-dev';
import './provided';

/** Low on purpose: workflow tests of continue-as-new must reach it within a few dozen events. */
const SUGGEST_CONTINUE_AS_NEW_AT = 60;

const log = (msg: string) => console.log(`[global-setup] ${msg}`);

interface Database {
  url: string;
  serverUrl: string;
  stop(): Promise<void>;
}

async function freshDatabaseOn(serverUrl: string): Promise<Database> {
  const name = `pw_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = await ensureDatabase(serverUrl, name);
  log(`created database ${name} on ${new URL(serverUrl).host}`);
  return {
    url,
    serverUrl,
    async stop() {
      await dropDatabase(serverUrl, name);
    },
  };
}

async function embeddedDatabase(tmp: string): Promise<Database> {
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(tmp, 'postgres'),
    port: await findFreePort(),
    log,
  });
  return { url: pg.url, serverUrl: pg.serverUrl, stop: () => pg.stop() };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const selected = project.vitest.projects.map((p) => p.name);
  if (selected.length > 0 && selected.every((name) => name === 'unit' || name === 'contract')) {
    // Unit and contract tests use neither Temporal nor PostgreSQL; don't make them wait for either.
    return async () => undefined;
  }

  const started = Date.now();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'parcelwarden-test-'));
  // Embedded PostgreSQL runs as user `postgres` when we are root: it must be able to enter tmp.
  await fs.chmod(tmp, 0o755);

  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => errors.push(err));
    }
    await fs.rm(tmp, { recursive: true, force: true });
    if (errors.length) throw new AggregateError(errors, 'global teardown failed');
  };

  try {
    const cliPath = await findTemporalCli({ env: process.env, log });
    const port = await findFreePort();
    const [temporal, database] = await Promise.allSettled([
      startTemporalDevServer({
        cliPath,
        port,
        dbFile: path.join(tmp, 'temporal.db'),
        dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_CONTINUE_AS_NEW_AT },
        log,
      }),
      (async () => {
        const db = process.env.DATABASE_URL
          ? await freshDatabaseOn(process.env.DATABASE_URL)
          : await embeddedDatabase(tmp);
        try {
          await migrateDatabase(db.url);
        } catch (err) {
          await db.stop();
          throw err;
        }
        return db;
      })(),
    ]);
    if (temporal.status === 'fulfilled') cleanups.push(() => temporal.value.stop());
    if (database.status === 'fulfilled') cleanups.push(() => database.value.stop());
    if (temporal.status === 'rejected') throw temporal.reason;
    if (database.status === 'rejected') throw database.reason;

    project.provide('temporalAddress', temporal.value.address);
    project.provide('temporalNamespace', temporal.value.namespace);
    project.provide('temporalCliPath', cliPath);
    project.provide('suggestContinueAsNewAt', SUGGEST_CONTINUE_AS_NEW_AT);
    project.provide('databaseUrl', database.value.url);
    project.provide('databaseServerUrl', database.value.serverUrl);
    project.provide('payloadKey', generatePayloadKey('test1'));
    log(
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Temporal ${temporal.value.address}, ` +
        `database ${new URL(database.value.url).host}${new URL(database.value.url).pathname}`,
    );
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }

  return async () => {
    const t = Date.now();
    await teardown();
    log(`stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
}
