/**
 * The claim workflow's contract: one claim per lost or damaged shipment, `claim:<shipmentId>`,
 * from eligibility to a decided (or expired) claim. API, worker, shipment workflow and tests
 * import from here.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ClaimReason, ClaimStatus } from './model/enums';
import type * as claim from './model/claim';
import type { ShipmentRegistration } from './shipment.contract';

export const CLAIM_WORKFLOW_TYPE = 'claimWorkflow';

export function claimWorkflowId(shipmentId: string): string {
  return `claim:${shipmentId}`;
}

export { CLAIM_STATUSES } from './model/enums';
export type { ClaimReason, ClaimStatus } from './model/enums';

export interface ClaimWorkflowInput {
  registration: ShipmentRegistration;
  reason: ClaimReason;
  /** An insurer's code when the parcel was insured with one (the claim goes there); else the carrier. */
  insurer?: string;
  /** Extra cover bought on top of the carrier's liability. */
  insuredAmount?: number;
  /**
   * The insurer the shipment was insured with while the claim goes to the carrier first: a
   * carrier's denial is then taken to this insurer, for up to `amount`.
   */
  insurance?: { insurer: string; amount: number };
  /** Multiplies every rule duration: 1 in production; tests pass 1/86400 so a day is a second. */
  timeScale?: number;
  /** The shipment workflow that started this claim, for the record. */
  parentWorkflowId?: string;
  /** Carried over on continue-as-new. */
  carried?: ClaimState;
}

export type ClaimDeadlines = z.output<typeof claim.claimDeadlines>;
/** A claim as the carrier or insurer recorded it when it was filed (`fileClaim`). */
export type ClaimRecord = z.output<typeof claim.claimRecord>;
/** A claim's status as reported by the carrier or insurer (webhook or polling). */
export type ClaimUpdate = z.output<typeof claim.claimUpdate>;
export type ClaimHistoryEntry = z.output<typeof claim.claimHistoryEntry>;
export type ClaimState = z.output<typeof claim.claimState>;
export type ClaimTimings = z.output<typeof claim.claimTimings>;
export type ClaimAttachment = z.output<typeof claim.claimAttachment>;
/** What ops send the carrier: an answer to its request for information, or an appeal. */
export type ClaimSubmission = z.output<typeof claim.claimSubmission>;

/** The workflow's signature, for continuing and typing it without importing it. */
export type ClaimWorkflow = (input: ClaimWorkflowInput) => Promise<ClaimState>;

export const claimUpdateSignal = defineSignal<[ClaimUpdate]>('claimUpdate');
export const claimStateQuery = defineQuery<ClaimState>('claimState');

/** What an answer or an appeal update gives back: the claim's status once it was taken. */
export interface ClaimSubmissionAccepted {
  status: ClaimStatus;
  /** Which request for information (1-based) the answer is for; absent for an appeal. */
  request?: number;
}

/**
 * Ops' answer to the carrier's request for information; rejected (validator) unless the claim
 * waits for one. The workflow sends it to the carrier and follows the claim up again.
 */
export const claimAnswerUpdate = defineUpdate<ClaimSubmissionAccepted, [ClaimSubmission]>(
  'claimAnswer',
);

/**
 * Ops' appeal of a denial, with new evidence; rejected (validator) unless the claim is denied,
 * its appeal window is open and it was not appealed before.
 */
export const claimAppealUpdate = defineUpdate<ClaimSubmissionAccepted, [ClaimSubmission]>(
  'claimAppeal',
);

/**
 * The options the shipment workflow passes to `startChild(claimWorkflow, …)`: the claim outlives
 * the shipment workflow (ABANDON) and is started once per shipment.
 */
export function startClaimOptions(input: ClaimWorkflowInput) {
  return {
    workflowId: claimWorkflowId(input.registration.shipmentId),
    args: [input] as [ClaimWorkflowInput],
    parentClosePolicy: 'ABANDON' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
  };
}
