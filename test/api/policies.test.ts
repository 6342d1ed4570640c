import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { createShipmentActivities } from '../../activities/shipments.activities';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { MAX_PAGE } from '../../src/http/pagination';
import { policies } from '../../src/db/schema';
import { refreshPolicySignal, shipmentWorkflowId } from '../../workflows/shipment.contract';
import { aFastPolicy, aRegistration, uniqueId } from '../helpers/factories';
import { signalsReceived } from '../helpers/payload-key';
import { startApi, type ApiUnderTest } from './harness';
import { expectBadCursorRefused, walkPages } from './paging';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const policyName = () => uniqueId('pol').toLowerCase();
const allPolicies = async () =>
  (
    await walkPages<{ name: string; version: number; policy: unknown }>(
      api,
      `/v1/policies?limit=${MAX_PAGE}`,
      'ops',
    )
  ).items;
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

  it('a policy keeps the sender and compensation of its customer mails', async () => {
    const name = policyName();
    const customerCare = {
      senderName: 'Kumo Tea Care',
      replyTo: 'care@kumo.example',
      compensation: { kind: 'gift', description: 'a tin of green tea' },
      compensationFor: ['carrier_lost', 'reshipped'],
    };
    const put = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), customerCare },
    });
    expect(put.status).toBe(200);
    expect(put.body.policy.customerCare).toEqual(customerCare);
    const got = await api.call('GET', `/v1/policies/${name}`, { as: 'analyst' });
    expect(got.body.policy.customerCare).toEqual(customerCare);
  });

  it('customer care with a bad address, an unknown compensation or situation is refused with every error', async () => {
    const name = policyName();
    const res = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: {
        ...bodyOf(name),
        customerCare: {
          senderName: 'x'.repeat(201),
          replyTo: 'not an address',
          compensation: { kind: 'voucher', code: 'X' },
          compensationFor: ['survey'],
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual([
      'customerCare.compensation.kind',
      'customerCare.compensationFor.0',
      'customerCare.replyTo',
      'customerCare.senderName',
    ]);

    const orphan = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: {
        ...bodyOf(name),
        customerCare: { compensationFor: ['reshipped'], coupon: 'SORRY' },
      },
    });
    expect(orphan.status).toBe(400);
    expect(orphan.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(
      /coupon/,
    );
    expect((await api.call('GET', `/v1/policies/${name}`, { as: 'admin' })).status).toBe(404);
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
    const items = await allPolicies();
    expect(items.map((p) => p.name)).toContain(name);
    expect(items.find((p) => p.name === 'default')?.policy).toEqual(DEFAULT_POLICY);
  });

  it('the list pages by name, each policy once', async () => {
    const base = policyName();
    const mine = ['c', 'a', 'e', 'b', 'd'].map((s) => `${base}-${s}`);
    for (const name of mine) {
      const put = await api.call('PUT', `/v1/policies/${name}`, {
        as: 'admin',
        body: bodyOf(name),
      });
      expect(put.status).toBe(200);
    }
    const walked = await walkPages<{ name: string }>(api, '/v1/policies?limit=2', 'analyst');
    const names = walked.items.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.startsWith(base))).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((s) => `${base}-${s}`),
    );
    expect(walked.pages).toBeGreaterThanOrEqual(3);
    await expectBadCursorRefused(api, '/v1/policies', 'analyst');
  });
});

