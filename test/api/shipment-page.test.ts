import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims, shipments } from '../../src/db/schema';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { ShipmentState } from '../../workflows/shipment.contract';
import { aRegistration, insertShipmentRow } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  // No worker runs here: each shipment answers from the snapshot the test writes.
  api = await startApi({ queryTimeoutMs: 1000 });
});
afterAll(async () => {
  await api?.close();
});

const baseState = (shipmentId: string): ShipmentState => ({
  shipmentId,
  stage: 'monitoring',
  policy: DEFAULT_POLICY,
  registeredAt: '2025-01-01T00:00:00.000Z',
  eventCount: 1,
  deadlines: {},
  thresholdFactor: 1,
  reviewRound: 0,
  notifications: [],
  timeline: [],
});

async function withSnapshot(shipmentId: string, snapshot: ShipmentState): Promise<void> {
  await api.db
    .update(shipments)
    .set({ snapshot, stage: snapshot.stage })
    .where(eq(shipments.shipmentId, shipmentId));
}

describe.concurrent('the shipment page', () => {
  it("shows the customer, the address and the items, and links its claim by our id, which GET /v1/claims/{id} opens, apart from the carrier's number", async () => {
    const reg = aRegistration({
      items: [{ sku: 'SKU-MUG', quantity: 2, unitPrice: 19.9, title: 'Blue mug' }],
    });
    await insertShipmentRow(api.db, reg);
    await withSnapshot(reg.shipmentId, {
      ...baseState(reg.shipmentId),
      stage: 'closed',
      resolution: 'reshipped',
      reship: {
        shipmentId: `${reg.shipmentId}~R1`,
        workflowId: `shipment:${reg.shipmentId}~R1`,
        carrier: 'ups',
        trackingNumber: '1Z999',
        warehouseId: 'wh-us-ca',
        labelId: 'lbl-1',
        reservationId: '7',
      },
      claim: {
        workflowId: `claim:${reg.shipmentId}`,
        status: 'pending_eligibility',
        reason: 'lost',
        startedAt: '2025-01-09T02:00:05.000Z',
      },
    });
    const [claim] = await api.db
      .insert(claims)
      .values({
        idempotencyKey: `claim:${reg.shipmentId}:open`,
        workflowId: `claim:${reg.shipmentId}`,
        shipmentId: reg.shipmentId,
        carrier: reg.carrier,
        trackingNumber: reg.trackingNumber,
        reason: 'lost',
        status: 'filed',
        amount: 39.8,
        currency: 'USD',
        evidence: {},
        claimId: 'YW-CLM-0042',
      })
      .returning({ id: claims.id });

    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customer: reg.customer,
      address: reg.destination,
      items: [{ sku: 'SKU-MUG', quantity: 2, unitPrice: 19.9, title: 'Blue mug' }],
      claim: {
        id: String(claim!.id),
        carrierClaimNumber: 'YW-CLM-0042',
        status: 'filed',
      },
      links: {
        self: `/v1/shipments/${reg.shipmentId}`,
        replacement: `/v1/shipments/${reg.shipmentId}~R1`,
        claim: `/v1/claims/${claim!.id}`,
      },
    });

    const opened = await api.call('GET', res.body.links.claim, { as: 'ops' });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({
      id: res.body.claim.id,
      shipmentId: reg.shipmentId,
      externalClaimId: 'YW-CLM-0042',
    });
  });

  it('a replacement links back to the shipment it replaces', async () => {
    const original = aRegistration();
    const replacement = aRegistration({
      shipmentId: `${original.shipmentId}~R1`,
      replacementOf: original.shipmentId,
    });
    await insertShipmentRow(api.db, original);
    await insertShipmentRow(api.db, replacement);
    const res = await api.call('GET', `/v1/shipments/${replacement.shipmentId}`, {
      as: 'analyst',
    });
    expect(res.status).toBe(200);
    expect(res.body.links).toEqual({
      self: `/v1/shipments/${replacement.shipmentId}`,
      original: `/v1/shipments/${original.shipmentId}`,
    });
    const back = await api.call('GET', res.body.links.original, { as: 'analyst' });
    expect(back.status).toBe(200);
    expect(back.body.shipmentId).toBe(original.shipmentId);
  });

  it('a shipment in review shows its review clock only, not the stall and overdue clocks of its watching days, and its timeline in plain words', async () => {
    const reg = aRegistration();
    await insertShipmentRow(api.db, reg);
    await withSnapshot(reg.shipmentId, {
      ...baseState(reg.shipmentId),
      stage: 'awaiting_review',
      suspicion: { reason: 'stalled', detectedAt: '2025-01-09T01:00:00.000Z' },
      deadlines: {
        stallAt: '2025-01-09T01:00:00.000Z',
        overdueAt: '2025-01-09T05:00:00.000Z',
        reviewSlaAt: '2025-01-10T01:00:00.000Z',
      },
      timeline: [
        {
          at: '2025-01-09T01:00:00.000Z',
          kind: 'suspicion',
          detail: 'stalled: no scan for 7 days',
        },
        { at: '2025-01-09T01:00:01.000Z', kind: 'stage', detail: 'awaiting_review' },
        { at: '2025-01-09T01:00:02.000Z', kind: 'some_future_kind', detail: 'x' },
      ],
    });

    const res = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body.deadlines).toEqual({ reviewSlaAt: '2025-01-10T01:00:00.000Z' });
    expect(res.body.stageLabel).toBe('Waiting for an ops decision');
    expect(
      res.body.timeline.map((e: { kind: string; label: string }) => [e.kind, e.label]),
    ).toEqual([
      ['suspicion', 'Problem suspected'],
      ['stage', 'Stage: waiting for an ops decision'],
      ['some_future_kind', 'Some future kind'],
    ]);

    // Back to watching: the stall clock is the one that counts again.
    await withSnapshot(reg.shipmentId, {
      ...baseState(reg.shipmentId),
      deadlines: { stallAt: '2025-01-19T01:00:00.000Z', reviewSlaAt: '2025-01-10T01:00:00.000Z' },
    });
    const watching = await api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(watching.body.deadlines).toEqual({ stallAt: '2025-01-19T01:00:00.000Z' });
  });
});
