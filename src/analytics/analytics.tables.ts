import { validationFailed } from '../http/problems';
import { barChart, lineChart, stackedBarChart } from '../charts';
import type {
  AnalyticsRepository,
  CarrierRow,
  ClaimRow,
  DeliveryStats,
  HandlingRow,
  LaneRow,
  MonthRow,
  ReshipRow,
  RiskRow,
} from './analytics.repository';
import type { AnalyticsQuery, TableName } from './analytics.schemas';

interface Column<R> {
  key: keyof R & string;
  header: string;
}
const columns = <R>(...keys: (keyof R & string)[]): Column<R>[] =>
  keys.map((key) => ({ key, header: key }));

/** A delivery figure that can be charted, with its axis label and number format. */
const DELIVERY_METRICS = {
  lossRate: { label: 'Loss rate', format: 'percent' },
  delayRate: { label: 'Delay rate', format: 'percent' },
  flaggedRate: { label: 'Share flagged for review', format: 'percent' },
  medianTransitDays: { label: 'Median transit (days)', format: 'number' },
  shipments: { label: 'Shipments', format: 'number' },
} as const satisfies Record<string, { label: string; format: 'percent' | 'number' }>;
type DeliveryMetric = keyof typeof DELIVERY_METRICS;

function deliveryMetric(q: AnalyticsQuery, fallback: DeliveryMetric): DeliveryMetric {
  const m = q.metric ?? fallback;
  if (!(m in DELIVERY_METRICS)) {
    throw validationFailed(
      [{ path: 'metric', message: `must be one of ${Object.keys(DELIVERY_METRICS).join(', ')}` }],
      'query string',
    );
  }
  return m as DeliveryMetric;
}

function noMetric(q: AnalyticsQuery, table: string): void {
  if (q.metric !== undefined) {
    throw validationFailed(
      [{ path: 'metric', message: `the ${table} chart has no metric to choose` }],
      'query string',
    );
  }
}

