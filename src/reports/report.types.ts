import type { CarrierRow } from '../analytics/analytics.types';

/** The figures of a daily report, as stored in reports.figures (jsonb). */
export interface ReportFigures {
  /** Shipments shipped in [from, to) count for carriers and lanes. */
  window: { from: string; to: string };
  minSample: number;
  carriers: CarrierRow[];
  /**
   * `pending`: reviews detected before the period ended and not decided by then; `overdue`: those
   * past their SLA deadline at the end; `decided`: reviews decided during the period.
   */
  reviews: { pending: number; overdue: number; decided: number };
  /** Claims decided during the period, per currency (amounts of currencies are never added). */
  claims: { currency: string; settled: number; recovered: number; amountRecovered: number }[];
}
