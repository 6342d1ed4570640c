import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as schema from '../../src/db/schema';
import { shipments } from '../../src/db/schema';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import {
  SHIPMENT_WORKFLOW_TYPE,
  searchAttributes,
  shipmentWorkflowId,
  type ShipmentState,
} from '../../workflows/shipment.contract';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { aFastPolicy, aRegistration, insertPolicy, uniqueId } from '../helpers/factories';
import { fromStoredPayload } from '../helpers/payload-key';
import { serve, startApi, type ApiUnderTest } from './harness';
import { expectBadCursorRefused, walkPages } from './paging';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ queryTimeoutMs: 1000 });
});
afterAll(async () => {
  await api?.close();
});

const register = (body: unknown) => api.call('POST', '/v1/shipments', { as: 'ingest', body });

describe('registering a shipment', () => {
  it('starts the shipment workflow under shipment:<id> on the task queue, rejecting duplicates', async () => {
    const reg = aRegistration({ declaredValue: 42.5 });
    const res = await register(reg);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      shipmentId: reg.shipmentId,
      workflowId: `shipment:${reg.shipmentId}`,
      stage: 'monitoring',
      // Every registration answers with its advice (issue 20).
      advice: expect.objectContaining({ followedChannel: expect.any(Boolean) }),
    });

    const handle = api.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId));
    const described = await handle.describe();
    expect(described.type).toBe(SHIPMENT_WORKFLOW_TYPE);
    expect(described.taskQueue).toBe(api.taskQueue);
    expect(described.typedSearchAttributes.get(searchAttributes.stage)).toBe('monitoring');
    expect(described.typedSearchAttributes.get(searchAttributes.carrier)).toBe(reg.carrier);
    expect(described.typedSearchAttributes.get(searchAttributes.destination)).toBe('US');
    expect(described.typedSearchAttributes.get(searchAttributes.declaredValue)).toBe(42.5);

    // The input carries the registration with the default policy applied and the row's createdAt.
    const [row] = await api.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, reg.shipmentId));
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = await fromStoredPayload(started!.input!.payloads![0]!);
    expect(input).toEqual({
      registration: { ...reg, policy: 'default' },
      registeredAt: row!.createdAt.toISOString(),
    });

    await expect(
      api.client.workflow.start(SHIPMENT_WORKFLOW_TYPE, {
        workflowId: shipmentWorkflowId(reg.shipmentId),
        taskQueue: api.taskQueue,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  it('blank optional fields are read as left out: the row and the workflow input have no such keys', async () => {
    const { region: _region, ...destination } = aRegistration().destination;
    const reg = aRegistration({ destination });
    const sent = {
      ...reg,
      service: ' ',
      destination: { ...destination, region: '', line2: '' },
      origin: { ...reg.origin, warehouseId: '\t' },
    };
    const res = await register(sent);
    expect(res.status).toBe(201);
    const { origin: _origin, ...rest } = reg;
    const expected = { ...rest, origin: { country: reg.origin.country }, policy: 'default' };

    const [row] = await api.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, reg.shipmentId));
    expect(row!.registration).toStrictEqual(expected);
    const handle = api.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId));
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = (await fromStoredPayload(started!.input!.payloads![0]!)) as {
      registration: Record<string, unknown> & { destination: object; origin: object };
    };
    expect(input.registration).toStrictEqual(expected);
    expect(Object.keys(input.registration)).not.toContain('service');
    expect(Object.keys(input.registration.destination).sort()).toEqual(
      ['city', 'country', 'line1', 'name', 'postalCode'].sort(),
    );
    // The same body again is the same registration (blank fields do not make it another one).
    expect((await register(sent)).status).toBe(200);
  });

  it('blank required fields are still refused with their messages', async () => {
    const reg = aRegistration();
    const res = await register({
      ...reg,
      orderId: '',
      carrier: ' ',
      destination: { ...reg.destination, city: '', region: '' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'orderId', message: 'must not be empty' },
        { path: 'carrier', message: 'must not be empty' },
        { path: 'destination.city', message: 'must not be empty' },
      ]),
    );
    expect(res.body.errors.map((e: { path: string }) => e.path)).not.toContain(
      'destination.region',
    );
  });

  it('the same registration sent again answers 200 with the same workflow and starts nothing new', async () => {
    const reg = aRegistration();
    const first = await register(reg);
    const runId = (await api.client.workflow.getHandle(first.body.workflowId).describe()).runId;
    // Keys in another order and the default policy spelt out: still the same body.
    const reordered = Object.fromEntries(Object.entries({ ...reg, policy: 'default' }).reverse());
    const again = await register(reordered);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await api.client.workflow.getHandle(first.body.workflowId).describe()).runId).toBe(
      runId,
    );
  });

  it('a retry after a failed start starts the workflow that is missing', async () => {
    // As if an earlier attempt stored the row and then lost Temporal: the row exists, no workflow.
    const lost = aRegistration();
    const { createShipmentRepository } = await import('../../src/shipments/shipments.repository');
    await createShipmentRepository(api.db).register({ ...lost, policy: 'default' });
    const retry = await register(lost);
    expect(retry.status).toBe(200);
    const described = await api.client.workflow
      .getHandle(shipmentWorkflowId(lost.shipmentId))
      .describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.taskQueue).toBe(api.taskQueue);
  });

  it('a registration repeated after its workflow has ended does not start it again', async () => {
    const reg = aRegistration();
    const first = await register(reg);
    const handle = api.client.workflow.getHandle(first.body.workflowId);
    const { runId } = await handle.describe();
    await handle.terminate('ended for the test');
    const again = await register(reg);
    expect(again.status).toBe(200);
    // REJECT_DUPLICATE: the closed run stays the latest, no new run was started.
    const latest = await handle.describe();
    expect(latest.runId).toBe(runId);
    expect(latest.status.name).toBe('TERMINATED');
  });

  it('another body under an id already registered is a 409 conflict', async () => {
    const reg = aRegistration();
    await register(reg);
    const res = await register({ ...reg, declaredValue: reg.declaredValue + 1 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'shipment.conflict', status: 409 });
    expect(res.body.detail).toContain(reg.shipmentId);
  });

  it('a tracking number of the carrier already used by another shipment is a 409 conflict', async () => {
    const reg = aRegistration();
    await register(reg);
    const other = aRegistration({ carrier: reg.carrier, trackingNumber: reg.trackingNumber });
    const res = await register(other);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('shipment.conflict');
    expect(res.body.detail).toBe(
      `Tracking number "${reg.trackingNumber}" of carrier "${reg.carrier}" already belongs to shipment "${reg.shipmentId}".`,
    );
  });

  it('a shipment naming a policy that does not exist is refused with 422', async () => {
    const res = await register(aRegistration({ policy: 'no-such-policy' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'policy.not_found', status: 422 });
  });

  it('a registration with bad fields lists each one by its path', async () => {
    const reg = aRegistration();
    const res = await register({
      ...reg,
      currency: 'EURO',
      destination: { ...reg.destination, country: 'Germany' },
      customer: { ...reg.customer, email: 'not-an-email', locale: 'en_US!' },
      items: [
        { sku: 'SKU-MUG', quantity: 0, unitPrice: 5 },
        { sku: 'SKU-TEE', quantity: 1.5, unitPrice: 5 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'currency',
      'customer.email',
      'customer.locale',
      'destination.country',
      'items.0.quantity',
      'items.1.quantity',
    ]);
    expect(
      res.body.errors.find((e: { path: string }) => e.path === 'items.0.quantity').message,
    ).toBe('must be at least 1');
  });

  it('a registration without items is refused', async () => {
    const res = await register({ ...aRegistration(), items: [] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'items', message: 'must list at least one item' }]);
  });
});

