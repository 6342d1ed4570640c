/**
 * `npm run bench`: starts the embedded stack (src/bench/stack.ts), runs the sections of
 * src/bench/sections.ts in order, prints each figure beside the limit measured in the same run,
 * and writes docs/bench/latest.{json,md,svg}. A section that fails is reported as failed and the
 * run goes on; the exit code is 1 when any failed.
 *
 *   BENCH_SCALE=0.1 npm run bench -- --only registrations,events
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatNotes,
  formatTable,
  machineInfo,
  withRatio,
  writeReport,
  type BenchRun,
} from './report';
import { scaleOutSection } from './scale-out';
import { SECTIONS } from './sections';
import { startBenchStack, type RunningBenchStack } from './stack';
import type { BenchContext, BenchFigure } from './types';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Settings of the stack's children that the bench passes through when set (tuning runs). */
const PASS_THROUGH = [
  'DATABASE_POOL_MAX',
  'WORKER_MAX_CACHED_WORKFLOWS',
  'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  'WORKER_MAX_CONCURRENT_ACTIVITIES',
  // glibc's malloc arenas (the SDK's core allocates from many threads).
  'MALLOC_ARENA_MAX',
];

const USAGE = `Usage: npm run bench -- [--only <id>[,<id>...]] [--out <dir>] [--temporal dev|cluster]
  BENCH_SCALE   workload size (default 1; 0.1 for a quick look)
  --only        run only these sections (${SECTIONS.map((s) => s.id).join(', ')}; scale-out with --temporal cluster)
  --out         folder for latest.json, latest.md and latest.svg (default docs/bench, or
                docs/bench/cluster with --temporal cluster)
  --temporal    dev: the Temporal CLI dev server (default); cluster: the production-shaped cluster
                (Temporal server on PostgreSQL, services as separate processes; npm run cluster)`;

export interface BenchArgs {
  only?: string[];
  out: string;
  scale: number;
  temporal: 'dev' | 'cluster';
}

export function parseBenchArgs(argv: string[], env: Record<string, string | undefined>): BenchArgs {
  let only: string[] | undefined;
  let out: string | undefined;
  let temporal: BenchArgs['temporal'] = 'dev';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.slice('--only='.length) : argv[++i];
      if (!value) throw new UsageError('--only needs section ids');
      only = [...(only ?? []), ...value.split(',').filter(Boolean)];
    } else if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg.includes('=') ? arg.slice('--out='.length) : argv[++i];
      if (!value) throw new UsageError('--out needs a folder');
      out = path.resolve(value);
    } else if (arg === '--temporal' || arg.startsWith('--temporal=')) {
      const value = arg.includes('=') ? arg.slice('--temporal='.length) : argv[++i];
      if (value !== 'dev' && value !== 'cluster')
        throw new UsageError(`--temporal must be dev or cluster, not "${value ?? ''}"`);
      temporal = value;
    } else if (arg === '--help' || arg === '-h') {
      throw new UsageError('');
    } else {
      throw new UsageError(`unknown argument ${arg}`);
    }
  }
  const known = new Set(SECTIONS.map((s) => s.id));
  if (temporal === 'cluster') known.add(SCALE_OUT);
  else if (only?.includes(SCALE_OUT))
    throw new UsageError(`section ${SCALE_OUT} runs on the cluster only: add --temporal cluster`);
  const unknown = (only ?? []).filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`unknown section(s) ${unknown.join(', ')}`);
  const scale = Number(env.BENCH_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0)
    throw new UsageError(`BENCH_SCALE must be a positive number, not "${env.BENCH_SCALE}"`);
  // The cluster's figures are published beside the dev server's, not over them.
  out ??= path.join(ROOT, 'docs', 'bench', ...(temporal === 'cluster' ? ['cluster'] : []));
  return { only, out, scale, temporal };
}

class UsageError extends Error {}

