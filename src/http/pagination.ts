import { z } from 'zod';
import { validationFailed } from './problems';

/**
 * Cursor paging for every list: `?limit=&cursor=` in, `{items, nextCursor}` out. A cursor is the
 * sort key of the last item returned, opaque to clients (base64url JSON), so a page never skips or
 * repeats rows that other writers insert meanwhile, unlike offsets.
 */
export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

/** The query fields of a paged list; spread into a route's query schema. */
export const pageQueryFields = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
  cursor: z.string().min(1).max(512).optional(),
};
export const pageQuery = z.object(pageQueryFields);
export type PageQuery = z.output<typeof pageQuery>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The answer of a paged list of `item`: `{items, nextCursor}`. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Cursor of the next page; null on the last page'),
  });

/**
 * A timestamptz sort key as PostgreSQL prints it (`::text`, microseconds kept, unlike a JS Date),
 * checked so that a forged cursor cannot reach the SQL cast.
 */
export const pgTimestampKey = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/)
  .refine((s) => isRealTimestamp(s));

/** The fields of a printed timestamp name a real moment (no 30 February, no hour 25, no year 0). */
function isRealTimestamp(s: string): boolean {
  // Refinements run even when the pattern failed: read nothing from text that is not one.
  const fields = s.match(/\d+/g)?.slice(0, 6).map(Number) ?? [];
  if (fields.length < 6) return false;
  const [y, mo, d, h, mi, sec] = fields;
  const at = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes years below 100 as they are.
  at.setUTCFullYear(y!, mo! - 1, d!);
  at.setUTCHours(h!, mi!, sec!);
  return (
    y! >= 1 &&
    at.getUTCFullYear() === y &&
    at.getUTCMonth() === mo! - 1 &&
    at.getUTCDate() === d &&
    at.getUTCHours() === h &&
    at.getUTCMinutes() === mi
  );
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor into the sort key a route expects; anything else is a 400 on `cursor`. */
export function decodeCursor<T>(cursor: string, key: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = key.safeParse(json);
  if (parsed.success) return parsed.data;
  throw validationFailed(
    [{ path: 'cursor', message: 'is not a cursor returned by this API' }],
    'query string',
  );
}

/**
 * Turns `limit + 1` rows fetched in sort order into a page: the extra row only says that there is
 * more, and the cursor is the key of the last row kept.
 */
export function toPage<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => readonly (string | number)[],
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
