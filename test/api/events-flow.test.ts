/**
 * A seller's endpoint hears of a shipment's life as it happens: the real workflow and activities
 * on the run's Temporal server, the worker's events dispatcher, a receiver on loopback. A
 * database of its own, so only this shipment's events are fanned out here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventDispatcher } from '../../src/events/dispatcher';
import { createSecretBox } from '../../src/shops/secret-box';
import { replacementShipmentId, reviewUpdate } from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, insertWarehouse, uniqueId } from '../helpers/factories';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { testPayloadKey } from '../helpers/payload-key';
import { startShipment, waitForStage } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { startReceiver, type Receiver } from './events.receiver';
import { startApi, type ApiUnderTest } from './harness';
import { trackingEventsSignal } from '../../workflows/shipment.contract';

const box = createSecretBox(testPayloadKey());
let own: OwnDatabase;
let stack: TestStack;
let api: ApiUnderTest;
let hooks: Receiver;
let dispatcher: { stop(): Promise<void> };
beforeAll(async () => {
  own = await ownDatabase();
  stack = await startTestStack({ databaseUrl: own.url });
  api = await startApi({ databaseUrl: own.url, app: { secretBox: box } });
  // The seller's system is down for the first two attempts.
  hooks = await startReceiver((n) => (n < 2 ? 500 : 200));
  dispatcher = startEventDispatcher({
    db: stack.db,
    box,
    settings: { pollMs: 100, retryScheduleMs: [300], retryEveryMs: 300 },
  });
});
afterAll(async () => {
  await dispatcher?.stop();
  await hooks?.close();
  await api?.close();
  await stack?.stop();
  await own?.drop();
});

describe('events of a shipment that goes through review and reship', () => {
  it('reach an endpoint subscribed to review.opened and shipment.reshipped, signed, in order, after it answered 500 twice', async () => {
    const made = await api.call('POST', '/v1/webhook-endpoints', {
      as: 'admin',
      body: { url: hooks.url, eventTypes: ['review.opened', 'shipment.reshipped'] },
    });
    expect(made.status).toBe(201);
    const { id, secret } = made.body as { id: string; secret: string };

    const sku = uniqueId('SKU');
    await insertWarehouse(stack.db, { country: 'US', kind: 'overseas', stock: { [sku]: 3 } });
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')), {
      carrier: 'sandbox',
      items: [{ sku, quantity: 1, unitPrice: 25 }],
      declaredValue: 25,
    });
    await handle.signal(trackingEventsSignal, [
      anEvent('in_transit', new Date(Date.now() - 5_000)),
    ]);
    await waitForStage(handle, 'awaiting_review');
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'reship', reviewer: 'olga@ops' }],
    });
    const state = await waitForStage(handle, 'closed');
    expect(state.resolution).toBe('reshipped');

    const mine = () => hooks.accepted().filter((a) => a.payload.data.shipmentId === reg.shipmentId);
    await waitUntil(
      'both events accepted by the receiver',
      async () => mine(),
      (a) => a.length === 2,
      30_000,
    );
    // Every request, failed ones included, verifies with the endpoint's secret.
    hooks.verifyAll(secret);
    const [opened, reshipped] = mine();
    expect(opened!.payload).toMatchObject({
      type: 'review.opened',
      data: {
        shipmentId: reg.shipmentId,
        orderId: reg.orderId,
        round: 1,
        reason: state.suspicion?.reason ?? expect.any(String),
      },
    });
    expect(reshipped!.payload).toMatchObject({
      type: 'shipment.reshipped',
      data: {
        shipmentId: reg.shipmentId,
        orderId: reg.orderId,
        replacementShipmentId: replacementShipmentId(reg.shipmentId),
        carrier: state.reship!.carrier,
        trackingNumber: state.reship!.trackingNumber,
      },
    });
    // The first event got the two 500s and came again under the same webhook-id.
    expect(hooks.received.slice(0, 3).map((r) => [r.id, r.status])).toEqual([
      [opened!.id, 500],
      [opened!.id, 500],
      [opened!.id, 200],
    ]);
    const order = hooks.received.map((r) => r.id);
    expect(order.indexOf(reshipped!.id)).toBeGreaterThan(order.lastIndexOf(opened!.id));

    const deliveries = await api.call('GET', `/v1/webhook-endpoints/${id}/deliveries`, {
      as: 'admin',
    });
    const byEvent = new Map(
      (deliveries.body.items as { eventId: string; attempts: number; status: string }[]).map(
        (d) => [d.eventId, d],
      ),
    );
    expect(byEvent.get(opened!.id)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(byEvent.get(reshipped!.id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