describe('policy versions', () => {
  it('every change is kept as a version, and sending the same content again adds none', async () => {
    const name = policyName();
    const v1 = await api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body: bodyOf(name) });
    const v2 = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), overdueGrace: 'PT9S' },
    });
    // The same content with its keys in another order is the same policy.
    const { claimWait, ...rest } = bodyOf(name);
    const again = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { claimWait, ...rest, overdueGrace: 'PT9S' },
    });
    expect([v1.body.version, v2.body.version, again.status, again.body.version]).toEqual([
      1, 2, 200, 2,
    ]);

    const versions = await api.call('GET', `/v1/policies/${name}/versions`, { as: 'analyst' });
    expect(versions.status).toBe(200);
    expect(
      versions.body.items.map((v: { version: number; policy: { overdueGrace: string } }) => [
        v.version,
        v.policy.overdueGrace,
      ]),
    ).toEqual([
      [1, 'PT2S'],
      [2, 'PT9S'],
    ]);

    const first = await api.call('GET', `/v1/policies/${name}/versions/1`, { as: 'ops' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ name, version: 1, policy: aFastPolicy(name) });
    const current = await api.call('GET', `/v1/policies/${name}`, { as: 'ops' });
    expect(current.body).toMatchObject({ version: 2, policy: { overdueGrace: 'PT9S' } });
    expect((await allPolicies()).find((p) => p.name === name)?.version).toBe(2);
  });

  it('a version that does not exist is a 404 naming the policy, and a version must be a number', async () => {
    const name = policyName();
    await api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body: bodyOf(name) });
    const missing = await api.call('GET', `/v1/policies/${name}/versions/7`, { as: 'ops' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('policy.version_not_found');
    expect(missing.body.detail).toContain(name);
    const noPolicy = await api.call('GET', '/v1/policies/nobody-here/versions', { as: 'ops' });
    expect(noPolicy.status).toBe(404);
    expect(noPolicy.body.code).toBe('policy.not_found');
    const bad = await api.call('GET', `/v1/policies/${name}/versions/latest`, { as: 'ops' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['version']);
  });

  it('versions page oldest first, a current version missing from the history coming last', async () => {
    const name = policyName();
    for (const attempts of [1, 2, 3, 4, 5]) {
      const put = await api.call('PUT', `/v1/policies/${name}`, {
        as: 'admin',
        body: { ...bodyOf(name), maxFailedAttempts: attempts },
      });
      expect(put.body.version).toBe(attempts);
    }
    type Version = { version: number; policy: { maxFailedAttempts: number } };
    const path = `/v1/policies/${name}/versions`;
    const walked = await walkPages<Version>(api, `${path}?limit=2`, 'analyst');
    expect(walked.items.map((v) => [v.version, v.policy.maxFailedAttempts])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect(walked.pages).toBe(3);
    await expectBadCursorRefused(api, path, 'analyst');

    // Written outside the API (as an older install would): version 6 is current, not in history.
    await api.db
      .update(policies)
      .set({ version: 6, body: aFastPolicy(name, { maxFailedAttempts: 6 }) })
      .where(eq(policies.name, name));
    const again = await walkPages<Version>(api, `${path}?limit=2`, 'analyst');
    expect(again.items.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(again.pages).toBe(3);
    const byThree = await walkPages<Version>(api, `${path}?limit=3`, 'analyst');
    expect(byThree.items.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(byThree.pages).toBe(2);
  });

  it('a policy changed for the first time keeps the seeded version it replaced', async () => {
    const name = policyName();
    // Written the way the seed writes `default`: straight into the table, no version history.
    await api.db.insert(policies).values({ name, body: aFastPolicy(name) });
    const changed = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), reviewSla: 'PT5S' },
    });
    expect(changed.body.version).toBe(2);
    const versions = await api.call('GET', `/v1/policies/${name}/versions`, { as: 'ops' });
    expect(
      versions.body.items.map((v: { version: number; policy: { reviewSla: string } }) => [
        v.version,
        v.policy.reviewSla,
      ]),
    ).toEqual([
      [1, 'PT60S'],
      [2, 'PT5S'],
    ]);
  });

  it('a workflow resolving a policy gets its current version; an unknown name fails for good', async () => {
    const name = policyName();
    await api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body: bodyOf(name) });
    await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), maxFailedAttempts: 2 },
    });
    // resolvePolicy needs only the database.
    const { resolvePolicy } = createShipmentActivities({ db: api.db } as ActivityDeps);
    expect(await resolvePolicy(name)).toEqual({
      ...aFastPolicy(name),
      maxFailedAttempts: 2,
      version: 2,
    });
    const failure = await resolvePolicy('never-stored').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'policy.not_found', nonRetryable: true });
  });
});

