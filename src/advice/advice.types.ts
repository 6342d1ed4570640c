/**
 * The advice given for a shipment before it leaves (POST /v1/advice, and with every registration,
 * stored on the shipment in `shipments.advice`). Types only, so the drizzle schema can name them.
 */

export type ChannelOption = {
  carrier: string;
  service: string;
  serviceDays: number;
  postage: number;
  currency: string;
  lossRate?: number;
  sample: number;
  score?: number;
  excluded?: string;
};

export type RiskWarning = {
  /** `lane`: every carrier on origin→destination; `carrier`: the chosen carrier on the lane. */
  scope: 'lane' | 'carrier';
  carrier?: string;
  origin: string;
  destination: string;
  /** `loss` or `delay`. */
  measure: 'loss' | 'delay';
  rate: number;
  threshold: number;
  /** Shipments the rate is computed over (resolved ones for loss, delivered with an estimate for delay). */
  sample: number;
  /** Of those, lost (or delayed). */
  count: number;
  message: string;
};

export type PackagingAdvice = {
  rule: string;
  advice: string;
  /** The public source the rule follows (name and URL). */
  source: { name: string; url: string };
  /** The items (by index in the request) or the shipment as a whole the rule matched. */
  items: number[];
};

export type InsuranceAdvice = {
  recommended: boolean;
  premium: number;
  currency: string;
  threshold: number;
  ratePer100: number;
  reason: string;
};

export type ShipmentAdvice = {
  lane: { origin: string; destination: string };
  channel: {
    carrier: string;
    service: string;
    serviceDays?: number;
    estimatedPostage?: number;
    reason: string;
    alternatives: ChannelOption[];
    rules: string[];
  };
  insurance: InsuranceAdvice;
  warnings: RiskWarning[];
  packaging: PackagingAdvice[];
  /** Versions of the settings the advice was computed from, so it can be explained later. */
  basis: {
    channelPolicyVersion: number;
    rateCardVersion: number;
    packagingRulesVersion: number;
    packagingRulesSeller: string;
    figuresAt: string;
  };
};

/** What a shipment row keeps: the advice and whether the registration followed it. */
export type ShipmentAdviceRecord = ShipmentAdvice & {
  /** The registered carrier is the recommended one. */
  followedChannel: boolean;
};
