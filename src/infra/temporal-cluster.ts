/**
 * A production-shaped Temporal cluster on one machine: Temporal's own server (not the CLI dev
 * server) with PostgreSQL persistence and visibility, its four services (frontend, history,
 * matching, worker) each in a process of its own, so one can be killed and brought back.
 *
 * The server and its SQL tool are built once per machine from the Go module proxy into the cache
 * folder, next to the CLI build. Each start writes a config into a run folder, creates (or reuses)
 * the two databases, brings their schemas up to date with the SQL tool, starts the services on
 * free ports, registers the namespace and the shipment search attributes, and waits until a
 * workflow can be started and its first task polled: the whole path frontend → history → matching.
 */
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { cacheDir } from '../config';
import { dropDatabase, ensureDatabase } from '../db/client';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shipment.contract';
import { startEmbeddedPostgres } from './embedded-postgres';
import { findFreePortsBelow } from './free-port';
import { buildGoPrograms, findGo, isExecutableFile, type Env } from './go-build';
import { ensureSearchAttributes } from '../temporal/connection';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';

/** Start order; stop goes the other way round. */
export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export class TemporalClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalClusterError';
  }
}

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

/** Folder of the cached build: `temporal-server` and `temporal-sql-tool` inside it. */
export function temporalServerCacheFolder(env: Env = process.env): string {
  return path.join(cacheDir(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/**
 * The server and SQL tool binaries of the cache folder, built with `go install` the first time
 * (several minutes; later calls find them at once).
 */
export async function findTemporalServer(
  opts: { env?: Env; log?: (m: string) => void; build?: boolean } = {},
): Promise<TemporalServerBinaries> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const folder = temporalServerCacheFolder(env);
  const binaries = {
    server: path.join(folder, 'temporal-server'),
    sqlTool: path.join(folder, 'temporal-sql-tool'),
  };
  if ((await isExecutableFile(binaries.server)) && (await isExecutableFile(binaries.sqlTool))) {
    return binaries;
  }
  const go = await findGo(env);
  if (!go || opts.build === false) {
    throw new TemporalClusterError(
      [
        `The Temporal server ${TEMPORAL_SERVER_VERSION} was not found in ${folder} (needed for the production-shaped cluster).`,
        'Fix it in one of these ways:',
        `  - install Go (1.25 or newer) and run again: the server and its SQL tool are then built once into ${folder}`,
        '    (or build them now with `npx tsx src/infra/temporal-cluster.main.ts --build-only`);',
        '  - use the dev server instead (`npm start`, `npm run temporal:dev`), or set TEMPORAL_ADDRESS to an existing cluster.',
        go
          ? '(Go is present, but building was disabled for this call.)'
          : '(Go was not found on PATH or in /usr/local/go/bin.)',
      ].join('\n'),
    );
  }
  await buildGoPrograms({
    go,
    folder,
    programs: [
      {
        spec: `${SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
        binary: 'server',
        target: binaries.server,
      },
      {
        spec: `${SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
        binary: 'sql',
        target: binaries.sqlTool,
      },
    ],
    what: `the Temporal server ${TEMPORAL_SERVER_VERSION}`,
    alternatives:
      'Alternatively use the dev server (`npm start`) or an existing cluster (TEMPORAL_ADDRESS).',
    env,
    log,
    fail: (message) => new TemporalClusterError(message),
  });
  return binaries;
}

export interface TemporalClusterOptions {
  /**
   * A PostgreSQL URL whose server holds the two databases (its own database name is ignored).
   * Omitted → embedded PostgreSQL in `<runDir>/postgres`.
   */
  databaseUrl?: string;
  /** Names the databases `<prefix>_temporal` and `<prefix>_temporal_visibility`. */
  databasePrefix: string;
  /** Drop both databases on stop (test and bench runs); default false. */
  dropDatabasesOnStop?: boolean;
  /** Config, logs and (embedded) PostgreSQL data; omitted → a temporary folder removed on stop. */
  runDir?: string;
  /** Namespace to register besides `default` (e.g. TEMPORAL_NAMESPACE). */
  namespace?: string;
  /** Frontend gRPC port; omitted → a free one. */
  frontendPort?: number;
  /** Fixed when the persistence database is created; later starts must use the same. Default 4. */
  historyShards?: number;
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Retention of closed workflows in newly registered namespaces (default 3 days). */
  retentionDays?: number;
  env?: Env;
  log?: (msg: string) => void;
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop (default 15 s). */
  stopGraceMs?: number;
}

export interface TemporalCluster {
  /** Frontend host:port (what TEMPORAL_ADDRESS takes). */
  address: string;
  namespace: string;
  runDir: string;
  /** Log file of a service (all its lives, appended). */
  logFile(service: ClusterService): string;
  databases: { persistence: string; visibility: string; serverHost: string };
  pid(service: ClusterService): number | undefined;
  running(service: ClusterService): boolean;
  /** SIGKILL (a crash) or SIGTERM; resolves once the process has exited. */
  kill(service: ClusterService, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts a service again on its ports (killing it first if it runs); waits until the cluster serves. */
  restart(service: ClusterService): Promise<void>;
  /** Waits until a workflow can be started and its first task polled. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Settles when a service exits unexpectedly (not through kill/stop). */
  unexpectedExit: Promise<{ service: ClusterService; code: number | null; signal: string | null }>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Always set: no phone-home version check (offline machines), Updates on (as the SDK's dev server does). */
const BASE_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'frontend.enableServerVersionCheck': false,
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
};

interface ServicePorts {
  grpc: number;
  membership: number;
  http?: number;
}

interface SqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function sqlTargetOf(serverUrl: string): SqlTarget {
  const u = new URL(serverUrl);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new TemporalClusterError(
      `The database URL must be a postgres:// URL, not ${u.protocol}// (fix DATABASE_URL).`,
    );
  }
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
  };
}

/** Database names of a prefix; the prefix is checked so it can be used unquoted. */
export function clusterDatabaseNames(prefix: string): { persistence: string; visibility: string } {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) {
    throw new TemporalClusterError(
      `Database prefix "${prefix}" is not usable: use lower-case letters, digits and _ (at most 41, not starting with a digit).`,
    );
  }
  return { persistence: `${prefix}_temporal`, visibility: `${prefix}_temporal_visibility` };
}

function sqlStore(target: SqlTarget, databaseName: string, maxConns: number, maxIdleConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${target.host}:${target.port}`,
      connectProtocol: 'tcp',
      user: target.user,
      password: target.password,
      maxConns,
      maxIdleConns,
      maxConnLifetime: '1h',
    },
  };
}

/** The server's static config (JSON is YAML, so it is written as JSON). */
export function clusterConfig(args: {
  target: SqlTarget;
  databases: { persistence: string; visibility: string };
  ports: Record<ClusterService, ServicePorts>;
  historyShards: number;
  dynamicConfigFile: string;
  logLevel?: string;
}): Record<string, unknown> {
  const { target, databases, ports } = args;
  const services: Record<string, unknown> = {};
  for (const service of CLUSTER_SERVICES) {
    services[service] = {
      rpc: {
        grpcPort: ports[service].grpc,
        membershipPort: ports[service].membership,
        bindOnLocalHost: true,
        // The frontend's HTTP API (and Nexus, which needs it).
        ...(service === 'frontend' ? { httpPort: ports.frontend.http } : {}),
      },
    };
  }
  return {
    log: { stdout: true, level: args.logLevel ?? 'warn', format: 'json' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: args.historyShards,
      datastores: {
        // Per service process, four of them on a server others share (often 100 connections):
        // at most 4 × (8 + 3) = 44 open, about half of them idle.
        default: sqlStore(target, databases.persistence, 8, 4),
        visibility: sqlStore(target, databases.visibility, 3, 1),
      },
    },
    global: {
      // Services find each other through the cluster_membership table of the persistence database.
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
    },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend.grpc}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: args.dynamicConfigFile, pollInterval: '10s' },
  };
}

/** Dynamic config file body: `key: [{ value }]` per setting. */
export function dynamicConfigYaml(values: Record<string, string | number | boolean>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}:\n  - value: ${JSON.stringify(value)}\n`)
    .join('');
}

async function setUpSchema(
  sqlTool: string,
  target: SqlTarget,
  serverUrl: string,
  database: string,
  schemaName: string,
  log: (m: string) => void,
): Promise<void> {
  const base = [
    '--plugin',
    'postgres12',
    '--endpoint',
    target.host,
    '--port',
    String(target.port),
    '--user',
    target.user,
    '--password',
    target.password,
    '--database',
    database,
  ];
  const runTool = async (args: string[]) => {
    try {
      await run(sqlTool, [...base, ...args], { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new TemporalClusterError(
        `temporal-sql-tool ${args[0]} on database ${database} failed: ` +
          `${(e.stderr || e.stdout || e.message).trim().split('\n').slice(-10).join('\n')}`,
      );
    }
  };
  // setup-schema writes version 0.0: only for a database without the versioning table yet.
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  const sql = postgres(u.toString(), { max: 1, onnotice: () => undefined });
  let fresh: boolean;
  try {
    const [row] = await sql<
      { t: string | null }[]
    >`select to_regclass('public.schema_version')::text as t`;
    fresh = !row?.t;
  } finally {
    await sql.end({ timeout: 5 });
  }
  if (fresh) await runTool(['setup-schema', '--version', '0.0']);
  await runTool(['update-schema', '--schema-name', schemaName]);
  log(`temporal cluster: schema ${schemaName} up to date in database ${database}`);
}

export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const env = opts.env ?? process.env;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 180_000;
  const stopGraceMs = opts.stopGraceMs ?? 15_000;
  const namespace = opts.namespace ?? 'default';
  const databases = clusterDatabaseNames(opts.databasePrefix);
  const began = Date.now();

  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  const runCleanups = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      await c.run().catch((err: unknown) => {
        log(`temporal cluster: stopping ${c.name} failed: ${(err as Error).message}`);
      });
    }
  };

  try {
    const binaries = await findTemporalServer({ env, log });
    let runDir: string;
    if (opts.runDir) {
      runDir = path.resolve(opts.runDir);
      await fs.mkdir(runDir, { recursive: true });
    } else {
      runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parcelwarden-cluster-'));
      cleanups.push({
        name: 'run folder',
        run: () => fs.rm(runDir, { recursive: true, force: true }),
      });
    }
    const logDir = path.join(runDir, 'logs');
    const configDir = path.join(runDir, 'config');
    await fs.mkdir(logDir, { recursive: true });
    await fs.mkdir(configDir, { recursive: true });

    // Membership ports go into a smallint column: they must stay below 32768.
    const ports = await findFreePortsBelow(CLUSTER_SERVICES.length * 2 + 3);
    const n = CLUSTER_SERVICES.length * 2;
    const [spareFrontendPort, httpPort, postgresPort] = [ports[n]!, ports[n + 1]!, ports[n + 2]!];
    const frontendPort = opts.frontendPort ?? spareFrontendPort;
    if (opts.frontendPort !== undefined && !(await isPortFree(opts.frontendPort))) {
      throw new TemporalClusterError(
        `Cannot start the Temporal cluster: port ${opts.frontendPort} on 127.0.0.1 is already in use ` +
          '(a dev server or another cluster?). Stop it, or pick another port.',
      );
    }

    // PostgreSQL: DATABASE_URL's server, else an embedded one in the run folder.
    let serverUrl = opts.databaseUrl;
    if (!serverUrl) {
      // Embedded PostgreSQL runs as user `postgres` when we are root: it must be able to enter.
      await fs.chmod(runDir, 0o755);
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(runDir, 'postgres'),
        port: postgresPort,
        log,
      });
      cleanups.push({ name: 'embedded PostgreSQL', run: pg.stop });
      serverUrl = pg.serverUrl;
    }
    const target = sqlTargetOf(serverUrl);
    for (const name of [databases.persistence, databases.visibility]) {
      try {
        await ensureDatabase(serverUrl, name);
      } catch (err) {
        throw new TemporalClusterError(
          `Cannot create database ${name} on PostgreSQL at ${target.host}:${target.port}: ` +
            `${(err as Error).message}. Start PostgreSQL there or fix DATABASE_URL ` +
            '(unset, an embedded PostgreSQL is started instead).',
        );
      }
      if (opts.dropDatabasesOnStop) {
        const url = serverUrl;
        cleanups.push({ name: `database ${name}`, run: () => dropDatabase(url, name) });
      }
    }
    await setUpSchema(
      binaries.sqlTool,
      target,
      serverUrl,
      databases.persistence,
      'postgresql/v12/temporal',
      log,
    );
    await setUpSchema(
      binaries.sqlTool,
      target,
      serverUrl,
      databases.visibility,
      'postgresql/v12/visibility',
      log,
    );

    const servicePorts = Object.fromEntries(
      CLUSTER_SERVICES.map((s, i) => [
        s,
        {
          grpc: s === 'frontend' ? frontendPort : ports[i * 2]!,
          membership: ports[i * 2 + 1]!,
          ...(s === 'frontend' ? { http: httpPort } : {}),
        },
      ]),
    ) as Record<ClusterService, ServicePorts>;
    const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
    await fs.writeFile(
      dynamicConfigFile,
      dynamicConfigYaml({ ...BASE_DYNAMIC_CONFIG, ...opts.dynamicConfig }),
    );
    await fs.writeFile(
      path.join(configDir, 'cluster.yaml'),
      `${JSON.stringify(
        clusterConfig({
          target,
          databases,
          ports: servicePorts,
          historyShards: opts.historyShards ?? 4,
          dynamicConfigFile,
        }),
        null,
        2,
      )}\n`,
      // It holds the database password.
      { mode: 0o600 },
    );

    const address = `127.0.0.1:${frontendPort}`;
    const processes = new Map<ClusterService, ServiceProcess>();
    let reportUnexpected: (e: {
      service: ClusterService;
      code: number | null;
      signal: string | null;
    }) => void = () => undefined;
    const unexpectedExit = new Promise<{
      service: ClusterService;
      code: number | null;
      signal: string | null;
    }>((resolve) => {
      reportUnexpected = resolve;
    });
    for (const service of CLUSTER_SERVICES) {
      processes.set(
        service,
        new ServiceProcess({
          service,
          server: binaries.server,
          runDir,
          logFile: path.join(logDir, `${service}.log`),
          stopGraceMs,
          log,
          onUnexpectedExit: (code, signal) => reportUnexpected({ service, code, signal }),
        }),
      );
    }
    cleanups.push({
      name: 'Temporal services',
      run: async () => {
        // Front first, so no new work reaches a history service that is going away.
        await Promise.all(
          ['worker', 'frontend', 'matching', 'history'].map((s) =>
            processes.get(s as ClusterService)!.stop(),
          ),
        );
      },
    });
    // The first service to start writes the cluster metadata; services starting at the same time
    // race for that insert and fail. So one at a time: each joins the membership before the next.
    const persistenceUrl = new URL(serverUrl);
    persistenceUrl.pathname = `/${databases.persistence}`;
    const membershipDb = postgres(persistenceUrl.toString(), { max: 1, onnotice: () => undefined });
    cleanups.push({ name: 'membership check', run: () => membershipDb.end({ timeout: 5 }) });
    const startService = async (service: ClusterService) => {
      const p = processes.get(service)!;
      // session_start is written in UTC without a zone, by a process on this machine.
      const since = new Date(Date.now() - 1000).toISOString().replace('T', ' ').replace('Z', '');
      await p.start();
      const deadline = Date.now() + readyTimeoutMs;
      for (;;) {
        if (!p.alive()) {
          throw new TemporalClusterError(
            `The Temporal ${service} service exited during start-up (${p.exitInfo() ?? 'unknown'}).\n` +
              `Last lines of ${p.logFile}:\n${await p.lastLines()}`,
          );
        }
        const rows = await membershipDb`select 1 from cluster_membership
          where rpc_port = ${servicePorts[service].membership} and session_start >= ${since}`;
        if (rows.length > 0) return;
        if (Date.now() > deadline) {
          throw new TemporalClusterError(
            `The Temporal ${service} service did not join the cluster within ${readyTimeoutMs} ms.\n` +
              `Last lines of ${p.logFile}:\n${await p.lastLines()}`,
          );
        }
        await sleep(200);
      }
    };
    for (const service of CLUSTER_SERVICES) await startService(service);
    log(
      `temporal cluster: services started (logs in ${logDir}); waiting for the frontend on ${address}…`,
    );

    const exitedEarly = async () => {
      for (const [service, p] of processes) {
        if (!p.alive()) {
          return new TemporalClusterError(
            `The Temporal ${service} service exited (${p.exitInfo() ?? 'unknown'}).\n` +
              `Last lines of ${p.logFile}:\n${await p.lastLines()}`,
          );
        }
      }
      return undefined;
    };

    await registerNamespaces({
      address,
      namespaces: [...new Set(['default', namespace])],
      retentionDays: opts.retentionDays ?? 3,
      deadline: began + readyTimeoutMs,
      check: exitedEarly,
      log,
    });

    const waitReady = async (timeoutMs = readyTimeoutMs) => {
      await probeWorkflowPath({
        address,
        namespace,
        deadline: Date.now() + timeoutMs,
        check: exitedEarly,
      });
    };
    await waitReady(Math.max(30_000, began + readyTimeoutMs - Date.now()));
    log(
      `Temporal cluster ready on ${address} (namespace ${namespace}, PostgreSQL ${target.host}:${target.port} ` +
        `${databases.persistence} + ${databases.visibility}) in ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );

    return {
      address,
      namespace,
      runDir,
      logFile: (service) => processes.get(service)!.logFile,
      databases: { ...databases, serverHost: `${target.host}:${target.port}` },
      pid: (service) => processes.get(service)!.pid(),
      running: (service) => processes.get(service)!.alive(),
      async kill(service, signal = 'SIGKILL') {
        await processes.get(service)!.kill(signal);
      },
      async restart(service) {
        await processes.get(service)!.kill('SIGTERM');
        await startService(service);
        await waitReady();
      },
      waitReady,
      unexpectedExit,
      stop: runCleanups,
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

interface ServiceProcessOptions {
  service: ClusterService;
  server: string;
  runDir: string;
  logFile: string;
  stopGraceMs: number;
  log: (m: string) => void;
  onUnexpectedExit: (code: number | null, signal: string | null) => void;
}

/** One service of the server as a child process; its output is appended to its log file. */
class ServiceProcess {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private exit?: string;
  private expected = false;
  private readonly killOnExit = () => {
    this.child?.kill('SIGKILL');
  };

  constructor(private readonly opts: ServiceProcessOptions) {}

  get logFile(): string {
    return this.opts.logFile;
  }

  pid(): number | undefined {
    return this.alive() ? this.child?.pid : undefined;
  }

  alive(): boolean {
    const c = this.child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  exitInfo(): string | undefined {
    return this.exit;
  }

  async start(): Promise<void> {
    if (this.alive()) throw new Error(`the ${this.opts.service} service is already running`);
    const { service } = this.opts;
    const out = await fs.open(this.opts.logFile, 'a');
    await out.write(`--- ${new Date().toISOString()} starting ${service}\n`);
    const child = spawn(
      this.opts.server,
      [
        '--root',
        this.opts.runDir,
        '--config',
        'config',
        '--env',
        'cluster',
        '--allow-no-auth',
        'start',
        '--service',
        service,
      ],
      { cwd: this.opts.runDir, stdio: ['ignore', out.fd, out.fd] },
    );
    // The child holds its own copy of the descriptor.
    await out.close();
    this.child = child;
    this.exit = undefined;
    this.expected = false;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = `code ${code}, signal ${signal}`;
        process.removeListener('exit', this.killOnExit);
        if (!this.expected) {
          this.opts.log(
            `temporal cluster: the ${service} service exited unexpectedly (${this.exit}); see ${this.opts.logFile}`,
          );
          this.opts.onUnexpectedExit(code, signal);
        }
        resolve();
      });
    });
    child.once('error', (err) => {
      this.opts.log(`temporal cluster: could not run ${this.opts.server}: ${err.message}`);
    });
    // A service left running after our process dies would hold its ports.
    process.once('exit', this.killOnExit);
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (!this.alive()) return;
    this.expected = true;
    this.child!.kill(signal);
    const timer =
      signal === 'SIGTERM'
        ? setTimeout(() => {
            this.opts.log(
              `temporal cluster: the ${this.opts.service} service did not stop within ${this.opts.stopGraceMs} ms; killing it`,
            );
            this.child?.kill('SIGKILL');
          }, this.opts.stopGraceMs)
        : undefined;
    await this.exited;
    clearTimeout(timer);
  }

  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }

  async lastLines(count = 15): Promise<string> {
    const text = await fs.readFile(this.opts.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-count).map(summarizeLogLine).join('\n') || '(empty)';
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** A JSON log line of the server as `level: msg (error)`, without its stack trace. */
export function summarizeLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
    return `${entry.level ?? '?'}: ${entry.msg ?? ''}${entry.error ? ` (${entry.error})` : ''}`;
  } catch {
    return line.slice(0, 300);
  }
}

async function connect(address: string): Promise<Connection> {
  return Connection.connect({ address, connectTimeout: '3s' });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Registers each namespace that does not exist yet, retrying while the cluster comes up. */
async function registerNamespaces(args: {
  address: string;
  namespaces: string[];
  retentionDays: number;
  deadline: number;
  check: () => Promise<Error | undefined>;
  log: (m: string) => void;
}): Promise<void> {
  const pending = new Set(args.namespaces);
  let last: Error | undefined;
  while (pending.size > 0) {
    const early = await args.check();
    if (early) throw early;
    if (Date.now() > args.deadline) {
      throw new TemporalClusterError(
        `The Temporal frontend on ${args.address} did not accept namespace ${[...pending].join(', ')} in time` +
          `${last ? ` (last error: ${last.message})` : ''}.`,
      );
    }
    let connection: Connection | undefined;
    try {
      connection = await connect(args.address);
      const conn = connection;
      for (const namespace of [...pending]) {
        try {
          await conn.withDeadline(Date.now() + 5000, () =>
            conn.workflowService.describeNamespace({ namespace }),
          );
        } catch (err) {
          if (!isGrpcServiceError(err) || err.code !== GRPC_NOT_FOUND) throw err;
          try {
            await conn.withDeadline(Date.now() + 10_000, () =>
              conn.workflowService.registerNamespace({
                namespace,
                workflowExecutionRetentionPeriod: msToTs(`${args.retentionDays} days`),
              }),
            );
            args.log(`temporal cluster: registered namespace ${namespace}`);
          } catch (regErr) {
            // Registered by a previous attempt whose answer was lost.
            if (!isGrpcServiceError(regErr) || regErr.code !== GRPC_ALREADY_EXISTS) throw regErr;
          }
        }
        const { added } = await ensureSearchAttributes(conn, namespace);
        if (added.length)
          args.log(`temporal cluster: search attributes ${added.join(', ')} on ${namespace}`);
        pending.delete(namespace);
      }
    } catch (err) {
      last = asError(err);
      await sleep(500);
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

const GRPC_ALREADY_EXISTS = 6;
const GRPC_NOT_FOUND = 5;
/** temporal.api.enums.v1.TaskQueueKind (wire value). */
const TASK_QUEUE_KIND_NORMAL = 1;

function probeValue(type: string): unknown {
  switch (type) {
    case 'INT':
    case 'DOUBLE':
      return 1;
    case 'BOOL':
      return true;
    case 'DATETIME':
      return new Date();
    case 'KEYWORD_LIST':
      return ['probe'];
    default:
      return 'probe';
  }
}

/**
 * Starts a probe workflow carrying every shipment search attribute (the frontend rejects unknown
 * ones, so this also waits out the services' namespace caches), polls its first workflow task
 * (history handed it to matching), then deletes it.
 */
async function probeWorkflowPath(args: {
  address: string;
  namespace: string;
  deadline: number;
  check: () => Promise<Error | undefined>;
}): Promise<void> {
  let last: Error | undefined;
  const taskQueue = `cluster-probe-${randomUUID().slice(0, 8)}`;
  for (;;) {
    const early = await args.check();
    if (early) throw early;
    if (Date.now() > args.deadline) {
      throw new TemporalClusterError(
        `The Temporal cluster on ${args.address} did not run a probe workflow in time` +
          `${last ? ` (last error: ${last.message})` : ''}.`,
      );
    }
    let connection: Connection | undefined;
    try {
      connection = await connect(args.address);
      const conn = connection;
      const client = new Client({ connection: conn, namespace: args.namespace });
      const workflowId = `cluster-probe-${randomUUID()}`;
      await client.workflow.start('parcelwardenClusterProbe', {
        taskQueue,
        workflowId,
        workflowExecutionTimeout: '1 minute',
        typedSearchAttributes: ALL_SEARCH_ATTRIBUTES.map(
          (key) => ({ key, value: probeValue(key.type) }) as SearchAttributePair,
        ),
      });
      try {
        const pollUntil = Math.min(args.deadline, Date.now() + 20_000);
        for (;;) {
          const task = await conn
            .withDeadline(pollUntil, () =>
              conn.workflowService.pollWorkflowTaskQueue({
                namespace: args.namespace,
                taskQueue: {
                  name: taskQueue,
                  kind: TASK_QUEUE_KIND_NORMAL,
                },
                identity: 'parcelwarden-cluster-probe',
              }),
            )
            .catch((err: unknown) => {
              throw new Error(`polling the probe's workflow task: ${asError(err).message}`);
            });
          if (task.taskToken && task.taskToken.length > 0) return;
        }
      } finally {
        await conn.workflowService
          .deleteWorkflowExecution({
            namespace: args.namespace,
            workflowExecution: { workflowId },
          })
          .catch(() => undefined);
      }
    } catch (err) {
      last = asError(err);
      await sleep(500);
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}
