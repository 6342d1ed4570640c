/**
 * Following a filed claim through to money (patch `claim-carry-through`): the carrier's word comes
 * by claimUpdate signal (webhooks) or by polling with backoff, and each status has its next step.
 *
 * - `needs_info`: ops are told what the carrier asks and by when; their answer (claimAnswer
 *   update) goes to the carrier and the claim is `filed` again. Reminder before the deadline; once
 *   it passes ops hear so and the claim is followed up as it stands (a late answer is still sent).
 * - `denied`: on a shipment insured with an insurer, the claim is filed with that insurer
 *   (`escalated`). Otherwise ops may appeal with new evidence (claimAppeal update) within the
 *   appeal window (`appealed`); reminder before it closes; a closed window or a second denial is
 *   final.
 * - `approved` / `partially_approved`: waits for `paid` until the payment deadline; a partial
 *   approval tells ops the shortfall; an overdue payment alerts ops and ends the follow-up.
 */
import { ActivityFailure, condition, sleep, workflowInfo } from '@temporalio/workflow';
import type { ClaimRule } from '../claim.rules';
import type { ClaimState, ClaimStatus, ClaimSubmission, ClaimTimings } from '../claim.contract';
import { classifyClaimStatus, nextPollMs, scaledMs } from '../claim.eligibility';
import { at, failureMessage, isPermanent, now, type ClaimContext } from './context';
import { carrier, local } from './proxies';

const RECOVERING: readonly ClaimStatus[] = ['approved', 'partially_approved', 'paid'];
/** Between attempts to send an answer or appeal to a carrier that is down: 5 s doubling to 1 h. */
const SEND_RETRY_FIRST_MS = 5_000;
const SEND_RETRY_MAX_MS = 3_600_000;

interface Report {
  status: string;
  amountApproved?: number;
  detail?: string;
  respondBy?: string;
  polled: boolean;
}

/** A report that changes the claim, with the status it means. */
interface Word {
  report: Report;
  next: ClaimStatus;
}

/** Whether ops may answer now: the claim waits for information and the last request is open. */
export function openInfoRequest(state: ClaimState) {
  const last = state.infoRequests?.at(-1);
  return state.status === 'needs_info' && last && !last.answeredAt ? last : undefined;
}

/** Why an answer cannot be taken now (the update validator), or undefined when it can. */
export function answerRefusal(ctx: ClaimContext): string | undefined {
  const { state } = ctx;
  if (!state.carryThrough) return 'this claim was started before answers were supported';
  if (!openInfoRequest(state)) return `the claim is ${state.status}, not waiting for information`;
  if (ctx.answers.length > 0) return 'an answer is already being sent';
  return undefined;
}

/** Why an appeal cannot be taken now (the update validator), or undefined when it can. */
export function appealRefusal(ctx: ClaimContext): string | undefined {
  const { state } = ctx;
  if (!state.carryThrough) return 'this claim was started before appeals were supported';
  const appeal = state.appeal;
  if (state.status !== 'denied' || !appeal) return `the claim is ${state.status}, not denied`;
  if (appeal.appealedAt) return 'the claim was appealed once already';
  if (appeal.closedAt || now() >= Date.parse(appeal.windowClosesAt)) {
    return `the appeal window closed at ${appeal.windowClosesAt}`;
  }
  if (ctx.appeals.length > 0) return 'an appeal is already being sent';
  return undefined;
}

export async function followThrough(ctx: ClaimContext, rule: ClaimRule): Promise<void> {
  const { state } = ctx;
  for (;;) {
    switch (state.status) {
      case 'paid':
      case 'expired':
        return;
      case 'denied':
        if (!(await afterDenial(ctx, rule))) return;
        continue;
      case 'approved':
      case 'partially_approved':
        if (!(await awaitPayment(ctx, rule))) return;
        continue;
      case 'needs_info':
        if (openInfoRequest(state)) {
          await awaitAnswer(ctx, rule);
          continue;
        }
        break;
      default:
        break;
    }
    // filed, appealed, escalated: the carrier's (or insurer's) next word.
    const word = await waitFor(ctx, rule, { ready: () => false, until: Infinity });
    if (typeof word === 'object') await take(ctx, word);
  }
}

