import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipmentWorkflowId, type ShipmentRegistration } from '../../workflows/shipment.contract';
import { aFastPolicy, aRegistration, uniqueId } from '../helpers/factories';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';

// The real worker runs the workflows; the history is read back from the run's Temporal server.
let stack: TestStack;
let api: ApiUnderTest;
let fast: string;
let patient: string;
let automatic: string;
const UI = 'http://temporal-ui.test:8080/';

beforeAll(async () => {
  stack = await startTestStack();
  api = await serve({
    db: stack.db,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    temporalUiUrl: UI,
  });
  fast = uniqueId('fast').toLowerCase();
  patient = uniqueId('patient').toLowerCase();
  automatic = uniqueId('auto').toLowerCase();
  for (const [name, policy] of [
    // The stall timer must outlast the time the first scan takes to reach the workflow.
    [fast, aFastPolicy(fast, { stallAfter: { in_transit: 'PT5S' } })],
    // Scans keep it in monitoring for a while: enough signals to continue as new.
    [patient, aFastPolicy(patient, { stallAfter: { in_transit: 'PT5M' } })],
    // Nobody decides within 2 s: the policy refunds parcels worth up to 100 by itself.
    [
      automatic,
      aFastPolicy(automatic, {
        stallAfter: { in_transit: 'PT5S' },
        reviewSla: 'PT2S',
        autoDecision: { maxDeclaredValue: 100, decision: 'refund' },
      }),
    ],
  ] as const) {
    const { name: _name, ...body } = policy;
    expect((await api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body })).status).toBe(200);
  }
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

interface Entry {
  at: string;
  runId: string;
  eventId: number;
  kind: string;
  summary: string;
  actor?: string;
  name?: string;
}

async function register(policy: string): Promise<ShipmentRegistration> {
  const reg = aRegistration({ policy });
  stack.sandbox.store.addEvents(reg.trackingNumber, []);
  expect((await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg })).status).toBe(201);
  return reg;
}

const scan = (reg: ShipmentRegistration, description: string, agoSeconds = 5) =>
  api.call('POST', '/v1/tracking-events', {
    as: 'ingest',
    body: {
      events: [
        {
          carrier: reg.carrier,
          trackingNumber: reg.trackingNumber,
          eventId: uniqueId('EV'),
          occurredAt: new Date(Date.now() - agoSeconds * 1000).toISOString(),
          status: 'in_transit',
          description,
        },
      ],
    },
  });

/** Asserts that the entries contain these, in this order (other entries may come between). */
function expectInOrder(
  entries: Entry[],
  expected: [kind: string, summary: RegExp, actor?: string][],
) {
  let from = 0;
  for (const [kind, summary, actor] of expected) {
    const i = entries.findIndex(
      (e, idx) =>
        idx >= from && e.kind === kind && summary.test(e.summary) && (!actor || e.actor === actor),
    );
    expect(
      i,
      `no ${kind} ${summary} after entry ${from}; entries:\n${entries.map((e) => `${e.kind}: ${e.summary} [${e.actor ?? ''}]`).join('\n')}`,
    ).toBeGreaterThanOrEqual(from);
    from = i + 1;
  }
}

