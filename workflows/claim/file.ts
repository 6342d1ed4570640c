/** Filing the claim with the carrier or insurer before its window closes. */
import { ActivityFailure } from '@temporalio/workflow';
import type { ClaimRule } from '../claim.rules';
import type { ClaimDeadlines } from '../claim.contract';
import { at, failureMessage, isPermanent, now, type ClaimContext } from './context';
import { carrier } from './proxies';

/** Between rounds of failed filing attempts (a carrier that is down): 5 s doubling to 1 h. */
const FILE_RETRY_FIRST_MS = 5_000;
const FILE_RETRY_MAX_MS = 3_600_000;

/**
 * Files with the carrier or insurer, retrying a carrier that is down until the window closes.
 * Returns false when the claim ended instead (expired, or refused for good).
 */
export async function file(
  ctx: ClaimContext,
  rule: ClaimRule,
  deadlines: ClaimDeadlines,
): Promise<boolean> {
  const { reg, state } = ctx;
  const closes = Date.parse(deadlines.windowClosesAt);
  let retryMs = FILE_RETRY_FIRST_MS;
  for (;;) {
    // The trace or the evidence may have taken the rest of the window: never file late.
    if (now() >= closes) {
      await ctx.expire('the filing window closed before the claim was ready to file');
      return false;
    }
    try {
      const filed = await carrier.fileClaim({
        idempotencyKey: `${ctx.wfId}:file`,
        claimRowId: state.claimRowId,
        shipmentId: reg.shipmentId,
        carrier: reg.carrier,
        filer: state.filer,
        trackingNumber: reg.trackingNumber,
        reason: ctx.input.reason,
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
        await refused(ctx, err);
        return false;
      }
      if (now() + retryMs >= closes) {
        await ctx.waitUntil(deadlines, closes);
        await ctx.expire(`${state.filer} could not be reached: ${failureMessage(err)}`);
        return false;
      }
      await ctx.waitUntil(deadlines, now() + retryMs);
      retryMs = Math.min(retryMs * 2, FILE_RETRY_MAX_MS);
    }
  }
}

/** The carrier or insurer refused the claim for good (a 4xx): denied, and ops hear why. */
async function refused(ctx: ClaimContext, err: ActivityFailure): Promise<void> {
  const { state } = ctx;
  await ctx.setStatus('denied', `${state.filer} refused the claim: ${failureMessage(err)}`);
  await ctx.alertOps(
    'refused',
    `Claim refused: shipment ${ctx.reg.shipmentId}`,
    `${state.filer} refused the claim for ${ctx.describe()}: ${failureMessage(err)}.`,
  );
}
