/** Numbers, money, dates and durations through Intl, in the console's language. */

export function money(amount: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch {
    // A currency code Intl does not know is still shown, as code and number.
    return `${currency} ${new Intl.NumberFormat(locale).format(amount)}`;
  }
}

export function dateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function count(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** A span of time as "1 hr 5 min" / "1小时 5分钟" (largest two units, never below seconds). */
export function span(seconds: number, locale: string): string {
  const s = Math.max(0, Math.round(seconds));
  const parts: [number, 'day' | 'hour' | 'minute' | 'second'][] = [
    [Math.floor(s / 86_400), 'day'],
    [Math.floor((s % 86_400) / 3600), 'hour'],
    [Math.floor((s % 3600) / 60), 'minute'],
    [s % 60, 'second'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  const shown = first < 0 ? [parts[3]!] : parts.slice(first, first + 2).filter(([n]) => n > 0);
  return shown
    .map(([n, unit]) =>
      new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'narrow' }).format(n),
    )
    .join(' ');
}

/**
 * An ISO 8601 duration of weeks, days and time (P7D, PT48H, P1W2D) as `span` writes it; any other
 * form (months, years) is shown as written.
 */
export function isoSpan(iso: string, locale: string): string {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return iso;
  const [w, d, h, min, sec] = m.slice(1).map((x) => Number(x ?? 0));
  return span(((w! * 7 + d!) * 24 + h!) * 3600 + min! * 60 + sec!, locale);
}
