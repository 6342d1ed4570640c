/**
 * Advice at shipping time, computed in memory from cached figures: the channel (the very scoring
 * reships use, `chooseChannel`), insurance (`insuranceFor`), risk warnings for the lane and the
 * carriers with their figures and sample sizes, and packaging advice from the seller's rules.
 */
import {
  chooseChannel,
  delayThreshold,
  insuranceFor,
  ratesForLaneFrom,
  type ChannelPolicy,
  type LaneLossStats,
  type RateCardRow,
} from '../channels/channel-choice';
import type { ShipmentAdvice, RiskWarning, InsuranceAdvice } from './advice.types';
import { packagingAdvice, type Category, type PackagingRule } from './packaging';

/** Our figures for one carrier on one lane (analytics' carrier-lane measures). */
export interface LaneFigure {
  carrier: string;
  origin: string;
  destination: string;
  /** Shipments with a known outcome (delivered, reshipped, refunded, returned). */
  resolved: number;
  /** Of those, replaced or refunded. */
  lost: number;
  /** Delivered shipments that had an expected delivery date. */
  withEstimate: number;
  /** Of those, delivered after it. */
  delayed: number;
}

export interface AdviceContext {
  policy: ChannelPolicy;
  policyVersion: number;
  rateCard: readonly RateCardRow[];
  rateCardVersion: number;
  figures: readonly LaneFigure[];
  figuresAt: Date;
  packaging: { seller: string; version: number; rules: readonly PackagingRule[] };
}

export interface AdviceInput {
  origin: string;
  destination: string;
  items: readonly { category?: Category; hasBattery?: boolean }[];
  declaredValue: number;
  currency: string;
  /** The carrier the seller means to use (a registration's carrier). */
  carrier?: string;
  service?: string;
  /** The channels to choose among; default every channel of the rate card on the lane. */
  channels?: readonly { carrier: string; service?: string }[];
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toString()} %`;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function insuranceAdvice(policy: ChannelPolicy, value: number, currency: string): InsuranceAdvice {
  const { insured, premium } = insuranceFor(policy, value);
  return {
    recommended: insured,
    premium,
    currency,
    threshold: policy.insureAbove,
    ratePer100: policy.insuranceRatePer100,
    reason: insured
      ? `Declared value ${value} ${currency} is above ${policy.insureAbove}: insure it for ${premium.toFixed(2)} ${currency} (${policy.insuranceRatePer100} per 100, at least ${policy.insuranceMinPremium}).`
      : `Declared value ${value} ${currency} is at most ${policy.insureAbove}: insurance is not needed.`,
  };
}

/** Loss and delay warnings for a group of figures (the whole lane, or one carrier on it). */
function warningsFor(
  policy: ChannelPolicy,
  scope: RiskWarning['scope'],
  origin: string,
  destination: string,
  rows: readonly LaneFigure[],
  carrier?: string,
): RiskWarning[] {
  const sum = (k: keyof Pick<LaneFigure, 'resolved' | 'lost' | 'withEstimate' | 'delayed'>) =>
    rows.reduce((n, r) => n + r[k], 0);
  const who = carrier ? `${carrier} on ${origin}→${destination}` : `Lane ${origin}→${destination}`;
  const out: RiskWarning[] = [];
  const resolved = sum('resolved');
  const lost = sum('lost');
  if (resolved >= policy.minSample && lost / resolved > policy.maxLossRate) {
    const rate = Math.round((lost / resolved) * 10_000) / 10_000;
    out.push({
      scope,
      ...(carrier ? { carrier } : {}),
      origin,
      destination,
      measure: 'loss',
      rate,
      threshold: policy.maxLossRate,
      sample: resolved,
      count: lost,
      message: `${who}: ${pct(rate)} of parcels lost (${lost} of ${resolved} with a known outcome), above ${pct(policy.maxLossRate)}.`,
    });
  }
  const withEstimate = sum('withEstimate');
  const delayed = sum('delayed');
  const maxDelay = delayThreshold(policy);
  if (withEstimate >= policy.minSample && delayed / withEstimate > maxDelay) {
    const rate = Math.round((delayed / withEstimate) * 10_000) / 10_000;
    out.push({
      scope,
      ...(carrier ? { carrier } : {}),
      origin,
      destination,
      measure: 'delay',
      rate,
      threshold: maxDelay,
      sample: withEstimate,
      count: delayed,
      message: `${who}: ${pct(rate)} delivered late (${delayed} of ${withEstimate} with an estimate), above ${pct(maxDelay)}.`,
    });
  }
  return out;
}

export function computeAdvice(input: AdviceInput, ctx: AdviceContext): ShipmentAdvice {
  const { policy } = ctx;
  const lane = ctx.figures.filter(
    (f) => f.origin === input.origin && f.destination === input.destination,
  );
  const losses: LaneLossStats[] = lane.map((f) => ({
    carrier: f.carrier,
    finished: f.resolved,
    lost: f.lost,
  }));
  let rates = ratesForLaneFrom(ctx.rateCard, input.origin, input.destination);
  if (input.channels?.length)
    rates = rates.filter((r) =>
      input.channels!.some(
        (c) =>
          same(c.carrier, r.carrier) && (c.service === undefined || same(c.service, r.service)),
      ),
    );
  const fallbackCarrier = input.carrier ?? input.channels?.[0]?.carrier ?? 'unknown';
  const choice = chooseChannel(
    {
      originCountry: input.origin,
      destinationCountry: input.destination,
      declaredValue: input.declaredValue,
      currency: input.currency,
      fallback: {
        carrier: fallbackCarrier,
        service: input.carrier ? input.service : input.channels?.[0]?.service,
      },
    },
    rates,
    losses,
    policy,
  );

  const carriers = [
    ...new Set(
      [input.carrier, ...(input.channels ?? []).map((c) => c.carrier), choice.carrier]
        .filter((c): c is string => !!c && c !== 'unknown')
        .map((c) => c.toLowerCase()),
    ),
  ];
  const warnings = [
    ...warningsFor(policy, 'lane', input.origin, input.destination, lane),
    ...carriers.flatMap((c) =>
      warningsFor(
        policy,
        'carrier',
        input.origin,
        input.destination,
        lane.filter((f) => same(f.carrier, c)),
        c,
      ),
    ),
  ];

  return {
    lane: { origin: input.origin, destination: input.destination },
    channel: {
      carrier: choice.carrier,
      service: choice.service,
      ...(choice.serviceDays !== undefined ? { serviceDays: choice.serviceDays } : {}),
      ...(choice.estimatedPostage !== undefined
        ? { estimatedPostage: choice.estimatedPostage }
        : {}),
      reason: choice.reason,
      alternatives: choice.alternatives,
      rules: choice.rules,
    },
    insurance: insuranceAdvice(policy, input.declaredValue, input.currency),
    warnings,
    packaging: packagingAdvice(ctx.packaging.rules, {
      origin: input.origin,
      destination: input.destination,
      declaredValue: input.declaredValue,
      items: input.items,
    }),
    basis: {
      channelPolicyVersion: ctx.policyVersion,
      rateCardVersion: ctx.rateCardVersion,
      packagingRulesVersion: ctx.packaging.version,
      packagingRulesSeller: ctx.packaging.seller,
      figuresAt: ctx.figuresAt.toISOString(),
    },
  };
}
