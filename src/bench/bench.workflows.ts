/**
 * The bare Temporal workflow the latency section measures its limits with: sleep until a given
 * deadline, then run a number of sequential activities, each inserting one row. Bundled on its
 * own (bench-timers.ts) and run on the bench process's own worker and task queue.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BenchActivities } from './bench.activities';

export interface BenchChainInput {
  /** Row key the activities write under (one row per step). */
  key: string;
  /** Epoch milliseconds to sleep until. */
  deadline: number;
  /** Sequential activities after the deadline (1 = a bare timer observed through one insert). */
  steps: number;
}

// The same retry shape as the shipment workflow's database activities.
const { benchMark } = proxyActivities<BenchActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function benchChainWorkflow(input: BenchChainInput): Promise<void> {
  const wait = input.deadline - Date.now();
  if (wait > 0) await sleep(wait);
  for (let step = 1; step <= input.steps; step++) {
    await benchMark({ key: input.key, step });
  }
}
