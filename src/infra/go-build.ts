/**
 * Builds Go programs from the Go module proxy into the project's cache folder, once per machine:
 * the Temporal CLI (temporal-cli.ts) and the Temporal server with its SQL tool (temporal-cluster.ts).
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type Env = Record<string, string | undefined>;

export async function isExecutableFile(file: string): Promise<boolean> {
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

export async function findOnPath(
  name: string,
  pathVar: string | undefined,
): Promise<string | undefined> {
  if (!pathVar) return undefined;
  const dirs = pathVar.split(path.delimiter).filter((d) => d.length > 0);
  return firstExecutable(dirs.map((d) => path.resolve(d, name)));
}

/** `go` on PATH, else the default install location of the official tarball. */
export async function findGo(env: Env): Promise<string | undefined> {
  return (await findOnPath('go', env.PATH)) ?? (await firstExecutable(['/usr/local/go/bin/go']));
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

/** One `go install <spec>`: `binary` is the name go gives it, `target` where it ends up. */
export interface GoProgram {
  spec: string;
  binary: string;
  target: string;
}

export interface GoBuildOptions {
  go: string;
  /** Cache folder holding the targets, the lock file and the private build folders. */
  folder: string;
  programs: GoProgram[];
  /** What is built, for progress lines ("the Temporal CLI v1.5.1"). */
  what: string;
  /** A sentence appended to a failure: the other ways to get going. */
  alternatives: string;
  env: Env;
  log: (m: string) => void;
  /** Wraps failure messages in the caller's error type. */
  fail: (message: string) => Error;
}

/**
 * One builder at a time per cache folder: a lock file created with O_EXCL holds the builder's pid.
 * Each binary is built into a private folder and renamed into place, so a reader never sees half
 * a file. Resolves once every target exists.
 */
export async function buildGoPrograms(opts: GoBuildOptions): Promise<void> {
  const { folder, programs, log } = opts;
  const lockFile = path.join(folder, '.build.lock');
  await fs.mkdir(folder, { recursive: true });
  const allBuilt = async () => {
    for (const p of programs) if (!(await isExecutableFile(p.target))) return false;
    return true;
  };

  let announcedWait = false;
  for (;;) {
    if (await allBuilt()) return;
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
        for (const program of programs) {
          if (!(await isExecutableFile(program.target))) await goInstall(opts, program);
        }
        return;
      } finally {
        await fs.rm(lockFile, { force: true });
      }
    }
    const holder = await readLockHolder(lockFile);
    if (holder && holder.host === os.hostname() && !isAlive(holder.pid)) {
      log(`Removing a stale build lock left by process ${holder.pid} in ${folder}.`);
      await fs.rm(lockFile, { force: true });
      continue;
    }
    if (!announcedWait) {
      log(
        `Another process${holder ? ` (pid ${holder.pid})` : ''} is building ${opts.what}; ` +
          'waiting for it to finish…',
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

async function goInstall(opts: GoBuildOptions, program: GoProgram): Promise<void> {
  const { go, folder, env, log, fail } = opts;
  const buildDir = path.join(folder, `.build-${process.pid}`);
  await fs.rm(buildDir, { recursive: true, force: true });
  await fs.mkdir(buildDir, { recursive: true });

  log(
    `Building ${opts.what} (${program.binary}) with go install (first time only; this takes several minutes)…`,
  );
  log(`  ${go} install ${program.spec}  →  ${program.target}`);
  const started = Date.now();
  try {
    const baseEnv: Env = { ...process.env, ...env, GOBIN: buildDir };
    let result = await runGo(go, ['install', program.spec], baseEnv, log);
    if (result.code !== 0 && sumDbUnreachable(result.output) && baseEnv.GOSUMDB !== 'off') {
      log(
        'The Go checksum database is unreachable from here; retrying once with GOSUMDB=off ' +
          '(modules still come from the Go module proxy, but are not checked against sum.golang.org).',
      );
      result = await runGo(go, ['install', program.spec], { ...baseEnv, GOSUMDB: 'off' }, log);
    }
    if (result.code !== 0) {
      throw fail(
        `Building ${opts.what} failed (go install ${program.spec} exited with ${result.code}). ` +
          `Last output:\n${tail(result.output, 20)}\n${opts.alternatives}`,
      );
    }
    const built = path.join(buildDir, program.binary);
    if (!(await isExecutableFile(built))) {
      throw fail(`go install succeeded but ${built} is missing.`);
    }
    await fs.rename(built, program.target);
    log(
      `${program.binary} built in ${Math.round((Date.now() - started) / 1000)} s: ${program.target}`,
    );
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
