/**
 * Following a filed claim up until it is decided: claimUpdate signals from webhooks, or polling
 * with backoff when none comes.
 */
import { ActivityFailure, condition, workflowInfo } from '@temporalio/workflow';
import type { ClaimRule } from '../claim.rules';
import type { ClaimStatus } from '../claim.contract';
import { classifyClaimStatus, DECIDED_STATUSES, nextPollMs } from '../claim.eligibility';
import type { ClaimContext } from './context';
import { carrier } from './proxies';

const RECOVERING: readonly ClaimStatus[] = ['approved', 'partially_approved', 'paid'];

interface Report {
  status: string;
  amountApproved?: number;
  detail?: string;
  polled: boolean;
}

export async function followUp(ctx: ClaimContext, rule: ClaimRule): Promise<void> {
  const { state } = ctx;
  let pollMs: number | undefined;
  let needsInfoCount = state.history.filter((h) => h.status === 'needs_info').length;
  while (!DECIDED_STATUSES.includes(state.status)) {
    if (workflowInfo().continueAsNewSuggested && ctx.updates.length === 0) await ctx.carryOn();
    pollMs = nextPollMs(rule, pollMs, ctx.scale);
    const report = await nextReport(ctx, pollMs);
    if (!report) continue;
    const next = classifyClaimStatus(report.status, state.amountClaimed, report.amountApproved);
    if (next === state.status) continue;
    // A poll's "still open" is too coarse to clear a request for information; a webhook can.
    if (report.polled && next === 'filed' && state.status === 'needs_info') continue;
    const recovered = RECOVERING.includes(next)
      ? (report.amountApproved ?? state.amountRecovered ?? state.amountClaimed)
      : undefined;
    await ctx.setStatus(
      next,
      `${state.filer} says ${report.status}${report.detail ? `: ${report.detail}` : ''}`,
      recovered,
    );
    if (next === 'needs_info') {
      needsInfoCount++;
      await ctx.alertOps(
        `needs_info:${needsInfoCount}`,
        `Claim needs information: shipment ${ctx.reg.shipmentId}`,
        `${state.filer} asks for more information on the claim for ${ctx.describe()}${report.detail ? `: ${report.detail}` : ''}.`,
      );
    }
    if (next === 'denied') {
      await ctx.alertOps(
        'denied',
        `Claim denied: shipment ${ctx.reg.shipmentId}`,
        `${state.filer} denied the claim for ${ctx.describe()}; consider an appeal.`,
      );
    }
  }
}

/** The next word on the claim: a webhook (signal) if one comes, else a poll when the interval ends. */
async function nextReport(ctx: ClaimContext, pollMs: number): Promise<Report | undefined> {
  const { state, updates } = ctx;
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
}
