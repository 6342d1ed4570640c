import { z } from 'zod';
import type { ApiKeyRow, KeyStore } from './api-keys.repository';
import { apiKeyCreatedResponse, apiKeyListResponse, apiKeyResponse } from './api-keys.schemas';
import { ROLES, type Role } from '../http/auth';
import { decodeCursor, pageQuery, pgTimestampKey, toPage } from '../http/pagination';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';

export const apiKeyBody = z.strictObject({
  role: z.enum(ROLES),
  name: z.string().trim().min(1).max(200),
});
export const apiKeyListQuery = pageQuery;
const idParams = z.object({ id: z.string().min(1).max(100) });
/** (created_at as PostgreSQL text, key id): checked, so a forged cursor cannot reach the SQL cast. */
const listCursor = z.tuple([pgTimestampKey, z.string().min(1).max(100)]);

/** What clients see of a key: never the key, never its hash. */
function view(row: ApiKeyRow): z.input<typeof apiKeyResponse> {
  return {
    id: row.id,
    // Text columns written only from ROLES and 'env' | 'api' (create and API_KEYS).
    role: row.role as Role,
    name: row.name,
    source: row.source as 'env' | 'api',
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** Admin routes of the API keys. */
export function apiKeysRoutes(keys: KeyStore): RouteSpec[] {
  const list = route({
    method: 'get',
    path: '/v1/api-keys',
    access: 'administer',
    operationId: 'listApiKeys',
    tag: 'API keys',
    summary: 'API keys, newest first, without secrets (admin), cursor paging',
    query: apiKeyListQuery,
    answer: {
      description:
        '{items: [{id, role, name, source, createdAt, lastUsedAt, revokedAt}], nextCursor}',
      schema: apiKeyListResponse,
    },
    handler: async ({ query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, listCursor) : undefined;
      const rows = await keys.list({
        limit: q.limit + 1,
        after: after && { createdAt: after[0], id: after[1] },
      });
      const page = toPage(rows, q.limit, (r) => [r.cursorAt, r.id]);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  });

  const create = route({
    method: 'post',
    path: '/v1/api-keys',
    access: 'administer',
    operationId: 'createApiKey',
    tag: 'API keys',
    summary: 'Create an API key (admin); the answer holds the key, shown this once',
    body: apiKeyBody,
    answer: {
      status: 201,
      description: '{id, role, name, source, createdAt, key}',
      schema: apiKeyCreatedResponse,
    },
    handler: async ({ req, body }) => {
      const { row, key } = await keys.create(body);
      req.log?.info({ keyId: row.id, role: row.role, by: req.keyId }, 'API key created');
      // The only time the key is shown: we keep its hash.
      return { ...view(row), key };
    },
  });

  const revoke = route({
    method: 'delete',
    path: '/v1/api-keys/{id}',
    access: 'administer',
    operationId: 'revokeApiKey',
    tag: 'API keys',
    summary: 'Revoke an API key (admin); it stops working within seconds',
    params: idParams,
    answer: { description: 'The revoked key', schema: apiKeyResponse },
    responses: { '404': 'Unknown key' },
    handler: async ({ req, params: { id } }) => {
      const row = await keys.revoke(id);
      if (!row) {
        throw new ProblemError(404, 'api_key.not_found', 'Unknown API key', `No API key ${id}.`);
      }
      req.log?.info({ keyId: row.id, by: req.keyId }, 'API key revoked');
      return view(row);
    },
  });

  return [list, create, revoke];
}
