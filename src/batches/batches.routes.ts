import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { Router } from 'express';
import { requirePermission } from '../http/auth';
import { parseBody, parseParams } from '../http/validate';
import { workflowUnavailable } from '../shipments/shipments.errors';
import {
  BATCH_REVIEW_WORKFLOW_TYPE,
  batchProgressQuery,
  batchReviewWorkflowId,
  type BatchReviewInput,
} from '../../workflows/batch-review.contract';
import { batchConflict, batchNotFound } from './batches.errors';
import { batchBody, batchParams } from './batches.schemas';

/** Fingerprint of the decisions: the same batchId with the same decisions is a retry. */
function decisionsHash(decisions: BatchReviewInput['decisions']): string {
  return createHash('sha256').update(JSON.stringify(decisions)).digest('hex');
}

export function batchesRouter(deps: {
  temporal: Client;
  taskQueue: string;
  queryTimeoutMs?: number;
}) {
  const { temporal, taskQueue } = deps;
  const queryTimeoutMs = deps.queryTimeoutMs ?? 5_000;
  const router = Router();

  router.post('/v1/reviews\\:batch', requirePermission('decide'), async (req, res) => {
    const body = parseBody(req, batchBody);
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
    res
      .status(202)
      .location(`/v1/reviews:batch/${encodeURIComponent(batchId)}`)
      .json({ batchId, workflowId, total: decisions.length });
  });

  router.get('/v1/reviews\\:batch/:id', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, batchParams);
    try {
      const progress = await temporal.withDeadline(Date.now() + queryTimeoutMs, () =>
        temporal.workflow.getHandle(batchReviewWorkflowId(id)).query(batchProgressQuery),
      );
      res.json(progress);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw batchNotFound(id);
      throw workflowUnavailable(`The progress of batch "${id}" cannot be read now; try again.`);
    }
  });

  return router;
}
