/**
 * Runs the Temporal CLI dev server (`temporal server start-dev`) as a child process, with our own
 * readiness loop: the SDK's built-in start gives up after 5 s, too short on a busy 2-core machine.
 */
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shipment.contract';

export interface TemporalDevServerOptions {
  cliPath: string;
  port: number;
  /** Web UI port; omitted → `--headless`. */
  uiPort?: number;
  /** Codec server the Web UI sends encrypted payloads to (`--ui-codec-endpoint`; UI only). */
  uiCodecEndpoint?: string;
  /** SQLite file (WAL journal); omitted → in-memory, lost on exit. */
  dbFile?: string;
  /** More SQLite pragmas for the file (e.g. cache_size); they win over the WAL defaults. */
  sqlitePragmas?: Record<string, string>;
  /** Created at start (the `default` namespace always exists). */
  namespace?: string;
  dynamicConfig?: Record<string, string | number | boolean>;
  log?: (msg: string) => void;
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop (default 10 s). */
  stopGraceMs?: number;
}

export interface TemporalDevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  pid: number;
  /** Settles when the server process exits (after stop(), or on its own). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** `--search-attribute` type names of the CLI. */
const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Always set: no phone-home version check (offline machines), Updates on (as the SDK does). */
const BASE_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'frontend.enableServerVersionCheck': false,
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
};

export function devServerArgs(opts: TemporalDevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port)];
  args.push('--log-format', 'text', '--log-level', 'warn');
  if (opts.uiPort !== undefined) {
    args.push('--ui-port', String(opts.uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  } else args.push('--headless');
  if (opts.dbFile) {
    args.push('--db-filename', opts.dbFile);
    const pragmas = { journal_mode: 'wal', synchronous: 'NORMAL', ...opts.sqlitePragmas };
    for (const [key, value] of Object.entries(pragmas)) {
      args.push('--sqlite-pragma', `${key}=${value}`);
    }
  }
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`);
  }
  for (const [key, value] of Object.entries({ ...BASE_DYNAMIC_CONFIG, ...opts.dynamicConfig })) {
    // Values are JSON: strings need their quotes.
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTemporalDevServer(
  opts: TemporalDevServerOptions,
): Promise<TemporalDevServer> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${opts.port}`;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const stopGraceMs = opts.stopGraceMs ?? 10_000;
  if (opts.dbFile) await fs.mkdir(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  for (const p of [opts.port, opts.uiPort]) {
    if (p !== undefined && !(await isPortFree(p))) {
      throw new Error(
        `Cannot start the Temporal dev server: port ${p} on 127.0.0.1 is already in use.`,
      );
    }
  }

  const child = spawn(opts.cliPath, devServerArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;

  const recent: string[] = [];
  let stopping = false;
  // The CLI prints "Server: host:port" once its own frontend is up. Waiting for it means a
  // server of someone else's on the same port cannot pass for ours.
  let announced = false;
  const onLine = (line: string) => {
    if (!line.trim()) return;
    if (/^\s*(temporal\s+)?server:\s/i.test(line)) announced = true;
    recent.push(line);
    if (recent.length > 40) recent.shift();
    // Shutdown makes the server's internal workers complain; that noise is expected.
    if (stopping) return;
    if (/\blevel=(WARN|ERROR)\b|^panic|^fatal|^Error/i.test(line)) log(`temporal: ${line}`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    stream.on('end', () => onLine(pending));
  }

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (!stopping) {
        log(
          `temporal: the dev server on ${address} exited unexpectedly (code ${code}, signal ${signal}).`,
        );
      }
      resolve();
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  // A server left running after our process dies would hold the port and the SQLite file.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exited) return;
    stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!exited) {
        log(`temporal: the dev server did not stop within ${stopGraceMs} ms; killing it.`);
        child.kill('SIGKILL');
      }
    }, stopGraceMs);
    await exitPromise;
    clearTimeout(timer);
  };

  const startFailure = (reason: string) =>
    new Error(
      `The Temporal dev server (${opts.cliPath}) ${reason}.\n` +
        `Last output:\n${recent.slice(-20).join('\n') || '(none)'}`,
    );

  const started = Date.now();
  let firstAnswerAt: number | undefined;
  const deadline = started + readyTimeoutMs;
  for (;;) {
    if (exited) {
      process.removeListener('exit', killOnExit);
      throw startFailure(
        `exited during start-up (code ${exited.code}, signal ${exited.signal}); is port ${opts.port} free?`,
      );
    }
    const outcome = await Promise.race([
      probe(address, namespace).then((problem) => ({ kind: 'probe' as const, problem })),
      spawnError.then((err) => ({ kind: 'spawn' as const, problem: err })),
      exitPromise.then(() => ({ kind: 'exit' as const, problem: undefined })),
    ]);
    if (outcome.kind === 'spawn') {
      process.removeListener('exit', killOnExit);
      throw new Error(
        `Could not run the Temporal CLI at ${opts.cliPath}: ${outcome.problem.message}`,
      );
    }
    if (outcome.kind === 'exit') continue;
    if (outcome.problem === undefined) {
      // Other CLI versions may word the banner differently: then a few seconds alive will do.
      firstAnswerAt ??= Date.now();
      if (announced || Date.now() - firstAnswerAt > 5000) break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw startFailure(`was not ready on ${address} within ${readyTimeoutMs} ms`);
    }
    await sleep(250);
  }
  log(
    `Temporal dev server ready on ${address} (namespace ${namespace}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  return {
    address,
    namespace,
    uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    pid: pid ?? -1,
    exited: exitPromise.then(() => exited ?? { code: null, signal: null }),
    stop,
  };
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

/** Resolves undefined when the frontend answers and the namespace exists, else the error. */
async function probe(address: string, namespace: string): Promise<Error | undefined> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: '2s' });
    const conn = connection;
    await conn.withDeadline(Date.now() + 3000, () =>
      conn.workflowService.describeNamespace({ namespace }),
    );
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
