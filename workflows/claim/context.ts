/**
 * What every step of the claim workflow shares: the claim's state (queried and carried on
 * continue-as-new), the claimUpdate signals not yet read, and the helpers to record a status,
 * alert ops and wait out a deadline.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  sleep,
} from '@temporalio/workflow';
import {
  claimWorkflowId,
  type ClaimDeadlines,
  type ClaimState,
  type ClaimStatus,
  type ClaimSubmission,
  type ClaimUpdate,
  type ClaimWorkflow,
  type ClaimWorkflowInput,
} from '../claim.contract';
import type { ShipmentRegistration } from '../shipment.contract';
import { local } from './proxies';

export const now = () => Date.now();
export const at = (ms: number) => new Date(ms).toISOString();

export const failureMessage = (err: ActivityFailure) => err.cause?.message ?? err.message;
export const isPermanent = (err: ActivityFailure) =>
  err.cause instanceof ApplicationFailure && err.cause.nonRetryable;

export class ClaimContext {
  readonly reg: ShipmentRegistration;
  readonly wfId: string;
  /** Multiplies every rule duration (see ClaimWorkflowInput.timeScale). */
  readonly scale: number;
  readonly state: ClaimState;
  /** claimUpdate signals not read yet, oldest first. */
  readonly updates: ClaimUpdate[] = [];
  /** Ops' answers to a request for information (claimAnswer updates) not sent yet. */
  readonly answers: ClaimSubmission[] = [];
  /** Ops' appeals (claimAppeal updates) not sent yet. */
  readonly appeals: ClaimSubmission[] = [];

  constructor(readonly input: ClaimWorkflowInput) {
    this.reg = input.registration;
    this.wfId = claimWorkflowId(this.reg.shipmentId);
    this.scale = input.timeScale ?? 1;
    this.state = input.carried ?? {
      shipmentId: this.reg.shipmentId,
      status: 'pending_eligibility',
      filer: (input.insurer ?? this.reg.carrier).toLowerCase(),
      amountClaimed: 0,
      currency: this.reg.currency,
      warned: false,
      history: [],
    };
  }

  async setStatus(status: ClaimStatus, detail?: string, amountRecovered?: number): Promise<void> {
    const state = this.state;
    state.status = status;
    if (amountRecovered !== undefined) state.amountRecovered = amountRecovered;
    state.history.push({ status, at: at(now()), ...(detail ? { detail } : {}) });
    if (state.claimRowId !== undefined) {
      await local.recordClaimStatus({
        claimRowId: state.claimRowId,
        status,
        detail,
        amountRecovered,
      });
    }
  }

  alertOps(step: string, subject: string, text: string) {
    return local.sendOpsAlert({
      idempotencyKey: `${this.wfId}:alert:${step}`,
      shipmentId: this.reg.shipmentId,
      subject,
      text,
    });
  }

  /** The claim in a few words, for ops alerts. */
  describe(): string {
    const { reg, state } = this;
    return `shipment ${reg.shipmentId} (${reg.carrier} ${reg.trackingNumber}), ${state.amountClaimed} ${state.currency} with ${state.filer}`;
  }

  /** Warns ops once, before the window closes, while the claim is still not filed. */
  async warnIfDue(deadlines: ClaimDeadlines): Promise<void> {
    const { state } = this;
    const t = now();
    if (state.warned || state.filedAt || t < Date.parse(deadlines.warnAt)) return;
    // Past the window a warning is too late: the expiry alert says it all.
    if (t >= Date.parse(deadlines.windowClosesAt)) return;
    state.warned = true;
    await this.alertOps(
      'window_warning',
      `Claim window closing: shipment ${this.reg.shipmentId}`,
      `The claim for ${this.describe()} is not filed yet (${state.status}); its window closes at ${deadlines.windowClosesAt}.`,
    );
  }

  /** Sleeps until `target`, waking at the warning time on the way. */
  async waitUntil(deadlines: ClaimDeadlines, target: number): Promise<void> {
    for (;;) {
      await this.warnIfDue(deadlines);
      const t = now();
      if (t >= target) return;
      const warnAt = Date.parse(deadlines.warnAt);
      await sleep((!this.state.warned && warnAt > t ? Math.min(target, warnAt) : target) - t);
    }
  }

  async expire(why: string): Promise<void> {
    await this.setStatus('expired', why);
    await this.alertOps(
      'expired',
      `Claim window missed: shipment ${this.reg.shipmentId}`,
      `The claim for ${this.describe()} could not be filed before its window closed at ${this.state.deadlines?.windowClosesAt}: ${why}. It is now expired.`,
    );
  }

  /** Continues as new with the state carried, once every handler is done. */
  async carryOn(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<ClaimWorkflow>({ ...this.input, carried: this.state });
  }
}
