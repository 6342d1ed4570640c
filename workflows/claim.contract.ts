/**
 * The claim workflow's contract: one claim per lost or damaged shipment, `claim:<shipmentId>`,
 * from eligibility to a decided (or expired) claim. API, worker, shipment workflow and tests
 * import from here.
 */
import { defineQuery } from '@temporalio/workflow';
import type { ClaimDeadlines } from './claim.eligibility';
import type { ClaimRule } from '../src/claims/claims.rules';
import type { ShipmentRegistration } from './shipment.contract';

export { claimUpdateSignal, type ClaimUpdate } from './shipment.contract';

export const CLAIM_WORKFLOW_TYPE = 'claimWorkflow';

export function claimWorkflowId(shipmentId: string): string {
  return `claim:${shipmentId}`;
}

export const CLAIM_STATUSES = [
  'pending_eligibility',
  'filed',
  'needs_info',
  'approved',
  'partially_approved',
  'denied',
  'paid',
  'expired',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export type ClaimReason = 'lost' | 'damaged';

export interface ClaimWorkflowInput {
  registration: ShipmentRegistration;
  reason: ClaimReason;
  /** An insurer's code when the parcel was insured with one (the claim goes there); else the carrier. */
  insurer?: string;
  /** Extra cover bought on top of the carrier's liability. */
  insuredAmount?: number;
  /** Multiplies every rule duration: 1 in production; tests pass 1/86400 so a day is a second. */
  timeScale?: number;
  /** The shipment workflow that started this claim, for the record. */
  parentWorkflowId?: string;
  /** Carried over on continue-as-new. */
  carried?: ClaimState;
}

export interface ClaimHistoryEntry {
  status: ClaimStatus;
  at: string;
  detail?: string;
}

export interface ClaimState {
  shipmentId: string;
  /** Our claim's id (the `claims` row), once opened. */
  claimRowId?: number;
  status: ClaimStatus;
  /** Who the claim is filed with: the carrier or an insurer. */
  filer: string;
  /** The rule the deadlines come from (resolved once, then carried). */
  rule?: ClaimRule;
  deadlines?: ClaimDeadlines;
  amountClaimed: number;
  amountRecovered?: number;
  currency: string;
  /** The carrier's or insurer's claim id once filed. */
  externalClaimId?: string;
  filedAt?: string;
  trace?: { traceId: string; status: string; openedAt: string };
  warned: boolean;
  history: ClaimHistoryEntry[];
}

export const claimStateQuery = defineQuery<ClaimState>('claimState');

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
