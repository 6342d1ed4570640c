/**
 * Carries out a batch of review decisions: each goes to its shipment workflow's `review` update
 * (from an activity: updates to other workflows go through the client), a bounded number at a
 * time. One failure is reported on its item and never holds up the rest.
 */
import { ActivityFailure, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  batchProgressQuery,
  DEFAULT_BATCH_CONCURRENCY,
  type BatchItem,
  type BatchProgress,
  type BatchReviewInput,
} from './batch-review.contract';

type Activities = ReturnType<typeof createActivities>;

/** A decision waits for the shipment workflow to take it; transient failures get a few retries. */
const review = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
  },
});

export async function batchReviewWorkflow(input: BatchReviewInput): Promise<BatchProgress> {
  const items: BatchItem[] = input.decisions.map((d) => ({
    shipmentId: d.shipmentId,
    decision: d.decision,
    status: 'pending',
  }));
  const progress = (): BatchProgress => {
    const succeeded = items.filter((i) => i.status === 'succeeded').length;
    const failed = items.filter((i) => i.status === 'failed').length;
    return {
      batchId: input.batchId,
      total: items.length,
      done: succeeded + failed,
      succeeded,
      failed,
      finished: succeeded + failed === items.length,
      items,
    };
  };
  setHandler(batchProgressQuery, progress);

  /** One decision, whatever happens to it, ends up on its item. */
  const decide = async (index: number) => {
    const d = input.decisions[index]!;
    const item = items[index]!;
    item.status = 'running';
    try {
      const outcome = await review.applyReviewDecision({
        shipmentId: d.shipmentId,
        decision: d.decision,
        reviewer: d.reviewer,
        ...(d.note !== undefined ? { note: d.note } : {}),
      });
      if (outcome.ok) {
        item.status = 'succeeded';
        item.stage = outcome.stage;
        item.duplicate = outcome.duplicate;
      } else {
        item.status = 'failed';
        item.error = { code: outcome.code, message: outcome.message };
      }
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      item.status = 'failed';
      item.error = { code: 'batch.item_failed', message: err.cause?.message ?? err.message };
    }
  };

  // A fixed pool of lanes, each taking the next decision: at most `concurrency` in flight.
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await decide(index);
    }
  };
  const concurrency = Math.max(1, Math.min(input.concurrency ?? DEFAULT_BATCH_CONCURRENCY, 64));
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return progress();
}
