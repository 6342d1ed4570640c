import { percent, plain, xAxis, yAxis, type Format } from './axes';
import { linearScale } from './scale';
import { el, escapeXml, frame, svgDocument, text } from './svg';

export interface Bar {
  label: string;
  /** Null draws no bar (nothing to measure) but keeps the category. */
  value: number | null;
  /** Drawn in the warning colour (e.g. a high-risk lane). */
  highlight?: boolean;
}

export interface BarChartOptions {
  title: string;
  description: string;
  bars: Bar[];
  yLabel: string;
  /** How values and ticks are written: a named format or a function of the value. */
  format?: 'percent' | 'number' | Format;
  /** A dashed horizontal line, e.g. the risk threshold. */
  reference?: { value: number; label: string };
  width?: number;
  height?: number;
}

export const formatOf = (f: 'percent' | 'number' | Format | undefined): Format =>
  typeof f === 'function' ? f : f === 'percent' ? percent : plain;

/** A vertical bar chart: one bar per category, heights proportional to the values. */
export function barChart(o: BarChartOptions): string {
  const f = frame(o.width ?? 720, o.height ?? 360, 80);
  const format = formatOf(o.format);
  const values = o.bars.map((b) => b.value ?? 0);
  const scale = linearScale([...values, o.reference?.value ?? 0], f.top, f.bottom);
  const slot = (f.right - f.left) / Math.max(1, o.bars.length);
  const barWidth = Math.max(2, Math.min(60, slot * 0.7));
  const centre = (i: number) => f.left + slot * (i + 0.5);

  const bars = o.bars.map((b, i) => {
    if (b.value === null) return '';
    const y = scale.y(b.value);
    return el(
      'rect',
      {
        class: b.highlight ? 'bar highlight' : 'bar',
        x: centre(i) - barWidth / 2,
        y,
        width: barWidth,
        height: f.bottom - y,
        fill: b.highlight ? '#c53030' : '#2b6cb0',
        'data-label': b.label,
        'data-value': b.value,
      },
      el('title', {}, escapeXml(`${b.label}: ${format(b.value)}`)),
    );
  });
  const valueLabels = o.bars.map((b, i) =>
    b.value === null
      ? text({ class: 'value', x: centre(i), y: f.bottom - 4, 'text-anchor': 'middle' }, 'n/a')
      : text(
          { class: 'value', x: centre(i), y: scale.y(b.value) - 4, 'text-anchor': 'middle' },
          format(b.value),
        ),
  );
  const reference = o.reference
    ? el('g', { class: 'reference' }, [
        el('line', {
          x1: f.left,
          x2: f.right,
          y1: scale.y(o.reference.value),
          y2: scale.y(o.reference.value),
          stroke: '#c53030',
          'stroke-dasharray': '6 4',
        }),
        text(
          { x: f.right, y: scale.y(o.reference.value) - 4, 'text-anchor': 'end', fill: '#c53030' },
          o.reference.label,
        ),
      ])
    : '';
  const empty = o.bars.length
    ? ''
    : text(
        { class: 'empty', x: (f.left + f.right) / 2, y: (f.top + f.bottom) / 2 },
        'No data for these filters',
      );
  return svgDocument(f, o.title, o.description, [
    yAxis(f, scale, format, o.yLabel),
    xAxis(
      f,
      o.bars.map((b) => b.label),
      centre,
      slot,
    ),
    el('g', { class: 'bars' }, bars),
    el('g', { class: 'values' }, valueLabels),
    reference,
    empty,
  ]);
}
