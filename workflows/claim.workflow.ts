/**
 * The claim workflow: one per lost or damaged shipment (`claim:<shipmentId>`). It waits out the
 * waiting period of the carrier's or insurer's rule, opens a trace where the rule asks for one,
 * builds the evidence, files before the window closes (warning ops ahead of it), and follows the
 * claim up (claimUpdate signals from webhooks, or polling with backoff) until it is decided.
 * The steps live in `claim/`; what they share is `ClaimContext`.
 */
import { ApplicationFailure, patched, setHandler } from '@temporalio/workflow';
import {
  claimAnswerUpdate,
  claimAppealUpdate,
  claimStateQuery,
  claimUpdateSignal,
  type ClaimState,
  type ClaimSubmission,
  type ClaimUpdate,
  type ClaimWorkflowInput,
} from './claim.contract';
import { answerRefusal, appealRefusal, followThrough } from './claim/carry-through';
import { ClaimContext, now } from './claim/context';
import { file } from './claim/file';
import { followUp } from './claim/follow-up';
import { buildEvidence, open, traceFirst } from './claim/open';
import { CLAIM_CARRY_THROUGH } from './claim/patches';

export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimState> {
  const ctx = new ClaimContext(input);
  const { state } = ctx;
  setHandler(claimStateQuery, () => state);
  setHandler(claimUpdateSignal, (u: ClaimUpdate) => {
    ctx.updates.push(u);
  });
  setHandler(
    claimAnswerUpdate,
    (answer) => {
      ctx.answers.push(answer);
      return { status: state.status, request: state.infoRequests?.length ?? 0 };
    },
    { validator: (_answer: ClaimSubmission) => refuse(answerRefusal(ctx)) },
  );
  setHandler(
    claimAppealUpdate,
    (appeal) => {
      ctx.appeals.push(appeal);
      return { status: state.status };
    },
    { validator: (_appeal: ClaimSubmission) => refuse(appealRefusal(ctx)) },
  );
  // Runs started before the carry-through replay without it (it is carried on continue-as-new).
  if (patched(CLAIM_CARRY_THROUGH)) state.carryThrough = true;

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
  if (state.carryThrough) await followThrough(ctx, rule);
  else await followUp(ctx, rule);
  return state;
}

/** An update validator's refusal: the caller gets the reason, the history records nothing. */
function refuse(reason: string | undefined): void {
  if (reason) {
    throw ApplicationFailure.create({
      message: reason,
      type: 'claim.not_awaiting',
      nonRetryable: true,
    });
  }
}
