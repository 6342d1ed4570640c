/**
 * Channel selection for a reship: pure rules over lane, declared value, speed and cost, plus our
 * own loss history per carrier and lane. The activity `chooseReshipChannel` feeds it from the
 * database; tests call it directly.
 */

/** A priced way to send a parcel on a lane (a row of the rate table). */
export interface ChannelRate {
  carrier: string;
  service: string;
  serviceDays: number;
  postage: number;
  currency: string;
  insurable: boolean;
}

/** Our history of one carrier on one lane, from the read model. */
export interface LaneLossStats {
  carrier: string;
  /** Shipments on the lane that ended (any resolution but cancelled). */
  finished: number;
  /** Of those, how many were given up as lost (replaced or refunded). */
  lost: number;
}

/**
 * A rule, as data: where it applies (lane, declared value) and what it changes. Later rules
 * override earlier ones field by field, so a general rule comes first and exceptions after it.
 */
export interface ChannelRule {
  name: string;
  when?: {
    originCountry?: string;
    destinationCountry?: string;
    minDeclaredValue?: number;
    maxDeclaredValue?: number;
  };
  /** Services slower than this are not considered. */
  maxServiceDays?: number;
  /** Carriers never used on matching reships (e.g. no tracking on the last mile). */
  excludeCarriers?: string[];
  /** How much a day of transit weighs against one unit of postage in the score. */
  costPerDay?: number;
}

export interface ChannelPolicy {
  /** A carrier whose loss rate on the lane is above this share (0.05 = 5 %) is avoided. */
  maxLossRate: number;
  /** Below this many finished shipments on a lane the loss rate is not trusted (neither way). */
  minSample: number;
  /** Insurance recommended when the declared value is above this. */
  insureAbove: number;
  /** Premium per 100 of declared value. */
  insuranceRatePer100: number;
  /** Smallest premium. */
  insuranceMinPremium: number;
  /**
   * Advice warns about a lane or carrier delivering late more often than this share (0.2 = 20 %),
   * with at least `minSample` delivered shipments that had an estimate. Default 0.2.
   */
  maxDelayRate?: number;
  rules: ChannelRule[];
}

/** Defaults anchored on published figures: Metapack's lost-parcel rates, ParcelGuard's premiums. */
export const DEFAULT_CHANNEL_POLICY: ChannelPolicy = {
  // Metapack counts 0.06 % officially lost and up to 0.7 % "potentially lost"; 5 % on one of
  // our lanes is far beyond bad luck.
  maxLossRate: 0.05,
  minSample: 20,
  insureAbove: 100,
  // ParcelGuard's international rate.
  insuranceRatePer100: 1.39,
  insuranceMinPremium: 1,
  maxDelayRate: 0.2,
  rules: [
    { name: 'default', costPerDay: 1 },
    // A valuable parcel has waited long enough once: speed weighs more than postage.
    { name: 'valuable parcels go fast', when: { minDeclaredValue: 200 }, costPerDay: 4 },
  ],
};

export interface ScoredChannel {
  carrier: string;
  service: string;
  serviceDays: number;
  postage: number;
  currency: string;
  /** Our loss rate on the lane, when the sample is large enough. */
  lossRate?: number;
  sample: number;
  /** postage + costPerDay × days; lower is better. Absent for excluded channels. */
  score?: number;
  /** Why the channel was not eligible. */
  excluded?: string;
}

export interface ChannelChoice {
  carrier: string;
  service: string;
  serviceDays?: number;
  /** The rate table's postage (an estimate; the label says what it cost). */
  estimatedPostage?: number;
  currency: string;
  insured: boolean;
  /** Premium in the order's currency when insured, else 0. */
  insurancePremium: number;
  /** A sentence for ops and the timeline. */
  reason: string;
  alternatives: ScoredChannel[];
  /** The rules that applied, by name. */
  rules: string[];
}

