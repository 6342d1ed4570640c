import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refunds, shipments, trackingEvents } from '../../src/db/schema';
import type { BatchProgress } from '../../workflows/batch-review.contract';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { serve, type ApiUnderTest } from '../api/harness';
import { aFastPolicy, anEvent, uniqueId } from '../helpers/factories';
import { startShipment } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const SHIPMENTS = 200;

let stack: TestStack;
let api: ApiUnderTest;
beforeAll(async () => {
  stack = await startTestStack();
  api = await serve({ db: stack.db, temporal: stack.client, taskQueue: stack.taskQueue });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

/**
 * Parcels whose last scan is already older than the 2 s stall threshold: each goes to review within
 * seconds.
 */
const policy = aFastPolicy(uniqueId('batch').toLowerCase(), {
  stallAfter: { info_received: 'P5D', in_transit: 'PT2S' },
  reviewSla: 'PT1H',
});
/** Parcels that stay in monitoring for the length of the test. */
const quietPolicy = aFastPolicy(uniqueId('quiet').toLowerCase(), {
  stallAfter: { info_received: 'P5D', in_transit: 'P5D' },
  reviewSla: 'PT1H',
});

async function stalledShipment(sku: string, p = policy): Promise<ShipmentRegistration> {
  const { reg } = await startShipment(
    stack,
    p,
    { items: [{ sku, quantity: 1, unitPrice: 12.5 }], declaredValue: 12.5 },
    {
      beforeStart: async (r) => {
        const e = anEvent('in_transit', new Date(Date.now() - 10_000));
        await stack.db.insert(trackingEvents).values({
          shipmentId: r.shipmentId,
          eventId: e.eventId,
          occurredAt: new Date(e.occurredAt),
          status: e.status,
          source: 'webhook',
        });
      },
    },
  );
  return reg;
}

async function inParallel<T>(n: number, width: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, make))));
  }
  return out;
}

const getProgress = async (batchId: string): Promise<BatchProgress> => {
  const res = await api.call('GET', `/v1/reviews:batch/${batchId}`, { as: 'analyst' });
  if (res.status !== 200) throw new Error(`progress: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as BatchProgress;
};

describe('batch review decisions', () => {
  it('a batch of 200 decisions completes with progress visible and exactly 200 refund records, one failure never blocking the rest', async () => {
    const sku = uniqueId('SKU-BATCH');

    const regs = await inParallel(SHIPMENTS, 20, () => stalledShipment(sku));
    const ids = regs.map((r) => r.shipmentId);
    const quiet = await stalledShipment(sku, quietPolicy);

    await waitUntil(
      `${SHIPMENTS} shipments awaiting review`,
      async () =>
        (
          await stack.db
            .select({ n: sql<number>`count(*)::int` })
            .from(shipments)
            .where(and(inArray(shipments.shipmentId, ids), eq(shipments.stage, 'awaiting_review')))
        )[0]?.n ?? 0,
      (n) => n === SHIPMENTS,
      240_000,
      1_000,
    );

    const decisions = [
      ...ids.map((shipmentId) => ({
        shipmentId,
        decision: 'refund',
        reviewer: 'lena@ops.example',
      })),
      { shipmentId: quiet.shipmentId, decision: 'refund', reviewer: 'lena@ops.example' },
      { shipmentId: uniqueId('SHP-unknown'), decision: 'refund', reviewer: 'lena@ops.example' },
    ];
    const batchId = uniqueId('batch');
    const started = await api.call('POST', '/v1/reviews:batch', {
      as: 'ops',
      body: { batchId, decisions },
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ batchId, total: SHIPMENTS + 2 });

    const seen: number[] = [];
    const final = await waitUntil(
      `batch ${batchId} to finish`,
      async () => {
        const p = await getProgress(batchId);
        seen.push(p.done);
        return p;
      },
      (p) => p.finished,
      240_000,
      500,
    );
    // Progress only moves forward, and every item is listed from the first answer on.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(final).toMatchObject({
      batchId,
      total: SHIPMENTS + 2,
      done: SHIPMENTS + 2,
      succeeded: SHIPMENTS,
      failed: 2,
    });
    const byShipment = new Map(final.items.map((i) => [i.shipmentId, i]));
    expect(byShipment.get(quiet.shipmentId)).toMatchObject({
      status: 'failed',
      error: { code: 'review.not_awaiting' },
    });
    expect(byShipment.get(decisions[SHIPMENTS + 1]!.shipmentId)).toMatchObject({
      status: 'failed',
      error: { code: 'shipment.not_found' },
    });
    for (const id of ids) {
      expect(byShipment.get(id), id).toMatchObject({ status: 'succeeded', duplicate: false });
    }

    const countRefunds = async () =>
      (
        await stack.db
          .select({ n: sql<number>`count(*)::int` })
          .from(refunds)
          .where(inArray(refunds.shipmentId, ids))
      )[0]?.n;
    // A decision is taken when the shipment leaves review; its refund is recorded right after.
    await waitUntil('200 refund records', countRefunds, (n) => n === SHIPMENTS, 120_000, 500);

    // The same decisions again, in another batch: each is recognised as taken, nothing is redone.
    const rerun = uniqueId('batch');
    const again = await api.call('POST', '/v1/reviews:batch', {
      as: 'ops',
      body: { batchId: rerun, decisions: decisions.slice(0, 20) },
    });
    expect(again.status).toBe(202);
    const second = await waitUntil(
      `batch ${rerun} to finish`,
      () => getProgress(rerun),
      (p) => p.finished,
      120_000,
      500,
    );
    expect(second).toMatchObject({ total: 20, succeeded: 20, failed: 0 });
    expect(second.items.every((i) => i.duplicate === true)).toBe(true);
    expect(await countRefunds()).toBe(SHIPMENTS);
  }, 600_000);
});
