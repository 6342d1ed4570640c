/**
 * Deliveries of events to the seller's endpoints: signed, retried, in order, once per event even
 * when a sender dies, visible and redeliverable through the API. A database of its own: the
 * dispatcher fans out every event of its database, and other test files record events too.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createShipmentActivities } from '../../activities/shipments.activities';
import type { ActivityDeps } from '../../activities/deps';
import { eventDeliveries, events } from '../../src/db/schema/events';
import {
  createEventDispatcher,
  startEventDispatcher,
  type EventDispatcherDeps,
} from '../../src/events/dispatcher';
import { recordEvent } from '../../src/events/events.repository';
import type { EventType } from '../../src/events/events.types';
import { createSecretBox } from '../../src/shops/secret-box';
import { createShipmentRepository } from '../../src/shipments/shipments.repository';
import { aRegistration } from '../helpers/factories';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { testPayloadKey } from '../helpers/payload-key';
import { waitUntil } from '../helpers/wait';
import { startReceiver, type Receiver } from './events.receiver';
import { startApi, type ApiUnderTest } from './harness';

const box = createSecretBox(testPayloadKey());
let own: OwnDatabase;
let api: ApiUnderTest;
beforeAll(async () => {
  own = await ownDatabase();
  api = await startApi({ databaseUrl: own.url, app: { secretBox: box } });
});
afterAll(async () => {
  await api?.close();
  await own?.drop();
});

/** Everything each test starts, stopped after it (endpoints deleted: no later test sends to them). */
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  cleanup.push(() => r.close());
  return r;
}

async function endpoint(url: string, eventTypes: EventType[]) {
  const res = await api.call('POST', '/v1/webhook-endpoints', {
    as: 'admin',
    body: { url, eventTypes },
  });
  expect(res.status).toBe(201);
  const { id, secret } = res.body as { id: string; secret: string };
  cleanup.push(() => api.call('DELETE', `/v1/webhook-endpoints/${id}`, { as: 'admin' }));
  return { id, secret };
}

/** The worker's loop with retries in milliseconds instead of minutes. */
function dispatcher(deps: Partial<EventDispatcherDeps> = {}) {
  const loop = startEventDispatcher({
    db: api.db,
    box,
    ...deps,
    settings: { pollMs: 50, retryScheduleMs: [200], retryEveryMs: 200, ...deps.settings },
  });
  cleanup.push(() => loop.stop());
  return loop;
}

async function aShipment(): Promise<string> {
  const reg = aRegistration();
  await createShipmentRepository(api.db).register(reg);
  return reg.shipmentId;
}

