export interface LinearScale {
  max: number;
  ticks: number[];
  /** Maps a value to a y coordinate between bottom (0) and top (max). */
  y(value: number): number;
}

/** A "nice" step (1, 2 or 5 times a power of ten) so that about `count` ticks cover max. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** A scale from 0 to a nice maximum at or above the largest value. */
export function linearScale(values: number[], top: number, bottom: number): LinearScale {
  const largest = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  const step = niceStep(largest);
  const max = largest > 0 ? Math.ceil(largest / step - 1e-9) * step : step;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step / 2; t += step) ticks.push(Math.round(t * 1e9) / 1e9);
  return { max, ticks, y: (v) => bottom - (v / max) * (bottom - top) };
}
