import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ActivityInboundCallsInterceptor,
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { Config } from './config';
import { scrubError } from './logger';

const WORKFLOWS_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'workflows',
  'index.ts',
);

/** Bundles the workflow code once (webpack); pass the result to every worker. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
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

/** Many parcels wait for weeks: a modest sticky cache keeps memory flat however many are open. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;

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
  workflowBundle?: WorkflowBundle;
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
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH }),
    ...workerTuning(opts),
  });
}