describe('policy validation', () => {
  it('failed attempts must be a whole number of at least one, and the decision a known one', async () => {
    const name = policyName();
    const res = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: {
        ...bodyOf(name),
        maxFailedAttempts: 0,
        autoDecision: { maxDeclaredValue: -1, decision: 'burn_it' },
        stallAfter: { in_transit: 'PT0S', customs: 'soon' },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.failed');
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual([
      'autoDecision.decision',
      'autoDecision.maxDeclaredValue',
      'maxFailedAttempts',
      'stallAfter.customs',
      'stallAfter.in_transit',
    ]);
    const fractional = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), maxFailedAttempts: 1.5 },
    });
    expect(fractional.status).toBe(400);
    expect(fractional.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'maxFailedAttempts',
    ]);
  });

  it('a policy name must be lower-case letters, digits, dots, dashes or underscores', async () => {
    const res = await api.call('PUT', '/v1/policies/Fast%20One', {
      as: 'admin',
      body: bodyOf('x'),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      {
        path: 'name',
        message: 'must be 1-63 characters: lower-case letters, digits, ".", "_" or "-"',
      },
    ]);
  });

  it('a policy with the optional failed-attempt limit is stored with it', async () => {
    const name = policyName();
    const res = await api.call('PUT', `/v1/policies/${name}`, {
      as: 'admin',
      body: { ...bodyOf(name), maxFailedAttempts: 4 },
    });
    expect(res.status).toBe(200);
    expect(res.body.policy.maxFailedAttempts).toBe(4);
  });
});

describe('refreshing the policy of a running shipment', () => {
  const register = async (policy?: string) => {
    const reg = aRegistration(policy ? { policy } : {});
    const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
    expect(res.status).toBe(201);
    return reg;
  };
  const refreshSignals = (shipmentId: string) =>
    signalsReceived(api.client, shipmentWorkflowId(shipmentId), refreshPolicySignal.name);

  it('ops tell a running shipment to re-read its own policy, or to switch to another', async () => {
    const other = policyName();
    await api.call('PUT', `/v1/policies/${other}`, { as: 'admin', body: bodyOf(other) });
    const reg = await register();
    const own = await api.call('POST', `/v1/shipments/${reg.shipmentId}/policy:refresh`, {
      as: 'ops',
      body: {},
    });
    expect(own.status).toBe(202);
    expect(own.body).toEqual({ shipmentId: reg.shipmentId, policy: 'default' });
    const switched = await api.call('POST', `/v1/shipments/${reg.shipmentId}/policy:refresh`, {
      as: 'admin',
      body: { policy: other },
    });
    expect(switched.status).toBe(202);
    expect(switched.body).toEqual({ shipmentId: reg.shipmentId, policy: other });
    expect(await refreshSignals(reg.shipmentId)).toEqual([{}, { policy: other }]);
  });

  it('only ops and admins may refresh, and only to a policy that exists', async () => {
    const reg = await register();
    const path = `/v1/shipments/${reg.shipmentId}/policy:refresh`;
    const asIngest = await api.call('POST', path, { as: 'ingest', body: {} });
    expect(asIngest.status).toBe(403);
    const asAnalyst = await api.call('POST', path, { as: 'analyst', body: {} });
    expect(asAnalyst.status).toBe(403);
    const unknown = await api.call('POST', path, { as: 'ops', body: { policy: 'not-a-policy' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('policy.not_found');
    const badName = await api.call('POST', path, { as: 'ops', body: { policy: 'No Way' } });
    expect(badName.status).toBe(400);
    expect(badName.body.errors.map((e: { path: string }) => e.path)).toEqual(['policy']);
    const extra = await api.call('POST', path, { as: 'ops', body: { policy: 'default', now: 1 } });
    expect(extra.status).toBe(400);
    expect(await refreshSignals(reg.shipmentId)).toEqual([]);
  });

  it('an unknown shipment is a 404, and a shipment whose workflow has ended is a 409', async () => {
    const missing = await api.call('POST', '/v1/shipments/SHP-nobody/policy:refresh', {
      as: 'ops',
      body: {},
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('shipment.not_found');

    const reg = await register();
    await api.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId)).terminate('test');
    const ended = await api.call('POST', `/v1/shipments/${reg.shipmentId}/policy:refresh`, {
      as: 'ops',
      body: {},
    });
    expect(ended.status).toBe(409);
    expect(ended.body.code).toBe('policy.shipment_closed');
  });
});
