import type { TrackingStatus } from '../../../workflows/shipment.contract';

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
