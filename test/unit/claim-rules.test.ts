import { describe, expect, it } from 'vitest';
import {
  claimAmount,
  claimDeadlines,
  classifyClaimStatus,
  nextPollMs,
  selectClaimRule,
} from '../../workflows/claim.eligibility';
import { CLAIM_RULES } from '../../workflows/claim.rules';
import { claimRuleSchema } from '../../src/claims/claims.schemas';

const DAY = 86_400_000;
const SHIPPED = '2026-03-01T12:00:00.000Z';
const t = (iso: string) => Date.parse(iso);

describe('claim rules as data', () => {
  it('every rule is well formed: ISO durations, known anchors and evidence items', () => {
    for (const rule of CLAIM_RULES) {
      const parsed = claimRuleSchema.safeParse(rule);
      expect(parsed.success, `${rule.code}/${rule.scope}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('USPS, UPS, FedEx, DHL and an insurer each have their own rule, and there is a fallback', () => {
    for (const code of ['usps', 'ups', 'fedex', 'dhl', 'shipsurance', '*']) {
      expect(CLAIM_RULES.some((r) => r.code === code)).toBe(true);
    }
    expect(selectClaimRule(CLAIM_RULES, 'shipsurance', true).party).toBe('insurer');
  });

  it('USPS domestic and USPS international follow different rules; an unknown carrier falls back', () => {
    expect(selectClaimRule(CLAIM_RULES, 'USPS', true).name).toBe(
      'USPS domestic, insured mail (lost)',
    );
    expect(selectClaimRule(CLAIM_RULES, 'usps', false).traceFirst).toBe(true);
    expect(selectClaimRule(CLAIM_RULES, 'ups', false).code).toBe('ups');
    expect(selectClaimRule(CLAIM_RULES, 'yanwen', false).code).toBe('*');
  });
});

describe('claim deadlines', () => {
  it('a USPS loss may be claimed 15 days after mailing, until 60 days, with a warning a week before', () => {
    const d = claimDeadlines(selectClaimRule(CLAIM_RULES, 'usps', true), { shippedAt: SHIPPED });
    expect(t(d.eligibleAt) - t(SHIPPED)).toBe(15 * DAY);
    expect(t(d.windowClosesAt) - t(SHIPPED)).toBe(60 * DAY);
    expect(t(d.warnAt) - t(SHIPPED)).toBe(53 * DAY);
  });

  it('a UPS loss counts from the expected delivery, or from the ship date without an estimate', () => {
    const rule = selectClaimRule(CLAIM_RULES, 'ups', false);
    const expected = '2026-03-08T12:00:00.000Z';
    const d = claimDeadlines(rule, { shippedAt: SHIPPED, expectedDeliveryAt: expected });
    expect(t(d.eligibleAt) - t(expected)).toBe(1 * DAY);
    expect(t(d.windowClosesAt) - t(expected)).toBe(60 * DAY);
    const noEstimate = claimDeadlines(rule, { shippedAt: SHIPPED });
    expect(t(noEstimate.eligibleAt) - t(SHIPPED)).toBe(1 * DAY);
  });

  it('DHL takes claims at once but only for 30 days; an insurer waits 40 days abroad', () => {
    const dhl = claimDeadlines(selectClaimRule(CLAIM_RULES, 'dhl', false), { shippedAt: SHIPPED });
    expect(dhl.eligibleAt).toBe(SHIPPED);
    expect(t(dhl.windowClosesAt) - t(SHIPPED)).toBe(30 * DAY);
    const insurer = claimDeadlines(selectClaimRule(CLAIM_RULES, 'shipsurance', false), {
      shippedAt: SHIPPED,
    });
    expect(t(insurer.eligibleAt) - t(SHIPPED)).toBe(40 * DAY);
    expect(t(insurer.windowClosesAt) - t(SHIPPED)).toBe(120 * DAY);
  });

  it('a time scale turns the days of a rule into seconds for tests', () => {
    const d = claimDeadlines(
      selectClaimRule(CLAIM_RULES, 'usps', true),
      { shippedAt: SHIPPED },
      1 / 86_400,
    );
    expect(t(d.eligibleAt) - t(SHIPPED)).toBe(15_000);
    expect(t(d.windowClosesAt) - t(SHIPPED)).toBe(60_000);
  });
});

describe('claim amounts and statuses', () => {
  it('claims the declared value up to the liability cap, raised by insurance bought on top', () => {
    const ups = selectClaimRule(CLAIM_RULES, 'ups', true);
    expect(claimAmount(ups, 59.9)).toBe(59.9);
    expect(claimAmount(ups, 300)).toBe(100);
    expect(claimAmount(ups, 300, 250)).toBe(250);
    expect(claimAmount(selectClaimRule(CLAIM_RULES, 'shipsurance', true), 300)).toBe(300);
  });

  it('reads carrier and insurer statuses in our vocabulary', () => {
    expect(classifyClaimStatus('submitted', 50)).toBe('filed');
    expect(classifyClaimStatus('in_review', 50)).toBe('filed');
    expect(classifyClaimStatus('needs_action', 50)).toBe('needs_info');
    expect(classifyClaimStatus('approved', 50, 50)).toBe('approved');
    expect(classifyClaimStatus('approved', 50, 30)).toBe('partially_approved');
    expect(classifyClaimStatus('approved_partial', 50, 30)).toBe('partially_approved');
    expect(classifyClaimStatus('rejected', 50)).toBe('denied');
    expect(classifyClaimStatus('Closed_Denied', 50)).toBe('denied');
    expect(classifyClaimStatus('Closed_Refunded', 50)).toBe('paid');
  });

  it('polls a filed claim less and less often, up to the rule maximum', () => {
    const rule = selectClaimRule(CLAIM_RULES, 'usps', true);
    const first = nextPollMs(rule, undefined);
    expect(first).toBe(DAY);
    expect(nextPollMs(rule, first)).toBe(2 * DAY);
    expect(nextPollMs(rule, 6 * DAY)).toBe(7 * DAY);
  });
});
