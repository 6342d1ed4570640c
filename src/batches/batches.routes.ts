import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { route, type RouteSpec } from '../http/route';
import { workflowUnavailable } from '../shipments/shipments.errors';
import {
  BATCH_REVIEW_WORKFLOW_TYPE,
  batchProgressQuery,
  batchReviewWorkflowId,
  type BatchReviewInput,
} from '../../workflows/batch-review.contract';
import { batchConflict, batchNotFound } from './batches.errors';
import {
  batchAcceptedResponse,
  batchBody,
  batchParams,
  batchProgressResponse,
} from './batches.schemas';

/** Fingerprint of the decisions: the same batchId with the same decisions is a retry. */
function decisionsHash(decisions: BatchReviewInput['decisions']): string {
  return createHash('sha256').update(JSON.stringify(decisions)).digest('hex');
}

export function batchesRoutes(deps: {
  temporal: Client;
  taskQueue: string;
  queryTimeoutMs?: number;
}): RouteSpec[] {
  const { temporal, taskQueue } = deps;
  const queryTimeoutMs = deps.queryTimeoutMs ?? 5_000;

  const start = route({
    method: 'post',
    path: '/v1/reviews:batch',
    access: 'decide',
    operationId: 'decideReviewBatch',
    tag: 'Reviews',
    summary: 'Decide up to 500 reviews as one batch workflow (ops); the same batchId is a retry',
    body: batchBody,
    answer: {
      status: 202,
      description: '{batchId, workflowId, total}',
      schema: batchAcceptedResponse,
    },
    responses: { '409': 'The batchId was used for other decisions' },
    handler: async ({ req, res, body }) => {
      const batchId = body.batchId ?? randomUUID();
      const decisions = body.decisions.map((d) => ({
        shipmentId: d.shipmentId,
        decision: d.decision,
        reviewer: d.reviewer,
        ...(d.note !== undefined ? { note: d.note } : {}),
      }));
      const input: BatchReviewInput = { batchId, decisions, requestedBy: req.role };
      const workflowId = batchReviewWorkflowId(batchId);
      const hash = decisionsHash(decisions);
      try {
        await temporal.workflow.start(BATCH_REVIEW_WORKFLOW_TYPE, {
          workflowId,
          taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { decisionsHash: hash },
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const described = await temporal.workflow.getHandle(workflowId).describe();
        if (described.memo?.decisionsHash !== hash) throw batchConflict(batchId);
      }
      res.location(`/v1/reviews:batch/${encodeURIComponent(batchId)}`);
      return { batchId, workflowId, total: decisions.length };
    },
  });

  const progress = route({
    method: 'get',
    path: '/v1/reviews:batch/{id}',
    access: 'read',
    operationId: 'getReviewBatch',
    tag: 'Reviews',
    summary: 'Progress of a batch: {total, done, succeeded, failed, items}',
    params: batchParams,
    answer: { description: 'The progress', schema: batchProgressResponse },
    responses: { '404': 'Unknown batch' },
    handler: async ({ params: { id } }) => {
      try {
        return await temporal.withDeadline(Date.now() + queryTimeoutMs, () =>
          temporal.workflow.getHandle(batchReviewWorkflowId(id)).query(batchProgressQuery),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw batchNotFound(id);
        throw workflowUnavailable(`The progress of batch "${id}" cannot be read now; try again.`);
      }
    },
  });

  return [start, progress];
}
