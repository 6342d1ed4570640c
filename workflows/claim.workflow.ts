/**
 * The claim workflow: one per lost or damaged shipment (`claim:<shipmentId>`). It waits out the
 * waiting period of the carrier's or insurer's rule, opens a trace where the rule asks for one,
 * builds the evidence, files before the window closes (warning ops ahead of it), and follows the
 * claim up (claimUpdate signals from webhooks, or polling with backoff) until it is decided.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  claimAmount,
  claimDeadlines,
  classifyClaimStatus,
  DECIDED_STATUSES,
  nextPollMs,
  scaledMs,
} from './claim.eligibility';
import type { ClaimRule } from './claim.rules';
import {
  claimStateQuery,
  claimUpdateSignal,
  claimWorkflowId,
  type ClaimDeadlines,
  type ClaimState,
  type ClaimStatus,
  type ClaimUpdate,
  type ClaimWorkflowInput,
} from './claim.contract';

type Activities = ReturnType<typeof createActivities>;

/** Database and mail: quick, retried until they work. */
const local = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Carrier calls race a deadline: a few attempts, then the workflow decides whether time is left. */
const carrier = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
  },
});

/** Between rounds of failed filing attempts (a carrier that is down): 5 s doubling to 1 h. */
const FILE_RETRY_FIRST_MS = 5_000;
const FILE_RETRY_MAX_MS = 3_600_000;

const RECOVERING: readonly ClaimStatus[] = ['approved', 'partially_approved', 'paid'];

