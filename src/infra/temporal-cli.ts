/**
 * Finds the Temporal CLI binary that runs the dev server, building it with `go install` when needed.
 * Order: TEMPORAL_CLI → `temporal` on PATH → cached build → go install (first time only) → error.
 * Runnable as a script: `tsx src/infra/temporal-cli.ts` prints the path (building it if needed).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir } from '../config';
import { buildGoPrograms, findGo, findOnPath, isExecutableFile, type Env } from './go-build';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

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

  const go = await findGo(env);
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

/** Builds the CLI into its cache folder (one builder at a time; see go-build.ts). */
async function buildWithGo(args: {
  go: string;
  folder: string;
  env: Env;
  log: (m: string) => void;
}): Promise<string> {
  const target = path.join(args.folder, 'temporal');
  await buildGoPrograms({
    ...args,
    programs: [
      { spec: `${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`, binary: 'temporal', target },
    ],
    what: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    alternatives:
      'Alternatively set TEMPORAL_CLI to an existing binary, or TEMPORAL_ADDRESS to an existing server.',
    fail: (message) => new TemporalCliNotFoundError(message),
  });
  return target;
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
