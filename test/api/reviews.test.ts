import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviews } from '../../src/db/schema';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { aFastPolicy, aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';
import { expectBadCursorRefused, walkPages } from './paging';

// These run the real worker: the workflow answers queries and takes review decisions.
let stack: TestStack;
let api: ApiUnderTest;
let policy: string;
beforeAll(async () => {
  stack = await startTestStack();
  api = await serve({ db: stack.db, temporal: stack.client, taskQueue: stack.taskQueue });
  policy = uniqueId('fast').toLowerCase();
  const { name: _name, ...body } = aFastPolicy(policy);
  const put = await api.call('PUT', `/v1/policies/${policy}`, { as: 'admin', body });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();

/** Registers through the API and pushes one scan; the fast policy stalls it within seconds. */
async function shipmentAwaitingReview(): Promise<ShipmentRegistration> {
  const reg = aRegistration({ policy });
  stack.sandbox.store.addEvents(reg.trackingNumber, []); // the carrier knows the parcel, nothing newer
  expect((await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg })).status).toBe(201);
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
        },
      ],
    },
  });
  expect(pushed.body).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
  await waitUntil(
    `${reg.shipmentId} awaiting review`,
    () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
    (r) => r.body?.stage === 'awaiting_review',
  );
  return reg;
}

const decide = (id: string, body: unknown, as: 'ops' | 'admin' | 'analyst' = 'ops') =>
  api.call('POST', `/v1/shipments/${id}/review`, { as, body });

