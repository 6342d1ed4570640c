/**
 * Before filing: the claim's record with its rule and deadlines, and (where the rule asks for
 * one) a carrier trace whose answer may make the claim moot.
 */
import { ActivityFailure } from '@temporalio/workflow';
import type { ClaimRule } from '../claim.rules';
import type { ClaimDeadlines } from '../claim.contract';
import { claimAmount, claimDeadlines, nextPollMs, scaledMs } from '../claim.eligibility';
import { at, isPermanent, now, type ClaimContext } from './context';
import { carrier, local } from './proxies';

/** Opens the claim's record with its rule, deadlines and amount. */
export async function open(
  ctx: ClaimContext,
): Promise<{ rule: ClaimRule; deadlines: ClaimDeadlines }> {
  const { reg, state, input } = ctx;
  const rule = await local.resolveClaimRule({
    filer: state.filer,
    domestic: reg.origin.country === reg.destination.country,
  });
  const deadlines = claimDeadlines(
    rule,
    { shippedAt: reg.shippedAt, expectedDeliveryAt: reg.expectedDeliveryAt },
    ctx.scale,
  );
  state.rule = rule;
  state.deadlines = deadlines;
  state.amountClaimed = claimAmount(rule, reg.declaredValue, input.insuredAmount);
  const opened = await local.openClaim({
    idempotencyKey: `${ctx.wfId}:open`,
    workflowId: ctx.wfId,
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
}

/**
 * Opens the carrier trace and waits for its answer, at most the rule's time for it and never
 * past the warning time; the claim is filed with the trace as it stands then.
 * Returns false when the trace found the parcel (nothing to claim).
 */
export async function traceFirst(
  ctx: ClaimContext,
  rule: ClaimRule,
  deadlines: ClaimDeadlines,
): Promise<boolean> {
  const { reg, state } = ctx;
  const answerBy = Math.min(
    now() + scaledMs(rule.traceAnswerWithin, ctx.scale),
    Date.parse(deadlines.warnAt),
  );
  let pollMs: number | undefined;
  for (;;) {
    try {
      const trace = await carrier.openClaimTrace({
        idempotencyKey: `${ctx.wfId}:trace`,
        claimRowId: state.claimRowId!,
        filer: state.filer,
        trackingNumber: reg.trackingNumber,
        reason: ctx.input.reason,
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
    pollMs = nextPollMs(rule, pollMs, ctx.scale);
    if (now() + pollMs >= answerBy) {
      await ctx.waitUntil(deadlines, answerBy);
      return true;
    }
    await ctx.waitUntil(deadlines, now() + pollMs);
  }
}

/** The evidence the claim is filed with (documents, scans, the trace as it stands). */
export async function buildEvidence(ctx: ClaimContext, rule: ClaimRule): Promise<void> {
  const { reg, state } = ctx;
  await local.buildClaimEvidence({
    claimRowId: state.claimRowId!,
    shipmentId: reg.shipmentId,
    filer: state.filer,
    carrier: reg.carrier,
    trackingNumber: reg.trackingNumber,
    rule,
    reason: ctx.input.reason,
    amountClaimed: state.amountClaimed,
    currency: state.currency,
    trace: state.trace,
  });
}
