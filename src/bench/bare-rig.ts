/**
 * The bare-Temporal reference the latency section measures against: bench.workflows.ts bundled on
 * its own, run by a worker inside the bench process on its own task queue, against the same dev
 * server and the same database as the stack. Its activities insert into `bench_marks`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { installRuntime } from '../services';
import { createBenchActivities } from './bench.activities';
import type { BenchChainInput } from './bench.workflows';
import { mapLimited, runTag } from './kit';
import type { BenchStack } from './types';

const WORKFLOWS_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'bench.workflows.ts',
);

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (msg: string, meta?: Record<string, unknown>) => console.error(msg, meta ?? ''),
};

export interface BareMark {
  key: string;
  step: number;
  at: number;
}

export interface BareRig {
  taskQueue: string;
  /** Starts one bench workflow per input (workflow id = `bench:<key>`). */
  start(inputs: readonly BenchChainInput[]): Promise<void>;
  /** Rows written so far for keys starting with `prefix`, at `step` (the row's commit clock). */
  marks(prefix: string, step: number): Promise<BareMark[]>;
  stop(): Promise<void>;
}

export async function startBareRig(stack: BenchStack): Promise<BareRig> {
  const sql = stack.database.sql;
  await sql`create table if not exists bench_marks (
    key text not null,
    step integer not null,
    at timestamptz not null default clock_timestamp(),
    primary key (key, step)
  )`;
  // Warnings only, and no signal handlers of the SDK's own (the bench handles Ctrl-C).
  installRuntime();
  const taskQueue = `bench-bare-${runTag()}`;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: stack.namespace,
    taskQueue,
    workflowBundle,
    activities: createBenchActivities(sql),
  });
  const running = worker.run();
  // A client without the stack's payload codec: these workflows carry nothing private.
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.namespace });

  return {
    taskQueue,
    async start(inputs) {
      await mapLimited(inputs, 16, async (input) => {
        await client.workflow.start('benchChainWorkflow', {
          taskQueue,
          workflowId: `bench:${input.key}`,
          args: [input],
        });
      });
    },
    async marks(prefix, step) {
      const rows = await sql<BareMark[]>`
        select key, step, (extract(epoch from at) * 1000)::float8 as at from bench_marks
        where key like ${`${prefix}%`} and step = ${step}`;
      return rows.map((r) => ({ key: r.key, step: r.step, at: Number(r.at) }));
    },
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await sql`drop table if exists bench_marks`;
    },
  };
}
