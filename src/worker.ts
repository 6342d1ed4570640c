import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ActivityInboundCallsInterceptor,
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundle,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { createActivities } from '../activities';
import { cacheDir, type Config } from './config';
import { scrubError } from './logger';

const WORKFLOWS_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'workflows',
  'index.ts',
);

/** The workflow interceptor that latches the continue-as-new suggestion (see the module). */
const HISTORY_PRESSURE_PATH = path.join(path.dirname(WORKFLOWS_PATH), 'history-pressure.ts');

/** Bundles the workflow code once (webpack); pass the result to every worker. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [HISTORY_PRESSURE_PATH],
    logger: quietBundlerLogger,
  });
}

const WORKFLOWS_DIR = path.dirname(WORKFLOWS_PATH);

/** What a bundle is built from: every workflow source file and the SDK that bundles it. */
async function bundleKey(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await fs.readdir(WORKFLOWS_DIR, { recursive: true }))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  for (const file of files) {
    hash
      .update(file)
      .update('\0')
      .update(await fs.readFile(path.join(WORKFLOWS_DIR, file)));
  }
  const require = createRequire(import.meta.url);
  const sdk = require('@temporalio/worker/package.json') as { version: string };
  hash.update(`@temporalio/worker@${sdk.version}`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The workflow bundle for this code, built once and kept in the cache folder: a worker loads the
 * file instead of running webpack at every start (seconds of CPU and a heap that stays larger).
 * The file is keyed by the sources, so changed workflows get a new bundle. Where the folder
 * cannot be written, the worker bundles in memory as before.
 */
export async function cachedWorkflowBundle(
  env: Record<string, string | undefined> = process.env,
): Promise<WorkflowBundleOption> {
  const folder = path.join(cacheDir(env), 'workflow-bundles');
  const codePath = path.join(folder, `shipments-${await bundleKey()}.js`);
  try {
    await fs.access(codePath);
    return { codePath };
  } catch {
    // Not built yet for this code.
  }
  const bundle = await bundleWorkflows();
  try {
    await fs.mkdir(folder, { recursive: true });
    // Written aside and renamed: a worker starting at the same time never reads half a file.
    const partial = `${codePath}.${process.pid}.partial`;
    await fs.writeFile(partial, bundle.code);
    await fs.rename(partial, codePath);
    return { codePath };
  } catch {
    return bundle;
  }
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (msg: string, meta?: Record<string, unknown>) => console.warn(msg, meta ?? ''),
  error: (msg: string, meta?: Record<string, unknown>) => console.error(msg, meta ?? ''),
};

/** How much one worker takes on at once; unset fields keep the defaults (see `workerTuning`). */
export interface WorkerCapacity {
  /** Sticky cache size: memory grows with this, not with the number of open shipments. */
  maxCachedWorkflows?: number;
  /** Workflow task slots (the SDK's default is 40). */
  maxConcurrentWorkflowTasks?: number;
  /** Activity slots (the SDK's default is 100). */
  maxConcurrentActivities?: number;
}

/**
 * Sized by what idle shipments need: nothing. A parcel waits days between scans, and a cached
 * workflow that waits only costs memory (about 0.5 MB each, measured by the bench's memory
 * section: 500 cached added 233 MB). The cache has to hold the shipments that get another task
 * within seconds (a first phase, a detection chain, a decision being carried out); an evicted
 * one replays its short history when it wakes.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

/**
 * The SDK worker options of a capacity. Pure, so the mapping is tested without a worker. Workflow
 * task pollers are half the task slots (the SDK's guidance; at least 2, which it requires).
 */
export function workerTuning(capacity: WorkerCapacity = {}) {
  const tasks = capacity.maxConcurrentWorkflowTasks;
  return {
    maxCachedWorkflows: capacity.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    ...(tasks === undefined
      ? {}
      : {
          maxConcurrentWorkflowTaskExecutions: tasks,
          maxConcurrentWorkflowTaskPolls: Math.min(tasks, Math.max(2, Math.floor(tasks / 2))),
        }),
    ...(capacity.maxConcurrentActivities === undefined
      ? {}
      : { maxConcurrentActivityTaskExecutions: capacity.maxConcurrentActivities }),
  } satisfies Partial<WorkerOptions>;
}

/** WORKER_MAX_CACHED_WORKFLOWS, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, WORKER_MAX_CONCURRENT_ACTIVITIES. */
export function workerCapacityFromConfig(
  config: Pick<
    Config,
    | 'workerMaxCachedWorkflows'
    | 'workerMaxConcurrentWorkflowTasks'
    | 'workerMaxConcurrentActivities'
  >,
): Required<WorkerCapacity> {
  return {
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    maxConcurrentWorkflowTasks: config.workerMaxConcurrentWorkflowTasks,
    maxConcurrentActivities: config.workerMaxConcurrentActivities,
  };
}

export interface ShipmentWorkerOptions extends WorkerCapacity {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ReturnType<typeof createActivities>;
  workflowBundle?: WorkflowBundleOption;
  /**
   * Payload encryption (see src/temporal/payload-codec.ts): the same as every client's, from
   * PAYLOAD_KEY. Required so no worker is built without thinking about it; only the history
   * recorder passes `{}` on purpose (its histories are plaintext test fixtures).
   */
  dataConverter: DataConverter;
}

/**
 * An activity's failure leaves the worker whole: its message and stack go into the workflow's
 * history in plain text (only payloads are encrypted) and into the SDK's log. A failed query's
 * message holds every parameter (drizzle: "Failed query: … params: <name>,<e-mail>,<street>"), so
 * it is rewritten first (src/logger.ts scrubError); the error's type, code and causes stay, and
 * so does whether it is retried.
 */
export const scrubActivityFailures: ActivityInboundCallsInterceptor = {
  async execute(input, next) {
    try {
      return await next(input);
    } catch (err) {
      throw scrubError(err);
    }
  },
};

/** The shipment worker: workflows and activities on one task queue. */
export async function createShipmentWorker(opts: ShipmentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    interceptors: { activity: [() => ({ inbound: scrubActivityFailures })] },
    dataConverter: opts.dataConverter,
    workflowBundle: opts.workflowBundle ?? (await cachedWorkflowBundle()),
    ...workerTuning(opts),
  });
}