async function timings(ctx: ClaimContext): Promise<ClaimTimings> {
  ctx.state.timings ??= await local.resolveClaimTimings({ filer: ctx.state.filer });
  return ctx.state.timings;
}

function ms(ctx: ClaimContext, iso: string): number {
  return scaledMs(iso, ctx.scale);
}

/** Records the status the carrier's word means, with its ops alert where one is due. */
async function take(ctx: ClaimContext, { report, next }: Word): Promise<void> {
  const { state } = ctx;
  const recovered = RECOVERING.includes(next)
    ? (report.amountApproved ?? state.amountRecovered ?? state.amountClaimed)
    : undefined;
  const said = `${state.filer} says ${report.status}${report.detail ? `: ${report.detail}` : ''}`;
  if (next !== 'needs_info') {
    // Recorded with the status, so nobody sees `paid` without its time.
    if (next === 'paid' && state.payment) state.payment.paidAt = at(now());
    await ctx.setStatus(next, said, recovered);
    return;
  }
  const t = await timings(ctx);
  const requests = (state.infoRequests ??= []);
  const respondBy = report.respondBy ?? at(now() + ms(ctx, t.answerWithin));
  requests.push({ askedAt: at(now()), asks: report.detail ?? 'no details given', respondBy });
  await ctx.setStatus('needs_info', `${said} (answer by ${respondBy})`);
  await ctx.alertOps(
    `needs_info:${requests.length}`,
    `Claim needs information: shipment ${ctx.reg.shipmentId}`,
    `${state.filer} asks for more information on the claim for ${ctx.describe()}: ${report.detail ?? 'no details given'}. ` +
      `Answer by ${respondBy} with POST /v1/claims/${state.claimRowId}/answer (message and attachments).`,
  );
}

/** The new status a report means, or undefined when it changes nothing. */
function meaning(state: ClaimState, report: Report): ClaimStatus | undefined {
  const next = classifyClaimStatus(report.status, state.amountClaimed, report.amountApproved);
  if (next === state.status) return undefined;
  // "Still open" is no news: we set `filed` ourselves. Only a webhook clears a request for
  // information with it; a poll is too coarse, and nothing undoes a decision, appeal or escalation.
  if (next === 'filed' && (report.polled || state.status !== 'needs_info')) return undefined;
  return next;
}

interface Wait {
  /** Ops did what was waited for (an answer, an appeal). */
  ready: () => boolean;
  /** The deadline (ms); Infinity to wait for the carrier only. */
  until: number;
  remind?: { at: number; done: () => boolean; send: () => Promise<void> };
}

/**
 * Waits for ops (`ready`), the carrier's next word that changes the claim (signal or poll), or the
 * deadline, reminding ops once on the way.
 */
async function waitFor(
  ctx: ClaimContext,
  rule: ClaimRule,
  w: Wait,
): Promise<'ready' | 'timeout' | Word> {
  const { state, updates } = ctx;
  let pollMs = nextPollMs(rule, undefined, ctx.scale);
  let nextPoll = now() + pollMs;
  for (;;) {
    if (w.ready()) return 'ready';
    const u = updates.shift();
    if (u) {
      // A webhook for another claim (or one filed before ours) says nothing about this one.
      if (u.claimId !== state.externalClaimId) continue;
      const report = { ...u, polled: false };
      const next = meaning(state, report);
      if (next) return { report, next };
      continue;
    }
    const t = now();
    if (t >= w.until) return 'timeout';
    if (w.remind && !w.remind.done() && t >= w.remind.at) {
      await w.remind.send();
      continue;
    }
    if (t >= nextPoll) {
      const report = await poll(ctx);
      pollMs = nextPollMs(rule, pollMs, ctx.scale);
      nextPoll = now() + pollMs;
      const next = report && meaning(state, report);
      if (report && next) return { report, next };
      continue;
    }
    if (
      workflowInfo().continueAsNewSuggested &&
      ctx.answers.length === 0 &&
      ctx.appeals.length === 0
    ) {
      await ctx.carryOn();
    }
    const remindAt = w.remind && !w.remind.done() ? w.remind.at : Infinity;
    const wake = Math.min(w.until, nextPoll, remindAt);
    await condition(() => w.ready() || updates.length > 0, Math.max(wake - t, 1));
  }
}