describe('a shipment history read from its workflow', () => {
  it('tells the story of a stalled parcel: scans, the stall, the carrier check, the notice, the decision with its reviewer, the reship, the claim and the close', async () => {
    const reg = await register(fast);
    // A fresh scan: the stall timer (2 s in this policy) has to run out.
    expect((await scan(reg, 'Departed origin hub', 0)).status).toBe(202);
    await waitUntil(
      `${reg.shipmentId} awaiting review`,
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
      (r) => r.body?.stage === 'awaiting_review',
    );
    const decided = await api.call('POST', `/v1/shipments/${reg.shipmentId}/review`, {
      as: 'ops',
      body: { decision: 'reship', reviewer: 'olga@ops', note: 'customer waited long enough' },
    });
    expect(decided.status).toBe(200);
    await waitUntil(
      `${reg.shipmentId} closed`,
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
      (r) => r.body?.stage === 'closed',
    );
    // The stage reads closed a moment before the workflow completes (its last snapshot).
    await waitUntil(
      `${reg.shipmentId} workflow completed`,
      () => stack.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId)).describe(),
      (d) => d.status.name === 'COMPLETED',
    );

    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}/history`, {
      as: 'analyst',
    });
    expect(res.status).toBe(200);
    const workflowId = shipmentWorkflowId(reg.shipmentId);
    expect(res.body).toMatchObject({
      shipmentId: reg.shipmentId,
      workflowId,
      temporalUiUrl: `http://temporal-ui.test:8080/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
    });
    // The test server suggests continue-as-new early: the story may span several runs.
    expect(res.body.runIds.length).toBeGreaterThanOrEqual(1);
    const entries = res.body.entries as Entry[];
    // In the history's own order: a signal that arrived while a workflow task ran its local
    // activities is recorded after them, with the (earlier) time it arrived.
    for (const runId of res.body.runIds as string[]) {
      const ids = entries.filter((e) => e.runId === runId).map((e) => e.eventId);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    expectInOrder(entries, [
      [
        'started',
        new RegExp(
          `Watching started: ${reg.carrier} ${reg.trackingNumber} from CN to US, policy "${fast}"`,
        ),
      ],
      // The scan may reach the workflow before or after it resolved its policy.
      [
        'tracking_events',
        /1 tracking event received: in_transit \(Departed origin hub\)/,
        'carrier',
      ],
      ['timer', /stall\/overdue timer fired: no new scan in time \(after \d+ s\)/],
      ['suspicion', /^Suspicion: stalled$/],
      ['stage', /^Stage: verifying$/],
      ['activity', /^Carrier lookup: 0 events/, 'carrier'],
      // Ops first: the review opens and the stage is published, then the customer hears.
      ['activity', /^Review round 1 opened \(stalled\)/],
      ['stage', /^Stage: awaiting_review \(suspicion: stalled\)$/],
      ['activity', /^Email "delay_notice" sent to ada\./],
      [
        'review_decision',
        /^Review decision: reship by olga@ops \(customer waited long enough\)$/,
        'olga@ops',
      ],
      ['activity', /^Review round 1 closed: reship by olga@ops$/, 'olga@ops'],
      ['stage', /^Stage: reshipping$/],
      ['activity', /^Stock reserved in warehouse /],
      ['activity', /^Replacement label booked: /, 'carrier'],
      ['child_started', new RegExp(`shipment:${reg.shipmentId}~R1`)],
      ['activity', /^Email "reshipped" sent to ada\./],
      ['stage', /^Stage: closed$/],
      ['closed', /^Closed: reshipped$/],
    ]);
    expect(entries.map((e) => e.summary)).toContain(`Policy "${fast}" v1 resolved`);
    // Snapshot writes are bookkeeping, not business.
    expect(entries.some((e) => e.name === 'recordSnapshot')).toBe(false);
  });

  it('an automatic decision shows the SLA timer that ran out and the policy as the one who decided', async () => {
    const reg = await register(automatic);
    expect((await scan(reg, 'Accepted at depot', 0)).status).toBe(202);
    await waitUntil(
      `${reg.shipmentId} workflow completed`,
      () => stack.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId)).describe(),
      (d) => d.status.name === 'COMPLETED',
      60_000,
    );
    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}/history`, { as: 'ops' });
    const entries = res.body.entries as Entry[];
    expectInOrder(entries, [
      ['stage', /^Stage: awaiting_review \(suspicion: stalled\)$/],
      ['timer', /^review SLA timer fired: no decision in time/],
      ['activity', /^Ops alerted: /],
      ['activity', /^Review round 1 closed: refund by policy \(automatic\)$/, 'policy'],
      ['closed', /^Closed: refunded$/],
    ]);
    expect(entries.some((e) => e.kind === 'review_decision')).toBe(false);
  });

  it('follows continue-as-new: the runs in order and the scans of every run', async () => {
    const reg = await register(patient);
    const workflowId = shipmentWorkflowId(reg.shipmentId);
    const firstRun = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
    // Each scan adds a signal, a workflow task and a snapshot activity: the test server suggests
    // continue-as-new at 60 events.
    let n = 0;
    await waitUntil(
      `${workflowId} to continue as new`,
      async () => {
        n += 1;
        expect((await scan(reg, `hub ${n}`, 60 - n)).status).toBe(202);
        return (await stack.client.workflow.getHandle(workflowId).describe()).runId;
      },
      (runId) => runId !== firstRun,
      90_000,
      300,
    );
    const sent = n;
    // A scan signalled while a workflow task is running is written to the history when that task
    // ends: read until the last one is there (a scan lost for good still fails below).
    const told = (body: { entries?: Entry[] }) =>
      (body.entries ?? []).filter((e) => e.kind === 'tracking_events').length;
    const res = await waitUntil(
      `${workflowId} history with ${sent} scans`,
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}/history`, { as: 'ops' }),
      (r) => r.status !== 200 || told(r.body) >= sent,
      30_000,
    );
    expect(res.status).toBe(200);
    expect(res.body.runIds.length).toBeGreaterThanOrEqual(2);
    expect(res.body.runIds[0]).toBe(firstRun);
    const entries = res.body.entries as Entry[];
    const continued = entries.find((e) => e.kind === 'continued_as_new');
    expect(continued?.summary).toMatch(/New run continues the shipment in stage monitoring/);
    expect(continued?.runId).toBe(res.body.runIds[1]);
    // Every scan delivered appears once, whichever run received it.
    const scans = entries
      .filter((e) => e.kind === 'tracking_events')
      .map((e) => /\(hub (\d+)\)/.exec(e.summary)?.[1]);
    expect(scans.map(Number)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    expect(entries.filter((e) => e.kind === 'started')).toHaveLength(1);
  });

  it('an unknown shipment is a 404 problem, and ingest keys may not read histories', async () => {
    const missing = await api.call('GET', '/v1/shipments/NOPE-123/history', { as: 'ops' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.body.code).toBe('shipment.not_found');
    const reg = await register(patient);
    const ingest = await api.call('GET', `/v1/shipments/${reg.shipmentId}/history`, {
      as: 'ingest',
    });
    expect(ingest.status).toBe(403);
  });
});