interface DeliveryItem {
  id: number;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastResponse: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

async function deliveries(endpointId: string): Promise<DeliveryItem[]> {
  const res = await api.call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=200`, {
    as: 'admin',
  });
  expect(res.status).toBe(200);
  return res.body.items as DeliveryItem[];
}

const closed = (shipmentId: string) =>
  ({
    type: 'shipment.closed',
    dedupeKey: `shipment.closed:${shipmentId}`,
    shipmentId,
    data: { shipmentId, resolution: 'delivered' },
  }) as const;

describe('deliveries to a webhook endpoint', () => {
  it('answered 500 twice then 200: the same webhook-id comes again until delivered, and the next event of the shipment waits for it', async () => {
    const hooks = await receiver((n) => (n < 2 ? 500 : 200));
    const { id, secret } = await endpoint(hooks.url, ['review.opened', 'shipment.closed']);
    const shipmentId = await aShipment();
    await recordEvent(api.db, {
      type: 'review.opened',
      dedupeKey: `review.opened:${shipmentId}:1`,
      shipmentId,
      data: { shipmentId, round: 1, reason: 'stalled', slaDeadline: new Date().toISOString() },
    });
    await recordEvent(api.db, closed(shipmentId));
    dispatcher();

    await waitUntil(
      'both events delivered',
      async () => hooks.accepted(),
      (a) => a.length === 2,
      15_000,
      50,
    );
    hooks.verifyAll(secret);
    const [opened, close] = hooks.accepted();
    expect(hooks.received.map((r) => [r.id, r.status])).toEqual([
      [opened!.id, 500],
      [opened!.id, 500],
      [opened!.id, 200],
      [close!.id, 200],
    ]);
    expect(opened!.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(opened!.payload).toEqual({
      type: 'review.opened',
      timestamp: expect.any(String),
      data: {
        shipmentId,
        orderId: `ORD-${shipmentId}`,
        round: 1,
        reason: 'stalled',
        slaDeadline: expect.any(String),
      },
    });
    expect(close!.payload).toMatchObject({ type: 'shipment.closed', data: { shipmentId } });
    expect(hooks.received[0]!.headers['content-type']).toBe('application/json');
    // A new timestamp (and signature) each attempt, the same body.
    expect(new Set(hooks.received.slice(0, 3).map((r) => r.body)).size).toBe(1);

    const shown = await waitUntil(
      'the deliveries recorded as delivered',
      () => deliveries(id),
      (items) => items.length === 2 && items.every((d) => d.status === 'delivered'),
    );
    expect(shown).toMatchObject([
      { eventId: close!.id, eventType: 'shipment.closed', attempts: 1, lastStatusCode: 200 },
      {
        eventId: opened!.id,
        eventType: 'review.opened',
        attempts: 3,
        lastStatusCode: 200,
        lastResponse: 'thanks',
        lastError: null,
        nextAttemptAt: null,
        deliveredAt: expect.any(String),
      },
    ]);
  });

  it('that keep failing show their attempts, last answer and next attempt, give up at the deadline, and are sent again on redelivery', async () => {
    let up = false;
    const hooks = await receiver(() => (up ? 200 : 503));
    const { id, secret } = await endpoint(hooks.url, ['shipment.closed']);
    const shipmentId = await aShipment();
    await recordEvent(api.db, closed(shipmentId));
    // Three seconds stand for three days.
    dispatcher({ settings: { giveUpAfterMs: 3_000, retryScheduleMs: [400] } });

    const failing = await waitUntil(
      'a failed attempt recorded',
      () => deliveries(id),
      (items) => items[0]?.lastStatusCode === 503 && items[0].status === 'pending',
    );
    expect(failing[0]).toMatchObject({
      attempts: expect.any(Number),
      lastResponse: 'no thanks (503)',
      lastError: 'answered 503',
      nextAttemptAt: expect.any(String),
      deliveredAt: null,
    });
    const [failed] = await waitUntil(
      'the delivery given up',
      () => deliveries(id),
      (items) => items[0]?.status === 'failed',
      15_000,
    );
    expect(failed!.attempts).toBeGreaterThanOrEqual(3);
    expect(failed!.nextAttemptAt).toBeNull();
    const triedBefore = hooks.received.length;
    expect(triedBefore).toBe(failed!.attempts);

    up = true;
    const again = await api.call(
      'POST',
      `/v1/webhook-endpoints/${id}/deliveries/${failed!.id}:redeliver`,
      { as: 'admin' },
    );
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: failed!.id, status: 'pending' });
    await waitUntil(
      'the redelivery',
      () => deliveries(id),
      (items) => items[0]?.status === 'delivered',
    );
    expect(hooks.received.slice(triedBefore).map((r) => [r.id, r.status])).toEqual([
      [failed!.eventId, 200],
    ]);
    hooks.verifyAll(secret);

    // A delivered one can be sent again too.
    const resend = await api.call(
      'POST',
      `/v1/webhook-endpoints/${id}/deliveries/${failed!.id}:redeliver`,
      { as: 'admin' },
    );
    expect(resend.status).toBe(202);
    await waitUntil(
      'the second redelivery',
      async () => hooks.received.length,
      (n) => n >= triedBefore + 2,
    );
    expect(new Set(hooks.received.map((r) => r.id))).toEqual(new Set([failed!.eventId]));
    const unknown = await api.call(
      'POST',
      `/v1/webhook-endpoints/${id}/deliveries/999999999:redeliver`,
      { as: 'admin' },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('webhook_delivery.not_found');
  });

  it('of an activity that ran twice carry one event once', async () => {
    const hooks = await receiver();
    const { id } = await endpoint(hooks.url, ['review.opened', 'review.decided']);
    const shipmentId = await aShipment();
    const activities = createShipmentActivities({ db: api.db } as ActivityDeps);
    const opening = {
      shipmentId,
      round: 1,
      reason: 'carrier_lost' as const,
      detectedAt: new Date().toISOString(),
      slaDeadline: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const deciding = {
      shipmentId,
      round: 1,
      decision: 'refund' as const,
      reviewer: 'olga@ops',
      decidedAt: new Date().toISOString(),
      automatic: false,
    };
    // Temporal retries an activity whose result it did not get: each runs twice.
    await activities.openReview(opening);
    await activities.openReview(opening);
    await activities.closeReview(deciding);
    await activities.closeReview(deciding);

    const rows = await api.db.select().from(events).where(eq(events.shipmentId, shipmentId));
    expect(rows.map((r) => r.type).sort()).toEqual([
      'review.decided',
      'review.opened',
      'shipment.registered',
    ]);
    dispatcher();
    await waitUntil(
      'both delivered',
      () => deliveries(id),
      (items) => items.length === 2 && items.every((d) => d.status === 'delivered'),
    );
    expect(hooks.received.map((r) => JSON.parse(r.body).type)).toEqual([
      'review.opened',
      'review.decided',
    ]);
    const [decided] = hooks.accepted().slice(1);
    expect(decided!.payload.data).toEqual({
      shipmentId,
      orderId: `ORD-${shipmentId}`,
      round: 1,
      decision: 'refund',
      reviewer: 'olga@ops',
      automatic: false,
      decidedAt: deciding.decidedAt,
    });
  });

  it('claimed by a worker that died before sending are sent once by another when the lease runs out', async () => {
    const hooks = await receiver();
    const { id, secret } = await endpoint(hooks.url, ['shipment.closed']);
    const shipments = [await aShipment(), await aShipment(), await aShipment()];
    for (const s of shipments) await recordEvent(api.db, closed(s));

    const dead = createEventDispatcher({
      db: api.db,
      box,
      settings: { leaseMs: 1_500 },
      afterClaim: () => Promise.reject(new Error('the worker died here')),
    });
    await dead.fanOut();
    expect(await dead.sendDue()).toBe(3);
    const held = await deliveries(id);
    expect(held.map((d) => [d.status, d.attempts])).toEqual([
      ['pending', 1],
      ['pending', 1],
      ['pending', 1],
    ]);
    expect(hooks.received).toEqual([]);
    // Pending (held by the dead worker): redelivery has nothing to do.
    const busy = await api.call(
      'POST',
      `/v1/webhook-endpoints/${id}/deliveries/${held[0]!.id}:redeliver`,
      { as: 'admin' },
    );
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('webhook_delivery.pending');

    const claimedAt = Date.now();
    dispatcher();
    await waitUntil(
      'all three delivered',
      () => deliveries(id),
      (items) => items.every((d) => d.status === 'delivered'),
      15_000,
    );
    // Nothing went out while the dead worker's lease held.
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(1_000);
    hooks.verifyAll(secret);
    expect(hooks.received).toHaveLength(3);
    expect(new Set(hooks.received.map((r) => r.id)).size).toBe(3);
    expect((await deliveries(id)).map((d) => d.attempts)).toEqual([2, 2, 2]);

    // Cursor paging: two, then the last one, then no cursor.
    const all = (await deliveries(id)).map((d) => d.id);
    const first = await api.call('GET', `/v1/webhook-endpoints/${id}/deliveries?limit=2`, {
      as: 'admin',
    });
    expect((first.body.items as DeliveryItem[]).map((d) => d.id)).toEqual(all.slice(0, 2));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await api.call(
      'GET',
      `/v1/webhook-endpoints/${id}/deliveries?limit=2&cursor=${first.body.nextCursor}`,
      { as: 'admin' },
    );
    expect((rest.body.items as DeliveryItem[]).map((d) => d.id)).toEqual(all.slice(2));
    expect(rest.body.nextCursor).toBeNull();
  });

  it('sent by a worker that died before recording the answer come again with the same webhook-id, and the late record of the dead claim changes nothing', async () => {
    const hooks = await receiver();
    const { id } = await endpoint(hooks.url, ['shipment.closed']);
    const shipmentId = await aShipment();
    await recordEvent(api.db, closed(shipmentId));

    // Sends, then never hears back (as if the process died with the answer on its way).
    let release: (err: Error) => void = () => undefined;
    const hung = createEventDispatcher({
      db: api.db,
      box,
      settings: { leaseMs: 1_000 },
      fetch: async (url, init) => {
        await fetch(url, init);
        return new Promise<Response>((_, reject) => {
          release = reject;
        });
      },
    });
    await hung.fanOut();
    const stuck = hung.sendDue();
    await waitUntil(
      'the first send',
      async () => hooks.received.length,
      (n) => n === 1,
    );

    dispatcher();
    const [delivered] = await waitUntil(
      'delivered by the survivor',
      () => deliveries(id),
      (items) => items[0]?.status === 'delivered',
      15_000,
    );
    release(new Error('connection reset'));
    await stuck;
    // The receiver saw the event twice, under one webhook-id: it deduplicates by it.
    expect(hooks.received).toHaveLength(2);
    expect(new Set(hooks.received.map((r) => r.id))).toEqual(new Set([delivered!.eventId]));
    const [row] = await api.db
      .select()
      .from(eventDeliveries)
      .where(eq(eventDeliveries.endpointId, id));
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, lastError: null });
  });
});