export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimState> {
  const reg = input.registration;
  const wfId = claimWorkflowId(reg.shipmentId);
  const scale = input.timeScale ?? 1;
  const state: ClaimState = input.carried ?? {
    shipmentId: reg.shipmentId,
    status: 'pending_eligibility',
    filer: (input.insurer ?? reg.carrier).toLowerCase(),
    amountClaimed: 0,
    currency: reg.currency,
    warned: false,
    history: [],
  };
  const updates: ClaimUpdate[] = [];

  // ---- handlers (registered before the first await) ----
  setHandler(claimStateQuery, () => state);
  setHandler(claimUpdateSignal, (u: ClaimUpdate) => {
    updates.push(u);
  });

  // ---- small named steps ----
  const now = () => Date.now();
  const at = (ms: number) => new Date(ms).toISOString();

  const setStatus = async (status: ClaimStatus, detail?: string, amountRecovered?: number) => {
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
  };

  const alertOps = (step: string, subject: string, text: string) =>
    local.sendOpsAlert({
      idempotencyKey: `${wfId}:alert:${step}`,
      shipmentId: reg.shipmentId,
      subject,
      text,
    });

  const describe = () =>
    `shipment ${reg.shipmentId} (${reg.carrier} ${reg.trackingNumber}), ${state.amountClaimed} ${state.currency} with ${state.filer}`;

  /** Warns ops once, before the window closes, while the claim is still not filed. */
  const warnIfDue = async (deadlines: ClaimDeadlines) => {
    const t = now();
    if (state.warned || state.filedAt || t < Date.parse(deadlines.warnAt)) return;
    // Past the window a warning is too late: the expiry alert says it all.
    if (t >= Date.parse(deadlines.windowClosesAt)) return;
    state.warned = true;
    await alertOps(
      'window_warning',
      `Claim window closing: shipment ${reg.shipmentId}`,
      `The claim for ${describe()} is not filed yet (${state.status}); its window closes at ${deadlines.windowClosesAt}.`,
    );
  };

  /** Sleeps until `target`, waking at the warning time on the way. */
  const waitUntil = async (deadlines: ClaimDeadlines, target: number) => {
    for (;;) {
      await warnIfDue(deadlines);
      const t = now();
      if (t >= target) return;
      const warnAt = Date.parse(deadlines.warnAt);
      await sleep((!state.warned && warnAt > t ? Math.min(target, warnAt) : target) - t);
    }
  };

  const expire = async (why: string) => {
    await setStatus('expired', why);
    await alertOps(
      'expired',
      `Claim window missed: shipment ${reg.shipmentId}`,
      `The claim for ${describe()} could not be filed before its window closed at ${state.deadlines?.windowClosesAt}: ${why}. It is now expired.`,
    );
  };

  const failureMessage = (err: ActivityFailure) => err.cause?.message ?? err.message;
  const isPermanent = (err: ActivityFailure) =>
    err.cause instanceof ApplicationFailure && err.cause.nonRetryable;

  /** Opens the claim's record with its rule, deadlines and amount. */
  const open = async (): Promise<{ rule: ClaimRule; deadlines: ClaimDeadlines }> => {
    const rule = await local.resolveClaimRule({
      filer: state.filer,
      domestic: reg.origin.country === reg.destination.country,
    });
    const deadlines = claimDeadlines(
      rule,
      { shippedAt: reg.shippedAt, expectedDeliveryAt: reg.expectedDeliveryAt },
      scale,
    );
    state.rule = rule;
    state.deadlines = deadlines;
    state.amountClaimed = claimAmount(rule, reg.declaredValue, input.insuredAmount);
    const opened = await local.openClaim({
      idempotencyKey: `${wfId}:open`,
      workflowId: wfId,
      shipmentId: reg.shipmentId,
      carrier: reg.carrier,
      filer: state.filer,
      trackingNumber: reg.trackingNumber,
      reason: input.reason,
      amount: state.amountClaimed,
      currency: state.currency,
      ruleName: rule.name,
      deadlines,
    });
    state.claimRowId = opened.claimRowId;
    state.history.push({
      status: 'pending_eligibility',
      at: at(now()),
      detail: `${rule.name}: eligible from ${deadlines.eligibleAt}, window closes ${deadlines.windowClosesAt}`,
    });
    return { rule, deadlines };
  };

  /**
   * Opens the carrier trace and waits for its answer, at most the rule's time for it and never
   * past the warning time; the claim is filed with the trace as it stands then.
   * Returns false when the trace found the parcel (nothing to claim).
   */
  const traceFirst = async (rule: ClaimRule, deadlines: ClaimDeadlines): Promise<boolean> => {
    const answerBy = Math.min(
      now() + scaledMs(rule.traceAnswerWithin, scale),
      Date.parse(deadlines.warnAt),
    );
    let pollMs: number | undefined;
    for (;;) {
      try {
        const trace = await carrier.openClaimTrace({
          idempotencyKey: `${wfId}:trace`,
          claimRowId: state.claimRowId!,
          filer: state.filer,
          trackingNumber: reg.trackingNumber,
          reason: input.reason,
          shipmentId: reg.shipmentId,
        });
        state.trace = { traceId: trace.traceId, status: trace.status, openedAt: trace.openedAt };
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        // No trace is not a reason to miss the window: the claim goes without one.
        if (isPermanent(err) || now() >= answerBy) return true;
      }
      if (state.trace?.status === 'found') return false;
      if (state.trace && state.trace.status !== 'open') return true;
      pollMs = nextPollMs(rule, pollMs, scale);
      if (now() + pollMs >= answerBy) {
        await waitUntil(deadlines, answerBy);
        return true;
      }
      await waitUntil(deadlines, now() + pollMs);
    }
  };

  /** Files with the carrier or insurer, retrying a carrier that is down until the window closes. */
  const file = async (rule: ClaimRule, deadlines: ClaimDeadlines): Promise<boolean> => {
    const closes = Date.parse(deadlines.windowClosesAt);
    let retryMs = FILE_RETRY_FIRST_MS;
    for (;;) {
      // The trace or the evidence may have taken the rest of the window: never file late.
      if (now() >= closes) {
        await expire('the filing window closed before the claim was ready to file');
        return false;
      }
      try {
        const filed = await carrier.fileClaim({
          idempotencyKey: `${wfId}:file`,
          claimRowId: state.claimRowId,
          shipmentId: reg.shipmentId,
          carrier: reg.carrier,
          filer: state.filer,
          trackingNumber: reg.trackingNumber,
          reason: input.reason,
          amount: state.amountClaimed,
          currency: state.currency,
        });
        state.externalClaimId = filed.claimId;
        state.filedAt = filed.filedAt;
        state.status = 'filed';
        state.history.push({
          status: 'filed',
          at: at(now()),
          detail: `${state.filer} claim ${filed.claimId} under ${rule.name}`,
        });
        return true;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        if (isPermanent(err)) {
          await setStatus('denied', `${state.filer} refused the claim: ${failureMessage(err)}`);
          await alertOps(
            'refused',
            `Claim refused: shipment ${reg.shipmentId}`,
            `${state.filer} refused the claim for ${describe()}: ${failureMessage(err)}.`,
          );
          return false;
        }
        if (now() + retryMs >= closes) {
          await waitUntil(deadlines, closes);
          await expire(`${state.filer} could not be reached: ${failureMessage(err)}`);
          return false;
        }
        await waitUntil(deadlines, now() + retryMs);
        retryMs = Math.min(retryMs * 2, FILE_RETRY_MAX_MS);
      }
    }
  };

  /** The next word on the claim: a webhook (signal) if one comes, else a poll when the interval ends. */
  const nextReport = async (
    pollMs: number,
  ): Promise<
    { status: string; amountApproved?: number; detail?: string; polled: boolean } | undefined
  > => {
    if (await condition(() => updates.length > 0, pollMs)) {
      const u = updates.shift()!;
      // A webhook for another claim (or one filed before ours) says nothing about this one.
      if (u.claimId !== state.externalClaimId) return undefined;
      return { ...u, polled: false };
    }
    try {
      const s = await carrier.pollClaimStatus({
        filer: state.filer,
        externalClaimId: state.externalClaimId!,
      });
      return { status: s.status, amountApproved: s.amountApproved, polled: true };
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return undefined;
    }
  };

  const followUp = async (rule: ClaimRule) => {
    let pollMs: number | undefined;
    let needsInfoCount = state.history.filter((h) => h.status === 'needs_info').length;
    while (!DECIDED_STATUSES.includes(state.status)) {
      if (workflowInfo().continueAsNewSuggested && updates.length === 0) await carryOn();
      pollMs = nextPollMs(rule, pollMs, scale);
      const report = await nextReport(pollMs);
      if (!report) continue;
      const next = classifyClaimStatus(report.status, state.amountClaimed, report.amountApproved);
      if (next === state.status) continue;
      // A poll's "still open" is too coarse to clear a request for information; a webhook can.
      if (report.polled && next === 'filed' && state.status === 'needs_info') continue;
      const recovered = RECOVERING.includes(next)
        ? (report.amountApproved ?? state.amountRecovered ?? state.amountClaimed)
        : undefined;
      await setStatus(
        next,
        `${state.filer} says ${report.status}${report.detail ? `: ${report.detail}` : ''}`,
        recovered,
      );
      if (next === 'needs_info') {
        needsInfoCount++;
        await alertOps(
          `needs_info:${needsInfoCount}`,
          `Claim needs information: shipment ${reg.shipmentId}`,
          `${state.filer} asks for more information on the claim for ${describe()}${report.detail ? `: ${report.detail}` : ''}.`,
        );
      }
      if (next === 'denied') {
        await alertOps(
          'denied',
          `Claim denied: shipment ${reg.shipmentId}`,
          `${state.filer} denied the claim for ${describe()}; consider an appeal.`,
        );
      }
    }
  };

  const carryOn = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof claimWorkflow>({ ...input, carried: state });
  };

  // ---- run ----
  const { rule, deadlines } =
    state.rule && state.deadlines ? { rule: state.rule, deadlines: state.deadlines } : await open();

  if (state.status === 'pending_eligibility') {
    const closes = Date.parse(deadlines.windowClosesAt);
    await waitUntil(deadlines, Math.min(Date.parse(deadlines.eligibleAt), closes));
    if (now() >= closes) {
      await expire('the filing window closed before the claim became eligible');
      return state;
    }
    if (rule.traceFirst && !(await traceFirst(rule, deadlines))) {
      await setStatus('denied', `not filed: the ${state.filer} trace found the parcel`);
      return state;
    }
    await local.buildClaimEvidence({
      claimRowId: state.claimRowId!,
      shipmentId: reg.shipmentId,
      filer: state.filer,
      carrier: reg.carrier,
      trackingNumber: reg.trackingNumber,
      rule,
      reason: input.reason,
      amountClaimed: state.amountClaimed,
      currency: state.currency,
      trace: state.trace,
    });
    if (!(await file(rule, deadlines))) return state;
  }
  await followUp(rule);
  return state;
}
