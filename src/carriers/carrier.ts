import type {
  Address,
  LineItem,
  ProofOfDeliveryRecord,
  TrackingEvent,
  TrackingSummary,
} from '../../workflows/shipment.contract';

/** What a carrier (or aggregator) can do for us. Business outcomes are data; failures are CarrierError. */
export interface Carrier {
  readonly code: string;
  /** Latest tracking for a number. `known: false` when the carrier has no record of it. */
  track(trackingNumber: string): Promise<TrackResult>;
  /**
   * Opens a trace (a carrier inquiry into a missing parcel); some carriers require one before a
   * claim. The same idempotency key always returns the same trace.
   */
  openTrace(req: TraceRequest): Promise<TraceOpened>;
  /** Books a label for a reship; the same idempotency key always returns the same label. */
  bookLabel(req: LabelRequest): Promise<Label>;
  /** Files a claim; the same idempotency key always returns the same claim. */
  fileClaim(req: ClaimRequest): Promise<ClaimFiled>;
  claimStatus(claimId: string): Promise<ClaimFiled>;
  /** Sends our answer to a claim's request for information (same key, same answer). */
  answerClaim?(claimId: string, req: ClaimSubmissionRequest): Promise<ClaimFiled>;
  /** Appeals a denied claim with new evidence (same key, same appeal). */
  appealClaim?(claimId: string, req: ClaimSubmissionRequest): Promise<ClaimFiled>;
}

export interface TrackResult {
  known: boolean;
  events: TrackingEvent[];
  estimatedDeliveryAt?: string;
  /** What the carrier holds as proof of delivery, when the parcel is marked delivered. */
  proofOfDelivery?: ProofOfDelivery;
  /** The provider's word on the whole tracking (overall status), read as its webhooks read it. */
  summary?: TrackingSummary;
}

/** What the carrier holds as proof of delivery: the shape the workflow records as evidence. */
export type ProofOfDelivery = ProofOfDeliveryRecord;

export interface TraceRequest {
  idempotencyKey: string;
  trackingNumber: string;
  reason: 'lost' | 'delivered_not_received' | 'damaged';
  description: string;
}

export interface TraceOpened {
  traceId: string;
  status: 'open' | 'found' | 'not_found' | 'closed';
  openedAt: string;
  /** When the carrier promises an answer, if it says. */
  answerDueAt?: string;
}

export interface LabelRequest {
  idempotencyKey: string;
  /**
   * The carrier the label is for, where the provider books for several carriers (a shipping
   * platform, the sandbox); a single-carrier adapter ignores it.
   */
  carrier?: string;
  service?: string;
  reference: string;
  from: { country: string; warehouseId: string };
  to: Address;
  items: LineItem[];
  declaredValue: number;
  currency: string;
}

export interface Label {
  labelId: string;
  carrier: string;
  trackingNumber: string;
  service: string;
  postage: number;
  currency: string;
  labelUrl?: string;
  /** The carrier's own delivery estimate for the label (ISO 8601), when it gives one. */
  expectedDeliveryAt?: string;
}

export interface ClaimRequest {
  idempotencyKey: string;
  trackingNumber: string;
  reason: 'lost' | 'damaged' | 'delayed';
  amount: number;
  currency: string;
  description: string;
  evidence: Record<string, unknown>;
}

/** An answer to a request for information, or an appeal, with its attachments. */
export interface ClaimSubmissionRequest {
  idempotencyKey: string;
  message: string;
  attachments: { name: string; contentType: string; url?: string; contentBase64?: string }[];
}

export interface ClaimFiled {
  claimId: string;
  status: string;
  /** What the carrier says with the status (what it asks for, why it denied). */
  detail?: string;
  /** With a request for information: the carrier's deadline for the answer. */
  respondBy?: string;
  amount: number;
  currency: string;
  amountApproved?: number;
  filedAt: string;
}

/**
 * A carrier call that failed. `permanent` (4xx other than 408/429) must not be retried;
 * others are transient; `retryAfterMs` honours a 429's Retry-After.
 */
export class CarrierError extends Error {
  constructor(
    message: string,
    public readonly code: string,
    public readonly permanent: boolean,
    public readonly status?: number,
    public readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'CarrierError';
  }
}

/** Classifies an HTTP status from a carrier API. */
export function classifyHttpStatus(status: number): { permanent: boolean } {
  if (status === 408 || status === 429) return { permanent: false };
  return { permanent: status >= 400 && status < 500 };
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface CarrierRegistry {
  get(code: string): Carrier;
}

/** A method this provider does not offer (e.g. labels from a tracking-only aggregator). */
export function unsupported(provider: string, what: string): CarrierError {
  return new CarrierError(`${provider} does not offer ${what}`, 'carrier.unsupported', true);
}
