import { legend, PALETTE, xAxis, yAxis } from './axes';
import { formatOf } from './bar';
import { linearScale } from './scale';
import { el, escapeXml, frame, svgDocument } from './svg';
import type { Series } from './line';

export interface StackedBarChartOptions {
  title: string;
  description: string;
  categories: string[];
  /** Stacked bottom to top in this order; null counts as 0. */
  series: Series[];
  yLabel: string;
  format?: 'percent' | 'number';
  width?: number;
  height?: number;
}

/** One bar per category made of one segment per series, stacked. */
export function stackedBarChart(o: StackedBarChartOptions): string {
  const f = frame(o.width ?? 720, o.height ?? 360, 80);
  const format = formatOf(o.format);
  const totals = o.categories.map((_, i) =>
    o.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0),
  );
  const scale = linearScale(totals, f.top, f.bottom);
  const slot = (f.right - f.left) / Math.max(1, o.categories.length);
  const barWidth = Math.max(2, Math.min(60, slot * 0.7));
  const centre = (i: number) => f.left + slot * (i + 0.5);

  const stacks = o.categories.map((category, i) => {
    let base = 0;
    const segments = o.series.map((s, si) => {
      const v = s.values[i] ?? 0;
      const y0 = scale.y(base);
      base += v;
      const y1 = scale.y(base);
      return el(
        'rect',
        {
          class: 'segment',
          x: centre(i) - barWidth / 2,
          y: y1,
          width: barWidth,
          height: y0 - y1,
          fill: PALETTE[si % PALETTE.length],
          'data-series': s.name,
          'data-value': v,
        },
        el('title', {}, escapeXml(`${category}, ${s.name}: ${format(v)}`)),
      );
    });
    return el('g', { class: 'stack', 'data-label': category, 'data-total': totals[i] }, segments);
  });
  return svgDocument(f, o.title, o.description, [
    yAxis(f, scale, format, o.yLabel),
    xAxis(f, o.categories, centre, slot),
    el('g', { class: 'bars' }, stacks),
    legend(
      f,
      o.series.map((s) => s.name),
    ),
  ]);
}