describe('reading shipments', () => {
  it('an unknown shipment is a 404 problem', async () => {
    const res = await api.call('GET', '/v1/shipments/NOPE-1', { as: 'ops' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      code: 'shipment.not_found',
      detail: 'There is no shipment "NOPE-1".',
    });
  });

  it('when the workflow cannot answer, the shipment is read from the last snapshot and says so', async () => {
    // No worker runs in this file, so the state query times out and the read model answers.
    const reg = aRegistration();
    await register(reg);
    const snapshot: ShipmentState = {
      shipmentId: reg.shipmentId,
      stage: 'awaiting_review',
      policy: DEFAULT_POLICY,
      registeredAt: '2025-01-01T00:00:00.000Z',
      eventCount: 1,
      lastEvent: { eventId: 'E1', occurredAt: '2025-01-01T01:00:00.000Z', status: 'in_transit' },
      suspicion: { reason: 'stalled', detectedAt: '2025-01-09T01:00:00.000Z' },
      deadlines: { reviewSlaAt: '2025-01-10T01:00:00.000Z' },
      thresholdFactor: 1,
      reviewRound: 1,
      notifications: [
        {
          kind: 'delay_notice',
          channel: 'email',
          to: reg.customer.email,
          locale: 'en-US',
          sentAt: '2025-01-09T01:00:01.000Z',
        },
      ],
      timeline: [{ at: '2025-01-09T01:00:00.000Z', kind: 'stage', detail: 'awaiting_review' }],
    };
    await api.db
      .update(shipments)
      .set({ snapshot, stage: 'awaiting_review' })
      .where(eq(shipments.shipmentId, reg.shipmentId));

    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'analyst' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      shipmentId: reg.shipmentId,
      workflowId: `shipment:${reg.shipmentId}`,
      source: 'read_model',
      stage: 'awaiting_review',
      policy: 'default',
      carrier: reg.carrier,
      trackingNumber: reg.trackingNumber,
      lastEvent: snapshot.lastEvent,
      suspicion: { reason: 'stalled', detectedAt: '2025-01-09T01:00:00.000Z' },
      notifications: snapshot.notifications,
      timeline: snapshot.timeline,
      deadlines: snapshot.deadlines,
    });
    expect(res.body).not.toHaveProperty('review');
  });

  it('a settled shipment shows its review round, evidence, verification, reship channel and cost, refund and claim workflow', async () => {
    const reg = aRegistration({ declaredValue: 250 });
    await register(reg);
    const snapshot: ShipmentState = {
      shipmentId: reg.shipmentId,
      stage: 'closed',
      resolution: 'reshipped',
      policy: DEFAULT_POLICY,
      registeredAt: '2025-01-01T00:00:00.000Z',
      eventCount: 2,
      expectedDeliveryAt: '2025-01-08T00:00:00.000Z',
      suspicion: {
        reason: 'delivered_not_received',
        detectedAt: '2025-01-09T01:00:00.000Z',
        detail: 'carrier holds no proof of delivery',
        evidence: { proofOfDelivery: null, inquiryIds: ['inq-1'] },
      },
      verification: {
        outcome: 'proof_of_delivery_checked',
        at: '2025-01-09T01:00:02.000Z',
        detail: 'carrier holds no proof of delivery',
      },
      deadlines: {},
      thresholdFactor: 1,
      reviewRound: 2,
      review: {
        round: 2,
        decision: 'reship',
        reviewer: 'olga@ops',
        decidedAt: '2025-01-09T02:00:00.000Z',
        automatic: false,
      },
      reship: {
        shipmentId: `${reg.shipmentId}~R1`,
        workflowId: `shipment:${reg.shipmentId}~R1`,
        carrier: 'ups',
        trackingNumber: '1Z999',
        warehouseId: 'wh-us-ca',
        labelId: 'lbl-1',
        reservationId: '7',
        channel: 'ups/ground',
        channelReason: 'Fastest insured service on US→US.',
        insured: true,
        cost: { goods: 250, postage: 9.5, insurance: 4.17, total: 263.67, currency: 'USD' },
      },
      claim: {
        workflowId: `claim:${reg.shipmentId}`,
        status: 'pending_eligibility',
        reason: 'lost',
        startedAt: '2025-01-09T02:00:05.000Z',
      },
      notifications: [],
      timeline: [],
    };
    await api.db
      .update(shipments)
      .set({ snapshot, stage: 'closed' })
      .where(eq(shipments.shipmentId, reg.shipmentId));

    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      source: 'read_model',
      reviewRound: 2,
      expectedDeliveryAt: '2025-01-08T00:00:00.000Z',
      suspicion: { reason: 'delivered_not_received', evidence: snapshot.suspicion!.evidence },
      verification: snapshot.verification,
      review: { round: 2, decision: 'reship' },
      reship: {
        shipmentId: `${reg.shipmentId}~R1`,
        channel: 'ups/ground',
        channelReason: 'Fastest insured service on US→US.',
        insured: true,
        cost: snapshot.reship!.cost,
      },
      claim: {
        workflowId: `claim:${reg.shipmentId}`,
        status: 'pending_eligibility',
        reason: 'lost',
      },
    });
    expect(res.body).not.toHaveProperty('refund');

    const refunded = { ...snapshot, resolution: 'refunded' as const, reship: undefined };
    refunded.refund = {
      amount: 250,
      currency: 'USD',
      recordedAt: '2025-01-09T02:00:01.000Z',
      status: 'refunded',
      reference: 're_77',
    };
    await api.db
      .update(shipments)
      .set({ snapshot: refunded })
      .where(eq(shipments.shipmentId, reg.shipmentId));
    const again = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(again.body).toMatchObject({
      resolution: 'refunded',
      refund: { amount: 250, currency: 'USD', status: 'refunded', reference: 're_77' },
    });
    expect(again.body).not.toHaveProperty('reship');
  });

  it('a shipment whose workflow is gone and has no snapshot is described from its row', async () => {
    const reg = aRegistration();
    await register(reg);
    await api.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId)).terminate('gone');
    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      source: 'read_model',
      stage: 'monitoring',
      policy: 'default',
      notifications: [],
      timeline: [],
    });
  });
});

