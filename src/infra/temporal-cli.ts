/**
 * Finds the Temporal CLI binary that runs the dev server, building it with `go install` when needed.
 * Order: TEMPORAL_CLI → `temporal` on PATH → cached build → go install (first time only) → error.
 * Runnable as a script: `tsx src/infra/temporal-cli.ts` prints the path (building it if needed).
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir } from '../config';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

type Env = Record<string, string | undefined>;

export interface FindTemporalCliOptions {
  env?: Env;
  log?: (msg: string) => void;
  /** Build with `go install` when no binary is found (default true). */
  build?: boolean;
}

export class TemporalCliNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalCliNotFoundError';
  }
}

/** Folder of the cached build; the binary is `temporal` inside it. */
export function temporalCliCacheFolder(env: Env = process.env): string {
  return path.join(cacheDir(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

export async function findTemporalCli(opts: FindTemporalCliOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));

  const explicit = env.TEMPORAL_CLI?.trim();
  if (explicit) {
    // An explicit setting that does not work is an error, not a reason to look elsewhere.
    if (await isExecutableFile(explicit)) return path.resolve(explicit);
    throw new TemporalCliNotFoundError(
      `TEMPORAL_CLI is set to "${explicit}", but no executable file is there. ` +
        'Point it at a Temporal CLI binary, or unset it to use `temporal` on PATH or a cached build.',
    );
  }

  const onPath = await findOnPath('temporal', env.PATH);
  if (onPath) return onPath;

  const folder = temporalCliCacheFolder(env);
  const cached = path.join(folder, 'temporal');
  if (await isExecutableFile(cached)) return cached;

  const go =
    (await findOnPath('go', env.PATH)) ?? (await firstExecutable(['/usr/local/go/bin/go']));
  if (!go || opts.build === false) {
    throw new TemporalCliNotFoundError(
      [
        'The Temporal CLI was not found (needed to run the local Temporal dev server).',
        'Fix it in one of these ways:',
        `  - install Go (1.25 or newer) and run again: the CLI ${TEMPORAL_CLI_VERSION} is then built once into ${folder}`,
        '    (or build it now with `npx tsx src/infra/temporal-cli.ts`);',
        '  - set TEMPORAL_CLI to the path of a `temporal` binary, or put `temporal` on PATH;',
        '  - set TEMPORAL_ADDRESS to use an existing Temporal server instead of the dev server.',
        go
          ? '(Go is present, but building was disabled for this call.)'
          : '(Go was not found on PATH.)',
      ].join('\n'),
    );
  }
  return buildWithGo({ go, folder, env, log });
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function firstExecutable(candidates: string[]): Promise<string | undefined> {
  for (const c of candidates) if (await isExecutableFile(c)) return c;
  return undefined;
}

async function findOnPath(name: string, pathVar: string | undefined): Promise<string | undefined> {
  if (!pathVar) return undefined;
  const dirs = pathVar.split(path.delimiter).filter((d) => d.length > 0);
  return firstExecutable(dirs.map((d) => path.resolve(d, name)));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One builder at a time per cache folder: a lock file created with O_EXCL holds the builder's pid.
 * The binary is built into a private folder and renamed into place, so a reader never sees half a file.
 */
async function buildWithGo(args: {
  go: string;
  folder: string;
  env: Env;
  log: (m: string) => void;
}) {
  const { go, folder, env, log } = args;
  const target = path.join(folder, 'temporal');
  const lockFile = path.join(folder, '.build.lock');
  await fs.mkdir(folder, { recursive: true });

  let announcedWait = false;
  for (;;) {
    if (await isExecutableFile(target)) return target;
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(lockFile, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (handle) {
      try {
        await handle.writeFile(`${process.pid}\n${os.hostname()}\n`);
        await handle.close();
        // Another process may have finished between our check and taking the lock.
        if (await isExecutableFile(target)) return target;
        return await goInstall({ go, folder, target, env, log });
      } finally {
        await fs.rm(lockFile, { force: true });
      }
    }
    const holder = await readLockHolder(lockFile);
    if (holder && holder.host === os.hostname() && !isAlive(holder.pid)) {
      log(`Removing a stale Temporal CLI build lock left by process ${holder.pid}.`);
      await fs.rm(lockFile, { force: true });
      continue;
    }
    if (!announcedWait) {
      log(
        `Another process${holder ? ` (pid ${holder.pid})` : ''} is building the Temporal CLI ` +
          `${TEMPORAL_CLI_VERSION}; waiting for it to finish…`,
      );
      announcedWait = true;
    }
    await sleep(2000);
  }
}

async function readLockHolder(
  lockFile: string,
): Promise<{ pid: number; host: string } | undefined> {
  try {
    const [pid, host] = (await fs.readFile(lockFile, 'utf8')).split('\n');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, host: host ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

async function goInstall(args: {
  go: string;
  folder: string;
  target: string;
  env: Env;
  log: (m: string) => void;
}): Promise<string> {
  const { go, folder, target, env, log } = args;
  const spec = `${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`;
  const buildDir = path.join(folder, `.build-${process.pid}`);
  await fs.rm(buildDir, { recursive: true, force: true });
  await fs.mkdir(buildDir, { recursive: true });

  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first time only; this takes several minutes)…`,
  );
  log(`  ${go} install ${spec}  →  ${target}`);
  const started = Date.now();
  try {
    const baseEnv: Env = { ...process.env, ...env, GOBIN: buildDir };
    let result = await runGo(go, ['install', spec], baseEnv, log);
    if (result.code !== 0 && sumDbUnreachable(result.output) && baseEnv.GOSUMDB !== 'off') {
      log(
        'The Go checksum database is unreachable from here; retrying once with GOSUMDB=off ' +
          '(modules still come from the Go module proxy, but are not checked against sum.golang.org).',
      );
      result = await runGo(go, ['install', spec], { ...baseEnv, GOSUMDB: 'off' }, log);
    }
    if (result.code !== 0) {
      throw new TemporalCliNotFoundError(
        `Building the Temporal CLI failed (go install exited with ${result.code}). Last output:\n` +
          tail(result.output, 20) +
          '\nAlternatively set TEMPORAL_CLI to an existing binary, or TEMPORAL_ADDRESS to an existing server.',
      );
    }
    const built = path.join(buildDir, 'temporal');
    if (!(await isExecutableFile(built))) {
      throw new TemporalCliNotFoundError(`go install succeeded but ${built} is missing.`);
    }
    await fs.rename(built, target);
    log(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
    return target;
  } finally {
    await fs.rm(buildDir, { recursive: true, force: true });
  }
}

function sumDbUnreachable(output: string): boolean {
  // A real checksum mismatch must never be bypassed.
  if (/SECURITY ERROR|checksum mismatch/i.test(output)) return false;
  return /sum\.golang\.org|GOSUMDB|checksum database/i.test(output);
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function runGo(
  go: string,
  argv: string[],
  env: Env,
  log: (m: string) => void,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, argv, {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let pending = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(`  ${line}`);
    };
    // go prints nothing while it compiles; say that it is still working.
    const started = Date.now();
    const heartbeat = setInterval(() => {
      log(`  … still building (${Math.round((Date.now() - started) / 1000)} s)`);
    }, 30_000);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearInterval(heartbeat);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearInterval(heartbeat);
      if (pending.trim()) log(`  ${pending}`);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  findTemporalCli({ env: process.env }).then(
    (cli) => process.stdout.write(`${cli}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
