import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvidencePackage } from '../../src/claims/claims.evidence';
import { selectClaimRule } from '../../workflows/claim.eligibility';
import { CLAIM_RULES } from '../../workflows/claim.rules';
import { claimHistory, claims, trackingEvents } from '../../src/db/schema';
import { aRegistration, anEvent, insertShipmentRow } from '../helpers/factories';
import { pdfText } from '../unit/claim-pdf-text';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

/** A carrier code of this test alone, so filters see only our claims. */
const aCarrier = () => `zz${randomBytes(4).toString('hex')}`;

async function aClaim(
  carrier: string,
  status: string,
  opts: { withEvidence?: boolean; claimId?: string } = {},
): Promise<number> {
  const reg = aRegistration({ carrier, declaredValue: 42 });
  await insertShipmentRow(api.db, reg);
  const scans = [
    anEvent('info_received', '2026-03-01T09:00:00Z', { description: 'Label printed' }),
    anEvent('in_transit', '2026-03-02T17:45:00Z', {
      description: 'Handed to airline',
      location: { city: 'Shenzhen', country: 'CN' },
    }),
  ];
  await api.db.insert(trackingEvents).values(
    scans.map((e) => ({
      shipmentId: reg.shipmentId,
      eventId: e.eventId,
      occurredAt: new Date(e.occurredAt),
      status: e.status,
      description: e.description ?? null,
      location: e.location ?? null,
      source: 'webhook',
    })),
  );
  const rule = selectClaimRule(CLAIM_RULES, carrier, false);
  const evidence = opts.withEvidence
    ? await buildEvidencePackage(api.db, {
        shipmentId: reg.shipmentId,
        filer: carrier,
        rule,
        reason: 'lost',
        amountClaimed: 42,
        currency: 'USD',
        preparedAt: new Date('2026-03-20T08:00:00Z'),
      })
    : {};
  const [row] = await api.db
    .insert(claims)
    .values({
      idempotencyKey: `claim:${reg.shipmentId}:open`,
      workflowId: `claim:${reg.shipmentId}`,
      shipmentId: reg.shipmentId,
      carrier,
      filer: carrier,
      ruleName: rule.name,
      trackingNumber: reg.trackingNumber,
      reason: 'lost',
      status,
      amount: 42,
      currency: 'USD',
      evidence,
      eligibleAt: new Date('2026-03-08T09:00:00Z'),
      warnAt: new Date('2026-03-26T09:00:00Z'),
      windowClosesAt: new Date('2026-03-31T09:00:00Z'),
      claimId: opts.claimId ?? null,
    })
    .returning({ id: claims.id });
  await api.db
    .insert(claimHistory)
    .values([
      { claimRowId: row!.id, status: 'pending_eligibility', at: new Date('2026-03-01T10:00:00Z') },
      ...(status !== 'pending_eligibility'
        ? [{ claimRowId: row!.id, status, at: new Date('2026-03-09T10:00:00Z') }]
        : []),
    ]);
  return row!.id;
}

