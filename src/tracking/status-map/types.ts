import type { SummaryStatus, TrackingStatus } from '../../../workflows/shipment.contract';

export interface MappedStatus {
  status: TrackingStatus;
  /** The provider's original sub code, kept for detail and audit. */
  subStatus?: string;
}

/** One provider's mapping: main codes, then sub codes that refine (override) their main code. */
export interface StatusTable {
  provider: string;
  /** Where the codes are documented. */
  source: string;
  main: Readonly<Record<string, TrackingStatus>>;
  sub: Readonly<Record<string, TrackingStatus>>;
  /** Per-event stage names, read when an event has no sub code (17TRACK `stage`). */
  stage?: Readonly<Record<string, TrackingStatus>>;
  /** Documented sub codes that say nothing beyond their main code (they fall back to it). */
  keepsMain?: readonly string[];
  /**
   * Codes that mean something else for a whole tracking (its overall status) than for one scan,
   * sub code first: an `Expired` tracking is one the provider stopped tracking.
   */
  summary?: Readonly<Record<string, SummaryStatus>>;
}

export interface MappedSummary {
  status: SummaryStatus;
  subStatus?: string;
}

/** A whole tracking's status: the summary codes first, then the same rules as a scan's. */
export function lookupSummary(table: StatusTable, main: string, sub?: string): MappedSummary {
  const special = table.summary
    ? (ownOf(table.summary, sub) ?? ownOf(table.summary, main))
    : undefined;
  if (special) return sub ? { status: special, subStatus: sub } : { status: special };
  return lookup(table, main, sub);
}

function ownOf<T>(rec: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}

/**
 * Sub code first (it is more precise), else the main code, else `unknown`.
 * Own-property lookups only, so codes like `constructor` or `__proto__` never hit the prototype.
 */
export function lookup(table: StatusTable, main: string, sub?: string): MappedStatus {
  const status = own(table.sub, sub) ?? own(table.main, main) ?? 'unknown';
  return sub ? { status, subStatus: sub } : { status };
}

function own(
  rec: Readonly<Record<string, TrackingStatus>>,
  key: string | undefined,
): TrackingStatus | undefined {
  return key !== undefined && Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}
