/**
 * The routes ops use on a claim the carrier has answered: answer a request for information,
 * appeal a denial, read a carrier's claim guide. A real claim workflow on the test stack takes
 * the answers; bad input is a problem, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { claims, inquiries, notifications, reviews, trackingEvents } from '../../src/db/schema';
import { pdfText } from '../unit/claim-pdf-text';
import {
  CLAIM_WORKFLOW_TYPE,
  claimStateQuery,
  startClaimOptions,
  type ClaimState,
} from '../../workflows/claim.contract';
import { aRegistration, anEvent, insertShipmentRow } from '../helpers/factories';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';

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

const PROBLEM = 'application/problem+json';
const answer = { message: 'Invoice attached.', by: 'ada@ops', attachments: [] };

async function filedClaim() {
  const reg = aRegistration({ carrier: 'sandbox', shippedAt: new Date().toISOString() });
  await insertShipmentRow(stack.db, reg);
  stack.sandbox.store.addEvents(reg.trackingNumber, []);
  const handle = await stack.client.workflow.start(CLAIM_WORKFLOW_TYPE, {
    ...startClaimOptions({ registration: reg, reason: 'lost', timeScale: 1 / 86_400 }),
    taskQueue: stack.taskQueue,
  });
  const filed = await waitUntil<ClaimState>(
    'claim filed',
    () => handle.query(claimStateQuery),
    (s) => s.status === 'filed',
    60_000,
  );
  return { handle, filed, id: String(filed.claimRowId) };
}

describe('claim answers and appeals', () => {
  it("ops answer the carrier's request for information; the workflow sends it on", async () => {
    const { handle, filed, id } = await filedClaim();
    // Not asked yet: a 409 naming why.
    const early = await api.call('POST', `/v1/claims/${id}/answer`, { as: 'ops', body: answer });
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toContain(PROBLEM);
    expect(early.body.type).toContain('claim.not_awaiting_information');
    expect(early.body.detail).toContain('not waiting for information');

    stack.sandbox.store.claims.get(filed.externalClaimId!)!.decided = {
      status: 'needs_info',
      detail: 'the commercial invoice',
    };
    await waitUntil(
      'needs_info',
      () => handle.query(claimStateQuery),
      (s) => s.status === 'needs_info',
      30_000,
    );

    const attachments = [
      { name: 'invoice.pdf', contentType: 'application/pdf', url: 'https://files.example/inv.pdf' },
    ];
    const taken = await api.call('POST', `/v1/claims/${id}/answer`, {
      as: 'ops',
      body: { ...answer, attachments },
    });
    expect(taken.status).toBe(202);
    expect(taken.body).toMatchObject({
      claimId: id,
      status: 'needs_info',
      request: 1,
      workflowId: handle.workflowId,
    });
    await waitUntil(
      'answer sent',
      async () => stack.sandbox.store.claims.get(filed.externalClaimId!)!.answers ?? [],
      (a) => a.length === 1,
      30_000,
    );
    expect(stack.sandbox.store.claims.get(filed.externalClaimId!)!.answers![0]).toMatchObject({
      message: 'Invoice attached.',
      attachments,
    });

    // Not denied: no appeal.
    const appeal = await api.call('POST', `/v1/claims/${id}/appeal`, { as: 'ops', body: answer });
    expect(appeal.status).toBe(409);
    expect(appeal.body.type).toContain('claim.not_appealable');
    await handle.terminate('test done');
  }, 90_000);

  it('bad input, an unknown claim, a reader and a claim no workflow follows get problems', async () => {
    const bad = [
      { message: '', by: 'ada' },
      { message: 'x', by: 'ada', attachments: [{ name: 'a.pdf', contentType: 'application/pdf' }] },
      {
        message: 'x',
        by: 'ada',
        attachments: [{ name: 'a.pdf', contentType: 'pdf', url: 'https://x.test/a' }],
      },
      {
        message: 'x',
        by: 'ada',
        attachments: [{ name: 'a', contentType: 'text/plain', contentBase64: 'not base64!' }],
      },
      { message: 'x' },
    ];
    for (const body of bad) {
      const res = await api.call('POST', '/v1/claims/1/answer', { as: 'ops', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain(PROBLEM);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const badId = await api.call('POST', '/v1/claims/abc/appeal', { as: 'ops', body: answer });
    expect(badId.status).toBe(400);
    const unknown = await api.call('POST', '/v1/claims/999999/appeal', { as: 'ops', body: answer });
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toContain('claim.not_found');
    const reader = await api.call('POST', '/v1/claims/1/answer', { as: 'analyst', body: answer });
    expect(reader.status).toBe(403);

    // A claim recorded by hand (no workflow): nothing to send it through.
    const reg = aRegistration();
    await insertShipmentRow(stack.db, reg);
    const [row] = await stack.db
      .insert(claims)
      .values({
        idempotencyKey: `manual:${reg.shipmentId}`,
        shipmentId: reg.shipmentId,
        carrier: reg.carrier,
        trackingNumber: reg.trackingNumber,
        reason: 'lost',
        status: 'needs_info',
        amount: 10,
        currency: 'USD',
        evidence: {},
      })
      .returning({ id: claims.id });
    const manual = await api.call('POST', `/v1/claims/${row!.id}/answer`, {
      as: 'ops',
      body: answer,
    });
    expect(manual.status).toBe(409);
    expect(manual.body.type).toContain('claim.not_followed');
    await stack.db.delete(claims).where(eq(claims.id, row!.id));
  });

  it("a carrier's claim guide gives its deadlines, documents, where and how to file and its appeal window", async () => {
    const usps = await api.call('GET', '/v1/carriers/usps/claim-guide?scope=domestic', {
      as: 'analyst',
    });
    expect(usps.status).toBe(200);
    expect(usps.body).toMatchObject({
      code: 'usps',
      name: 'USPS domestic, insured mail (lost)',
      deadlines: {
        waitingPeriod: { from: 'shipped', duration: 'P15D' },
        filingWindow: { from: 'shipped', duration: 'P60D' },
        appealWithin: 'P30D',
      },
      traceFirst: false,
    });
    expect(usps.body.requiredDocuments).toContain('payment reference');
    expect(usps.body.where).toContain('usps.com');
    const intl = await api.call('GET', '/v1/carriers/usps/claim-guide', { as: 'analyst' });
    expect(intl.body.traceFirst).toBe(true);
    const insurer = await api.call('GET', '/v1/carriers/shipsurance/claim-guide', {
      as: 'analyst',
    });
    expect(insurer.body).toMatchObject({ party: 'insurer', deadlines: { appealWithin: 'P60D' } });

    const unknown = await api.call('GET', '/v1/carriers/nosuchpost/claim-guide', { as: 'analyst' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toContain('carrier.unknown');
    const badScope = await api.call('GET', '/v1/carriers/usps/claim-guide?scope=moon', {
      as: 'analyst',
    });
    expect(badScope.status).toBe(400);
    expect(badScope.headers.get('content-type')).toContain(PROBLEM);
    const badCode = await api.call('GET', '/v1/carriers/%20x%3B/claim-guide', { as: 'analyst' });
    expect(badCode.status).toBe(400);
  });

  it('evidence is previewed as a draft before the claim is eligible, with what the order system gave and what was decided', async () => {
    const reg = aRegistration({ carrier: 'usps', paymentReference: 'ch_3PpayXYZ' });
    await insertShipmentRow(stack.db, reg);
    const scan = anEvent('in_transit', '2026-03-02T17:45:00Z', { description: 'Departed hub' });
    await stack.db.insert(trackingEvents).values({
      shipmentId: reg.shipmentId,
      eventId: scan.eventId,
      occurredAt: new Date(scan.occurredAt),
      status: scan.status,
      description: scan.description ?? null,
      source: 'webhook',
    });
    await stack.db.insert(inquiries).values({
      shipmentId: reg.shipmentId,
      inquiryId: `inq-${reg.shipmentId}`,
      channel: 'email',
      message: 'Where is my parcel?',
      receivedAt: new Date('2026-03-10T09:00:00Z'),
    });
    await stack.db.insert(notifications).values({
      idempotencyKey: `n-${reg.shipmentId}`,
      shipmentId: reg.shipmentId,
      kind: 'reshipped',
      channel: 'email',
      to: reg.customer.email,
      locale: 'en',
      subject: 'A replacement is on its way',
      body: 'We sent you a new parcel.',
      status: 'sent',
      sentAt: new Date('2026-03-12T11:05:00Z'),
    });
    await stack.db.insert(reviews).values({
      shipmentId: reg.shipmentId,
      round: 1,
      reason: 'stalled',
      detectedAt: new Date('2026-03-12T10:00:00Z'),
      slaDeadline: new Date('2026-03-13T10:00:00Z'),
      status: 'decided',
      decision: 'reship',
      reviewer: 'grace@ops',
      decidedAt: new Date('2026-03-12T11:00:00Z'),
    });
    const [row] = await stack.db
      .insert(claims)
      .values({
        idempotencyKey: `claim:${reg.shipmentId}:open`,
        workflowId: `claim:${reg.shipmentId}`,
        shipmentId: reg.shipmentId,
        carrier: 'usps',
        filer: 'usps',
        trackingNumber: reg.trackingNumber,
        reason: 'lost',
        status: 'pending_eligibility',
        amount: 19.9,
        currency: 'USD',
        evidence: {},
        eligibleAt: new Date(Date.now() + 86_400_000),
      })
      .returning({ id: claims.id });
    const id = row!.id;

    // The claim shows the guide of whoever it is filed with.
    const claim = await api.call('GET', `/v1/claims/${id}`, { as: 'analyst' });
    expect(claim.body.guide).toMatchObject({
      code: 'usps',
      traceFirst: true,
      deadlines: { appealWithin: 'P30D', answerWithin: 'P15D' },
    });
    expect(claim.body.guide.requiredDocuments).toContain('carrier trace result');

    // The stored package is not built before eligibility; the preview is.
    expect((await api.call('GET', `/v1/claims/${id}/evidence`, { as: 'analyst' })).status).toBe(
      409,
    );
    const preview = await api.call('GET', `/v1/claims/${id}/evidence/preview`, { as: 'analyst' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      draft: true,
      paymentReference: { reference: 'ch_3PpayXYZ', source: 'registration', orderId: reg.orderId },
      decision: {
        decision: 'reship',
        reviewer: 'grace@ops',
        decidedAt: '2026-03-12T11:00:00.000Z',
      },
      costs: { declaredValue: reg.declaredValue, currency: 'USD' },
      trackingHistory: [expect.objectContaining({ description: 'Departed hub' })],
    });
    expect(preview.body.messages.map((m: { direction: string }) => m.direction)).toEqual([
      'from_customer',
      'to_customer',
    ]);
    expect(preview.body.missing).not.toContain('payment_reference');

    const pdf = await fetch(`${api.url}/v1/claims/${id}/evidence/preview.pdf`, {
      headers: { authorization: `Bearer ${api.keys.analyst}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    const text = await pdfText(new Uint8Array(await pdf.arrayBuffer()));
    expect(text).toContain('DRAFT');
    expect(text).toContain('grace@ops');

    const unknown = await api.call('GET', '/v1/claims/999999/evidence/preview', { as: 'analyst' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain(PROBLEM);
    const bad = await api.call('GET', '/v1/claims/0/evidence/preview', { as: 'analyst' });
    expect(bad.status).toBe(400);
  });
});
