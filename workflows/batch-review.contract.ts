/**
 * The batch review workflow's contract: many ops decisions carried out as one durable job,
 * `batch-review:<batchId>`, with progress that the API and CLI read by query.
 */
import { defineQuery } from '@temporalio/workflow';
import type { ReviewDecision } from './shipment.contract';

export const BATCH_REVIEW_WORKFLOW_TYPE = 'batchReviewWorkflow';
export const MAX_BATCH_DECISIONS = 500;
/** Decisions in flight at once: enough to finish 500 in minutes, few enough not to flood workers. */
export const DEFAULT_BATCH_CONCURRENCY = 16;

export function batchReviewWorkflowId(batchId: string): string {
  return `batch-review:${batchId}`;
}

export interface BatchDecision {
  shipmentId: string;
  decision: ReviewDecision;
  reviewer: string;
  note?: string;
}

export interface BatchReviewInput {
  batchId: string;
  decisions: BatchDecision[];
  concurrency?: number;
  requestedBy?: string;
}

export const BATCH_ITEM_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
export type BatchItemStatus = (typeof BATCH_ITEM_STATUSES)[number];

export interface BatchItem {
  shipmentId: string;
  decision: ReviewDecision;
  status: BatchItemStatus;
  /** The shipment's stage after the decision was taken. */
  stage?: string;
  /** The same decision had already been taken (a retried batch, or one sent twice). */
  duplicate?: boolean;
  error?: { code: string; message: string };
}

export interface BatchProgress {
  batchId: string;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  finished: boolean;
  items: BatchItem[];
}

/** What one decision came to: business outcomes as data (a refusal is not an exception). */
export type ReviewDecisionOutcome =
  { ok: true; stage: string; duplicate: boolean } | { ok: false; code: string; message: string };

export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
