/**
 * The claim workflow's contract: one claim per lost or damaged shipment, `claim:<shipmentId>`,
 * from eligibility to a decided (or expired) claim. API, worker, shipment workflow and tests
 * import from here.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ClaimRule } from './claim.rules';
import type { ShipmentRegistration } from './shipment.contract';

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

export interface ClaimDeadlines {
  /** From when the claim may be filed. */
  eligibleAt: string;
  /** When ops get a warning if the claim is still not filed. */
  warnAt: string;
  /** After this the carrier or insurer no longer takes the claim. */
  windowClosesAt: string;
}

/** A claim as the carrier or insurer recorded it when it was filed (`fileClaim`). */
export interface ClaimRecord {
  claimId: string;
  status: string;
  amount: number;
  currency: string;
  filedAt: string;
  /** The claim workflow (`claim:<shipmentId>`) that files and follows this claim. */
  workflowId?: string;
  amountRecovered?: number;
}

/** A claim's status as reported by the carrier or insurer (webhook or polling). */
export interface ClaimUpdate {
  claimId: string;
  status: string;
  amountApproved?: number;
  at: string;
  detail?: string;
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

/** The workflow's signature, for continuing and typing it without importing it. */
export type ClaimWorkflow = (input: ClaimWorkflowInput) => Promise<ClaimState>;

export const claimUpdateSignal = defineSignal<[ClaimUpdate]>('claimUpdate');
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
