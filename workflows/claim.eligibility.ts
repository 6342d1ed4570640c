/**
 * Pure claim decisions: which rule applies, when a claim may be filed and until when, how much is
 * claimed, what a carrier's status means. No I/O: the claim workflow and unit tests call these.
 */
import { parseIsoDuration } from './durations';
import type { ClaimDeadlines, ClaimStatus } from './claim.contract';
import type { ClaimAnchor, ClaimRule } from './claim.rules';

/** The rule for a carrier or insurer: its own scope first, then `any`, then the `*` fallback. */
export function selectClaimRule(
  rules: readonly ClaimRule[],
  code: string,
  domestic: boolean,
): ClaimRule {
  const scope = domestic ? 'domestic' : 'international';
  const c = code.toLowerCase();
  const rule =
    rules.find((r) => r.code === c && r.scope === scope) ??
    rules.find((r) => r.code === c && r.scope === 'any') ??
    rules.find((r) => r.code === '*');
  if (!rule) throw new Error(`no claim rule for "${code}" and no "*" fallback`);
  return rule;
}

/** A rule duration in milliseconds, times the scale (1 in production; tests make days seconds). */
export function scaledMs(iso: string, timeScale = 1): number {
  return Math.round(parseIsoDuration(iso) * timeScale);
}

export interface ClaimFacts {
  shippedAt: string;
  expectedDeliveryAt?: string;
}

function anchorMs(anchor: ClaimAnchor, facts: ClaimFacts): number {
  const shipped = Date.parse(facts.shippedAt);
  if (anchor === 'expected_delivery' && facts.expectedDeliveryAt) {
    const expected = Date.parse(facts.expectedDeliveryAt);
    if (!Number.isNaN(expected)) return expected;
  }
  // Without an estimate, the ship date is the earliest the carrier could have meant.
  return shipped;
}

export function claimDeadlines(rule: ClaimRule, facts: ClaimFacts, timeScale = 1): ClaimDeadlines {
  const eligible =
    anchorMs(rule.waitingPeriod.from, facts) + scaledMs(rule.waitingPeriod.duration, timeScale);
  const closes =
    anchorMs(rule.filingWindow.from, facts) + scaledMs(rule.filingWindow.duration, timeScale);
  const warn = Math.max(eligible, closes - scaledMs(rule.warnBefore, timeScale));
  return {
    eligibleAt: new Date(eligible).toISOString(),
    warnAt: new Date(Math.min(warn, closes)).toISOString(),
    windowClosesAt: new Date(closes).toISOString(),
  };
}

/** What we claim: the declared value, capped by liability (raised by insurance bought on top). */
export function claimAmount(rule: ClaimRule, declaredValue: number, insuredAmount = 0): number {
  const cap = Math.max(rule.liabilityCap, insuredAmount);
  return Math.round(Math.min(declaredValue, cap) * 100) / 100;
}

/** Statuses after which nothing more happens to a claim. */
export const DECIDED_STATUSES: readonly ClaimStatus[] = [
  'approved',
  'partially_approved',
  'denied',
  'paid',
  'expired',
];

/**
 * A carrier's or insurer's claim status in our vocabulary (EasyPost, Corso, AfterShip and the
 * sandbox spell them differently). An approval for less than claimed is a partial approval.
 */
export function classifyClaimStatus(
  reported: string,
  amountClaimed: number,
  amountApproved?: number,
): ClaimStatus {
  const s = reported.toLowerCase().replace(/[\s-]+/g, '_');
  if (['paid', 'closed_refunded', 'closed_resolved', 'settled'].includes(s)) return 'paid';
  if (['rejected', 'denied', 'declined', 'closed_denied', 'cancelled'].includes(s)) {
    return 'denied';
  }
  if (['approved_partial', 'partially_approved', 'partial'].includes(s)) {
    return 'partially_approved';
  }
  if (s === 'approved') {
    return amountApproved !== undefined && amountApproved < amountClaimed
      ? 'partially_approved'
      : 'approved';
  }
  if (['needs_action', 'needs_info', 'need_info', 'information_requested'].includes(s)) {
    return 'needs_info';
  }
  return 'filed';
}

/** The next follow-up poll interval: doubled each time, up to the rule's maximum. */
export function nextPollMs(rule: ClaimRule, previousMs: number | undefined, timeScale = 1): number {
  const first = scaledMs(rule.followUp.first, timeScale);
  const max = scaledMs(rule.followUp.max, timeScale);
  if (previousMs === undefined) return Math.max(first, 1000);
  return Math.max(1000, Math.min(previousMs * 2, max));
}
