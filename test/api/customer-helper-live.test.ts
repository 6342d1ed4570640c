import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signCustomerLink } from '../../src/customer/customer-link';
import { shipments, trackingEvents } from '../../src/db/schema/shipments';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import {
  SHIPMENT_WORKFLOW_TYPE,
  shipmentWorkflowId,
  type ShipmentState,
} from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { testDataConverter } from '../helpers/payload-key';
import { startApi, type ApiUnderTest } from './harness';
import '../helpers/provided';

const DAY = 86_400_000;
let api: ApiUnderTest;
let connection: NativeConnection | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
const taskQueue = uniqueId('helper-live');

beforeAll(async () => {
  api = await startApi();
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await Worker.create({
    connection,
    namespace: inject('temporalNamespace'),
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../helpers/state-stub.workflows.ts', import.meta.url)),
    }),
    dataConverter: testDataConverter(),
  });
  running = worker.run();
}, 120_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await api?.close();
});

const threeDaysAgo = new Date(Date.now() - 3 * DAY);
const anHourAgo = new Date(Date.now() - 3_600_000);

/**
 * A parcel whose read model (snapshot and stored scans) says it is on its way, last scanned three
 * days ago, expected on 20 December 2030.
 */
async function aParcelOnItsWay() {
  const reg = aRegistration({
    customer: {
      name: 'Ada Secretname',
      email: `ada.${uniqueId('c')}@example.com`,
      locale: 'en-GB',
    },
    destination: {
      country: 'JP',
      name: 'Ada Secretname',
      line1: '7-1 Hiddenstreet',
      city: 'Tokyo',
      postalCode: '100-0001',
    },
    expectedDeliveryAt: '2030-12-20T03:00:00.000Z',
  });
  const scan = {
    eventId: 'e-transit',
    occurredAt: threeDaysAgo.toISOString(),
    status: 'in_transit' as const,
    location: { city: 'Osaka', country: 'JP' },
  };
  await api.db.insert(shipments).values({
    ...shipmentRow(reg),
    snapshot: {
      shipmentId: reg.shipmentId,
      stage: 'monitoring',
      lastEvent: scan,
      expectedDeliveryAt: '2030-12-20T03:00:00.000Z',
    } as unknown as ShipmentState,
  });
  await api.db.insert(trackingEvents).values({
    shipmentId: reg.shipmentId,
    eventId: scan.eventId,
    occurredAt: threeDaysAgo,
    status: scan.status,
    location: scan.location,
    source: 'test',
  });
  return reg;
}

/** What the workflow knows and its snapshot does not yet: out for delivery, a new estimate. */
const liveState = (shipmentId: string) =>
  ({
    shipmentId,
    stage: 'monitoring',
    lastEvent: {
      eventId: 'e-out',
      occurredAt: anHourAgo.toISOString(),
      status: 'out_for_delivery',
      // The carrier's own words and a full address are never shown to the customer.
      description: 'With courier for Ada Secretname, 7-1 Hiddenstreet',
      location: { city: 'Tokyo', postalCode: '100-0001', country: 'JP' },
    },
    expectedDeliveryAt: '2030-12-24T03:00:00.000Z',
  }) as unknown as ShipmentState;

const keys = DEFAULT_MESSAGING.customerLinkKeys;
const pathOf = (shipmentId: string) =>
  `/t/${signCustomerLink(shipmentId, keys, new Date(Date.now() + 30 * DAY))}`;

/** Asks the helper one question, as the page's script does (JSON), and as a plain form (HTML). */
async function ask(shipmentId: string, q: string, accept = 'application/json') {
  const path = pathOf(shipmentId);
  const page = await (await fetch(api.url + path)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const res = await fetch(`${api.url}${path}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams({ csrf, q }).toString(),
  });
  expect(res.status).toBe(200);
  return accept === 'application/json'
    ? ((await res.json()) as { answer: string }).answer
    : await res.text();
}

const secrets = ['Ada Secretname', 'Hiddenstreet', '100-0001', 'With courier'];

describe("the customer page's helper", () => {
  it('answers from the running workflow when it knows more than its snapshot, and shows no more than the page may', async () => {
    const reg = await aParcelOnItsWay();
    await api.client.workflow.start(SHIPMENT_WORKFLOW_TYPE, {
      workflowId: shipmentWorkflowId(reg.shipmentId),
      taskQueue,
      args: [liveState(reg.shipmentId)],
    });
    const where = await ask(reg.shipmentId, 'Where is my parcel?');
    expect(where).toContain('Out for delivery');
    expect(where).not.toContain('On its way');
    expect(await ask(reg.shipmentId, 'When will it arrive?')).toContain('24 December 2030');
    const html = await ask(reg.shipmentId, 'Where is my parcel?', 'text/html');
    expect(html).toContain('Out for delivery');
    for (const secret of secrets) {
      expect(where).not.toContain(secret);
      expect(html).not.toContain(secret);
    }
  });

  it('answers from the read model, saying the same, when the workflow cannot answer', async () => {
    // Never started (or closed long ago): not found at once.
    const gone = await aParcelOnItsWay();
    const where = await ask(gone.shipmentId, 'Where is my parcel?');
    expect(where).toContain('On its way');
    expect(where).not.toContain('Out for delivery');
    expect(await ask(gone.shipmentId, 'When will it arrive?')).toContain('20 December 2030');

    // Running, but no worker answers (as when Temporal or the workers are down): the short
    // timeout, then the read model, word for word as above.
    const stuck = await aParcelOnItsWay();
    await api.client.workflow.start(SHIPMENT_WORKFLOW_TYPE, {
      workflowId: shipmentWorkflowId(stuck.shipmentId),
      taskQueue: uniqueId('nobody-polls'),
      args: [liveState(stuck.shipmentId)],
    });
    const started = Date.now();
    const stuckWhere = await ask(stuck.shipmentId, 'Where is my parcel?');
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(stuckWhere.replace(stuck.trackingNumber, '#')).toBe(
      where.replace(gone.trackingNumber, '#'),
    );
  }, 30_000);
});
