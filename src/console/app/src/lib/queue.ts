/**
 * The review queue's pure logic: filters, sorting, saved views and merging a fresh answer into
 * the rows on screen without moving them (unit-tested in test/unit/console-queue.test.ts).
 */

/** What the queue's logic reads of a review (GET /v1/reviews items). */
export interface QueueFields {
  shipmentId: string;
  reason: string;
  detectedAt: string;
  slaDeadline: string;
  declaredValue: number;
  currency: string;
  carrier: string;
  destination: string;
}

export interface QueueFilter {
  reason?: string;
  carrier?: string;
  /** The lane by its destination country (the queue's items carry no origin). */
  lane?: string;
  minValue?: number;
  maxValue?: number;
  /** Only reviews whose SLA ends within this many minutes (or is already over). */
  slaWithinMinutes?: number;
}

export const SORT_KEYS = ['oldest', 'newest', 'sla', 'value_desc', 'value_asc', 'carrier'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export function matches(item: QueueFields, f: QueueFilter, now: number): boolean {
  if (f.reason && item.reason !== f.reason) return false;
  if (f.carrier && item.carrier !== f.carrier) return false;
  if (f.lane && item.destination !== f.lane) return false;
  if (f.minValue !== undefined && item.declaredValue < f.minValue) return false;
  if (f.maxValue !== undefined && item.declaredValue > f.maxValue) return false;
  if (f.slaWithinMinutes !== undefined) {
    const left = Date.parse(item.slaDeadline) - now;
    if (left > f.slaWithinMinutes * 60_000) return false;
  }
  return true;
}

export function applyFilter<T extends QueueFields>(items: T[], f: QueueFilter, now: number): T[] {
  return items.filter((i) => matches(i, f, now));
}

const byTime = (a: string, b: string) => Date.parse(a) - Date.parse(b);

/** A stable sort: equal keys keep the server's order (oldest suspicion first). */
export function sortItems<T extends QueueFields>(items: T[], key: SortKey): T[] {
  const compare: Record<SortKey, (a: T, b: T) => number> = {
    oldest: (a, b) => byTime(a.detectedAt, b.detectedAt),
    newest: (a, b) => byTime(b.detectedAt, a.detectedAt),
    sla: (a, b) => byTime(a.slaDeadline, b.slaDeadline),
    value_desc: (a, b) => b.declaredValue - a.declaredValue,
    value_asc: (a, b) => a.declaredValue - b.declaredValue,
    carrier: (a, b) => a.carrier.localeCompare(b.carrier),
  };
  return [...items].sort(compare[key]);
}

/** Distinct values of a field, sorted, for a filter's choices. */
export function choices<T extends QueueFields>(
  items: T[],
  field: 'reason' | 'carrier' | 'destination',
): string[] {
  return [...new Set(items.map((i) => i[field]))].sort();
}

export interface SavedView {
  name: string;
  filter: QueueFilter;
  sort: SortKey;
}

/** Saves a view under its name (replacing one of the same name), names sorted. */
export function saveView(views: SavedView[], view: SavedView): SavedView[] {
  const name = view.name.trim();
  if (!name) return views;
  return [...views.filter((v) => v.name !== name), { ...view, name }].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
}

export function deleteView(views: SavedView[], name: string): SavedView[] {
  return views.filter((v) => v.name !== name);
}

const optionalNumber = (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const optionalText = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Saved views read back from storage; anything malformed (an older format, a hand edit) is dropped. */
export function parseViews(stored: string | null): SavedView[] {
  let raw: unknown;
  try {
    raw = JSON.parse(stored ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((v: unknown): SavedView[] => {
    if (typeof v !== 'object' || v === null) return [];
    const { name, filter, sort } = v as Record<string, unknown>;
    if (typeof name !== 'string' || !name) return [];
    if (!SORT_KEYS.includes(sort as SortKey)) return [];
    const f = (typeof filter === 'object' && filter !== null ? filter : {}) as Record<
      string,
      unknown
    >;
    return [
      {
        name,
        sort: sort as SortKey,
        filter: {
          reason: optionalText(f.reason),
          carrier: optionalText(f.carrier),
          lane: optionalText(f.lane),
          minValue: optionalNumber(f.minValue),
          maxValue: optionalNumber(f.maxValue),
          slaWithinMinutes: optionalNumber(f.slaWithinMinutes),
        },
      },
    ];
  });
}

/** A row on screen: the review, and whether it is new since the last refresh or gone from the API. */
export interface QueueRow<T> {
  item: T;
  /** `new`: appeared by a live update; `gone`: no longer pending on the server (decided elsewhere). */
  mark?: 'new' | 'gone';
}

/**
 * Merges a live update into the rows on screen without moving any of them under the pointer:
 * rows keep their places (one that left the server's queue stays, marked gone), and reviews that
 * are new are added at the end, marked new. A full refresh (`freshRows`) sorts everything anew.
 */
export function mergeLive<T extends QueueFields>(rows: QueueRow<T>[], fresh: T[]): QueueRow<T>[] {
  const freshIds = new Map(fresh.map((i) => [i.shipmentId, i]));
  const shown = new Set(rows.map((r) => r.item.shipmentId));
  const kept = rows.map((r): QueueRow<T> => {
    const now = freshIds.get(r.item.shipmentId);
    if (!now) return { item: r.item, mark: 'gone' };
    return { item: now, mark: r.mark === 'gone' ? undefined : r.mark };
  });
  const added = fresh
    .filter((i) => !shown.has(i.shipmentId))
    .map((item): QueueRow<T> => ({ item, mark: 'new' }));
  return [...kept, ...added];
}

export function freshRows<T extends QueueFields>(
  items: T[],
  filter: QueueFilter,
  sort: SortKey,
  now: number,
): QueueRow<T>[] {
  return sortItems(applyFilter(items, filter, now), sort).map((item) => ({ item }));
}