async function poll(ctx: ClaimContext): Promise<Report | undefined> {
  const { state } = ctx;
  try {
    const s = await carrier.pollClaimStatus({
      filer: state.filer,
      externalClaimId: state.externalClaimId!,
    });
    return {
      status: s.status,
      amountApproved: s.amountApproved,
      ...(s.detail ? { detail: s.detail } : {}),
      ...(s.respondBy ? { respondBy: s.respondBy } : {}),
      polled: true,
    };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return undefined;
  }
}

/**
 * Sends an answer or appeal, retrying a carrier that is down. Answers the failure when the
 * carrier refused it for good (ops then send it by hand).
 */
async function send(fn: () => Promise<unknown>): Promise<string | undefined> {
  let retryMs = SEND_RETRY_FIRST_MS;
  for (;;) {
    try {
      await fn();
      return undefined;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      if (isPermanent(err)) return failureMessage(err);
      await sleep(retryMs);
      retryMs = Math.min(retryMs * 2, SEND_RETRY_MAX_MS);
    }
  }
}

const names = (s: ClaimSubmission) => s.attachments.map((a) => a.name);
const listed = (s: ClaimSubmission) =>
  s.attachments.length ? ` (attached: ${names(s).join(', ')})` : '';

async function awaitAnswer(ctx: ClaimContext, rule: ClaimRule): Promise<void> {
  const { state } = ctx;
  const request = openInfoRequest(state)!;
  const n = state.infoRequests!.length;
  const t = await timings(ctx);
  const due = Date.parse(request.respondBy);
  const outcome = await waitFor(ctx, rule, {
    ready: () => ctx.answers.length > 0,
    // Past the deadline a late answer is still taken: the carrier is followed up meanwhile.
    until: request.missedAt ? Infinity : due,
    remind: {
      at: due - ms(ctx, t.remindBefore),
      done: () => request.remindedAt !== undefined || request.missedAt !== undefined,
      send: async () => {
        request.remindedAt = at(now());
        await ctx.alertOps(
          `needs_info_reminder:${n}`,
          `Claim still needs information: shipment ${ctx.reg.shipmentId}`,
          `${state.filer} is waiting for our answer on the claim for ${ctx.describe()} (${request.asks}); it is due by ${request.respondBy}.`,
        );
      },
    },
  });
  if (typeof outcome === 'object') return take(ctx, outcome);
  if (outcome === 'timeout') {
    request.missedAt = at(now());
    await ctx.alertOps(
      `needs_info_missed:${n}`,
      `Claim information overdue: shipment ${ctx.reg.shipmentId}`,
      `Nobody answered ${state.filer}'s request (${request.asks}) on the claim for ${ctx.describe()} by ${request.respondBy}. The carrier may deny the claim; an answer sent now still goes to it.`,
    );
    return;
  }
  const answer = ctx.answers[0]!;
  const refused = await send(() =>
    carrier.sendClaimAnswer({
      idempotencyKey: `${ctx.wfId}:answer:${n}`,
      claimRowId: state.claimRowId!,
      filer: state.filer,
      externalClaimId: state.externalClaimId!,
      submission: answer,
    }),
  );
  ctx.answers.shift();
  request.answeredAt = at(now());
  request.answeredBy = answer.by;
  request.attachments = names(answer);
  if (refused) {
    await ctx.alertOps(
      `answer_refused:${n}`,
      `Claim answer not accepted: shipment ${ctx.reg.shipmentId}`,
      `${state.filer} did not take our answer on the claim for ${ctx.describe()}: ${refused}. Send it by hand.`,
    );
  }
  await ctx.setStatus(
    'filed',
    `answer to ${state.filer} by ${answer.by}${refused ? ' (not accepted: ' + refused + ')' : ''}: ${answer.message}${listed(answer)}`,
  );
}

