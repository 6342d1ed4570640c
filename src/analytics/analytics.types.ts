/** Row shapes of the delivery analytics, apart from the repository so that the schema can name them. */

/**
 * Delivery figures of a group of shipments:
 * - `shipments`: shipments in the group.
 * - `resolved`: those whose resolution is delivered, reshipped, refunded or returned_to_sender.
 * - `lost`: those resolved as reshipped or refunded; `lossRate` = lost / resolved.
 * - `delivered`: those with a delivery scan (delivered_at); `withEstimate`: delivered ones that had
 *   an expected delivery date at registration; `delayed`: delivered after that date;
 *   `delayRate` = delayed / withEstimate.
 * - `flagged`: shipments that went to review at least once (a tracking anomaly);
 *   `flaggedRate` = flagged / shipments.
 * - `medianTransitDays`: median of delivered_at − (first tracking scan, or shipped_at when there
 *   is none), in days, over delivered shipments.
 * Rates are null when their denominator is 0.
 */
export interface DeliveryStats {
  shipments: number;
  resolved: number;
  lost: number;
  lossRate: number | null;
  delivered: number;
  withEstimate: number;
  delayed: number;
  delayRate: number | null;
  flagged: number;
  flaggedRate: number | null;
  medianTransitDays: number | null;
}

export interface CarrierRow extends DeliveryStats {
  carrier: string;
}
export interface LaneRow extends DeliveryStats {
  origin: string;
  destination: string;
}
export interface MonthRow extends DeliveryStats {
  /** Month of shipped_at in UTC, `YYYY-MM`. */
  month: string;
}
export interface RiskRow {
  carrier: string;
  origin: string;
  destination: string;
  resolved: number;
  lost: number;
  lossRate: number | null;
  /** resolved ≥ minSample and lossRate > threshold. */
  highRisk: boolean;
}
