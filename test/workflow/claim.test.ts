import type { WorkflowHandle } from '@temporalio/client';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEvidencePdf } from '../../src/claims/claims.pdf';
import type { EvidencePackage } from '../../src/claims/claims.evidence';
import { claimHistory, claims, trackingEvents } from '../../src/db/schema';
import {
  CLAIM_WORKFLOW_TYPE,
  claimStateQuery,
  claimUpdateSignal,
  startClaimOptions,
  type ClaimState,
  type ClaimStatus,
  type ClaimWorkflowInput,
} from '../../workflows/claim.contract';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { aRegistration, anEvent, insertShipmentRow } from '../helpers/factories';
import { OPS_EMAIL, startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { pdfText } from '../unit/claim-pdf-text';

/** A day of the claim rules is a second here: waiting periods and windows in seconds. */
const SCALE = 1 / 86_400;
const S = 1000;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const US_ADDRESS = {
  country: 'US',
  name: 'Ada Buyer',
  line1: '1 Market St',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94105',
};

/**
 * A lost parcel on the books of the carrier and in our read model, with two scans. The sandbox
 * answers traces after 3 days and decides claims after 1 day of the parcel's clock: real days
 * unless `carrierDay` (ms) says how long a day of this parcel lasts.
 */
async function lostParcel(
  overrides: Partial<ShipmentRegistration>,
  carrierDay?: number,
): Promise<ShipmentRegistration> {
  const reg = aRegistration({ origin: { country: 'US' }, destination: US_ADDRESS, ...overrides });
  await insertShipmentRow(stack.db, reg);
  const shipped = Date.parse(reg.shippedAt);
  const events = [
    anEvent('info_received', new Date(shipped - 60 * S), { description: 'Label created' }),
    anEvent('in_transit', new Date(shipped - 30 * S), {
      description: 'Departed sort facility',
      location: { city: 'Oakland', postalCode: '94607', country: 'US' },
    }),
  ];
  await stack.db.insert(trackingEvents).values(
    events.map((e) => ({
      shipmentId: reg.shipmentId,
      eventId: e.eventId,
      occurredAt: new Date(e.occurredAt),
      status: e.status,
      description: e.description ?? null,
      location: e.location ?? null,
      source: 'webhook',
    })),
  );
  const parcel = stack.sandbox.store.addEvents(reg.trackingNumber, events);
  if (carrierDay) parcel.timeScale = 86_400_000 / carrierDay;
  return reg;
}

async function startClaim(
  registration: ShipmentRegistration,
  extra: Partial<ClaimWorkflowInput> = {},
): Promise<WorkflowHandle> {
  const input: ClaimWorkflowInput = { registration, reason: 'lost', timeScale: SCALE, ...extra };
  return stack.client.workflow.start(CLAIM_WORKFLOW_TYPE, {
    ...startClaimOptions(input),
    taskQueue: stack.taskQueue,
  });
}

function waitForClaim(handle: WorkflowHandle, statuses: ClaimStatus[], timeoutMs = 60_000) {
  return waitUntil<ClaimState>(
    `${handle.workflowId} to reach ${statuses.join(' or ')}`,
    () => handle.query(claimStateQuery),
    (s) => statuses.includes(s.status),
    timeoutMs,
  );
}

async function claimRow(workflowId: string) {
  const [row] = await stack.db.select().from(claims).where(eq(claims.workflowId, workflowId));
  if (!row) throw new Error(`no claim row for ${workflowId}`);
  const history = await stack.db
    .select()
    .from(claimHistory)
    .where(eq(claimHistory.claimRowId, row.id))
    .orderBy(asc(claimHistory.id));
  return { row, history: history.map((h) => h.status) };
}

const since = (at: string | undefined, anchor: string | undefined) =>
  Date.parse(at ?? 'x') - Date.parse(anchor ?? 'x');

describe('claim workflow', () => {
  it('a claim with each of USPS, UPS, FedEx, DHL and an insurer follows its own waiting period and window', async () => {
    const now = Date.now();
    const shippedAt = new Date(now).toISOString();
    const expectedDeliveryAt = new Date(now + 3 * S).toISOString();
    const usps = await lostParcel({ carrier: 'usps', shippedAt, declaredValue: 59.9 });
    const ups = await lostParcel({
      carrier: 'ups',
      shippedAt,
      expectedDeliveryAt,
      declaredValue: 150,
    });
    const fedex = await lostParcel({ carrier: 'fedex', shippedAt, expectedDeliveryAt });
    // DHL traces first: a day of four seconds for the claim and the carrier alike.
    const dhl = await lostParcel(
      { carrier: 'dhl', shippedAt, origin: { country: 'DE' }, declaredValue: 80 },
      4 * S,
    );
    const insured = await lostParcel({ carrier: 'usps', shippedAt, declaredValue: 450 });

    const handles = {
      usps: await startClaim(usps),
      ups: await startClaim(ups),
      fedex: await startClaim(fedex),
      dhl: await startClaim(dhl, { timeScale: 4 * SCALE }),
      insurer: await startClaim(insured, { insurer: 'shipsurance' }),
    };
    expect(handles.usps.workflowId).toBe(`claim:${usps.shipmentId}`);

    // Nothing is filed with USPS during its 15-day (here 15 s) waiting period.
    const early = await handles.usps.query(claimStateQuery);
    expect(early.status).toBe('pending_eligibility');

    const filed = {
      usps: await waitForClaim(handles.usps, ['filed', 'expired', 'denied'], 120_000),
      ups: await waitForClaim(handles.ups, ['filed', 'expired', 'denied'], 120_000),
      fedex: await waitForClaim(handles.fedex, ['filed', 'expired', 'denied'], 120_000),
      // DHL may be decided by its own clock (a day of 4 s) before we look: filed all the same.
      dhl: await waitForClaim(handles.dhl, ['filed', 'approved', 'expired', 'denied'], 120_000),
      insurer: await waitForClaim(handles.insurer, ['filed', 'expired', 'denied'], 120_000),
    };

    for (const state of Object.values(filed))
      expect(state.externalClaimId, state.shipmentId).toBeTruthy();
    expect([filed.usps, filed.ups, filed.fedex, filed.insurer].map((f) => f.status)).toEqual([
      'filed',
      'filed',
      'filed',
      'filed',
    ]);

    // Each rule's own waiting period and window, from its own anchor (days → seconds).
    expect(since(filed.usps.deadlines?.eligibleAt, shippedAt)).toBe(15 * S);
    expect(since(filed.usps.deadlines?.windowClosesAt, shippedAt)).toBe(60 * S);
    expect(since(filed.ups.deadlines?.eligibleAt, expectedDeliveryAt)).toBe(1 * S);
    expect(since(filed.ups.deadlines?.windowClosesAt, expectedDeliveryAt)).toBe(60 * S);
    expect(since(filed.fedex.deadlines?.eligibleAt, expectedDeliveryAt)).toBe(2 * S);
    expect(since(filed.fedex.deadlines?.windowClosesAt, shippedAt)).toBe(270 * S);
    expect(since(filed.dhl.deadlines?.eligibleAt, shippedAt)).toBe(0);
    expect(since(filed.dhl.deadlines?.windowClosesAt, shippedAt)).toBe(4 * 30 * S);
    expect(since(filed.insurer.deadlines?.eligibleAt, shippedAt)).toBe(20 * S);
    expect(since(filed.insurer.deadlines?.windowClosesAt, shippedAt)).toBe(120 * S);

    // Filed by the carrier's clock no earlier than the rule allows, and before the window closed.
    for (const state of Object.values(filed)) {
      const carrierClaim = stack.sandbox.store.claims.get(state.externalClaimId!);
      expect(carrierClaim, state.shipmentId).toBeDefined();
      const filedAt = Date.parse(carrierClaim!.filedAt);
      expect(filedAt).toBeGreaterThanOrEqual(Date.parse(state.deadlines!.eligibleAt));
      expect(filedAt).toBeLessThan(Date.parse(state.deadlines!.windowClosesAt));
    }

    // Who the claim went to, and how much: liability caps per rule.
    expect(filed.insurer.filer).toBe('shipsurance');
    expect(filed.insurer.rule?.party).toBe('insurer');
    expect(filed.insurer.amountClaimed).toBe(450);
    expect(filed.ups.amountClaimed).toBe(100);
    expect(filed.usps.amountClaimed).toBe(59.9);
    expect(filed.dhl.rule?.traceFirst).toBe(true);
    // DHL traced the parcel first and filed only once the trace had an answer.
    expect(filed.dhl.trace?.status).toBe('not_found');
    const dhlClaim = stack.sandbox.store.claims.get(filed.dhl.externalClaimId!)!;
    expect(Date.parse(filed.dhl.trace!.openedAt)).toBeLessThanOrEqual(Date.parse(dhlClaim.filedAt));
    expect(filed.usps.trace).toBeUndefined();

    // Decisions arrive by polling (the carrier decides, or its clock does) or by webhook (signal).
    const decide = (state: ClaimState, status: 'approved' | 'denied', amountApproved?: number) => {
      stack.sandbox.store.claims.get(state.externalClaimId!)!.decided = {
        status,
        ...(amountApproved !== undefined ? { amountApproved } : {}),
      };
    };
    // The insurer first asks for more (webhook): ops hear of it, then it approves (polling).
    await handles.insurer.signal(claimUpdateSignal, {
      claimId: filed.insurer.externalClaimId!,
      status: 'needs_action',
      detail: 'send the commercial invoice',
      at: new Date().toISOString(),
    });
    await waitForClaim(handles.insurer, ['needs_info'], 30_000);
    const askedForMore = await stack.mail.waitFor(
      (m) =>
        m.to.includes(OPS_EMAIL) &&
        m.subject === `Claim needs information: shipment ${insured.shipmentId}`,
      15_000,
    );
    expect(askedForMore.text).toContain('send the commercial invoice');
    decide(filed.usps, 'denied');
    decide(filed.ups, 'approved', 60);
    decide(filed.insurer, 'approved');
    await handles.fedex.signal(claimUpdateSignal, {
      claimId: filed.fedex.externalClaimId!,
      status: 'approved',
      amountApproved: 19.9,
      at: new Date().toISOString(),
    });

    const decided = {
      usps: await waitForClaim(handles.usps, ['denied'], 90_000),
      ups: await waitForClaim(handles.ups, ['partially_approved'], 90_000),
      fedex: await waitForClaim(handles.fedex, ['approved'], 90_000),
      dhl: await waitForClaim(handles.dhl, ['approved'], 90_000),
      insurer: await waitForClaim(handles.insurer, ['approved'], 90_000),
    };
    expect(decided.usps.amountRecovered).toBeUndefined();
    expect(decided.dhl.amountRecovered).toBe(80);
    expect(decided.ups.amountRecovered).toBe(60);
    expect(decided.fedex.amountRecovered).toBe(19.9);
    expect(decided.insurer.amountRecovered).toBe(450);
    await stack.mail.waitFor(
      (m) => m.to.includes(OPS_EMAIL) && m.subject === `Claim denied: shipment ${usps.shipmentId}`,
      15_000,
    );

    const ups$ = await claimRow(handles.ups.workflowId);
    expect(ups$.row.status).toBe('partially_approved');
    expect(ups$.row.amount).toBe(100);
    expect(ups$.row.amountRecovered).toBe(60);
    expect(ups$.row.filer).toBe('ups');
    expect(ups$.history).toEqual(['pending_eligibility', 'filed', 'partially_approved']);
    const insurer$ = await claimRow(handles.insurer.workflowId);
    expect(insurer$.row.filer).toBe('shipsurance');
    expect(insurer$.row.ruleName).toBe('Shipsurance shipping protection, domestic loss');
    expect(insurer$.history).toEqual(['pending_eligibility', 'filed', 'needs_info', 'approved']);

    // The evidence stored with the claim carries the tracking history, and so does its PDF.
    const usps$ = await claimRow(handles.usps.workflowId);
    const evidence = usps$.row.evidence as EvidencePackage;
    expect(evidence.trackingHistory.map((e) => e.status)).toEqual(['info_received', 'in_transit']);
    expect(evidence.label?.trackingNumber).toBe(usps.trackingNumber);
    // No payment reference came with the registration: said so, never made up.
    expect(evidence.paymentReference).toMatchObject({ reference: 'not provided' });
    expect(evidence.missing).toEqual(['payment_reference']);
    const text = await pdfText(await renderEvidencePdf(evidence, { claimId: usps$.row.claimId! }));
    expect(text).toContain('Departed sort facility');
    expect(text).toContain(usps.trackingNumber);
    const dhl$ = await claimRow(handles.dhl.workflowId);
    expect((dhl$.row.evidence as EvidencePackage).carrierTrace?.traceId).toBe(
      filed.dhl.trace?.traceId,
    );
  }, 240_000);

  it('a claim the carrier cannot take before its window closes ends expired, with ops warned and alerted', async () => {
    const now = Date.now();
    // UPS: the window closes 60 days (s) after the expected delivery, which was 55 s ago.
    const reg = await lostParcel({
      carrier: 'ups',
      shippedAt: new Date(now - 58 * S).toISOString(),
      expectedDeliveryAt: new Date(now - 55 * S).toISOString(),
    });
    await stack.sandbox.control({ route: 'claim', mode: 'error500', count: 10_000 });
    try {
      const handle = await startClaim(reg);
      const state = await waitForClaim(handle, ['expired'], 45_000);
      expect(state.externalClaimId).toBeUndefined();
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(state.deadlines!.windowClosesAt));

      const warning = await stack.mail.waitFor(
        (m) =>
          m.to.includes(OPS_EMAIL) &&
          m.subject === `Claim window closing: shipment ${reg.shipmentId}`,
        15_000,
      );
      expect(warning.text).toContain(state.deadlines!.windowClosesAt);
      const missed = await stack.mail.waitFor(
        (m) =>
          m.to.includes(OPS_EMAIL) &&
          m.subject === `Claim window missed: shipment ${reg.shipmentId}`,
        15_000,
      );
      expect(missed.text).toContain('expired');

      const row = await claimRow(handle.workflowId);
      expect(row.row.status).toBe('expired');
      expect(row.row.decidedAt).not.toBeNull();
      expect(row.history).toEqual(['pending_eligibility', 'expired']);
      const filedWithCarrier = [...stack.sandbox.store.claims.values()].filter(
        (c) => c.trackingNumber === reg.trackingNumber,
      );
      expect(filedWithCarrier).toEqual([]);
    } finally {
      await stack.sandbox.control({ route: 'claim', mode: 'none' });
    }
  });

  it('a claim that starts after its window has closed expires at once and alerts ops', async () => {
    // USPS domestic: 60 days (s) from mailing, mailed 61 s ago.
    const reg = await lostParcel({
      carrier: 'usps',
      shippedAt: new Date(Date.now() - 61 * S).toISOString(),
    });
    const handle = await startClaim(reg);
    const state = await waitForClaim(handle, ['expired'], 30_000);
    expect(state.history.map((h) => h.status)).toEqual(['pending_eligibility', 'expired']);
    await stack.mail.waitFor(
      (m) =>
        m.to.includes(OPS_EMAIL) && m.subject === `Claim window missed: shipment ${reg.shipmentId}`,
      15_000,
    );
  });
});
