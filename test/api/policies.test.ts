import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { aFastPolicy, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const policyName = () => uniqueId('pol').toLowerCase();
const bodyOf = (name: string) => {
  const { name: _omitted, ...body } = aFastPolicy(name);
  return body;
};

describe('policies', () => {
  it('an admin stores a policy and gets it back with version 1', async () => {
    const name = policyName();
    const put = await api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body: bodyOf(name) });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name, version: 1, policy: aFastPolicy(name) });

    const got = await api.call('GET', `/v1/policies/${name}`, { as: 'analyst' });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put.body);
  });

  it('the version goes up when the policy changes, and not when the same policy is sent again', async () => {
    const name = policyName();
    await api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body: bodyOf(name) });
    const same = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), name },
    });
    expect(same.body.version).toBe(1);
    const changed = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), reviewSla: 'PT2H' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(2);
    expect(changed.body.policy.reviewSla).toBe('PT2H');
  });

  it('a stall threshold for a status that cannot stall is refused, naming the allowed ones', async () => {
    const name = policyName();
    const res = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), stallAfter: { in_transit: 'P7D', delivered: 'P1D' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.failed');
    expect(res.body.errors).toEqual([
      {
        path: 'stallAfter.delivered',
        message:
          '"delivered" is not a status that can stall; allowed: info_received, in_transit, customs, out_for_delivery, failed_attempt, available_for_pickup',
      },
    ]);
  });

  it('durations must be ISO 8601 and thresholds positive', async () => {
    const name = policyName();
    const res = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: {
        ...bodyOf(name),
        overdueGrace: '3 days',
        reviewSla: 'PT0S',
        inquirySurge: { count: 0, window: 'P2D' },
      },
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['inquirySurge.count', 'overdueGrace', 'reviewSla']);
    expect(
      res.body.errors.find((e: { path: string }) => e.path === 'overdueGrace').message,
    ).toMatch(/ISO 8601/);
  });

  it('a misspelt field is refused rather than silently dropped', async () => {
    const name = policyName();
    const res = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), reviewSLA: 'PT1H' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/reviewSLA/);
  });

  it('the name in the body must be the one in the path', async () => {
    const name = policyName();
    const res = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), name: 'other' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'name', message: `must be "${name}" (as in the path) or omitted` },
    ]);
  });

  it('an unknown policy is a 404 problem', async () => {
    const res = await api.call('GET', '/v1/policies/no-such-policy', { as: 'ops' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('policy.not_found');
  });

  it('the list holds the seeded default policy and the ones stored', async () => {
    const name = policyName();
    await api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body: bodyOf(name) });
    const res = await api.call('GET', '/v1/policies', { as: 'ops' });
    expect(res.status).toBe(200);
    const names = res.body.items.map((p: { name: string }) => p.name);
    expect(names).toContain(name);
    expect(res.body.items.find((p: { name: string }) => p.name === 'default').policy).toEqual(
      DEFAULT_POLICY,
    );
  });
});