describe.concurrent('reviewing a suspicious shipment through the API', () => {
  it('a stalled parcel shows up in the review queue and in its shipment view, read from the workflow', async () => {
    const reg = await shipmentAwaitingReview();
    const queue = await api.call('GET', '/v1/reviews', { as: 'analyst' });
    expect(queue.status).toBe(200);
    const item = queue.body.items.find(
      (i: { shipmentId: string }) => i.shipmentId === reg.shipmentId,
    );
    expect(item).toMatchObject({
      reason: 'stalled',
      declaredValue: reg.declaredValue,
      currency: reg.currency,
      carrier: reg.carrier,
      destination: reg.destination.country,
    });
    expect(Date.parse(item.slaDeadline)).toBeGreaterThan(Date.parse(item.detectedAt));
    const detected = queue.body.items.map((i: { detectedAt: string }) => i.detectedAt);
    expect(detected).toEqual([...detected].sort());

    const view = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'analyst' });
    expect(view.body).toMatchObject({
      source: 'workflow',
      stage: 'awaiting_review',
      policy,
      lastEvent: { status: 'in_transit' },
      suspicion: { reason: 'stalled' },
    });
    expect(view.body.notifications.map((n: { kind: string }) => n.kind)).toEqual(['delay_notice']);
    expect(view.body.deadlines.reviewSlaAt).toBe(item.slaDeadline);
    expect(view.body.timeline.length).toBeGreaterThan(0);
  });

  it('an ops decision is taken by the workflow, and the same decision sent twice is answered as a duplicate', async () => {
    const reg = await shipmentAwaitingReview();
    const taken = await decide(reg.shipmentId, {
      decision: 'mark_delivered',
      reviewer: 'olga@ops',
      note: 'customer confirmed',
    });
    expect(taken.status).toBe(200);
    expect(taken.body).toEqual({ stage: 'closed', decision: 'mark_delivered', duplicate: false });

    const twice = await decide(reg.shipmentId, {
      decision: 'mark_delivered',
      reviewer: 'olga@ops',
    });
    expect(twice.status).toBe(200);
    expect(twice.body).toEqual({ stage: 'closed', decision: 'mark_delivered', duplicate: true });

    const view = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(view.body).toMatchObject({
      source: 'workflow',
      stage: 'closed',
      resolution: 'delivered',
      review: {
        decision: 'mark_delivered',
        reviewer: 'olga@ops',
        note: 'customer confirmed',
        automatic: false,
      },
    });
    const queue = await api.call('GET', '/v1/reviews', { as: 'ops' });
    expect(queue.body.items.map((i: { shipmentId: string }) => i.shipmentId)).not.toContain(
      reg.shipmentId,
    );
  });

  it('another decision after the review is closed is a 409', async () => {
    const reg = await shipmentAwaitingReview();
    expect(
      (await decide(reg.shipmentId, { decision: 'mark_delivered', reviewer: 'olga@ops' })).status,
    ).toBe(200);
    const late = await decide(reg.shipmentId, { decision: 'refund', reviewer: 'piet@ops' });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      code: 'review.not_awaiting',
      type: 'https://parcelwarden.dev/problems/review.not_awaiting',
      detail: `Shipment "${reg.shipmentId}" is not awaiting review: it is in stage closed.`,
    });
  });

  it('two ops people deciding at once: one decision is taken, the other gets 409', async () => {
    const reg = await shipmentAwaitingReview();
    const answers = await Promise.all([
      decide(reg.shipmentId, { decision: 'mark_delivered', reviewer: 'olga@ops' }),
      decide(reg.shipmentId, { decision: 'refund', reviewer: 'piet@ops' }, 'admin'),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!;
    const view = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(view.body.review.decision).toBe(winner.body.decision);
  });

  it('a decision for a shipment that is only being monitored is a 409 problem', async () => {
    const reg = aRegistration({ policy: 'default' });
    expect((await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg })).status).toBe(201);
    const res = await decide(reg.shipmentId, { decision: 'reship', reviewer: 'olga@ops' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'review.not_awaiting', status: 409 });
    expect(res.body.detail).toContain('it is in stage monitoring');
  });

  it('a keep_waiting retried for the round it was taken in is a duplicate even once a later review is open; another decision for that round is a 409', async () => {
    const reg = await shipmentAwaitingReview();
    const first = await decide(reg.shipmentId, {
      decision: 'keep_waiting',
      reviewer: 'olga@ops',
      round: 1,
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ stage: 'monitoring', decision: 'keep_waiting', duplicate: false });
    // The fast policy stalls it again within seconds: round 2 opens. The retry names round 1.
    await waitUntil(
      `${reg.shipmentId} in its second review`,
      () => api.call('GET', '/v1/reviews', { as: 'ops' }),
      (r) =>
        r.body?.items?.some(
          (i: { shipmentId: string; round: number }) =>
            i.shipmentId === reg.shipmentId && i.round === 2,
        ),
    );
    await waitUntil(
      `${reg.shipmentId} awaiting review again`,
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' }),
      (r) => r.body?.stage === 'awaiting_review',
    );
    const retry = await decide(reg.shipmentId, {
      decision: 'keep_waiting',
      reviewer: 'olga@ops',
      round: 1,
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({
      stage: 'awaiting_review',
      decision: 'keep_waiting',
      duplicate: true,
    });
    const other = await decide(reg.shipmentId, {
      decision: 'refund',
      reviewer: 'piet@ops',
      round: 1,
    });
    expect(other.status).toBe(409);
    expect(other.body.detail).toContain('review round 1 is closed');
    // Round 2 is still open for a real decision.
    const second = await decide(reg.shipmentId, {
      decision: 'mark_delivered',
      reviewer: 'piet@ops',
      round: 2,
    });
    expect(second.body).toEqual({ stage: 'closed', decision: 'mark_delivered', duplicate: false });
  });

  it('an unknown decision is a 400 naming the decisions that exist', async () => {
    const res = await decide('ANY-SHIPMENT', { decision: 'burn_it', reviewer: 'olga@ops' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'review.unknown_decision',
      detail:
        '"burn_it" is not a review decision; use one of reship, refund, keep_waiting, mark_delivered.',
      errors: [
        {
          path: 'decision',
          message: 'must be one of reship, refund, keep_waiting, mark_delivered',
        },
      ],
    });
  });

  it('a decision without a reviewer is a validation problem', async () => {
    const res = await decide('ANY-SHIPMENT', { decision: 'reship' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.failed');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['reviewer']);
  });

  it('a decision for an unknown shipment is a 404', async () => {
    const res = await decide('NOPE-3', { decision: 'reship', reviewer: 'olga@ops' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('shipment.not_found');
  });

  it('an analyst may read the queue but not decide', async () => {
    const res = await decide(
      'ANY-SHIPMENT',
      { decision: 'reship', reviewer: 'ann@analytics' },
      'analyst',
    );
    expect(res.status).toBe(403);
  });
});

describe('the review queue in pages', () => {
  it('pages oldest suspicion first, reviews of one microsecond by id, none skipped or repeated', async () => {
    // Rows straight into the read model: the paging is what is under test, not the workflow.
    const regs = Array.from({ length: 5 }, () => aRegistration());
    for (const reg of regs) await insertShipmentRow(api.db, reg);
    const at = (micros: number) => sql`${`2001-01-01 00:00:00.00000${micros}+00`}::timestamptz`;
    const detected = [at(2), at(1), at(2), at(3), at(2)];
    const ids: number[] = [];
    for (const [i, reg] of regs.entries()) {
      const [row] = await api.db
        .insert(reviews)
        .values({
          shipmentId: reg.shipmentId,
          round: 1,
          reason: 'stalled',
          detectedAt: detected[i]!,
          slaDeadline: new Date(Date.UTC(2001, 0, 2)),
        })
        .returning({ id: reviews.id });
      ids.push(row!.id);
    }
    try {
      const walked = await walkPages<{ shipmentId: string }>(api, '/v1/reviews?limit=2', 'ops');
      const seen = walked.items.map((i) => i.shipmentId);
      expect(new Set(seen).size).toBe(seen.length);
      const mine = new Set(regs.map((r) => r.shipmentId));
      // 1 µs first, then the three of 2 µs in insertion (id) order, then 3 µs.
      expect(seen.filter((id) => mine.has(id))).toEqual(
        [1, 0, 2, 4, 3].map((i) => regs[i]!.shipmentId),
      );
      expect(walked.pages).toBeGreaterThanOrEqual(3);
      await expectBadCursorRefused(api, '/v1/reviews', 'ops');
    } finally {
      await api.db.delete(reviews).where(inArray(reviews.id, ids));
    }
  });
});
