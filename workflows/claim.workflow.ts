/**
 * The claim workflow: one per lost or damaged shipment (`claim:<shipmentId>`). It waits out the
 * waiting period of the carrier's or insurer's rule, opens a trace where the rule asks for one,
 * builds the evidence, files before the window closes (warning ops ahead of it), and follows the
 * claim up (claimUpdate signals from webhooks, or polling with backoff) until it is decided.
 * The steps live in `claim/`; what they share is `ClaimContext`.
 */
import { setHandler } from '@temporalio/workflow';
import {
  claimStateQuery,
  claimUpdateSignal,
  type ClaimState,
  type ClaimUpdate,
  type ClaimWorkflowInput,
} from './claim.contract';
import { ClaimContext, now } from './claim/context';
import { file } from './claim/file';
import { followUp } from './claim/follow-up';
import { buildEvidence, open, traceFirst } from './claim/open';

export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimState> {
  const ctx = new ClaimContext(input);
  const { state } = ctx;
  setHandler(claimStateQuery, () => state);
  setHandler(claimUpdateSignal, (u: ClaimUpdate) => {
    ctx.updates.push(u);
  });

  const { rule, deadlines } =
    state.rule && state.deadlines
      ? { rule: state.rule, deadlines: state.deadlines }
      : await open(ctx);

  if (state.status === 'pending_eligibility') {
    const closes = Date.parse(deadlines.windowClosesAt);
    await ctx.waitUntil(deadlines, Math.min(Date.parse(deadlines.eligibleAt), closes));
    if (now() >= closes) {
      await ctx.expire('the filing window closed before the claim became eligible');
      return state;
    }
    if (rule.traceFirst && !(await traceFirst(ctx, rule, deadlines))) {
      await ctx.setStatus('denied', `not filed: the ${state.filer} trace found the parcel`);
      return state;
    }
    await buildEvidence(ctx, rule);
    if (!(await file(ctx, rule, deadlines))) return state;
  }
  await followUp(ctx, rule);
  return state;
}