/** "shipped 2026-01-01 – 2026-03-01, carrier yanwen, to US" for chart descriptions. */
function scope(q: AnalyticsQuery): string {
  const parts: string[] = [];
  if (q.from || q.to)
    parts.push(
      `shipped ${q.from?.toISOString().slice(0, 10) ?? '…'} to ${q.to?.toISOString().slice(0, 10) ?? '…'}`,
    );
  if (q.carrier) parts.push(`carrier ${q.carrier}`);
  if (q.origin) parts.push(`from ${q.origin}`);
  if (q.destination) parts.push(`to ${q.destination}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const show = (v: number | null, format: 'percent' | 'number') =>
  v === null ? 'n/a' : format === 'percent' ? `${Math.round(v * 1000) / 10} %` : String(v);

function deliveryBars<R extends DeliveryStats>(
  rows: R[],
  label: (r: R) => string,
  q: AnalyticsQuery,
  per: string,
): string {
  const metric = deliveryMetric(q, 'lossRate');
  const m = DELIVERY_METRICS[metric];
  const title = `${m.label} per ${per}${scope(q)}`;
  return barChart({
    title,
    description: rows.length
      ? `${title}: ${rows.map((r) => `${label(r)} ${show(r[metric], m.format)} of ${r.shipments} shipments`).join('; ')}.`
      : `${title}: no shipments match.`,
    bars: rows.map((r) => ({ label: label(r), value: r[metric] })),
    yLabel: m.label,
    format: m.format,
  });
}

export interface Table<R> {
  title: string;
  columns: Column<R>[];
  load(repo: AnalyticsRepository, q: AnalyticsQuery): Promise<R[]>;
  chart(rows: R[], q: AnalyticsQuery): string;
}

const deliveryColumns = columns<DeliveryStats>(
  'shipments',
  'resolved',
  'lost',
  'lossRate',
  'delivered',
  'withEstimate',
  'delayed',
  'delayRate',
  'flagged',
  'flaggedRate',
  'medianTransitDays',
);

const carriers: Table<CarrierRow> = {
  title: 'Delivery performance per carrier',
  columns: [...columns<CarrierRow>('carrier'), ...deliveryColumns],
  load: (repo, q) => repo.carriers(q),
  chart: (rows, q) => deliveryBars(rows, (r) => r.carrier, q, 'carrier'),
};

const laneLabel = (r: { origin: string; destination: string }) => `${r.origin} → ${r.destination}`;
const lanes: Table<LaneRow> = {
  title: 'Delivery performance per lane (origin → destination country)',
  columns: [...columns<LaneRow>('origin', 'destination'), ...deliveryColumns],
  load: (repo, q) => repo.lanes(q),
  chart: (rows, q) => deliveryBars(rows, laneLabel, q, 'lane'),
};

const months: Table<MonthRow> = {
  title: 'Delivery performance per month shipped (UTC)',
  columns: [...columns<MonthRow>('month'), ...deliveryColumns],
  load: (repo, q) => repo.months(q),
  chart: (rows, q) => {
    const metrics: DeliveryMetric[] = q.metric
      ? [deliveryMetric(q, 'lossRate')]
      : ['lossRate', 'delayRate'];
    const format = DELIVERY_METRICS[metrics[0]!].format;
    const title = `${metrics.map((m) => DELIVERY_METRICS[m].label).join(' and ')} per month${scope(q)}`;
    return lineChart({
      title,
      description: rows.length
        ? `${title}: ${rows.map((r) => `${r.month} ${metrics.map((m) => show(r[m], DELIVERY_METRICS[m].format)).join(' / ')}`).join('; ')}.`
        : `${title}: no shipments match.`,
      categories: rows.map((r) => r.month),
      series: metrics.map((m) => ({
        name: DELIVERY_METRICS[m].label,
        values: rows.map((r) => r[m]),
      })),
      yLabel: metrics.length === 1 ? DELIVERY_METRICS[metrics[0]!].label : 'Rate',
      format,
    });
  },
};

const handling: Table<HandlingRow> = {
  title: 'Handling times from suspicion (hours)',
  columns: columns<HandlingRow>('measure', 'count', 'p50Hours', 'p90Hours'),
  load: (repo, q) => repo.handling(q),
  chart: (rows, q) => {
    noMetric(q, 'handling');
    const name = {
      suspicion_to_decision: 'to decision',
      suspicion_to_customer_notice: 'to notice',
    };
    const bars = rows.flatMap((r) => [
      { label: `${name[r.measure]} p50`, value: r.p50Hours },
      { label: `${name[r.measure]} p90`, value: r.p90Hours },
    ]);
    const title = `Hours from suspicion to decision and to customer notice${scope(q)}`;
    return barChart({
      title,
      description: `${title}: ${bars.map((b) => `${b.label} ${show(b.value, 'number')} h`).join('; ')}.`,
      bars,
      yLabel: 'Hours',
    });
  },
};

const claimLabel = (r: { carrier: string; currency: string }) => `${r.carrier} (${r.currency})`;
const claimsTable: Table<ClaimRow> = {
  title: 'Claims: recovery per carrier and currency',
  columns: columns<ClaimRow>(
    'carrier',
    'currency',
    'claims',
    'settled',
    'recovered',
    'amountClaimed',
    'amountSettled',
    'amountRecovered',
    'recoveryRate',
  ),
  load: (repo, q) => repo.claims(q),
  chart: (rows, q) => {
    noMetric(q, 'claims');
    const title = `Claim recovery rate per carrier${scope(q)}`;
    return barChart({
      title,
      description: rows.length
        ? `${title}: ${rows.map((r) => `${claimLabel(r)} ${show(r.recoveryRate, 'percent')} (${r.amountRecovered} of ${r.amountSettled} settled)`).join('; ')}.`
        : `${title}: no claims match.`,
      bars: rows.map((r) => ({ label: claimLabel(r), value: r.recoveryRate })),
      yLabel: 'Recovered / claimed (settled claims)',
      format: 'percent',
    });
  },
};

const reships: Table<ReshipRow> = {
  title: 'Reship costs per carrier of the lost parcel and currency',
  columns: columns<ReshipRow>(
    'carrier',
    'currency',
    'reships',
    'insured',
    'postage',
    'goodsCost',
    'insurancePremium',
    'totalCost',
    'averageCost',
  ),
  load: (repo, q) => repo.reships(q),
  chart: (rows, q) => {
    noMetric(q, 'reships');
    const title = `Reship costs per carrier${scope(q)}`;
    return stackedBarChart({
      title,
      description: rows.length
        ? `${title}: ${rows.map((r) => `${claimLabel(r)} ${r.reships} reships, postage ${r.postage}, goods ${r.goodsCost}, insurance ${r.insurancePremium}`).join('; ')}.`
        : `${title}: no reships match.`,
      categories: rows.map(claimLabel),
      series: [
        { name: 'Postage', values: rows.map((r) => r.postage) },
        { name: 'Goods', values: rows.map((r) => r.goodsCost) },
        { name: 'Insurance', values: rows.map((r) => r.insurancePremium) },
      ],
      yLabel: 'Cost',
    });
  },
};

const riskLabel = (r: RiskRow) => `${r.carrier} ${r.origin}→${r.destination}`;
const risk: Table<RiskRow> = {
  title: 'Lane risk: loss rate per carrier and lane',
  columns: columns<RiskRow>(
    'carrier',
    'origin',
    'destination',
    'resolved',
    'lost',
    'lossRate',
    'highRisk',
  ),
  load: (repo, q) => repo.risk(q, q.threshold, q.minSample),
  chart: (rows, q) => {
    noMetric(q, 'risk');
    const title = `Loss rate per carrier lane; high risk above ${show(q.threshold, 'percent')} with at least ${q.minSample} resolved${scope(q)}`;
    const flagged = rows.filter((r) => r.highRisk);
    return barChart({
      title,
      description: flagged.length
        ? `${title}. High-risk lanes: ${flagged.map((r) => `${riskLabel(r)} ${show(r.lossRate, 'percent')} of ${r.resolved}`).join('; ')}.`
        : `${title}. No lane is high-risk.`,
      bars: rows.map((r) => ({ label: riskLabel(r), value: r.lossRate, highlight: r.highRisk })),
      yLabel: 'Loss rate',
      format: 'percent',
      reference: { value: q.threshold, label: `threshold ${show(q.threshold, 'percent')}` },
    });
  },
};

export const TABLES = {
  carriers,
  lanes,
  months,
  handling,
  claims: claimsTable,
  reships,
  risk,
} as const satisfies Record<TableName, unknown>;
