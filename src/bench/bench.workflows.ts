/**
 * The bare Temporal workflow the latency section measures its limits with: sleep until a given
 * deadline, then run a plan of steps, each the plain Temporal way: an activity that inserts one
 * row, a timer, a child workflow started. Bundled on its own (bare-rig.ts) and run on the
 * bench process's own worker and task queue.
 */
import {
  ParentClosePolicy,
  proxyActivities,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { BenchActivities } from './bench.activities';

/**
 * One server-visible step: an activity that inserts one row; a timer of the given length; a
 * child workflow started (and not waited for); or the rest of the plan handed to a child workflow
 * (as the shipment workflow hands its claim to the claim workflow).
 */
export type BenchStep =
  { insert: true } | { sleepMs: number } | { spawn: true } | { handOff: true };

export interface BenchChainInput {
  /** Row key the activities write under (one row per insert, numbered from `firstStep`). */
  key: string;
  /** Epoch milliseconds to sleep until (0: start at once). */
  deadline: number;
  /** Sequential inserts after the deadline, when there is no `plan` (1 = a bare timer observed). */
  steps: number;
  /** The steps after the deadline, in order; overrides `steps`. */
  plan?: BenchStep[];
  /** The number of the first insert (a handed-off rest goes on counting). */
  firstStep?: number;
}

// The same retry shape as the shipment workflow's database activities.
const { benchMark } = proxyActivities<BenchActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** How many inserts a plan holds: the number of the last row a full run writes. */
export const planInserts = (plan: readonly BenchStep[]) => plan.filter((s) => 'insert' in s).length;

export async function benchChainWorkflow(input: BenchChainInput): Promise<void> {
  const wait = input.deadline - Date.now();
  if (wait > 0) await sleep(wait);
  const plan: BenchStep[] =
    input.plan ?? Array.from({ length: input.steps }, () => ({ insert: true }));
  const { workflowId } = workflowInfo();
  let step = input.firstStep ?? 1;
  for (let i = 0; i < plan.length; i++) {
    const s = plan[i]!;
    if ('insert' in s) {
      await benchMark({ key: input.key, step: step++ });
    } else if ('sleepMs' in s) {
      await sleep(Math.max(1, s.sleepMs));
    } else {
      const handOff = 'handOff' in s;
      await startChild(benchChainWorkflow, {
        workflowId: `${workflowId}:${handOff ? 'rest' : `child${i}`}`,
        args: [
          handOff
            ? { key: input.key, deadline: 0, steps: 0, plan: plan.slice(i + 1), firstStep: step }
            : { key: `${input.key}:child${i}`, deadline: 0, steps: 0 },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      if (handOff) return;
    }
  }
}