/** Runs after the other sections, on the cluster only (it starts more worker processes). */
const SCALE_OUT = 'scale-out';

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `${err.message}\n` : ''}${USAGE}\n`);
    return err.message ? 2 : 0;
  }
  const sections = SECTIONS.filter((s) => !args.only || args.only.includes(s.id));
  const withScaleOut = args.temporal === 'cluster' && (!args.only || args.only.includes(SCALE_OUT));
  const began = performance.now();
  const stamp = () => `[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s]`;
  const log = (m: string) => process.stderr.write(`${stamp()} ${m}\n`);

  const childEnv = Object.fromEntries(
    PASS_THROUGH.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
  );
  if (Object.keys(childEnv).length)
    log(`bench: passing ${JSON.stringify(childEnv)} to worker and API`);
  log(
    `bench: starting the stack on the Temporal ${args.temporal === 'cluster' ? 'cluster' : 'dev server'} (BENCH_SCALE=${args.scale}; sections ${[...sections.map((s) => s.id), ...(withScaleOut ? [SCALE_OUT] : [])].join(', ')})`,
  );

  // Set once started, so a Ctrl-C during start-up or a section stops what is running.
  const running: { stack?: RunningBenchStack } = {};
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`bench: ${signal}; stopping the stack`);
    void (running.stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  // Calls of the interrupted section may still be retrying when the stack goes away.
  process.on('uncaughtException', (err) => {
    if (!interrupted) throw err;
    log(`bench: ignored while stopping: ${err.message}`);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date().toISOString();
  // BENCH_CPU_PROFILE=api,worker writes V8 CPU profiles of those processes to docs/bench/profiles.
  const profiled = (process.env.BENCH_CPU_PROFILE ?? '')
    .split(',')
    .filter((r): r is 'api' | 'worker' => r === 'api' || r === 'worker');
  // BENCH_SQLITE_PRAGMAS=cache_size=-65536,temp_store=memory tries dev-server pragmas.
  const sqlitePragmas = Object.fromEntries(
    (process.env.BENCH_SQLITE_PRAGMAS ?? '')
      .split(',')
      .filter((p) => p.includes('='))
      .map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()]),
  );
  if (Object.keys(sqlitePragmas).length)
    log(`bench: extra SQLite pragmas ${JSON.stringify(sqlitePragmas)}`);
  const stack = await startBenchStack({
    log,
    temporal: args.temporal,
    ...(Object.keys(sqlitePragmas).length ? { sqlitePragmas } : {}),
    workerEnv: childEnv,
    apiEnv: childEnv,
    ...(profiled.length
      ? { cpuProfile: { dir: path.join(args.out, 'profiles'), roles: profiled } }
      : {}),
  });
  running.stack = stack;
  if (withScaleOut) sections.push(scaleOutSection(stack.startExtraWorkers));
  const run: BenchRun = {
    startedAt,
    finishedAt: startedAt,
    scale: args.scale,
    machine: machineInfo(),
    sections: [],
    figures: [],
  };
  try {
    for (const section of sections) {
      const ctx: BenchContext = {
        scale: args.scale,
        progress: (m) => log(`${section.id}: ${m}`),
      };
      log(`== ${section.id}: ${section.title}`);
      const t0 = performance.now();
      try {
        const figures: BenchFigure[] = await section.run(stack, ctx);
        run.figures.push(...figures.map((f) => withRatio({ ...f, section: section.id })));
        run.sections.push({
          id: section.id,
          title: section.title,
          ok: true,
          seconds: secondsSince(t0),
        });
        log(`== ${section.id}: done in ${secondsSince(t0).toFixed(0)} s`);
      } catch (err) {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        run.sections.push({
          id: section.id,
          title: section.title,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
          seconds: secondsSince(t0),
        });
        log(`== ${section.id}: FAILED after ${secondsSince(t0).toFixed(0)} s\n${message}`);
      }
      if (interrupted) break;
    }
  } finally {
    log('bench: stopping the stack');
    await stack.stop();
  }
  run.finishedAt = new Date().toISOString();
  process.stdout.write(`\n${formatTable(run)}\n\n`);
  const notes = formatNotes(run);
  if (notes) process.stdout.write(`${notes}\n\n`);
  const written = await writeReport(run, args.out);
  log(
    `bench: wrote ${[written.json, written.markdown, written.svg].map((p) => path.relative(process.cwd(), p)).join(', ')}`,
  );
  return run.sections.some((s) => !s.ok) ? 1 : 0;
}

const secondsSince = (t0: number) => (performance.now() - t0) / 1000;

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `The bench could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
