import { Router } from 'express';
import { requirePermission } from '../http/auth';
import { decodeCursor, toPage } from '../http/pagination';
import { parseBody, parseParams, parseQuery } from '../http/validate';
import { policyNameMismatch, policyNotFound, policyVersionNotFound } from './policies.errors';
import type { PolicyRepository, StoredPolicy } from './policies.repository';
import {
  policiesCursor,
  policiesQuery,
  policyBody,
  policyParams,
  policyVersionParams,
  policyVersionsCursor,
  policyVersionsQuery,
  toPolicy,
} from './policies.schemas';

const view = (p: StoredPolicy) => ({
  name: p.name,
  version: p.version,
  updatedAt: p.updatedAt.toISOString(),
  policy: p.policy,
});

export function policiesRouter(repo: PolicyRepository): Router {
  const router = Router();

  /** New content → version n+1; the same content again → 200 with the version it already has. */
  router.put('/v1/policies/:name', requirePermission('configure'), async (req, res) => {
    const { name } = parseParams(req, policyParams);
    const body = parseBody(req, policyBody);
    if (body.name !== undefined && body.name !== name) throw policyNameMismatch(name, body.name);
    const { stored } = await repo.put(toPolicy(name, body));
    res.status(200).json(view(stored));
  });

  router.get('/v1/policies/:name', requirePermission('read'), async (req, res) => {
    const { name } = parseParams(req, policyParams);
    const stored = await repo.get(name);
    if (!stored) throw policyNotFound(name);
    res.json(view(stored));
  });

  router.get('/v1/policies/:name/versions', requirePermission('read'), async (req, res) => {
    const { name } = parseParams(req, policyParams);
    const q = parseQuery(req, policyVersionsQuery);
    const after = q.cursor ? decodeCursor(q.cursor, policyVersionsCursor)[0] : undefined;
    const rows = await repo.versions(name, { limit: q.limit + 1, after });
    if (!rows) throw policyNotFound(name);
    const page = toPage(rows, q.limit, (p) => [p.version]);
    res.json({ items: page.items.map(view), nextCursor: page.nextCursor });
  });

  router.get(
    '/v1/policies/:name/versions/:version',
    requirePermission('read'),
    async (req, res) => {
      const { name, version } = parseParams(req, policyVersionParams);
      const stored = await repo.version(name, version);
      if (!stored) {
        if (!(await repo.exists(name))) throw policyNotFound(name);
        throw policyVersionNotFound(name, version);
      }
      res.json(view(stored));
    },
  );

  router.get('/v1/policies', requirePermission('read'), async (req, res) => {
    const q = parseQuery(req, policiesQuery);
    const after = q.cursor ? decodeCursor(q.cursor, policiesCursor)[0] : undefined;
    const page = toPage(await repo.list({ limit: q.limit + 1, after }), q.limit, (p) => [p.name]);
    res.json({ items: page.items.map(view), nextCursor: page.nextCursor });
  });

  return router;
}
