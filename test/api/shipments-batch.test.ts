import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { shipments } from '../../src/db/schema';
import pino from 'pino';
import { registerBatch } from '../../src/shipments/shipments.batch';
import { createShipmentRepository } from '../../src/shipments/shipments.repository';
import {
  SHIPMENT_WORKFLOW_TYPE,
  shipmentWorkflowId,
  type ShipmentRegistration,
} from '../../workflows/shipment.contract';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { aRegistration, uniqueId } from '../helpers/factories';
import { documentedAnswers, type OpenApiDocument } from '../helpers/openapi-documented';
import { testDataConverter } from '../helpers/payload-key';
import '../helpers/provided';
import { serve, startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
let doc: OpenApiDocument;
beforeAll(async () => {
  api = await startApi({ queryTimeoutMs: 1000 });
  doc = (await api.call('GET', '/openapi.json')).body;
});
const expectDocumented = documentedAnswers(() => doc);
afterAll(async () => {
  await api?.close();
});

const batch = (body: unknown, on: ApiUnderTest = api) =>
  on.call('POST', '/v1/shipments:batch', { as: 'ingest', body });

/** A payload as the API's client wrote it (encrypted with the run's PAYLOAD_KEY). */
async function decodePayload(payload: Payload): Promise<unknown> {
  let payloads = [payload];
  for (const codec of [...(testDataConverter().payloadCodecs ?? [])].reverse())
    payloads = await codec.decode(payloads);
  return defaultPayloadConverter.fromPayload(payloads[0]!);
}

async function describeWorkflow(shipmentId: string) {
  return api.client.workflow.getHandle(shipmentWorkflowId(shipmentId)).describe();
}

describe('registering shipments in a batch', () => {
  it('answers every item as a single registration would: new, repeat, conflict, invalid, unknown policy', async () => {
    const before = aRegistration();
    const taken = aRegistration();
    expect((await api.call('POST', '/v1/shipments', { as: 'ingest', body: before })).status).toBe(
      201,
    );
    expect((await api.call('POST', '/v1/shipments', { as: 'ingest', body: taken })).status).toBe(
      201,
    );
    const runBefore = (await describeWorkflow(before.shipmentId)).runId;

    const fresh = aRegistration({ declaredValue: 12.5 });
    const fresh2 = aRegistration();
    const badEmail = aRegistration();
    const unknownPolicy = aRegistration({ policy: uniqueId('no-such-policy') });
    const otherBody = { ...before, declaredValue: before.declaredValue + 1 };
    const trackingTaken = aRegistration({
      carrier: taken.carrier,
      trackingNumber: taken.trackingNumber,
    });
    const items: unknown[] = [
      fresh, // 0: new
      before, // 1: the same body again
      otherBody, // 2: another body under an id
      { ...badEmail, customer: { ...badEmail.customer, email: 'not-an-email' } }, // 3: invalid
      unknownPolicy, // 4: unknown policy
      fresh, // 5: repeats item 0 within the batch
      trackingTaken, // 6: tracking number of another shipment
      { ...fresh2, items: [{ sku: 'A', quantity: 0, unitPrice: 1 }], currency: 'EURO' }, // 7
      42, // 8: not an object at all
      fresh2, // 9: new (the invalid item 7 with its id registered nothing)
    ];
    const res = await batch({ shipments: items });
    expectDocumented('POST', '/v1/shipments:batch', res, 200);
    const r = res.body.results;
    expect(r.map((x: { index: number }) => x.index)).toEqual(items.map((_, i) => i));
    expect(r.map((x: { status: number }) => x.status)).toEqual([
      201, 200, 409, 422, 422, 200, 409, 422, 422, 201,
    ]);
    expect(res.body).toMatchObject({ created: 2, existing: 2, failed: 6 });

    expect(r[0]).toEqual({
      index: 0,
      shipmentId: fresh.shipmentId,
      status: 201,
      workflowId: `shipment:${fresh.shipmentId}`,
      stage: 'monitoring',
      // Every registration answers with its advice (issue 20).
      advice: expect.objectContaining({ followedChannel: expect.any(Boolean) }),
    });
    expect(r[1]).toEqual({
      index: 1,
      shipmentId: before.shipmentId,
      status: 200,
      workflowId: `shipment:${before.shipmentId}`,
      stage: 'monitoring',
      // Every registration answers with its advice (issue 20).
      advice: expect.objectContaining({ followedChannel: expect.any(Boolean) }),
    });
    expect(r[2]).toMatchObject({
      shipmentId: before.shipmentId,
      problem: {
        status: 409,
        code: 'shipment.conflict',
        type: 'https://parcelwarden.dev/problems/shipment.conflict',
        detail: `Shipment "${before.shipmentId}" is already registered with a different body.`,
      },
    });
    expect(r[2]).not.toHaveProperty('workflowId');
    expect(r[3]).toMatchObject({
      shipmentId: badEmail.shipmentId,
      problem: {
        status: 422,
        code: 'validation.failed',
        errors: [{ path: 'shipments.3.customer.email', message: 'must be an e-mail address' }],
      },
    });
    expect(r[4].problem).toMatchObject({ status: 422, code: 'policy.not_found' });
    expect(r[4].problem.detail).toContain(unknownPolicy.policy);
    expect(r[6].problem.detail).toBe(
      `Tracking number "${taken.trackingNumber}" of carrier "${taken.carrier}" already belongs to shipment "${taken.shipmentId}".`,
    );
    expect(r[7].problem.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'shipments.7.currency',
      'shipments.7.items.0.quantity',
    ]);
    expect(r[8]).toMatchObject({ shipmentId: null, status: 422 });
    expect(r[8].problem.errors).toEqual([{ path: 'shipments.8', message: expect.any(String) }]);

    // The new ones run on the API's task queue with the row's registeredAt; the repeat kept its run.
    for (const reg of [fresh, fresh2]) {
      const described = await describeWorkflow(reg.shipmentId);
      expect(described.type).toBe(SHIPMENT_WORKFLOW_TYPE);
      expect(described.status.name).toBe('RUNNING');
      expect(described.taskQueue).toBe(api.taskQueue);
    }
    expect((await describeWorkflow(before.shipmentId)).runId).toBe(runBefore);
    const [row] = await api.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, fresh.shipmentId));
    expect(row!.declaredValue).toBe(12.5);
    const history = await api.client.workflow
      .getHandle(shipmentWorkflowId(fresh.shipmentId))
      .fetchHistory();
    const input = await decodePayload(
      history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!,
    );
    expect(input).toEqual({ registration: fresh, registeredAt: row!.createdAt.toISOString() });

    // Nothing was stored for the items that failed validation or named an unknown policy.
    const stored = await api.db
      .select({ id: shipments.shipmentId })
      .from(shipments)
      .where(
        inArray(shipments.shipmentId, [
          badEmail.shipmentId,
          unknownPolicy.shipmentId,
          trackingTaken.shipmentId,
        ]),
      );
    expect(stored).toEqual([]);
    for (const reg of [badEmail, unknownPolicy, trackingTaken])
      await expect(describeWorkflow(reg.shipmentId)).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('the same batch sent again answers 200 for every item and starts nothing new', async () => {
    const regs = Array.from({ length: 40 }, () => aRegistration());
    const first = await batch({ shipments: regs });
    expect(first.body).toMatchObject({ created: 40, existing: 0, failed: 0 });
    const runs = await Promise.all(
      regs.map(async (r) => (await describeWorkflow(r.shipmentId)).runId),
    );
    // Keys in another order and the default policy spelt out: still the same bodies.
    const reordered = regs.map((r) => Object.fromEntries(Object.entries(r).reverse()));
    const again = await batch({ shipments: reordered });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, existing: 40, failed: 0 });
    expect(
      again.body.results.map((x: { shipmentId: string; status: number }) => [
        x.shipmentId,
        x.status,
      ]),
    ).toEqual(regs.map((r) => [r.shipmentId, 200]));
    const runsAgain = await Promise.all(
      regs.map(async (r) => (await describeWorkflow(r.shipmentId)).runId),
    );
    expect(runsAgain).toEqual(runs);
  });

  it('a batch of 500 registers them all', async () => {
    const regs = Array.from({ length: 500 }, () => aRegistration());
    const res = await batch({ shipments: regs });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 500, existing: 0, failed: 0 });
    const started = await Promise.all(
      [regs[0]!, regs[250]!, regs[499]!].map((r) => describeWorkflow(r.shipmentId)),
    );
    expect(started.map((d) => d.status.name)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
  });

  it('a workflow that could not be started answers 503 for its item, keeps the row, and starts on a retry', async () => {
    // The same app on a Temporal client whose workflow starts fail, as when Temporal is down.
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const broken = new Client({
      connection,
      namespace: inject('temporalNamespace'),
      dataConverter: testDataConverter(),
      interceptors: {
        workflow: [
          {
            start: () => Promise.reject(new Error('Temporal is unreachable (test)')),
          },
        ],
      },
    });
    const down = await serve({ db: api.db, temporal: broken, taskQueue: api.taskQueue }, () =>
      connection.close(),
    );
    try {
      const regs: ShipmentRegistration[] = [aRegistration(), aRegistration()];
      const invalid = { ...aRegistration(), currency: 'EURO' };
      const res = await batch({ shipments: [...regs, invalid] }, down);
      expectDocumented('POST', '/v1/shipments:batch', res, 200);
      expect(res.body).toMatchObject({ created: 0, existing: 0, failed: 3 });
      for (const [i, reg] of regs.entries()) {
        expect(res.body.results[i]).toMatchObject({
          index: i,
          shipmentId: reg.shipmentId,
          status: 503,
          problem: { status: 503, code: 'workflow.unavailable' },
        });
        await expect(describeWorkflow(reg.shipmentId)).rejects.toBeInstanceOf(
          WorkflowNotFoundError,
        );
      }
      expect(res.body.results[2].status).toBe(422);
      const kept = await api.db
        .select({ id: shipments.shipmentId })
        .from(shipments)
        .where(
          inArray(
            shipments.shipmentId,
            regs.map((r) => r.shipmentId),
          ),
        );
      expect(kept).toHaveLength(2);

      // Temporal is back: the same items again are answered 200 and their workflows start.
      const retry = await batch({ shipments: regs });
      expect(retry.body).toMatchObject({ created: 0, existing: 2, failed: 0 });
      for (const reg of regs)
        expect((await describeWorkflow(reg.shipmentId)).status.name).toBe('RUNNING');
    } finally {
      await down.close();
    }
  });

  it('refuses a malformed envelope as a whole with 400 problem+json', async () => {
    const cases: [unknown, string][] = [
      [{}, 'shipments'],
      [{ shipments: [] }, 'shipments'],
      [{ shipments: aRegistration() }, 'shipments'],
      [{ shipments: Array.from({ length: 501 }, () => ({})) }, 'shipments'],
      [[aRegistration()], 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await batch(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('validation.failed');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    const bad = await api.call('POST', '/v1/shipments:batch', {
      as: 'ingest',
      rawBody: '{"shipments": [',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('request.malformed_json');
  });

  it('is for ingest keys: ops and analysts may not register', async () => {
    const body = { shipments: [aRegistration()] };
    for (const as of ['ops', 'analyst'] as const) {
      const res = await api.call('POST', '/v1/shipments:batch', { as, body });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
    }
    expect((await api.call('POST', '/v1/shipments:batch', { as: 'admin', body })).status).toBe(200);
  });
});

describe('registerMany', () => {
  it('gives the outcomes register gives one by one, for the same sequence', async () => {
    const repo = createShipmentRepository(api.db);
    // Two copies of one scenario under different ids: one registered item by item, one at once.
    const scenario = (tag: string): ShipmentRegistration[] => {
      const a = aRegistration({ shipmentId: `${tag}-a`, trackingNumber: `${tag}-TA` });
      const b = aRegistration({ shipmentId: `${tag}-b`, trackingNumber: `${tag}-TB` });
      return [
        a,
        a, // same
        { ...a, declaredValue: 99 }, // other body
        { ...b, trackingNumber: `${tag}-TA` }, // tracking number of a
        b,
        { ...b, declaredValue: 1 }, // other body of b
        b,
      ].map((r) => ({ ...r, policy: 'default' }));
    };
    const tag = uniqueId('RM');
    const one: string[] = [];
    for (const reg of scenario(`${tag}-1`)) {
      const o = await repo.register(reg);
      one.push(o.kind === 'conflict' ? o.detail.replaceAll(`${tag}-1`, 'X') : o.kind);
    }
    const many = (await repo.registerMany(scenario(`${tag}-2`))).map((o) =>
      o.kind === 'conflict' ? o.detail.replaceAll(`${tag}-2`, 'X') : o.kind,
    );
    expect(many).toEqual(one);
    expect(one.filter((k) => k === 'created')).toHaveLength(2);
  });
});

describe('the starts of a batch', () => {
  it('go out in one wave: every item of a 100-item batch is being started at the same time', async () => {
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 100 }, () => aRegistration());
    const result = await registerBatch(
      {
        shipments: createShipmentRepository(api.db),
        policies: { exists: () => Promise.resolve(true) },
        workflows: {
          async start() {
            inFlight++;
            most = Math.max(most, inFlight);
            await new Promise((resolve) => setTimeout(resolve, 20));
            inFlight--;
            return { started: true };
          },
        },
        logger: pino({ level: 'silent' }),
      },
      items,
    );
    expect(result).toMatchObject({ created: 100, failed: 0 });
    expect(most).toBe(100);
  });
});
