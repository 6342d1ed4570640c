import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { prepareDatabase } from '../../src/services';
import '../helpers/provided';
import {
  DEFAULT_MAX_CACHED_WORKFLOWS,
  workerCapacityFromConfig,
  workerTuning,
} from '../../src/worker';

const tuningFromEnv = (env: Record<string, string>) =>
  workerTuning(workerCapacityFromConfig(loadConfig(env)));

describe('worker capacity from configuration', () => {
  it('a worker configured with nothing keeps 100 cached workflows and the SDK slot counts', () => {
    expect(tuningFromEnv({})).toEqual({
      maxCachedWorkflows: 100,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentWorkflowTaskPolls: 20,
      maxConcurrentActivityTaskExecutions: 100,
    });
  });

  it('each WORKER_* variable sets its SDK option, with pollers at half the workflow task slots', () => {
    expect(
      tuningFromEnv({
        WORKER_MAX_CACHED_WORKFLOWS: '2000',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '120',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '250',
      }),
    ).toEqual({
      maxCachedWorkflows: 2000,
      maxConcurrentWorkflowTaskExecutions: 120,
      maxConcurrentWorkflowTaskPolls: 60,
      maxConcurrentActivityTaskExecutions: 250,
    });
  });

  it('a worker built without capacity options leaves the slot options to the SDK', () => {
    expect(workerTuning()).toEqual({ maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS });
    expect(workerTuning({ maxConcurrentActivities: 7 })).toEqual({
      maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivityTaskExecutions: 7,
    });
  });

  it('a cache of 0 turns sticky execution off rather than falling back to the default', () => {
    expect(tuningFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).maxCachedWorkflows).toBe(0);
  });

  it('pollers stay within what the SDK accepts: at least 2 and never more than the task slots', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10_000 }), (tasks) => {
        const t = workerTuning({ maxConcurrentWorkflowTasks: tasks });
        expect(t.maxConcurrentWorkflowTaskExecutions).toBe(tasks);
        expect(t.maxConcurrentWorkflowTaskPolls).toBeGreaterThanOrEqual(2);
        expect(t.maxConcurrentWorkflowTaskPolls).toBeLessThanOrEqual(tasks);
        expect(t.maxConcurrentWorkflowTaskPolls).toBe(Math.max(2, Math.floor(tasks / 2)));
      }),
    );
  });

  it('refuses values the SDK would refuse at start, naming the variable', () => {
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/,
    );
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(
      /WORKER_MAX_CONCURRENT_ACTIVITIES/,
    );
  });
});

describe('database pool from configuration', () => {
  it('DATABASE_POOL_MAX is the size of the pool a role prepares', async () => {
    const config = loadConfig({ DATABASE_POOL_MAX: '3' });
    const database = await prepareDatabase(inject('databaseUrl'), {
      poolMax: config.databasePoolMax,
    });
    try {
      expect(database.sql.options.max).toBe(3);
      // All three connections can be held at once.
      const held = await Promise.all([1, 2, 3].map(() => database.sql.reserve().then((c) => c)));
      const pids = await Promise.all(
        held.map(async (c) => (await c`select pg_backend_pid() as pid`)[0]!.pid),
      );
      expect(new Set(pids).size).toBe(3);
      held.forEach((c) => c.release());
    } finally {
      await database.close();
    }
    expect(loadConfig({}).databasePoolMax).toBe(10);
  });
});
