/**
 * Calendar days in a time zone, as UTC instants. The schedule fires at 06:00 local time and
 * reports the local day before; across a DST change that day has 23 or 25 hours.
 */

/** Whether the runtime's time zone database knows this IANA name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function wallClock(at: Date, timeZone: string): LocalDate & { ms: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const [year, month, day] = [get('year'), get('month'), get('day')];
  return {
    year,
    month,
    day,
    ms: Date.UTC(year, month - 1, day, get('hour'), get('minute'), get('second')),
  };
}

/** How far the zone's wall clock is ahead of UTC at this instant. */
function offsetMs(at: Date, timeZone: string): number {
  return wallClock(at, timeZone).ms - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant the local day starts (midnight, or the first instant after a skipped midnight). */
function startOfLocalDay(d: LocalDate, timeZone: string): Date {
  const naive = Date.UTC(d.year, d.month - 1, d.day);
  const first = naive - offsetMs(new Date(naive), timeZone);
  // The offset at the guess may differ from the offset at local midnight (a DST change between).
  return new Date(naive - offsetMs(new Date(first), timeZone));
}

/** The local calendar day before the one `at` falls on, as [start, end). */
export function previousLocalDay(at: Date, timeZone: string): { start: Date; end: Date } {
  const today = wallClock(at, timeZone);
  const yesterday = new Date(Date.UTC(today.year, today.month - 1, today.day - 1));
  return {
    start: startOfLocalDay(
      {
        year: yesterday.getUTCFullYear(),
        month: yesterday.getUTCMonth() + 1,
        day: yesterday.getUTCDate(),
      },
      timeZone,
    ),
    end: startOfLocalDay(today, timeZone),
  };
}

/** `2026-03-01`: the calendar day an instant falls on in a time zone. */
export function localDayName(at: Date, timeZone: string): string {
  const d = wallClock(at, timeZone);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