describe.concurrent('claims API', () => {
  it('lists claims newest first, filtered by status and carrier, a page at a time', async () => {
    const carrier = aCarrier();
    const first = await aClaim(carrier, 'filed');
    const second = await aClaim(carrier, 'filed');
    const third = await aClaim(carrier, 'filed');
    await aClaim(carrier, 'denied');
    await aClaim(aCarrier(), 'filed');

    const page1 = await api.call('GET', `/v1/claims?carrier=${carrier}&status=filed&limit=2`, {
      as: 'analyst',
    });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((c: { id: string }) => c.id)).toEqual([
      String(third),
      String(second),
    ]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await api.call(
      'GET',
      `/v1/claims?carrier=${carrier.toUpperCase()}&status=filed&limit=2&cursor=${page1.body.nextCursor}`,
      { as: 'analyst' },
    );
    expect(page2.body.items.map((c: { id: string }) => c.id)).toEqual([String(first)]);
    expect(page2.body.nextCursor).toBeNull();
    expect(page2.body.items[0]).toMatchObject({
      carrier,
      status: 'filed',
      amounts: { claimed: 42, currency: 'USD' },
      deadlines: { windowClosesAt: '2026-03-31T09:00:00.000Z' },
      links: { evidencePdf: `/v1/claims/${first}/evidence.pdf` },
    });
  });

  it('shows a claim with its history, deadlines, amounts and evidence, and its evidence as a PDF', async () => {
    const id = await aClaim(aCarrier(), 'filed', { withEvidence: true, claimId: 'clm_api_1' });
    const got = await api.call('GET', `/v1/claims/${id}`, { as: 'ops' });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: String(id),
      status: 'filed',
      externalClaimId: 'clm_api_1',
      amounts: { claimed: 42, currency: 'USD' },
      deadlines: {
        eligibleAt: '2026-03-08T09:00:00.000Z',
        warnAt: '2026-03-26T09:00:00.000Z',
        windowClosesAt: '2026-03-31T09:00:00.000Z',
      },
      history: [
        { status: 'pending_eligibility', at: '2026-03-01T10:00:00.000Z' },
        { status: 'filed', at: '2026-03-09T10:00:00.000Z' },
      ],
    });
    expect(got.body.evidence.trackingHistory.map((e: { status: string }) => e.status)).toEqual([
      'info_received',
      'in_transit',
    ]);

    const json = await api.call('GET', `/v1/claims/${id}/evidence`, { as: 'ops' });
    expect(json.status).toBe(200);
    expect(json.body.label.carrier).toBe(got.body.carrier);

    const res = await fetch(`${api.url}/v1/claims/${id}/evidence.pdf`, {
      headers: { authorization: `Bearer ${api.keys.analyst}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(new Uint8Array(await res.arrayBuffer()));
    expect(text).toContain('clm_api_1');
    expect(text).toContain('Tracking history');
    expect(text).toContain('2026-03-01 09:00:00 UTC');
    expect(text).toContain('Label printed');
    expect(text).toContain('Handed to airline');
    expect(text).toContain(got.body.trackingNumber);
  });

  it('answers for a claim whose evidence is not built yet, an unknown claim and bad input with problems', async () => {
    const id = await aClaim(aCarrier(), 'pending_eligibility');
    const pdf = await api.call('GET', `/v1/claims/${id}/evidence.pdf`, { as: 'ops' });
    expect(pdf.status).toBe(409);
    expect(pdf.body.code).toBe('claim.evidence_not_ready');

    const missing = await api.call('GET', '/v1/claims/999999999', { as: 'ops' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('claim.not_found');

    const badId = await api.call('GET', '/v1/claims/abc', { as: 'ops' });
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toEqual([{ path: 'id', message: expect.any(String) }]);

    const badStatus = await api.call('GET', '/v1/claims?status=won', { as: 'ops' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.errors[0].path).toBe('status');

    const badCursor = await api.call('GET', '/v1/claims?cursor=nope', { as: 'ops' });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0].path).toBe('cursor');

    const ingest = await api.call('GET', '/v1/claims', { as: 'ingest' });
    expect(ingest.status).toBe(403);
  });

  it('records an outcome decided outside the system once, and refuses to overturn a decision', async () => {
    const id = await aClaim(aCarrier(), 'filed');
    const paid = await api.call('POST', `/v1/claims/${id}/outcome`, {
      as: 'ops',
      body: { status: 'paid', amountRecovered: 40, note: 'cheque received' },
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', amounts: { claimed: 42, recovered: 40 } });

    const again = await api.call('POST', `/v1/claims/${id}/outcome`, {
      as: 'ops',
      body: { status: 'paid', amountRecovered: 40 },
    });
    expect(again.status).toBe(200);
    const overturn = await api.call('POST', `/v1/claims/${id}/outcome`, {
      as: 'ops',
      body: { status: 'denied' },
    });
    expect(overturn.status).toBe(409);
    expect(overturn.body.code).toBe('claim.already_decided');

    const got = await api.call('GET', `/v1/claims/${id}`, { as: 'ops' });
    expect(got.body.history.map((h: { status: string }) => h.status)).toEqual([
      'pending_eligibility',
      'filed',
      'paid',
    ]);
    expect(got.body.history[2].detail).toBe('recorded by api (ops): cheque received');

    const bad = await api.call('POST', `/v1/claims/${id}/outcome`, {
      as: 'ops',
      body: { status: 'won' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('status');
    const analyst = await api.call('POST', `/v1/claims/${id}/outcome`, {
      as: 'analyst',
      body: { status: 'paid' },
    });
    expect(analyst.status).toBe(403);
  });
});
