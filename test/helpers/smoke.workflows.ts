/**
 * Tiny workflows that check what the project relies on from the Temporal server itself
 * (search attributes, Updates with validators, dynamic config). Used by
 * test/workflow/temporal-server.test.ts; bundled separately from the real workflows.
 */
import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { searchAttributes } from '../../workflows/shipment.contract';

export const stageSignal = defineSignal<[string]>('smokeStage');
export const finishSignal = defineSignal('smokeFinish');
export const decideUpdate = defineUpdate<string, [string]>('smokeDecide');
export const decisionsQuery = defineQuery<string[]>('smokeDecisions');

export const SMOKE_DECISIONS = ['reship', 'refund'];

/** Upserts the stage it is told, with the declared value, then waits to be finished. */
export async function searchAttributesSmoke(declaredValue: number): Promise<void> {
  let done = false;
  setHandler(stageSignal, (stage) => {
    upsertSearchAttributes([
      { key: searchAttributes.stage, value: stage },
      { key: searchAttributes.declaredValue, value: declaredValue },
    ]);
  });
  setHandler(finishSignal, () => {
    done = true;
  });
  await condition(() => done);
}

/** Accepts known decisions through an Update whose validator rejects anything else. */
export async function updateSmoke(): Promise<string[]> {
  const decisions: string[] = [];
  let done = false;
  setHandler(
    decideUpdate,
    (decision) => {
      decisions.push(decision);
      return `accepted ${decision}`;
    },
    {
      validator: (decision) => {
        if (!SMOKE_DECISIONS.includes(decision)) {
          throw ApplicationFailure.nonRetryable(`unknown decision ${decision}`, 'smoke.invalid');
        }
      },
    },
  );
  setHandler(decisionsQuery, () => decisions);
  setHandler(finishSignal, () => {
    done = true;
  });
  await condition(() => done);
  return decisions;
}

/** Grows its history with batches of short timers until the server suggests continue-as-new. */
export async function continueAsNewSmoke(
  maxTimers: number,
): Promise<{ suggested: boolean; historyLength: number }> {
  // Timers fire at about one-second granularity, so they run ten at a time.
  for (
    let started = 0;
    started < maxTimers && !workflowInfo().continueAsNewSuggested;
    started += 10
  ) {
    await Promise.all(Array.from({ length: 10 }, () => sleep(1)));
  }
  return {
    suggested: workflowInfo().continueAsNewSuggested,
    historyLength: workflowInfo().historyLength,
  };
}
