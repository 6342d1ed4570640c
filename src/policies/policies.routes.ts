import { decodeCursor, toPage } from '../http/pagination';
import { route, type RouteSpec } from '../http/route';
import { policyNameMismatch, policyNotFound, policyVersionNotFound } from './policies.errors';
import type { PolicyRepository, StoredPolicy } from './policies.repository';
import {
  policiesCursor,
  policiesQuery,
  policyBody,
  policyListResponse,
  policyParams,
  policyResponse,
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

export function policiesRoutes(repo: PolicyRepository): RouteSpec[] {
  /** New content → version n+1; the same content again → 200 with the version it already has. */
  const put = route({
    method: 'put',
    path: '/v1/policies/{name}',
    access: 'configure',
    operationId: 'putPolicy',
    tag: 'Policies',
    summary: 'Create or replace a policy (admin)',
    params: policyParams,
    body: policyBody,
    answer: { description: 'The stored policy and its version', schema: policyResponse },
    handler: async ({ params: { name }, body }) => {
      if (body.name !== undefined && body.name !== name) throw policyNameMismatch(name, body.name);
      const { stored } = await repo.put(toPolicy(name, body));
      return view(stored);
    },
  });

  const get = route({
    method: 'get',
    path: '/v1/policies/{name}',
    access: 'read',
    operationId: 'getPolicy',
    tag: 'Policies',
    summary: 'Read a policy',
    params: policyParams,
    answer: { description: 'The policy', schema: policyResponse },
    responses: { '404': 'Unknown policy' },
    handler: async ({ params: { name } }) => {
      const stored = await repo.get(name);
      if (!stored) throw policyNotFound(name);
      return view(stored);
    },
  });

  const versions = route({
    method: 'get',
    path: '/v1/policies/{name}/versions',
    access: 'read',
    operationId: 'listPolicyVersions',
    tag: 'Policies',
    summary: 'Every stored version of a policy, oldest first, cursor paging',
    params: policyParams,
    query: policyVersionsQuery,
    answer: { description: '{items, nextCursor}', schema: policyListResponse },
    responses: { '404': 'Unknown policy' },
    handler: async ({ params: { name }, query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, policyVersionsCursor)[0] : undefined;
      const rows = await repo.versions(name, { limit: q.limit + 1, after });
      if (!rows) throw policyNotFound(name);
      const page = toPage(rows, q.limit, (p) => [p.version]);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  });

  const version = route({
    method: 'get',
    path: '/v1/policies/{name}/versions/{version}',
    access: 'read',
    operationId: 'getPolicyVersion',
    tag: 'Policies',
    summary: 'One version of a policy, as shipments registered under it use it',
    params: policyVersionParams,
    answer: { description: 'The policy version', schema: policyResponse },
    responses: { '404': 'Unknown policy or version' },
    handler: async ({ params: { name, version: n } }) => {
      const stored = await repo.version(name, n);
      if (!stored) {
        if (!(await repo.exists(name))) throw policyNotFound(name);
        throw policyVersionNotFound(name, n);
      }
      return view(stored);
    },
  });

  const list = route({
    method: 'get',
    path: '/v1/policies',
    access: 'read',
    operationId: 'listPolicies',
    tag: 'Policies',
    summary: 'List policies by name, cursor paging',
    query: policiesQuery,
    answer: { description: '{items, nextCursor}', schema: policyListResponse },
    handler: async ({ query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, policiesCursor)[0] : undefined;
      const page = toPage(await repo.list({ limit: q.limit + 1, after }), q.limit, (p) => [p.name]);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  });

  return [put, get, versions, version, list];
}
