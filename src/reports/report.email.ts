import { barChart, escapeXml } from '../charts';
import { localDayName } from './report.period';
import type { ReportSnapshotRow } from './report.repository';

export interface RenderedReport {
  subject: string;
  text: string;
  html: string;
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const laneName = (l: { carrier: string; origin: string; destination: string }) =>
  `${l.carrier} ${l.origin} → ${l.destination}`;

/** The ops e-mail of a snapshot: worst lanes first, then carriers, the review queue and claims. */
export function renderReportEmail(s: ReportSnapshotRow): RenderedReport {
  const f = s.figures;
  const dayName = localDayName(s.periodStart, s.timeZone);
  const period = `${dayName} (${s.timeZone})`;
  const lanes = s.worstLanes.map(
    (l, i) =>
      `${i + 1}. ${laneName(l)}: ${pct(l.lossRate)} lost (${l.lost} of ${l.resolved} resolved)`,
  );
  const carriers = f.carriers.map(
    (c) =>
      `${c.carrier}: ${c.shipments} shipments, loss ${pct(c.lossRate)}, delay ${pct(c.delayRate)}, median transit ${c.medianTransitDays ?? 'n/a'} d`,
  );
  const claims = f.claims.map(
    (c) =>
      `${c.currency}: ${c.settled} settled, ${c.recovered} with money back, ${c.amountRecovered.toFixed(2)} recovered`,
  );
  const none = (rows: string[], empty: string) => (rows.length ? rows : [empty]);
  const window = `shipped ${f.window.from.slice(0, 10)} to ${f.window.to.slice(0, 10)}`;

  const text = [
    `Daily carrier report for ${period}`,
    '',
    `Worst lanes by loss rate (at least ${f.minSample} resolved, ${window}):`,
    ...none(lanes, 'No lane has enough resolved shipments yet.'),
    '',
    `Carriers (${window}):`,
    ...none(carriers, 'No shipments.'),
    '',
    `Reviews at the end of the day: ${f.reviews.pending} pending, ${f.reviews.overdue} overdue; ${f.reviews.decided} decided during the day.`,
    '',
    'Claims settled during the day:',
    ...none(claims, 'None.'),
    '',
    `Snapshot ${s.id}: GET /v1/reports/${s.id}`,
  ].join('\n');

  const chart = barChart({
    title: 'Worst lanes by loss rate',
    description: `Loss rate of the worst carrier lanes, ${window}`,
    bars: s.worstLanes.map((l) => ({ label: laneName(l), value: l.lossRate, highlight: true })),
    yLabel: 'Loss rate',
    format: 'percent',
    width: 640,
    height: 280,
  });
  const list = (rows: string[], empty: string) =>
    `<ol>${none(rows, empty)
      .map((r) => `<li>${escapeXml(r)}</li>`)
      .join('')}</ol>`;
  const html = [
    '<!doctype html><html lang="en"><body style="font-family: sans-serif">',
    `<h1>Daily carrier report</h1><p>${escapeXml(period)}</p>`,
    `<h2>Worst lanes by loss rate</h2><p>At least ${f.minSample} resolved, ${escapeXml(window)}.</p>`,
    list(lanes, 'No lane has enough resolved shipments yet.'),
    s.worstLanes.length ? chart : '',
    `<h2>Carriers</h2>${list(carriers, 'No shipments.')}`,
    `<h2>Reviews</h2><p>${f.reviews.pending} pending, ${f.reviews.overdue} overdue at the end of the day; ${f.reviews.decided} decided during the day.</p>`,
    `<h2>Claims settled</h2>${list(claims, 'None.')}`,
    `<p>Snapshot ${s.id}: <code>GET /v1/reports/${s.id}</code></p>`,
    '</body></html>',
  ].join('\n');

  return {
    subject: `Daily carrier report ${dayName}: ${
      s.worstLanes[0]
        ? `worst lane ${laneName(s.worstLanes[0])} ${pct(s.worstLanes[0].lossRate)}`
        : 'no lane to rank'
    }`,
    text,
    html,
  };
}
