/**
 * The embedded stack `npm run bench` measures: every role real, the worker and the API each in
 * their own Node process (so their memory and CPU are their own), the Temporal CLI dev server
 * file-backed with the pragmas `npm start` uses, a fresh PostgreSQL database, and the mail sink and
 * sandbox carrier in the bench process. Secrets (admin key, webhook secret, payload key) are
 * generated per run and handed to the children through their environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSandboxCarrier } from '../carriers/sandbox/sandbox.server';
import { loadConfig } from '../config';
import { dropDatabase, ensureDatabase } from '../db/client';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { findFreePorts } from '../infra/free-port';
import { findTemporalCli } from '../infra/temporal-cli';
import { startTemporalCluster } from '../infra/temporal-cluster';
import { startTemporalDevServer } from '../infra/temporal-dev';
import { startMailSink } from '../mail/smtp-sink';
import { prepareDatabase } from '../services';
import { connectClient } from '../temporal/connection';
import {
  MEMORY_REPORT_PREFIX,
  MEMORY_REPORT_REQUEST,
  type MemoryReport,
  parseMemoryReportLine,
} from '../worker-memory';
import type { BenchStack, BenchWorkerProcess } from './types';

export interface BenchStackOptions {
  log?: (m: string) => void;
  /** Extra environment of the worker process (e.g. WORKER_MAX_CACHED_WORKFLOWS). */
  workerEnv?: Record<string, string>;
  /** Extra environment of the API process (e.g. DATABASE_POOL_MAX). */
  apiEnv?: Record<string, string>;
  /** How long a child may take to become ready (default 180 s: tsx compiles on a busy machine). */
  readyTimeoutMs?: number;
  /** SQLite pragmas for the dev server beyond those `npm start` uses (tuning experiments). */
  sqlitePragmas?: Record<string, string>;
  /** Writes V8 CPU profiles of these roles into this folder when they stop (finding bottlenecks). */
  cpuProfile?: { dir: string; roles: ('api' | 'worker')[] };
  /**
   * `cluster`: the production-shaped Temporal cluster (src/infra/temporal-cluster.ts) with its
   * databases on the bench's PostgreSQL server, instead of the dev server.
   */
  temporal?: 'dev' | 'cluster';
}

