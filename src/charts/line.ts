import { legend, PALETTE, xAxis, yAxis } from './axes';
import { formatOf } from './bar';
import { linearScale } from './scale';
import { el, escapeXml, frame, num, svgDocument } from './svg';

export interface Series {
  name: string;
  /** One value per category; null leaves a gap. */
  values: (number | null)[];
}

export interface LineChartOptions {
  title: string;
  description: string;
  /** The x categories in order, e.g. months `2026-01`, `2026-02`. */
  categories: string[];
  series: Series[];
  yLabel: string;
  format?: 'percent' | 'number';
  width?: number;
  height?: number;
}

/** One polyline per series over ordered categories, with a marker per point. */
export function lineChart(o: LineChartOptions): string {
  const f = frame(o.width ?? 720, o.height ?? 360, 70);
  const format = formatOf(o.format);
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const scale = linearScale(all, f.top, f.bottom);
  const slot = (f.right - f.left) / Math.max(1, o.categories.length);
  const x = (i: number) => f.left + slot * (i + 0.5);

  const lines = o.series.map((s, si) => {
    const colour = PALETTE[si % PALETTE.length]!;
    // A gap (null) splits the line into segments.
    const segments: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) segments.push([]);
      else segments[segments.length - 1]!.push(`${num(x(i))},${num(scale.y(v))}`);
    });
    const paths = segments
      .filter((seg) => seg.length > 1)
      .map((seg) =>
        el('polyline', {
          class: 'line',
          points: seg.join(' '),
          fill: 'none',
          stroke: colour,
          'stroke-width': 2,
        }),
      );
    const points = s.values.map((v, i) =>
      v === null
        ? ''
        : el(
            'circle',
            {
              class: 'point',
              cx: x(i),
              cy: scale.y(v),
              r: 3,
              fill: colour,
              'data-value': v,
            },
            el('title', {}, escapeXml(`${s.name}, ${o.categories[i]}: ${format(v)}`)),
          ),
    );
    return el('g', { class: 'series', 'data-series': s.name }, [...paths, ...points]);
  });
  return svgDocument(f, o.title, o.description, [
    yAxis(f, scale, format, o.yLabel),
    xAxis(f, o.categories, x, slot),
    ...lines,
    legend(
      f,
      o.series.map((s) => s.name),
    ),
  ]);
}
