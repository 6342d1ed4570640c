import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvidencePackage } from '../../src/claims/claims.evidence';
import { claims } from '../../src/db/schema';
import { selectClaimRule } from '../../workflows/claim.eligibility';
import { CLAIM_RULES } from '../../workflows/claim.rules';
import { aRegistration, insertShipmentRow } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const DAY = 86_400_000;

async function aClaim(opts: {
  status: string;
  eligibleInDays: number;
  closesInDays: number;
  withEvidence?: boolean;
  carrierNumber?: string;
}): Promise<number> {
  const carrier = `zz${randomBytes(4).toString('hex')}`;
  const reg = aRegistration({ carrier });
  await insertShipmentRow(api.db, reg);
  const rule = selectClaimRule(CLAIM_RULES, carrier, false);
  const evidence = opts.withEvidence
    ? await buildEvidencePackage(api.db, {
        shipmentId: reg.shipmentId,
        filer: carrier,
        rule,
        reason: 'lost',
        amountClaimed: 19.9,
        currency: 'USD',
        preparedAt: new Date(),
      })
    : {};
  const [row] = await api.db
    .insert(claims)
    .values({
      idempotencyKey: `claim:${reg.shipmentId}:open`,
      workflowId: `claim:${reg.shipmentId}`,
      shipmentId: reg.shipmentId,
      carrier,
      trackingNumber: reg.trackingNumber,
      reason: 'lost',
      status: opts.status,
      amount: 19.9,
      currency: 'USD',
      evidence,
      claimId: opts.carrierNumber ?? null,
      eligibleAt: new Date(Date.now() + opts.eligibleInDays * DAY),
      warnAt: new Date(Date.now() + (opts.closesInDays - 1) * DAY),
      windowClosesAt: new Date(Date.now() + opts.closesInDays * DAY),
    })
    .returning({ id: claims.id });
  return row!.id;
}

describe.concurrent('the claim page', () => {
  it('a claim in its waiting period is not eligible yet, says from when, and its evidence is not ready, with the reason', async () => {
    const id = await aClaim({ status: 'pending_eligibility', eligibleInDays: 5, closesInDays: 30 });
    const res = await api.call('GET', `/v1/claims/${id}`, { as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body.eligibility).toEqual({
      eligibleNow: false,
      eligibleFrom: res.body.deadlines.eligibleAt,
      windowClosesAt: res.body.deadlines.windowClosesAt,
      notEligibleBecause: {
        code: 'claim.waiting_period',
        detail: expect.stringContaining(res.body.deadlines.eligibleAt),
      },
    });
    expect(res.body.actions.evidence).toMatchObject({
      ready: false,
      pdf: `/v1/claims/${id}/evidence.pdf`,
    });
    expect(res.body.actions.evidence.reason).toContain(res.body.deadlines.eligibleAt);
    // What the page would have offered is indeed refused until then.
    const pdf = await api.call('GET', res.body.actions.evidence.pdf, { as: 'ops' });
    expect(pdf.status).toBe(409);
  });

  it("a filed claim is eligible, its evidence is ready, its outcome can be recorded, and the carrier's number is apart from our id", async () => {
    const id = await aClaim({
      status: 'filed',
      eligibleInDays: -2,
      closesInDays: 30,
      withEvidence: true,
      carrierNumber: 'CLM-77',
    });
    const res = await api.call('GET', `/v1/claims/${id}`, { as: 'ops' });
    expect(res.body).toMatchObject({
      id: String(id),
      externalClaimId: 'CLM-77',
      eligibility: { eligibleNow: true },
      actions: {
        recordOutcome: {
          possible: true,
          method: 'POST',
          href: `/v1/claims/${id}/outcome`,
          statuses: ['approved', 'partially_approved', 'denied', 'paid'],
        },
        evidence: { ready: true },
      },
    });
    expect(res.body.eligibility).not.toHaveProperty('notEligibleBecause');
    expect(res.body.actions.evidence).not.toHaveProperty('reason');
    const pdf = await fetch(`${api.url}${res.body.actions.evidence.pdf}`, {
      headers: { authorization: `Bearer ${api.keys.ops}` },
    });
    expect(pdf.status).toBe(200);
    const shipment = await api.call('GET', res.body.links.shipment, { as: 'ops' });
    expect(shipment.status).toBe(200);

    // Approved: only "paid" can still be recorded; paid: nothing more.
    await api.call('POST', `/v1/claims/${id}/outcome`, { as: 'ops', body: { status: 'approved' } });
    const approved = await api.call('GET', `/v1/claims?shipmentId=${res.body.shipmentId}`, {
      as: 'ops',
    });
    expect(approved.body.items[0].actions.recordOutcome.statuses).toEqual(['paid']);
    const paid = await api.call('POST', `/v1/claims/${id}/outcome`, {
      as: 'ops',
      body: { status: 'paid' },
    });
    expect(paid.body.actions.recordOutcome).toMatchObject({
      possible: false,
      statuses: [],
      reason: 'The claim is already paid.',
    });
  });

  it('a claim past its filing window says the window closed', async () => {
    const id = await aClaim({ status: 'expired', eligibleInDays: -40, closesInDays: -1 });
    const res = await api.call('GET', `/v1/claims/${id}`, { as: 'analyst' });
    expect(res.body.eligibility).toMatchObject({
      eligibleNow: false,
      notEligibleBecause: { code: 'claim.window_closed' },
    });
    expect(res.body.actions.recordOutcome.possible).toBe(false);
  });
});
