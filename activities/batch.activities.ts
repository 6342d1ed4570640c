import { Context } from '@temporalio/activity';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ReviewDecisionOutcome } from '../workflows/batch-review.contract';
import {
  reviewUpdate,
  shipmentWorkflowId,
  stateQuery,
  type ReviewInput,
  type ShipmentState,
} from '../workflows/shipment.contract';

/** Activities of the batch review workflow; they reach other workflows with the worker's client. */
export function createBatchActivities() {
  return {
    /**
     * Takes one decision through the shipment workflow's `review` update, with the same update id
     * the API uses for that review round, so a decision sent twice (API and batch, or a retried
     * batch) is taken once. Refusals come back as data for the batch to report.
     */
    async applyReviewDecision(
      input: ReviewInput & { shipmentId: string },
    ): Promise<ReviewDecisionOutcome> {
      const handle: WorkflowHandle = Context.current().client.workflow.getHandle(
        shipmentWorkflowId(input.shipmentId),
      );
      const notFound = (): ReviewDecisionOutcome => ({
        ok: false,
        code: 'shipment.not_found',
        message: `There is no workflow for shipment "${input.shipmentId}".`,
      });
      let state: ShipmentState;
      try {
        state = await handle.query(stateQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return notFound();
        throw err;
      }
      if (state.stage !== 'awaiting_review') {
        const last = state.review;
        if (last && last.decision === input.decision && last.reviewer === input.reviewer) {
          return { ok: true, stage: state.stage, duplicate: true };
        }
        return {
          ok: false,
          code: 'review.not_awaiting',
          message: `Shipment "${input.shipmentId}" is not awaiting review: it is in stage ${state.stage}.`,
        };
      }
      const decision: ReviewInput = {
        decision: input.decision,
        reviewer: input.reviewer,
        ...(input.note !== undefined ? { note: input.note } : {}),
      };
      try {
        const result = await handle.executeUpdate(reviewUpdate, {
          args: [decision],
          updateId: `review:${input.shipmentId}:${state.reviewRound}`,
        });
        if (result.decision !== input.decision) {
          return {
            ok: false,
            code: 'review.not_awaiting',
            message: `Another decision (${result.decision}) was taken for this review.`,
          };
        }
        return { ok: true, stage: result.stage, duplicate: result.duplicate };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return notFound();
        if (err instanceof WorkflowUpdateFailedError) {
          // The workflow's validator refused (review closed meanwhile, unknown decision…).
          const cause = err.cause;
          return {
            ok: false,
            code:
              cause instanceof ApplicationFailure && cause.type
                ? cause.type
                : 'review.not_awaiting',
            message: cause?.message ?? err.message,
          };
        }
        throw err;
      }
    },
  };
}
