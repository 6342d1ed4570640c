/** Plain-text tables for the terminal: a header, a rule, left-aligned text, right-aligned numbers. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '–' : String(c))));
  const numeric = headers.map((_, i) =>
    rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

export const pct = (v: number | null | undefined): string | null =>
  v === null || v === undefined ? null : `${(v * 100).toFixed(1)} %`;

/** "3 h 20 min ago", "in 45 min": relative times read faster than timestamps in a queue. */
export function relative(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff) / 1000;
  const text =
    abs < 60
      ? `${Math.round(abs)} s`
      : abs < 3600
        ? `${Math.round(abs / 60)} min`
        : abs < 86_400
          ? `${Math.floor(abs / 3600)} h ${Math.round((abs % 3600) / 60)} min`
          : `${Math.floor(abs / 86_400)} d ${Math.round((abs % 86_400) / 3600)} h`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}
