import { el, text, type Frame } from './svg';
import type { LinearScale } from './scale';

export type Format = (v: number) => string;
export const plain: Format = (v) => String(Math.round(v * 100) / 100);
export const percent: Format = (v) => `${Math.round(v * 1000) / 10} %`;

/** The y axis with gridlines and tick labels, and its label. */
export function yAxis(f: Frame, scale: LinearScale, format: Format, label: string): string {
  const ticks = scale.ticks.map((t) =>
    el('g', { class: 'tick' }, [
      el('line', {
        x1: f.left,
        x2: f.right,
        y1: scale.y(t),
        y2: scale.y(t),
        stroke: '#ddd',
      }),
      text({ x: f.left - 6, y: scale.y(t) + 4, 'text-anchor': 'end' }, format(t)),
    ]),
  );
  return el('g', { class: 'axis y-axis' }, [
    ...ticks,
    el('line', { x1: f.left, x2: f.left, y1: f.top, y2: f.bottom, stroke: '#333' }),
    text(
      {
        class: 'axis-label',
        transform: `translate(14 ${(f.top + f.bottom) / 2}) rotate(-90)`,
        'text-anchor': 'middle',
      },
      label,
    ),
  ]);
}

/** The x axis with one label per category, centred on `centre(i)`; slanted when crowded. */
export function xAxis(
  f: Frame,
  labels: string[],
  centre: (i: number) => number,
  slotWidth: number,
): string {
  const slanted = labels.some((l) => l.length * 7 > slotWidth);
  return el('g', { class: 'axis x-axis' }, [
    el('line', { x1: f.left, x2: f.right, y1: f.bottom, y2: f.bottom, stroke: '#333' }),
    ...labels.map((l, i) =>
      text(
        slanted
          ? {
              class: 'category',
              transform: `translate(${centre(i)} ${f.bottom + 14}) rotate(-30)`,
              'text-anchor': 'end',
            }
          : { class: 'category', x: centre(i), y: f.bottom + 16, 'text-anchor': 'middle' },
        l,
      ),
    ),
  ]);
}

export const PALETTE = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#718096'];

export function legend(f: Frame, names: string[]): string {
  return el(
    'g',
    { class: 'legend' },
    names.map((n, i) =>
      el('g', { class: 'legend-item' }, [
        el('rect', {
          x: f.right - 150,
          y: 10 + i * 16,
          width: 10,
          height: 10,
          fill: PALETTE[i % PALETTE.length],
        }),
        text({ x: f.right - 135, y: 19 + i * 16 }, n),
      ]),
    ),
  );
}
