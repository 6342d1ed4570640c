/**
 * The expected delivery of a shipment, from the best source there is: the carrier's own estimate
 * (revised by its scans), else our own figures for the carrier and lane (median to 90th percentile
 * of the transit days of parcels it delivered), else the channel's stated transit days. One
 * function, used by the shipment answer, the customer page, the console, inquiry replies and the
 * reship mail.
 */

export const ESTIMATE_BASES = ['carrier', 'lane', 'channel'] as const;
export type EstimateBasis = (typeof ESTIMATE_BASES)[number];

/** Below this many delivered parcels a lane's figures say too little to be shown to a customer. */
export const MIN_LANE_SAMPLE = 20;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Transit days of the parcels a carrier delivered on one lane (origin → destination). */
export interface LaneFigures {
  sampleSize: number;
  medianDays: number;
  p90Days: number;
}

export interface ExpectedDelivery {
  /** The most likely day (ISO 8601 instant). */
  date: string;
  /** The range shown to the customer: from `earliest` to `latest`. */
  earliest: string;
  latest: string;
  basis: EstimateBasis;
  /** Delivered parcels the lane figures come from (lane basis only). */
  sampleSize?: number;
}

export interface EstimateInput {
  /** When the parcel left (the shipment's `shippedAt`). */
  shippedAt: string;
  /** The carrier's estimate: the workflow's latest (revised as scans arrive), else the label's. */
  carrierEstimate?: string | undefined;
  lane?: LaneFigures | undefined;
  /** The channel's stated transit days. */
  channelDays?: number | undefined;
  minSample?: number;
}

const valid = (iso: string | undefined): iso is string =>
  iso !== undefined && !Number.isNaN(Date.parse(iso));

const plusDays = (from: number, days: number) => new Date(from + days * DAY_MS).toISOString();

/** The expected delivery, or undefined when no source knows (no estimate, lane or channel). */
export function estimateDelivery(input: EstimateInput): ExpectedDelivery | undefined {
  const { carrierEstimate, lane, channelDays } = input;
  if (valid(carrierEstimate)) {
    const date = new Date(carrierEstimate).toISOString();
    return { date, earliest: date, latest: date, basis: 'carrier' };
  }
  if (!valid(input.shippedAt)) return undefined;
  const shipped = Date.parse(input.shippedAt);
  const minSample = input.minSample ?? MIN_LANE_SAMPLE;
  if (
    lane &&
    lane.sampleSize >= minSample &&
    Number.isFinite(lane.medianDays) &&
    Number.isFinite(lane.p90Days) &&
    lane.medianDays >= 0
  ) {
    const latestDays = Math.max(lane.medianDays, lane.p90Days);
    return {
      date: plusDays(shipped, lane.medianDays),
      earliest: plusDays(shipped, lane.medianDays),
      latest: plusDays(shipped, latestDays),
      basis: 'lane',
      sampleSize: lane.sampleSize,
    };
  }
  if (channelDays !== undefined && Number.isFinite(channelDays) && channelDays >= 0) {
    const date = plusDays(shipped, channelDays);
    return { date, earliest: date, latest: date, basis: 'channel' };
  }
  return undefined;
}