/** Returns false when the denial is final. */
async function afterDenial(ctx: ClaimContext, rule: ClaimRule): Promise<boolean> {
  const { state, input } = ctx;
  const denial = [...state.history].reverse().find((h) => h.status === 'denied')?.detail;
  if (input.insurance && !state.escalation && state.rule?.party !== 'insurer') {
    await escalate(ctx, input.insurance, denial);
    return true;
  }
  const t = await timings(ctx);
  const appeal = await openAppealWindow(ctx, t, denial);
  if (appeal.appealedAt) {
    await ctx.alertOps(
      'denied_after_appeal',
      `Claim denied after appeal: shipment ${ctx.reg.shipmentId}`,
      `${state.filer} denied the appealed claim for ${ctx.describe()}${denial ? ` (${denial})` : ''}. The denial is final.`,
    );
    return false;
  }
  if (appeal.closedAt) return false;
  const outcome = await waitForAppeal(ctx, rule, t, appeal);
  if (typeof outcome === 'object') {
    await take(ctx, outcome);
    return true;
  }
  if (outcome === 'timeout') {
    await closeAppealWindow(ctx, appeal);
    return false;
  }
  return sendAppeal(ctx, appeal);
}

type Appeal = NonNullable<ClaimState['appeal']>;

/** The first time the claim is denied: the appeal window opens and ops hear how to appeal. */
async function openAppealWindow(
  ctx: ClaimContext,
  t: ClaimTimings,
  denial: string | undefined,
): Promise<Appeal> {
  const { state } = ctx;
  if (!state.appeal) {
    const closes = now() + ms(ctx, t.appealWithin);
    state.appeal = { deniedAt: at(now()), windowClosesAt: at(closes) };
    await ctx.alertOps(
      'denied',
      `Claim denied: shipment ${ctx.reg.shipmentId}`,
      `${state.filer} denied the claim for ${ctx.describe()}${denial ? ` (${denial})` : ''}. ` +
        `Appeal with new evidence by ${state.appeal.windowClosesAt} with POST /v1/claims/${state.claimRowId}/appeal.`,
    );
  }
  return state.appeal;
}

/** Until ops appeal, the carrier changes its mind, or the window closes (reminding ops once). */
function waitForAppeal(ctx: ClaimContext, rule: ClaimRule, t: ClaimTimings, appeal: Appeal) {
  const closes = Date.parse(appeal.windowClosesAt);
  return waitFor(ctx, rule, {
    ready: () => ctx.appeals.length > 0,
    until: closes,
    remind: {
      at: closes - ms(ctx, t.remindBefore),
      done: () => appeal.remindedAt !== undefined,
      send: async () => {
        appeal.remindedAt = at(now());
        await ctx.alertOps(
          'appeal_reminder',
          `Claim appeal window closing: shipment ${ctx.reg.shipmentId}`,
          `The denied claim for ${ctx.describe()} can be appealed until ${appeal.windowClosesAt}.`,
        );
      },
    },
  });
}

/** No appeal came in time: the denial is final. */
async function closeAppealWindow(ctx: ClaimContext, appeal: Appeal): Promise<void> {
  appeal.closedAt = at(now());
  ctx.state.history.push({
    status: 'denied',
    at: appeal.closedAt,
    detail: 'the appeal window closed without an appeal; the denial is final',
  });
  await ctx.alertOps(
    'appeal_closed',
    `Claim appeal window closed: shipment ${ctx.reg.shipmentId}`,
    `The denied claim for ${ctx.describe()} was not appealed by ${appeal.windowClosesAt}; the denial is final.`,
  );
}

/** Sends ops' appeal to the carrier; false when the carrier refuses it for good. */
async function sendAppeal(ctx: ClaimContext, appeal: Appeal): Promise<boolean> {
  const { state } = ctx;
  const submission = ctx.appeals[0]!;
  const refused = await send(() =>
    carrier.appealClaim({
      idempotencyKey: `${ctx.wfId}:appeal`,
      claimRowId: state.claimRowId!,
      filer: state.filer,
      externalClaimId: state.externalClaimId!,
      submission,
    }),
  );
  ctx.appeals.shift();
  appeal.appealedAt = at(now());
  appeal.appealedBy = submission.by;
  appeal.attachments = names(submission);
  if (refused) {
    appeal.closedAt = appeal.appealedAt;
    await ctx.alertOps(
      'appeal_refused',
      `Claim appeal not accepted: shipment ${ctx.reg.shipmentId}`,
      `${state.filer} did not take the appeal of the claim for ${ctx.describe()}: ${refused}.`,
    );
    return false;
  }
  await ctx.setStatus(
    'appealed',
    `appeal to ${state.filer} by ${submission.by}: ${submission.message}${listed(submission)}`,
  );
  return true;
}