describe('listing shipments', () => {
  it('filters by carrier, stage and destination and pages with a cursor, newest first', async () => {
    // A carrier of this test's own (outside the catalogue, so marked unlisted) isolates its rows.
    const carrier = uniqueId('carrier');
    const regs = [];
    for (let i = 0; i < 5; i++) {
      const reg = aRegistration({
        carrier,
        destination: { ...aRegistration().destination, country: i % 2 === 0 ? 'DE' : 'US' },
      });
      expect((await register({ ...reg, carrierUnlisted: true })).status).toBe(201);
      regs.push(reg);
    }
    const newestFirst = regs.map((r) => r.shipmentId).reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.call(
        'GET',
        `/v1/shipments?carrier=${carrier}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { as: 'analyst' },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((s: { shipmentId: string }) => s.shipmentId));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);

    const de = await api.call('GET', `/v1/shipments?carrier=${carrier}&destination=DE`, {
      as: 'ops',
    });
    expect(de.body.items).toHaveLength(3);
    expect(de.body.items[0]).toMatchObject({
      carrier,
      destination: 'DE',
      stage: 'monitoring',
      currency: 'USD',
    });

    const reviewing = await api.call(
      'GET',
      `/v1/shipments?carrier=${carrier}&stage=awaiting_review`,
      { as: 'ops' },
    );
    expect(reviewing.body).toEqual({ items: [], nextCursor: null });

    const future = new Date(Date.now() + 3600_000).toISOString();
    const later = await api.call(
      'GET',
      `/v1/shipments?carrier=${carrier}&from=${encodeURIComponent(future)}`,
      { as: 'ops' },
    );
    expect(later.body.items).toEqual([]);
  });

  it('pages never skip or repeat shipments registered in the same microsecond', async () => {
    const carrier = uniqueId('carrier');
    const base = uniqueId('PAGE');
    const at = (micros: number) => sql`${`2030-01-01 00:00:00.00000${micros}+00`}::timestamptz`;
    const rows = [
      { id: `${base}-e`, createdAt: at(1) },
      { id: `${base}-a`, createdAt: at(2) },
      { id: `${base}-b`, createdAt: at(2) },
      { id: `${base}-c`, createdAt: at(2) },
      { id: `${base}-d`, createdAt: at(3) },
    ];
    await api.db.insert(shipments).values(
      rows.map((r) => ({
        ...shipmentRow(aRegistration({ shipmentId: r.id, carrier })),
        createdAt: r.createdAt,
      })),
    );
    try {
      const walked = await walkPages<{ shipmentId: string }>(
        api,
        `/v1/shipments?carrier=${carrier}&limit=2`,
        'analyst',
      );
      // Newest first; within one instant the higher id first.
      expect(walked.items.map((s) => s.shipmentId)).toEqual([
        `${base}-d`,
        `${base}-c`,
        `${base}-b`,
        `${base}-a`,
        `${base}-e`,
      ]);
      expect(walked.pages).toBe(3);
      await expectBadCursorRefused(api, `/v1/shipments?carrier=${carrier}`, 'analyst');
    } finally {
      await api.db.delete(shipments).where(eq(shipments.carrier, carrier));
    }
  });

  it('an empty filter in the query string is read as no filter', async () => {
    const carrier = uniqueId('carrier');
    const reg = aRegistration({ carrier });
    expect((await register({ ...reg, carrierUnlisted: true })).status).toBe(201);
    const res = await api.call('GET', '/v1/shipments?carrier=&stage=&destination=%20&limit=', {
      as: 'analyst',
    });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.length).toBeLessThanOrEqual(50);
    // Newest first and unfiltered: the shipment just registered leads the list.
    expect(res.body.items[0].shipmentId).toBe(reg.shipmentId);
  });

  it('bad filters are refused with their names', async () => {
    const res = await api.call('GET', '/v1/shipments?limit=500&stage=lost&cursor=bm9wZQ', {
      as: 'ops',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['limit', 'stage']);
    const badCursor = await api.call('GET', '/v1/shipments?cursor=bm9wZQ', { as: 'ops' });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors).toEqual([
      { path: 'cursor', message: 'is not a cursor returned by this API' },
    ]);
  });
});

describe('database round trips of a registration', () => {
  /** An API over its own pool that records the first word of every statement it sends. */
  async function counted() {
    const statements: string[] = [];
    const client = postgres(inject('databaseUrl'), {
      max: 2,
      onnotice: () => undefined,
      debug: (_connection, query) => statements.push(query.trim().split(/\s+/)[0]!.toLowerCase()),
    });
    const app = await serve({
      db: drizzle(client, { schema }),
      temporal: api.client,
      taskQueue: api.taskQueue,
    });
    return {
      app,
      statements,
      async close() {
        await app.close();
        await client.end({ timeout: 5 });
      },
    };
  }

  // One statement inserts the row and its shipment.registered event (a CTE: `with … insert`).
  it('a new shipment under a policy seen before costs one statement: the row insert', async () => {
    const c = await counted();
    try {
      // The first registration naming the policy looks it up; the API key is read then too.
      expect(
        (await c.app.call('POST', '/v1/shipments', { as: 'ingest', body: aRegistration() })).status,
      ).toBe(201);
      c.statements.length = 0;
      const res = await c.app.call('POST', '/v1/shipments', {
        as: 'ingest',
        body: aRegistration(),
      });
      expect(res.status).toBe(201);
      expect(c.statements).toEqual(['with']);
    } finally {
      await c.close();
    }
  });

  it('a policy created after a registration named it in vain is found by the next one', async () => {
    const c = await counted();
    try {
      const name = uniqueId('later-policy');
      const first = await c.app.call('POST', '/v1/shipments', {
        as: 'ingest',
        body: aRegistration({ policy: name }),
      });
      expect(first.status).toBe(422);
      await insertPolicy(api.db, aFastPolicy(name));
      const second = await c.app.call('POST', '/v1/shipments', {
        as: 'ingest',
        body: aRegistration({ policy: name }),
      });
      expect(second.status).toBe(201);
    } finally {
      await c.close();
    }
  });

  it('a batch of new shipments under a policy seen before costs one statement: the multi-row insert', async () => {
    const c = await counted();
    try {
      const batch = (n: number) => ({
        shipments: Array.from({ length: n }, () => aRegistration()),
      });
      const warm = await c.app.call('POST', '/v1/shipments:batch', {
        as: 'ingest',
        body: batch(1),
      });
      expect(warm.body).toMatchObject({ created: 1 });
      c.statements.length = 0;
      const res = await c.app.call('POST', '/v1/shipments:batch', {
        as: 'ingest',
        body: batch(20),
      });
      expect(res.body).toMatchObject({ created: 20, failed: 0 });
      expect(c.statements).toEqual(['with']);
    } finally {
      await c.close();
    }
  });
});
