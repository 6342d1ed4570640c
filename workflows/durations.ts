/**
 * ISO 8601 durations (PnYnMnWnDTnHnMnS) in milliseconds. Pure: used by workflows and the API.
 * Years and months are taken as 365 and 30 days: policies speak of waiting periods, not calendars.
 */
const DURATION =
  /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function isIsoDuration(value: string): boolean {
  return DURATION.test(value);
}

export function parseIsoDuration(value: string): number {
  const m = DURATION.exec(value);
  if (!m) throw new TypeError(`"${value}" is not an ISO 8601 duration such as P7D or PT30S`);
  const [, y, mo, w, d, h, mi, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  return Math.round(
    (y ?? 0) * 365 * DAY +
      (mo ?? 0) * 30 * DAY +
      (w ?? 0) * 7 * DAY +
      (d ?? 0) * DAY +
      (h ?? 0) * HOUR +
      (mi ?? 0) * MINUTE +
      (s ?? 0) * SECOND,
  );
}