/** Files the carrier's denied claim with the insurer the shipment was insured with. */
async function escalate(
  ctx: ClaimContext,
  insurance: { insurer: string; amount: number },
  denial: string | undefined,
): Promise<void> {
  const { state, reg } = ctx;
  const insurer = insurance.insurer.toLowerCase();
  const amount = Math.round(Math.min(reg.declaredValue, insurance.amount) * 100) / 100;
  let filed: { claimId: string } | undefined;
  const refused = await send(async () => {
    filed = await carrier.escalateClaimToInsurer({
      idempotencyKey: `${ctx.wfId}:escalate`,
      claimRowId: state.claimRowId!,
      insurer,
      carrier: reg.carrier,
      carrierClaimId: state.externalClaimId,
      trackingNumber: reg.trackingNumber,
      reason: ctx.input.reason,
      amount,
      currency: state.currency,
      denial: denial ?? `${state.filer} denied the claim`,
    });
  });
  if (refused || !filed) {
    // The insurer will not take it: the carrier's denial stands, and may still be appealed.
    state.escalation = { insurer, claimId: '', amount, at: at(now()) };
    await ctx.alertOps(
      'escalation_refused',
      `Claim escalation refused: shipment ${reg.shipmentId}`,
      `${insurer} did not take the claim for ${ctx.describe()} after ${state.filer}'s denial: ${refused ?? 'no claim id'}.`,
    );
    return;
  }
  state.escalation = {
    insurer,
    ...(state.externalClaimId ? { carrierClaimId: state.externalClaimId } : {}),
    claimId: filed.claimId,
    amount,
    at: at(now()),
  };
  state.filer = insurer;
  state.externalClaimId = filed.claimId;
  state.amountClaimed = amount;
  // The insurer's own timings (answers, appeal, payment) from now on.
  state.timings = undefined;
  await ctx.setStatus(
    'escalated',
    `${state.escalation.carrierClaimId ?? 'carrier claim'} denied; filed with ${insurer} as ${filed.claimId} for ${amount} ${state.currency}`,
  );
  await ctx.alertOps(
    'escalated',
    `Claim escalated to the insurer: shipment ${reg.shipmentId}`,
    `${reg.carrier} denied the claim${denial ? ` (${denial})` : ''}; it is now filed with ${insurer} as ${filed.claimId} for ${amount} ${state.currency}.`,
  );
}

/** Returns false when the follow-up ends (paid is handled by the loop; overdue ends here). */
async function awaitPayment(ctx: ClaimContext, rule: ClaimRule): Promise<boolean> {
  const { state } = ctx;
  const t = await timings(ctx);
  if (!state.payment) {
    const approved = state.amountRecovered ?? state.amountClaimed;
    state.payment = {
      approvedAt: at(now()),
      amountApproved: approved,
      dueBy: at(now() + ms(ctx, t.paymentWithin)),
    };
    if (state.status === 'partially_approved') {
      const shortfall = Math.round((state.amountClaimed - approved) * 100) / 100;
      await ctx.alertOps(
        'partial',
        `Claim partially approved: shipment ${ctx.reg.shipmentId}`,
        `${state.filer} approved ${approved} of ${state.amountClaimed} ${state.currency} on the claim for ${ctx.describe()}; ${shortfall} ${state.currency} is not covered. Payment is expected by ${state.payment.dueBy}.`,
      );
    }
  }
  const payment = state.payment;
  if (payment.overdueAt) return false;
  const due = Date.parse(payment.dueBy);
  const outcome = await waitFor(ctx, rule, { ready: () => false, until: due });
  if (typeof outcome === 'object') {
    await take(ctx, outcome);
    return true;
  }
  payment.overdueAt = at(now());
  await ctx.alertOps(
    'payment_overdue',
    `Claim payment overdue: shipment ${ctx.reg.shipmentId}`,
    `${state.filer} approved ${payment.amountApproved} ${state.currency} on the claim for ${ctx.describe()} but had not paid by ${payment.dueBy}. Record the payment with POST /v1/claims/${state.claimRowId}/outcome when it arrives.`,
  );
  return false;
}
