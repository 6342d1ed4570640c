import { Router } from 'express';
import { z } from 'zod';
import type { ApiKeyRow, KeyStore } from './api-keys.repository';
import { requirePermission, ROLES } from '../http/auth';
import { decodeCursor, pageQuery, toPage } from '../http/pagination';
import { ProblemError } from '../http/problems';
import { parseBody, parseParams, parseQuery } from '../http/validate';

export const apiKeyBody = z.strictObject({
  role: z.enum(ROLES),
  name: z.string().trim().min(1).max(200),
});
export const apiKeyListQuery = pageQuery;
const idParams = z.object({ id: z.string().min(1).max(100) });
/** PostgreSQL timestamptz text, so a forged cursor cannot reach the SQL cast. */
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const listCursor = z.tuple([z.string().regex(PG_TIMESTAMP), z.string().min(1).max(100)]);

/** What clients see of a key: never the key, never its hash. */
function view(row: ApiKeyRow) {
  return {
    id: row.id,
    role: row.role,
    name: row.name,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** Admin routes of the API keys. */
export function apiKeysRouter(keys: KeyStore): Router {
  const router = Router();
  // The access table already admits only admins; this keeps the router safe on its own.
  router.use('/v1/api-keys', requirePermission('administer'));

  router.post('/v1/api-keys', async (req, res) => {
    const body = parseBody(req, apiKeyBody);
    const { row, key } = await keys.create(body);
    req.log?.info({ keyId: row.id, role: row.role, by: req.keyId }, 'API key created');
    // The only time the key is shown: we keep its hash.
    res.status(201).json({ ...view(row), key });
  });

  router.get('/v1/api-keys', async (req, res) => {
    const q = parseQuery(req, apiKeyListQuery);
    const after = q.cursor ? decodeCursor(q.cursor, listCursor) : undefined;
    const rows = await keys.list({
      limit: q.limit + 1,
      after: after && { createdAt: after[0], id: after[1] },
    });
    const page = toPage(rows, q.limit, (r) => [r.cursorAt, r.id]);
    res.json({ items: page.items.map(view), nextCursor: page.nextCursor });
  });

  router.delete('/v1/api-keys/:id', async (req, res) => {
    const { id } = parseParams(req, idParams);
    const row = await keys.revoke(id);
    if (!row) {
      throw new ProblemError(404, 'api_key.not_found', 'Unknown API key', `No API key ${id}.`);
    }
    req.log?.info({ keyId: row.id, by: req.keyId }, 'API key revoked');
    res.json(view(row));
  });

  return router;
}
