import { expect } from 'vitest';
import type { Role } from '../../src/api/app';
import type { ApiUnderTest } from './harness';

/**
 * Follows `nextCursor` from the first page of `path` to the last, checking each answer on the
 * way; returns every item (of `listField`) in the order served and how many pages it took.
 */
export async function walkPages<T>(
  api: ApiUnderTest,
  path: string,
  as: Role,
  listField = 'items',
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api.call(
      'GET',
      cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path,
      { as },
    );
    expect(res.status, `page ${pages + 1} of ${path}`).toBe(200);
    expect(res.body).toHaveProperty('nextCursor');
    const page = res.body[listField] as T[];
    items.push(...page);
    cursor = res.body.nextCursor as string | null;
    // A page that promises more holds something, so the walk moves on and ends.
    if (cursor !== null) expect(page.length).toBeGreaterThan(0);
    pages += 1;
    expect(pages).toBeLessThan(1000);
  } while (cursor !== null);
  return { items, pages };
}

/** A cursor this API never handed out is a 400 naming the `cursor` field, as problem+json. */
export async function expectBadCursorRefused(api: ApiUnderTest, path: string, as: Role) {
  const sep = path.includes('?') ? '&' : '?';
  // Opaque-looking garbage, a raw number (the old outbox cursor) and well-formed JSON of the
  // wrong shape are all refused.
  const forged = Buffer.from(JSON.stringify(['x', 'y', 'z', 'w'])).toString('base64url');
  for (const cursor of ['bm9wZQ', '42', forged]) {
    const res = await api.call('GET', `${path}${sep}cursor=${cursor}`, { as });
    expect(res.status, `cursor ${cursor} on ${path}`).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([
      { path: 'cursor', message: 'is not a cursor returned by this API' },
    ]);
  }
}
