/**
 * The continue-as-new latch (workflows/history-pressure.ts): only activations the history places
 * set it. An activation that carries only a local activity's result or a query can belong to a
 * later task live than on replay, so its flag must not change what the run does.
 */
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Activate = NonNullable<NonNullable<WorkflowInterceptors['internals']>[number]['activate']>;
type Job = { variant: string } & Record<string, unknown>;

/** A fresh module (the latch is per run: each run gets its own module state in the sandbox). */
async function freshLatch() {
  vi.resetModules();
  const mod = await import('../../workflows/history-pressure');
  const internals = mod.interceptors().internals!;
  const activate = internals[0]!.activate! as Activate;
  const next = vi.fn();
  return {
    suggested: mod.continueAsNewSuggested,
    activation(flag: boolean, ...jobs: Job[]) {
      activate(
        { activation: { continueAsNewSuggested: flag, jobs: jobs as never }, batchIndex: 0 },
        next,
      );
    },
    next,
  };
}

const signal: Job = { variant: 'signalWorkflow', signalWorkflow: { signalName: 'trackingEvents' } };
const timer: Job = { variant: 'fireTimer', fireTimer: { seq: 3 } };
const localResult: Job = {
  variant: 'resolveActivity',
  resolveActivity: { seq: 1, isLocal: true, result: {} },
};
const activityResult: Job = {
  variant: 'resolveActivity',
  resolveActivity: { seq: 2, isLocal: false, result: {} },
};
const query: Job = { variant: 'queryWorkflow', queryWorkflow: { queryType: 'state' } };

describe('the continue-as-new latch', () => {
  beforeEach(() => vi.resetModules());

  it('ignores the flag on an activation with only a local activity result', async () => {
    const latch = await freshLatch();
    latch.activation(false, signal);
    latch.activation(true, localResult);
    expect(latch.suggested()).toBe(false);
    expect(latch.next).toHaveBeenCalledTimes(2);
  });

  it('ignores the flag on queries and on patch notices', async () => {
    const latch = await freshLatch();
    latch.activation(true, query);
    latch.activation(true, { variant: 'notifyHasPatch', notifyHasPatch: { patchId: 'x' } });
    expect(latch.suggested()).toBe(false);
  });

  it('takes the flag from a signal, a timer or a regular activity, and keeps it', async () => {
    for (const placed of [signal, timer, activityResult]) {
      const latch = await freshLatch();
      latch.activation(true, placed);
      expect(latch.suggested(), placed.variant).toBe(true);
      latch.activation(false, localResult);
      expect(latch.suggested()).toBe(true);
    }
  });

  it('takes it from a placed job that shares the activation with a local result', async () => {
    const latch = await freshLatch();
    latch.activation(true, localResult, signal);
    expect(latch.suggested()).toBe(true);
  });

  it('keeps workflow time at the last placed activation while only local results arrive', async () => {
    const g = globalThis as { __TEMPORAL_ACTIVATOR__?: { now: number } };
    const activator = { now: 1_000 };
    g.__TEMPORAL_ACTIVATOR__ = activator;
    try {
      const latch = await freshLatch();
      latch.activation(false, signal);
      // The next task's time (as the SDK sets it before the activation): the code after the
      // local activity still sees the time of the signal's task, as a replay does.
      activator.now = 9_000;
      latch.activation(false, localResult);
      expect(activator.now).toBe(1_000);
      // A placed activation moves time on.
      activator.now = 12_000;
      latch.activation(false, timer);
      expect(activator.now).toBe(12_000);
      // A query leaves time alone.
      activator.now = 13_000;
      latch.activation(false, query);
      expect(activator.now).toBe(13_000);
    } finally {
      delete g.__TEMPORAL_ACTIVATOR__;
    }
  });
});
