/**
 * The expected delivery of a shipment, from the best source there is: the carrier's own estimate
 * (revised by its scans), else our own figures for the carrier and lane (median to 90th percentile
 * of the transit days of parcels it delivered), else the channel's stated transit days. One
 * function, used by the shipment answer, the customer page, the console, inquiry replies and the
 * reship mail.
 *
 * A parcel already under way for d whole days is compared with the lane's parcels that took longer
 * than d days (the range narrows and moves later as days pass), and no range of a parcel not yet
 * delivered ends before now. When too few of the lane's parcels took that long, there is no
 * reliable date, and the answer says so (basis `overdue`) instead of inventing one.
 */

export const ESTIMATE_BASES = ['carrier', 'lane', 'channel', 'overdue'] as const;
export type EstimateBasis = (typeof ESTIMATE_BASES)[number];

/** Below this many delivered parcels a lane's figures say too little to be shown to a customer. */
export const MIN_LANE_SAMPLE = 20;

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Transit days of the parcels a carrier delivered on one lane (origin → destination) that took
 * longer than `afterDays` (all of them when 0).
 */
export interface LaneFigures {
  /** Parcels behind the median and 90th percentile: those that took longer than `afterDays`. */
  sampleSize: number;
  medianDays: number;
  p90Days: number;
  /** Whole days the parcel has been under way; the figures are of parcels that took longer. */
  afterDays?: number;
  /** All delivered parcels of the lane, whatever their transit. */
  laneSampleSize?: number;
}

/** A date, or a range of dates, the parcel is expected in. */
export interface DatedDelivery {
  /** The most likely day (ISO 8601 instant). */
  date: string;
  /** The range shown to the customer: from `earliest` to `latest`. */
  earliest: string;
  latest: string;
  basis: Exclude<EstimateBasis, 'overdue'>;
  /** Delivered parcels the lane figures come from (lane basis only). */
  sampleSize?: number;
  /** Lane basis: the figures are of parcels still on the way after this many days. */
  afterDays?: number;
}

/**
 * No reliable date: the parcel has been under way longer than all but a few of the lane's
 * delivered parcels (fewer than the minimum took longer than `afterDays`).
 */
export interface NoReliableDate {
  basis: 'overdue';
  /** The lane's delivered parcels that took longer than `afterDays` (below the minimum). */
  sampleSize: number;
  afterDays: number;
  /** All delivered parcels of the lane. */
  laneSampleSize: number;
}

export type ExpectedDelivery = DatedDelivery | NoReliableDate;

export const isDated = (x: ExpectedDelivery | undefined): x is DatedDelivery =>
  x !== undefined && x.basis !== 'overdue';

export interface EstimateInput {
  /** When the parcel left (the shipment's `shippedAt`). */
  shippedAt: string;
  /**
   * Now, for a parcel not yet delivered: an estimate already past is no estimate, and no range
   * ends before it. Without it (a delivered parcel, a replacement just booked) nothing is moved.
   */
  now?: string | undefined;
  /** The carrier's estimate: the workflow's latest (revised as scans arrive), else the label's. */
  carrierEstimate?: string | undefined;
  lane?: LaneFigures | undefined;
  /** The channel's stated transit days. */
  channelDays?: number | undefined;
  minSample?: number;
}

const valid = (iso: string | undefined): iso is string =>
  iso !== undefined && !Number.isNaN(Date.parse(iso));

const plusDays = (from: number, days: number) => from + days * DAY_MS;
const iso = (ms: number) => new Date(ms).toISOString();

/** Whole days a parcel shipped at `shippedAt` has been under way at `now` (0 before it left). */
export function daysUnderWay(shippedAt: string, now: string | Date): number {
  const elapsed = new Date(now).getTime() - Date.parse(shippedAt);
  return Number.isFinite(elapsed) && elapsed > 0 ? Math.floor(elapsed / DAY_MS) : 0;
}

/** The expected delivery, or undefined when no source knows (no estimate, lane or channel). */
export function estimateDelivery(input: EstimateInput): ExpectedDelivery | undefined {
  const { carrierEstimate, lane, channelDays } = input;
  const now = valid(input.now) ? Date.parse(input.now) : undefined;
  // A date already past says nothing about when a parcel still under way comes.
  const ahead = (ms: number) => now === undefined || ms >= now;
  const notBefore = (ms: number) => (now === undefined ? ms : Math.max(ms, now));
  if (valid(carrierEstimate) && ahead(Date.parse(carrierEstimate))) {
    const date = new Date(carrierEstimate).toISOString();
    return { date, earliest: date, latest: date, basis: 'carrier' };
  }
  if (!valid(input.shippedAt)) return undefined;
  const shipped = Date.parse(input.shippedAt);
  const minSample = input.minSample ?? MIN_LANE_SAMPLE;
  const afterDays = lane?.afterDays ?? 0;
  if (
    lane &&
    lane.sampleSize >= minSample &&
    Number.isFinite(lane.medianDays) &&
    Number.isFinite(lane.p90Days) &&
    lane.medianDays >= 0
  ) {
    const median = notBefore(plusDays(shipped, lane.medianDays));
    const latest = notBefore(plusDays(shipped, Math.max(lane.medianDays, lane.p90Days)));
    return {
      date: iso(median),
      earliest: iso(median),
      latest: iso(latest),
      basis: 'lane',
      sampleSize: lane.sampleSize,
      ...(afterDays > 0 ? { afterDays } : {}),
    };
  }
  if (channelDays !== undefined && Number.isFinite(channelDays) && channelDays >= 0) {
    const date = plusDays(shipped, channelDays);
    if (ahead(date))
      return { date: iso(date), earliest: iso(date), latest: iso(date), basis: 'channel' };
  }
  // The lane knows enough parcels, but too few took as long as this one: say there is no date.
  if (lane && afterDays > 0 && (lane.laneSampleSize ?? 0) >= minSample) {
    return {
      basis: 'overdue',
      sampleSize: lane.sampleSize,
      afterDays,
      laneSampleSize: lane.laneSampleSize ?? 0,
    };
  }
  return undefined;
}