export interface ChannelRequest {
  originCountry: string;
  destinationCountry: string;
  declaredValue: number;
  currency: string;
  /** Used when the rate table has nothing for the lane. */
  fallback: { carrier: string; service?: string };
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toString()} %`;

function applicableRules(policy: ChannelPolicy, req: ChannelRequest): ChannelRule[] {
  return policy.rules.filter((r) => {
    const w = r.when ?? {};
    return (
      (!w.originCountry || w.originCountry === req.originCountry) &&
      (!w.destinationCountry || w.destinationCountry === req.destinationCountry) &&
      (w.minDeclaredValue === undefined || req.declaredValue >= w.minDeclaredValue) &&
      (w.maxDeclaredValue === undefined || req.declaredValue <= w.maxDeclaredValue)
    );
  });
}

/** The rules that apply, merged: later ones win field by field; exclusions add up. */
function effectiveRule(rules: ChannelRule[]) {
  let maxServiceDays: number | undefined;
  let costPerDay = 1;
  const exclude = new Set<string>();
  for (const r of rules) {
    if (r.maxServiceDays !== undefined) maxServiceDays = r.maxServiceDays;
    if (r.costPerDay !== undefined) costPerDay = r.costPerDay;
    for (const c of r.excludeCarriers ?? []) exclude.add(c.toLowerCase());
  }
  return { maxServiceDays, costPerDay, exclude };
}

/** Insurance recommended above the value threshold; premium per 100 with a minimum. */
export function insuranceFor(
  policy: ChannelPolicy,
  declaredValue: number,
): { insured: boolean; premium: number } {
  if (declaredValue <= policy.insureAbove) return { insured: false, premium: 0 };
  const premium = Math.max(
    policy.insuranceMinPremium,
    Math.ceil(declaredValue / 100) * policy.insuranceRatePer100,
  );
  return { insured: true, premium: Math.round(premium * 100) / 100 };
}

/**
 * Chooses the carrier and service for a reship. Channels break a rule (too slow, excluded carrier)
 * or lose too many parcels on this lane (above `maxLossRate` with at least `minSample` finished
 * shipments) are avoided; the rest are scored on postage + costPerDay × days. When every channel
 * loses too much, the least lossy one is taken and the reason says so, rather than not reshipping.
 */
export function chooseChannel(
  req: ChannelRequest,
  rates: ChannelRate[],
  losses: LaneLossStats[],
  policy: ChannelPolicy = DEFAULT_CHANNEL_POLICY,
): ChannelChoice {
  const rules = applicableRules(policy, req);
  const rule = effectiveRule(rules);
  const insurance = insuranceFor(policy, req.declaredValue);
  const insuranceText = insurance.insured
    ? ` Insured (${insurance.premium.toFixed(2)} ${req.currency}): declared value ${req.declaredValue} ${req.currency} is above ${policy.insureAbove}.`
    : '';
  const statsOf = (carrier: string) =>
    losses.find((l) => l.carrier.toLowerCase() === carrier.toLowerCase());

  const scored: ScoredChannel[] = rates.map((r) => {
    const s = statsOf(r.carrier);
    const sample = s?.finished ?? 0;
    const lossRate = s && sample >= policy.minSample ? s.lost / sample : undefined;
    const base = {
      carrier: r.carrier,
      service: r.service,
      serviceDays: r.serviceDays,
      postage: r.postage,
      currency: r.currency,
      sample,
      ...(lossRate !== undefined ? { lossRate } : {}),
    };
    if (rule.exclude.has(r.carrier.toLowerCase()))
      return { ...base, excluded: 'carrier excluded by rule' };
    if (rule.maxServiceDays !== undefined && r.serviceDays > rule.maxServiceDays)
      return { ...base, excluded: `slower than ${rule.maxServiceDays} days` };
    if (insurance.insured && !r.insurable)
      return { ...base, excluded: 'cannot be insured and the value calls for insurance' };
    if (lossRate !== undefined && lossRate > policy.maxLossRate)
      return {
        ...base,
        excluded: `loses ${pct(lossRate)} on this lane (${s!.lost} of ${sample}), above ${pct(policy.maxLossRate)}`,
      };
    return {
      ...base,
      score: Math.round((r.postage + rule.costPerDay * r.serviceDays) * 100) / 100,
    };
  });
  const byScore = (a: ScoredChannel, b: ScoredChannel) =>
    (a.score ?? Infinity) - (b.score ?? Infinity) ||
    a.postage - b.postage ||
    `${a.carrier}/${a.service}`.localeCompare(`${b.carrier}/${b.service}`);
  const alternatives = [...scored].sort(byScore);
  const lane = `${req.originCountry}→${req.destinationCountry}`;
  const common = {
    currency: req.currency,
    insured: insurance.insured,
    insurancePremium: insurance.premium,
    alternatives,
    rules: rules.map((r) => r.name),
  };

  if (rates.length === 0) {
    return {
      ...common,
      carrier: req.fallback.carrier,
      service: req.fallback.service ?? 'standard',
      reason: `No rate for lane ${lane}; the original carrier ${req.fallback.carrier} is kept.${insuranceText}`,
    };
  }

  const best = alternatives.find((a) => a.score !== undefined);
  if (best) {
    const others = alternatives.filter((a) => a !== best);
    const avoided = others.filter(
      (a) => a.lossRate !== undefined && a.lossRate > policy.maxLossRate,
    );
    const history =
      best.lossRate !== undefined
        ? `our loss rate ${pct(best.lossRate)} over ${best.sample} shipments`
        : `too little history on this lane (${best.sample} of ${policy.minSample} shipments)`;
    const avoidedText = avoided.length
      ? ` Avoided: ${avoided.map((a) => `${a.carrier}/${a.service} (${a.excluded})`).join('; ')}.`
      : '';
    return {
      ...common,
      carrier: best.carrier,
      service: best.service,
      serviceDays: best.serviceDays,
      estimatedPostage: best.postage,
      reason: `${best.carrier}/${best.service} on ${lane}: best score of ${scored.filter((s) => s.score !== undefined).length} eligible channels (${best.postage.toFixed(2)} ${best.currency}, ${best.serviceDays} days, ${history}).${avoidedText}${insuranceText}`,
    };
  }

  // Nothing eligible: take the least lossy channel that breaks no other rule, else the cheapest.
  const lossOnly = alternatives.filter((a) => a.excluded?.startsWith('loses'));
  const pool = lossOnly.length ? lossOnly : alternatives;
  const least = [...pool].sort(
    (a, b) => (a.lossRate ?? 0) - (b.lossRate ?? 0) || a.postage - b.postage,
  )[0]!;
  return {
    ...common,
    carrier: least.carrier,
    service: least.service,
    serviceDays: least.serviceDays,
    estimatedPostage: least.postage,
    reason: `No channel on ${lane} meets the rules (${alternatives.map((a) => `${a.carrier}/${a.service}: ${a.excluded}`).join('; ')}); ${least.carrier}/${least.service} is the least bad.${insuranceText}`,
  };
}

/** The `maxDelayRate` of a policy, with its default for policies stored before it existed. */
export const delayThreshold = (policy: ChannelPolicy) => policy.maxDelayRate ?? 0.2;

/** A row of the rate card: a channel with the lane it serves (`*` matches any country). */
export interface RateCardRow extends ChannelRate {
  originCountry: string;
  destinationCountry: string;
}

/**
 * The rate card's channels for a lane: per carrier and service, the most specific row (exact
 * countries beat `*`, origin before destination). Pure, so advice can run it on a cached card.
 */
export function ratesForLaneFrom(
  rows: readonly RateCardRow[],
  originCountry: string,
  destinationCountry: string,
): ChannelRate[] {
  const specificity = (r: RateCardRow) =>
    (r.originCountry === '*' ? 0 : 2) + (r.destinationCountry === '*' ? 0 : 1);
  const best = new Map<string, RateCardRow>();
  for (const row of rows) {
    if (row.originCountry !== originCountry && row.originCountry !== '*') continue;
    if (row.destinationCountry !== destinationCountry && row.destinationCountry !== '*') continue;
    const key = `${row.carrier}/${row.service}`;
    const seen = best.get(key);
    if (!seen || specificity(row) > specificity(seen)) best.set(key, row);
  }
  return [...best.values()].map((r) => ({
    carrier: r.carrier,
    service: r.service,
    serviceDays: r.serviceDays,
    postage: r.postage,
    currency: r.currency,
    insurable: r.insurable,
  }));
}