export type RunningBenchStack = BenchStack & {
  stop(): Promise<void>;
  /** More worker processes on the same task queue (scale-out runs); `stop` them when done. */
  startExtraWorkers(count: number): Promise<{ pids: number[]; stop(): Promise<void> }>;
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TASK_QUEUE = 'bench-shipments';
const NAMESPACE = 'default';

const secret = (bytes = 24) => randomBytes(bytes).toString('base64url');

export async function startBenchStack(opts: BenchStackOptions = {}): Promise<RunningBenchStack> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 180_000;
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    const errors: string[] = [];
    for (const s of stops.splice(0).reverse()) {
      try {
        await s.stop();
      } catch (err) {
        errors.push(`${s.name}: ${(err as Error).message}`);
      }
    }
    if (errors.length)
      log(`bench stack: some parts did not stop cleanly:\n  ${errors.join('\n  ')}`);
  };

  try {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parcelwarden-bench-'));
    // Embedded PostgreSQL runs as user `postgres` when we are root: it must be able to enter it.
    await fs.chmod(dataDir, 0o755);
    stops.push({
      name: 'data folder',
      stop: () => fs.rm(dataDir, { recursive: true, force: true }),
    });
    const [temporalPort, smtpPort, mailHttpPort, apiPort, pgPort] = await findFreePorts(5);

    // PostgreSQL: a fresh database on DATABASE_URL's server, else an embedded one.
    const databaseUrl = await startDatabase(dataDir, pgPort!, log, stops);
    const database = await prepareDatabase(databaseUrl);
    stops.push({ name: 'database pool', stop: () => database.close() });

    let temporal: { address: string };
    if (opts.temporal === 'cluster') {
      const cluster = await startTemporalCluster({
        // The cluster's two databases go on the same server as the bench's own.
        databaseUrl,
        databasePrefix: `pw_bench_${randomBytes(4).toString('hex')}`,
        dropDatabasesOnStop: true,
        runDir: path.join(dataDir, 'temporal-cluster'),
        namespace: NAMESPACE,
        log,
      });
      stops.push({ name: 'Temporal cluster', stop: cluster.stop });
      temporal = cluster;
    } else {
      // Under load the dev server warns per task (e.g. SQLite deadlines); a few lines tell the story.
      const temporalLog = throttledLog(log, 'temporal');
      const cliPath = await findTemporalCli({ log });
      const devServer = await startTemporalDevServer({
        cliPath,
        port: temporalPort!,
        dbFile: path.join(dataDir, 'temporal.db'),
        namespace: NAMESPACE,
        ...(opts.sqlitePragmas ? { sqlitePragmas: opts.sqlitePragmas } : {}),
        log: temporalLog.log,
      });
      stops.push({ name: 'Temporal dev server', stop: devServer.stop });
      stops.push({ name: 'Temporal log summary', stop: async () => temporalLog.flush() });
      temporal = devServer;
    }

    const sink = await startMailSink({
      smtpPort: smtpPort!,
      httpPort: mailHttpPort,
      storeFile: path.join(dataDir, 'mail.jsonl'),
    });
    stops.push({ name: 'mail sink', stop: sink.stop });

    const sandboxKey = secret();
    const sandboxWebhookSecret = secret();
    const sandbox = createSandboxCarrier({
      apiKey: sandboxKey,
      webhookSecrets: { sandbox: sandboxWebhookSecret },
      // The carrier pushes its scenarios' webhooks only to the API it was started with.
      apiBaseUrl: `http://127.0.0.1:${apiPort}`,
    });
    const sandboxHttp = await sandbox.listen(0, '127.0.0.1');
    stops.push({ name: 'sandbox carrier', stop: sandboxHttp.close });

    const apiKey = secret();
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TASK_QUEUE: TASK_QUEUE,
      SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
      SANDBOX_CARRIER_URL: sandboxHttp.url,
      SANDBOX_CARRIER_KEY: sandboxKey,
      SANDBOX_WEBHOOK_SECRET: sandboxWebhookSecret,
      PAYLOAD_KEY: `bench:${randomBytes(32).toString('base64')}`,
      API_KEYS: `admin:${apiKey}`,
      // The per-key limit stays at its default: the figures show it does not cap the API.
      // Every webhook delivery of the events section comes from this one address.
      PUBLIC_RATE_LIMIT_PER_MINUTE: '0',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      REPORT_ENABLED: 'false',
    };
    // Validates the environment once here, so a bad setting fails before any child starts.
    const config = loadConfig(env);

    // As `npm run worker` and `npm start` run it (package.json): two malloc arenas.
    const workerBase = { ...env, LOG_LEVEL: 'info', MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX };
    const workerProc = new RoleProcess({
      name: 'worker',
      file: 'src/worker.main.ts',
      // The worker announces itself with this log line once it polls.
      ready: { line: /"msg":"worker running"/ },
      // A line on its stdin prints where its memory is (src/worker-memory.ts; the memory section asks).
      env: { ...workerBase, WORKER_MEMORY_REPORT: 'true', ...opts.workerEnv },
      stdin: true,
      nodeArgs: profileArgs(opts, 'worker'),
      log,
      readyTimeoutMs,
    });
    await workerProc.start();
    stops.push({ name: 'worker', stop: () => workerProc.stop() });
    const startExtraWorkers = async (count: number) => {
      const extra = Array.from(
        { length: count },
        (_, i) =>
          new RoleProcess({
            name: `worker ${i + 2}`,
            file: 'src/worker.main.ts',
            ready: { line: /"msg":"worker running"/ },
            env: { ...workerBase, ...opts.workerEnv },
            log,
            readyTimeoutMs,
          }),
      );
      const stopExtra = async () => {
        await Promise.all(extra.map((p) => p.stop()));
      };
      // Stopped with the stack too, should a section fail while they run.
      stops.push({ name: `${count} extra workers`, stop: stopExtra });
      try {
        for (const p of extra) await p.start();
      } catch (err) {
        await stopExtra();
        throw err;
      }
      return { pids: extra.map((p) => p.pid), stop: stopExtra };
    };

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const apiProc = new RoleProcess({
      name: 'API',
      file: 'src/api.main.ts',
      ready: { url: `${apiUrl}/readyz` },
      // Request logs at info would make the bench measure pino writing to a pipe.
      env: { ...env, LOG_LEVEL: 'warn', ...opts.apiEnv },
      nodeArgs: profileArgs(opts, 'api'),
      log,
      readyTimeoutMs,
    });
    await apiProc.start();
    stops.push({ name: 'API', stop: () => apiProc.stop() });

    const client = await connectClient(config);
    stops.push({ name: 'Temporal client', stop: () => client.connection.close() });

    const worker: BenchWorkerProcess = {
      get pid() {
        return workerProc.pid;
      },
      rssBytes: () => rssBytes(workerProc.pid),
      memoryReport: (o) => workerProc.memoryReport(o),
      restart: (extra) => workerProc.restart(extra),
    };

    log(
      `bench stack ready: API ${apiUrl} (pid ${apiProc.pid}), worker pid ${workerProc.pid}, ` +
        `Temporal ${temporal.address}, data ${dataDir}`,
    );
    return {
      apiUrl,
      apiKey,
      sandboxWebhookSecret,
      client,
      database,
      taskQueue: TASK_QUEUE,
      namespace: NAMESPACE,
      temporalAddress: temporal.address,
      sandboxCarrierUrl: sandboxHttp.url,
      sandboxCarrierKey: sandboxKey,
      mailViewerUrl: sink.httpUrl ?? '',
      worker,
      dataDir,
      stop: stopAll,
      startExtraWorkers,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startDatabase(
  dataDir: string,
  port: number,
  log: (m: string) => void,
  stops: { name: string; stop: () => Promise<void> }[],
): Promise<string> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `pw_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const url = await ensureDatabase(serverUrl, name);
    log(`bench: database ${name} on ${new URL(serverUrl).host}`);
    stops.push({
      name: `database ${name}`,
      async stop() {
        await dropDatabase(serverUrl, name);
      },
    });
    return url;
  }
  log('bench: DATABASE_URL is unset; starting embedded PostgreSQL');
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, log });
  stops.push({ name: 'embedded PostgreSQL', stop: pg.stop });
  return pg.url;
}

function profileArgs(opts: BenchStackOptions, role: 'api' | 'worker'): string[] {
  const p = opts.cpuProfile;
  // One file per thread (the tsx loader has its own), named CPU.<date>.<time>.<pid>.<tid>...
  return p?.roles.includes(role) ? ['--cpu-prof', `--cpu-prof-dir=${path.join(p.dir, role)}`] : [];
}

/**
 * Passes the first few lines on, then only counts them and reports the count, by message, every
 * 30 s and at `flush()`.
 */
export function throttledLog(
  log: (m: string) => void,
  name: string,
  opts: { first?: number; everyMs?: number } = {},
): { log: (m: string) => void; flush(): void } {
  const first = opts.first ?? 5;
  const everyMs = opts.everyMs ?? 30_000;
  let seen = 0;
  let lastReport = Date.now();
  const held = new Map<string, number>();
  const flush = () => {
    if (held.size === 0) return;
    const parts = [...held].map(([msg, n]) => `${n}× ${msg}`);
    log(
      `${name}: ${[...held.values()].reduce((a, b) => a + b, 0)} more lines: ${parts.join('; ')}`,
    );
    held.clear();
    lastReport = Date.now();
  };
  return {
    log(m: string) {
      if (++seen <= first) {
        log(m);
        return;
      }
      const key = /msg="([^"]+)"/.exec(m)?.[1] ?? m.slice(0, 80);
      const error = /error="([^"]+)"/.exec(m)?.[1];
      const k = error ? `${key} (${error})` : key;
      held.set(k, (held.get(k) ?? 0) + 1);
      if (Date.now() - lastReport >= everyMs) flush();
    },
    flush,
  };
}

/** How long the worker may take to print its memory report (it collects garbage twice). */
const MEMORY_REPORT_TIMEOUT_MS = 60_000;

/** Resident set size of a process, from /proc/<pid>/status (Linux). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

interface RoleProcessOptions {
  name: string;
  /** Entry point relative to the repository root. */
  file: string;
  ready: { line: RegExp } | { url: string };
  env: Record<string, string>;
  nodeArgs?: string[];
  log: (m: string) => void;
  readyTimeoutMs: number;
  /** A pipe to the child's stdin (the worker's memory report requests); else none. */
  stdin?: boolean;
}

/**
 * glibc's malloc arenas in a worker process, as package.json's `start` and `worker` scripts set
 * them. The SDK's core allocates from many threads; with the default (8 per core) each keeps what
 * it freed, and a worker with 10,000 idle shipments held about 30 MB more native memory for it
 * (docs/benchmarks.md). MALLOC_ARENA_MAX in the bench's environment overrides it.
 */
const WORKER_MALLOC_ARENA_MAX = '2';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One role (`node --import tsx <file>`) as a child process: one process, so its RSS is its own. */
class RoleProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private recent: string[] = [];
  private sawReadyLine = false;
  private stopping = false;
  private readonly reportWaiters: ((line: string) => void)[] = [];
  private readonly killOnExit = () => {
    this.child?.kill('SIGKILL');
  };

  constructor(private readonly opts: RoleProcessOptions) {}

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    const { name, file, log } = this.opts;
    this.recent = [];
    this.sawReadyLine = false;
    this.stopping = false;
    const child = spawn(
      process.execPath,
      [...(this.opts.nodeArgs ?? []), '--import', 'tsx', file],
      {
        cwd: ROOT,
        // Only what the role needs (and what Node needs to run), not the bench's own settings.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...this.opts.env,
          ...extraEnv,
        },
        stdio: [this.opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    // A request written as the child exits must not take the bench down (EPIPE).
    child.stdin?.on('error', () => undefined);
    let exitInfo: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `code ${code}, signal ${signal}`;
        process.removeListener('exit', this.killOnExit);
        if (!this.stopping) log(`bench: the ${name} process exited unexpectedly (${exitInfo})`);
        resolve();
      });
    });
    process.once('exit', this.killOnExit);
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) this.onLine(line);
      });
    }

    const deadline = Date.now() + this.opts.readyTimeoutMs;
    for (;;) {
      if (exitInfo) throw this.failure(`exited during start-up (${exitInfo})`);
      if (await this.isReady()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw this.failure(`was not ready within ${this.opts.readyTimeoutMs} ms`);
      }
      await sleep(200);
    }
  }

  /** SIGTERM, then SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.opts.log(`bench: the ${this.opts.name} did not stop within 15 s; killing it`);
      child.kill('SIGKILL');
    }, 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    await this.stop();
    await this.start(extraEnv);
  }

  /** Asks the process for its memory report on its stdin and waits for the line (the worker only). */
  async memoryReport(opts: { gc: boolean }): Promise<MemoryReport> {
    const child = this.child;
    if (!child?.stdin || child.exitCode !== null || child.signalCode !== null)
      throw new Error(`The bench ${this.opts.name} is not running with a stdin to ask on`);
    let waiter: ((line: string) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const line = new Promise<string>((resolve, reject) => {
      waiter = resolve;
      this.reportWaiters.push(resolve);
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `The bench ${this.opts.name} printed no memory report within ${MEMORY_REPORT_TIMEOUT_MS} ms`,
            ),
          ),
        MEMORY_REPORT_TIMEOUT_MS,
      );
    });
    try {
      child.stdin.write(`${MEMORY_REPORT_REQUEST}${opts.gc ? ' gc' : ''}\n`);
      const report = parseMemoryReportLine(await line);
      if (!report) throw new Error('not a memory report');
      return report;
    } finally {
      clearTimeout(timer);
      const i = this.reportWaiters.indexOf(waiter!);
      if (i >= 0) this.reportWaiters.splice(i, 1);
    }
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    if (line.startsWith(MEMORY_REPORT_PREFIX)) {
      for (const resolve of this.reportWaiters.splice(0)) resolve(line);
      return;
    }
    this.recent.push(line);
    if (this.recent.length > 40) this.recent.shift();
    const ready = this.opts.ready;
    if ('line' in ready && ready.line.test(line)) this.sawReadyLine = true;
    if (this.stopping) return;
    // pino levels: 40 warn, 50 error, 60 fatal; anything not JSON is worth showing too.
    const level = /^\{.*"level":(\d+)/.exec(line)?.[1];
    if (level === undefined ? !line.startsWith('{') : Number(level) >= 40) {
      this.opts.log(`${this.opts.name}: ${line.slice(0, 500)}`);
    }
  }

  private async isReady(): Promise<boolean> {
    const ready = this.opts.ready;
    if ('line' in ready) return this.sawReadyLine;
    try {
      const res = await fetch(ready.url, { signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  private failure(reason: string): Error {
    return new Error(
      `The bench ${this.opts.name} (${this.opts.file}) ${reason}.\n` +
        `Last output:\n${this.recent.slice(-20).join('\n') || '(none)'}`,
    );
  }
}
