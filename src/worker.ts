import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { Config } from './config';

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

/** The shipment worker: workflows and activities on one task queue. */
export async function createShipmentWorker(opts: ShipmentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    dataConverter: opts.dataConverter,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH }),
    ...workerTuning(opts),
  });
}
