import { Router } from 'express';
import { requirePermission } from '../api/auth';
import { parseBody, parseParams } from '../api/validate';
import { policyNameMismatch, policyNotFound, policyVersionNotFound } from './policies.errors';
import type { PolicyRepository, StoredPolicy } from './policies.repository';
import { policyBody, policyParams, policyVersionParams, toPolicy } from './policies.schemas';

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
    const versions = await repo.versions(name);
    if (!versions) throw policyNotFound(name);
    res.json({ items: versions.map(view) });
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

  router.get('/v1/policies', requirePermission('read'), async (_req, res) => {
    res.json({ items: (await repo.list()).map(view) });
  });

  return router;
}
