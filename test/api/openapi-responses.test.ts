import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { aFastPolicy, aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import { aFiledClaim } from '../helpers/claims';
import { validate, type Schema } from '../helpers/json-schema';
import { documentedAnswers, type OpenApiDocument } from '../helpers/openapi-documented';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';

// The real worker runs: shipment views come from the workflow and batches make progress.
let stack: TestStack;
let api: ApiUnderTest;
let doc: OpenApiDocument;
let policy: string;
beforeAll(async () => {
  stack = await startTestStack();
  api = await serve({ db: stack.db, temporal: stack.client, taskQueue: stack.taskQueue });
  const served = await api.call('GET', '/openapi.json');
  expect(served.status).toBe(200);
  doc = served.body;
  policy = uniqueId('doc').toLowerCase();
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

const expectDocumented = documentedAnswers(() => doc);

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();

/** Registers through the API, pushes one scan, and waits until the fast policy stalls it. */
async function shipmentAwaitingReview(): Promise<ShipmentRegistration> {
  const reg = aRegistration({ policy });
  stack.sandbox.store.addEvents(reg.trackingNumber, []);
  const registered = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expectDocumented('POST', '/v1/shipments', registered, 201);
  const again = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expectDocumented('POST', '/v1/shipments', again, 200);
  const pushed = await api.call('POST', '/v1/tracking-events', {
    as: 'ingest',
    body: {
      events: [
        {
          carrier: reg.carrier,
          trackingNumber: reg.trackingNumber,
          eventId: uniqueId('EV'),
          occurredAt: secondsAgo(5),
          status: 'in_transit',
          location: { country: 'CN', city: 'Shenzhen' },
        },
        {
          carrier: reg.carrier,
          trackingNumber: 'NOBODY-HAS-THIS',
          eventId: uniqueId('EV'),
          occurredAt: secondsAgo(5),
          status: 'in_transit',
        },
      ],
    },
  });
  expectDocumented('POST', '/v1/tracking-events', pushed, 202);
  expect(pushed.body).toEqual({ accepted: 1, duplicates: 0, unknown: 1 });
  await waitUntil(
    `${reg.shipmentId} awaiting review`,
    () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
    (r) => r.body?.stage === 'awaiting_review',
  );
  return reg;
}

describe('the main routes answer as their documented response schemas say', () => {
  it('a policy is stored and read back in the documented policy shape', async () => {
    const { name: _name, ...body } = aFastPolicy(policy);
    const put = await api.call('PUT', `/v1/policies/${policy}`, { as: 'admin', body });
    expectDocumented('PUT', '/v1/policies/{name}', put, 200);
    const read = await api.call('GET', `/v1/policies/${policy}`, { as: 'analyst' });
    expectDocumented('GET', '/v1/policies/{name}', read, 200);
    expect(read.body).toMatchObject({ name: policy, version: 1, policy: { name: policy } });
  });

  it('a shipment is registered, tracked, listed, queued for review and decided as documented', async () => {
    const reg = await shipmentAwaitingReview();

    const view = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'analyst' });
    expectDocumented('GET', '/v1/shipments/{id}', view, 200);
    expect(view.body).toMatchObject({
      source: 'workflow',
      suspicion: { reason: 'stalled' },
      lastEvent: { location: { city: 'Shenzhen' } },
    });
    expect(view.body.notifications.length).toBeGreaterThan(0);

    const list = await api.call('GET', `/v1/shipments?limit=5`, { as: 'analyst' });
    expectDocumented('GET', '/v1/shipments', list, 200);
    expect(list.body.items.length).toBeGreaterThan(0);

    const queue = await api.call('GET', '/v1/reviews?limit=100', { as: 'ops' });
    expectDocumented('GET', '/v1/reviews', queue, 200);
    expect(queue.body.items.length).toBeGreaterThan(0);

    const decided = await api.call('POST', `/v1/shipments/${reg.shipmentId}/review`, {
      as: 'ops',
      body: { decision: 'mark_delivered', reviewer: 'olga@ops', note: 'customer confirmed' },
    });
    expectDocumented('POST', '/v1/shipments/{id}/review', decided, 200);
    expect(decided.body).toEqual({ stage: 'closed', decision: 'mark_delivered', duplicate: false });

    const closed = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expectDocumented('GET', '/v1/shipments/{id}', closed, 200);
    expect(closed.body).toMatchObject({
      resolution: 'delivered',
      review: { note: 'customer confirmed' },
    });
  });

  it('a shipment only the read model knows is answered in the same documented shape', async () => {
    const reg = aRegistration();
    await insertShipmentRow(api.db, reg);
    const view = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expectDocumented('GET', '/v1/shipments/{id}', view, 200);
    expect(view.body.source).toBe('read_model');
    expect(view.body).not.toHaveProperty('eventCount');

    // The documented schema is strict enough to catch an answer that drifts from it.
    const shipment: Schema = { $ref: '#/components/schemas/Shipment' };
    const { shipmentId: _id, ...withoutId } = view.body;
    expect(validate(withoutId, shipment, doc)).toEqual([
      '$: missing required property "shipmentId"',
    ]);
    expect(validate({ ...view.body, stage: 'teleported' }, shipment, doc)).toHaveLength(1);
    expect(validate({ ...view.body, declaredValue: '12.50' }, shipment, doc)).toEqual([
      '$.declaredValue: expected number, got string',
    ]);
    expect(validate({ ...view.body, secret: 1 }, shipment, doc)).toEqual([
      '$: property "secret" is not allowed',
    ]);
  });

  it('a batch of decisions is accepted and reports its progress as documented', async () => {
    const reg = await shipmentAwaitingReview();
    const batchId = uniqueId('batch');
    const accepted = await api.call('POST', '/v1/reviews:batch', {
      as: 'ops',
      body: {
        batchId,
        decisions: [{ shipmentId: reg.shipmentId, decision: 'refund', reviewer: 'piet@ops' }],
      },
    });
    expectDocumented('POST', '/v1/reviews:batch', accepted, 202);

    const finished = await waitUntil(
      `batch ${batchId} finished`,
      () => api.call('GET', `/v1/reviews:batch/${batchId}`, { as: 'analyst' }),
      (r) => r.body?.finished === true,
    );
    expectDocumented('GET', '/v1/reviews:batch/{id}', finished, 200);
    expect(finished.body.items).toEqual([
      expect.objectContaining({ shipmentId: reg.shipmentId, status: 'succeeded' }),
    ]);

    // The refunded shipment's view carries its refund record.
    const refunded = await waitUntil(
      `${reg.shipmentId} refunded`,
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
      (r) => r.body?.refund !== undefined,
    );
    expectDocumented('GET', '/v1/shipments/{id}', refunded, 200);
  });

  it('a claim is listed and read with its history and evidence as documented', async () => {
    const { id } = await aFiledClaim(api.db);
    const claim = await api.call('GET', `/v1/claims/${id}`, { as: 'analyst' });
    expectDocumented('GET', '/v1/claims/{id}', claim, 200);
    expect(claim.body.history).toHaveLength(2);
    expect(claim.body.evidence).toEqual(expect.objectContaining({ claim: expect.anything() }));
    const list = await api.call('GET', '/v1/claims?limit=5', { as: 'analyst' });
    expectDocumented('GET', '/v1/claims', list, 200);
  });

  it('the carrier analytics table is answered row by row as documented', async () => {
    const carriers = await api.call('GET', '/v1/analytics/carriers', { as: 'analyst' });
    expectDocumented('GET', '/v1/analytics/{table}', carriers, 200);
    expect(carriers.body.items.length).toBeGreaterThan(0);
    const risk = await api.call('GET', '/v1/analytics/risk', { as: 'analyst' });
    expectDocumented('GET', '/v1/analytics/{table}', risk, 200);
  });

  it('refusals are problem+json as documented: bad input, no key, wrong role, unknown, conflict, unreachable', async () => {
    const reg = aRegistration();
    const registered = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
    expect(registered.status).toBe(201);
    const rowOnly = aRegistration();
    await insertShipmentRow(api.db, rowOnly);
    expectDocumented(
      'POST',
      '/v1/shipments',
      await api.call('POST', '/v1/shipments', { as: 'ingest', body: { shipmentId: 1 } }),
      400,
    );
    expectDocumented('GET', '/v1/shipments', await api.call('GET', '/v1/shipments'), 401);
    expectDocumented(
      'POST',
      '/v1/shipments/{id}/review',
      await api.call('POST', `/v1/shipments/${reg.shipmentId}/review`, {
        as: 'ingest',
        body: { decision: 'refund', reviewer: 'x' },
      }),
      403,
    );
    expectDocumented(
      'GET',
      '/v1/shipments/{id}',
      await api.call('GET', '/v1/shipments/NO-SUCH-SHIPMENT', { as: 'ops' }),
      404,
    );
    expectDocumented(
      'GET',
      '/v1/policies/{name}',
      await api.call('GET', '/v1/policies/no-such-policy', { as: 'ops' }),
      404,
    );
    expectDocumented(
      'GET',
      '/v1/claims/{id}',
      await api.call('GET', '/v1/claims/999999999', { as: 'ops' }),
      404,
    );
    expectDocumented(
      'POST',
      '/v1/shipments/{id}/review',
      await api.call('POST', `/v1/shipments/${reg.shipmentId}/review`, {
        as: 'ops',
        body: { decision: 'refund', reviewer: 'x' },
      }),
      409,
    );
    // No workflow to take the decision: the shipment is known, the decision cannot be taken now.
    expectDocumented(
      'POST',
      '/v1/shipments/{id}/review',
      await api.call('POST', `/v1/shipments/${rowOnly.shipmentId}/review`, {
        as: 'ops',
        body: { decision: 'refund', reviewer: 'x' },
      }),
      503,
    );
  });
});

describe('the schema validator the checks above rely on', () => {
  const root: Schema = {
    components: {
      schemas: {
        Thing: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            count: { type: 'integer' },
            kind: { type: 'string', enum: ['a', 'b'] },
            note: { type: ['string', 'null'] },
            tags: { type: 'array', items: { type: 'string' } },
            choice: { oneOf: [{ const: 'x' }, { type: 'number' }] },
          },
          required: ['name', 'kind'],
          additionalProperties: false,
        },
      },
    },
  };
  const thing: Schema = { $ref: '#/components/schemas/Thing' };

  it('accepts a value that fits, with null where the type allows it', () => {
    expect(
      validate({ name: 'n', count: 2, kind: 'a', note: null, tags: ['t'], choice: 3 }, thing, root),
    ).toEqual([]);
  });

  it('rejects a wrong type, a missing required property, a bad enum and an unknown property', () => {
    expect(validate({ name: 7, kind: 'a' }, thing, root)).toEqual([
      '$.name: expected string, got number',
    ]);
    expect(validate({ kind: 'a' }, thing, root)).toEqual(['$: missing required property "name"']);
    expect(validate({ name: 'n', kind: 'c' }, thing, root)).toEqual([
      '$.kind: "c" is not one of ["a","b"]',
    ]);
    expect(validate({ name: 'n', kind: 'a', extra: 1 }, thing, root)).toEqual([
      '$: property "extra" is not allowed',
    ]);
    expect(validate({ name: 'n', kind: 'a', count: 1.5 }, thing, root)).toEqual([
      '$.count: expected integer, got number',
    ]);
  });

  it('rejects nested items and alternatives that do not fit', () => {
    expect(validate({ name: 'n', kind: 'a', tags: ['ok', 3] }, thing, root)).toEqual([
      '$.tags[1]: expected string, got number',
    ]);
    expect(validate({ name: 'n', kind: 'a', choice: 'y' }, thing, root)).toHaveLength(1);
    expect(validate({ name: 'n', kind: 'a', note: 5 }, thing, root)).toEqual([
      '$.note: expected string or null, got number',
    ]);
  });
});
