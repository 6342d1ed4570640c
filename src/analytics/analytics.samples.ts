import type { TableName } from './analytics.schemas';

/**
 * The sample size behind each rate of a table: the column holding its denominator, so a chart can
 * print n=… on each bar and a 100 % over one shipment reads as what it is.
 */
export const RATE_SAMPLES: Record<TableName, Record<string, string>> = {
  carriers: { lossRate: 'resolved', delayRate: 'withEstimate', flaggedRate: 'shipments' },
  lanes: { lossRate: 'resolved', delayRate: 'withEstimate', flaggedRate: 'shipments' },
  months: { lossRate: 'resolved', delayRate: 'withEstimate', flaggedRate: 'shipments' },
  risk: { lossRate: 'resolved' },
  claims: { recoveryRate: 'settled' },
  handling: { p50Hours: 'count', p90Hours: 'count' },
  reships: { averageCost: 'reships' },
};

/** The column counting a table's subjects (shipments, claims, reships…), summed as its sample size. */
const SUBJECTS: Record<TableName, string> = {
  carriers: 'shipments',
  lanes: 'shipments',
  months: 'shipments',
  risk: 'resolved',
  claims: 'claims',
  handling: 'count',
  reships: 'reships',
};

/** How many records the whole table stands on (the handling table counts each measure's own). */
export function sampleSize(name: TableName, rows: Record<string, unknown>[]): number {
  const key = SUBJECTS[name];
  if (name === 'handling') {
    return Math.max(0, ...rows.map((r) => (typeof r[key] === 'number' ? r[key] : 0)));
  }
  return rows.reduce<number>((n, r) => n + (typeof r[key] === 'number' ? r[key] : 0), 0);
}
