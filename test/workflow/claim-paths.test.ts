/**
 * A claim carried through to money (issue 20, part 4): the carrier asks for information, denies,
 * approves in part or pays, and the claim workflow takes each to its next step. Days of the claim
 * guides are a second here (a second divided further where a test waits for a deadline).
 *
 * With RECORD_CLAIM_HISTORIES=1 each path's finished history is written (payloads decrypted) to
 * test/histories/claim-<path>.json, which the replay test replays.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims } from '../../src/db/schema';
import { ENCRYPTED_ENCODING } from '../../src/temporal/payload-codec';
import { historyToStoredJSON } from '../../src/temporal/history-codec';
import {
  CLAIM_WORKFLOW_TYPE,
  claimAnswerUpdate,
  claimAppealUpdate,
  claimStateQuery,
  startClaimOptions,
  type ClaimState,
  type ClaimStatus,
  type ClaimWorkflowInput,
} from '../../workflows/claim.contract';
import type { SandboxClaimDecision } from '../../src/carriers/sandbox/sandbox.server';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { aRegistration, insertShipmentRow } from '../helpers/factories';
import { testPayloadCodec } from '../helpers/payload-key';
import { OPS_EMAIL, startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { HISTORIES_DIR } from '../histories/replay';

/** A day of the claim rules and guides is a second. */
const SCALE = 1 / 86_400;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function parcel(overrides: Partial<ShipmentRegistration> = {}) {
  // Shipped now: the sandbox rule's 30-day (s) window counts from the ship date.
  const reg = aRegistration({
    carrier: 'sandbox',
    shippedAt: new Date().toISOString(),
    ...overrides,
  });
  await insertShipmentRow(stack.db, reg);
  stack.sandbox.store.addEvents(reg.trackingNumber, []);
  return reg;
}

async function startClaim(reg: ShipmentRegistration, extra: Partial<ClaimWorkflowInput> = {}) {
  const input: ClaimWorkflowInput = {
    registration: reg,
    reason: 'lost',
    timeScale: SCALE,
    ...extra,
  };
  return stack.client.workflow.start(CLAIM_WORKFLOW_TYPE, {
    ...startClaimOptions(input),
    taskQueue: stack.taskQueue,
  });
}

function waitFor(
  handle: WorkflowHandle,
  what: string,
  pred: (s: ClaimState) => boolean,
  timeoutMs = 60_000,
) {
  return waitUntil<ClaimState>(
    `${handle.workflowId}: ${what}`,
    () => handle.query(claimStateQuery),
    pred,
    timeoutMs,
  );
}

const status = (handle: WorkflowHandle, s: ClaimStatus, timeoutMs?: number) =>
  waitFor(handle, s, (x) => x.status === s, timeoutMs);

/** The carrier decides the claim it holds under `claimId` (as its control route would). */
function carrierSays(claimId: string, decision: SandboxClaimDecision) {
  stack.sandbox.store.claims.get(claimId)!.decided = decision;
}

const opsMail = (subject: string, timeoutMs = 30_000) =>
  stack.mail.waitFor((m) => m.to.includes(OPS_EMAIL) && m.subject === subject, timeoutMs);

/** Decrypts every encrypted payload in a fetched history, so the recording replays under any key. */
async function decrypted(node: unknown): Promise<unknown> {
  if (Array.isArray(node)) return Promise.all(node.map(decrypted));
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return node;
  const obj = node as Record<string, unknown>;
  const encoding = (obj.metadata as Record<string, Uint8Array> | undefined)?.encoding;
  if (encoding && Buffer.from(encoding).toString() === ENCRYPTED_ENCODING) {
    const [plain] = await testPayloadCodec().decode([obj as never]);
    return plain;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = await decrypted(v);
  return out;
}

async function record(handle: WorkflowHandle, name: string) {
  await handle.result();
  if (!process.env.RECORD_CLAIM_HISTORIES) return;
  const history = await decrypted(await handle.fetchHistory());
  await fs.writeFile(path.join(HISTORIES_DIR, `${name}.json`), historyToStoredJSON(history));
}

const invoice = {
  name: 'invoice-1001.pdf',
  contentType: 'application/pdf',
  contentBase64: Buffer.from('%PDF-1.4 invoice').toString('base64'),
};

/**
 * The claim's read-model row once it shows `status`: the workflow's state moves first and its row
 * is written right after, so a query can be a moment ahead of the table.
 */
function claimRow(workflowId: string, status: string) {
  return waitUntil(
    `the claim row says ${status}`,
    async () => (await stack.db.select().from(claims).where(eq(claims.workflowId, workflowId)))[0],
    (r) => r?.status === status,
  );
}

describe('claims carried through to money', () => {
  it('a claim the carrier answers needs_info waits for ops with a deadline, sends their answer and resumes to payment', async () => {
    const reg = await parcel({ declaredValue: 80 });
    const handle = await startClaim(reg);
    const filed = await status(handle, 'filed');
    const claimId = filed.externalClaimId!;

    // An answer before anyone asked is refused by the validator.
    await expect(
      handle.executeUpdate(claimAnswerUpdate, {
        args: [{ message: 'too early', attachments: [], by: 'ops@parcelwarden.test' }],
      }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

    const respondBy = new Date(Date.now() + 40_000).toISOString();
    carrierSays(claimId, {
      status: 'needs_info',
      detail: 'send the commercial invoice',
      respondBy,
    });
    const asked = await status(handle, 'needs_info');
    expect(asked.infoRequests).toEqual([
      expect.objectContaining({ asks: 'send the commercial invoice', respondBy }),
    ]);
    const alert = await opsMail(`Claim needs information: shipment ${reg.shipmentId}`);
    expect(alert.text).toContain('send the commercial invoice');
    expect(alert.text).toContain(respondBy);

    // Still waiting (the carrier says nothing new): the answer is what moves it.
    expect((await handle.query(claimStateQuery)).status).toBe('needs_info');
    const taken = await handle.executeUpdate(claimAnswerUpdate, {
      args: [{ message: 'Invoice attached.', attachments: [invoice], by: 'ada@ops' }],
    });
    expect(taken).toEqual({ status: 'needs_info', request: 1 });

    const resumed = await status(handle, 'filed');
    expect(resumed.infoRequests?.[0]).toMatchObject({
      answeredBy: 'ada@ops',
      attachments: ['invoice-1001.pdf'],
    });
    const atCarrier = stack.sandbox.store.claims.get(claimId)!;
    expect(atCarrier.answers).toEqual([
      expect.objectContaining({
        key: `${handle.workflowId}:answer:1`,
        message: 'Invoice attached.',
        attachments: [invoice],
      }),
    ]);

    carrierSays(claimId, { status: 'approved', amountApproved: 80 });
    await status(handle, 'approved');
    carrierSays(claimId, { status: 'paid', amountApproved: 80 });
    const paid = await status(handle, 'paid');
    expect(paid.amountRecovered).toBe(80);
    expect(paid.payment?.paidAt).toBeDefined();
    expect(paid.history.map((h) => h.status)).toEqual([
      'pending_eligibility',
      'filed',
      'needs_info',
      'filed',
      'approved',
      'paid',
    ]);
    const row = await claimRow(handle.workflowId, 'paid');
    expect(row?.amountRecovered).toBe(80);
    await record(handle, 'claim-needs-info-answered');
  }, 120_000);

  it('a request for information nobody answers reminds ops before its deadline and tells them when it passed', async () => {
    const reg = await parcel();
    const handle = await startClaim(reg);
    const { externalClaimId } = await status(handle, 'filed');
    // The sandbox's guide: three days' (s) reminder before the deadline.
    carrierSays(externalClaimId!, {
      status: 'needs_info',
      detail: 'photos of the packaging',
      respondBy: new Date(Date.now() + 8_000).toISOString(),
    });
    await status(handle, 'needs_info');
    await opsMail(`Claim still needs information: shipment ${reg.shipmentId}`);
    const missed = await opsMail(`Claim information overdue: shipment ${reg.shipmentId}`);
    expect(missed.text).toContain('photos of the packaging');
    const state = await waitFor(handle, 'request missed', (s) => !!s.infoRequests?.[0]?.missedAt);
    expect(state.status).toBe('needs_info');
    expect(state.infoRequests?.[0]?.remindedAt).toBeDefined();
    // The carrier then denies it; the appeal window opens (no insurance).
    carrierSays(externalClaimId!, { status: 'denied', detail: 'no answer to our request' });
    await status(handle, 'denied');
    await handle.terminate('test done');
  }, 90_000);

  it('a claim the carrier denies on an insured shipment is escalated to the insurer, which pays', async () => {
    const reg = await parcel({ declaredValue: 250 });
    const handle = await startClaim(reg, { insurance: { insurer: 'shipsurance', amount: 300 } });
    const filed = await status(handle, 'filed');
    expect(filed.amountClaimed).toBe(100); // the sandbox carrier's liability cap
    carrierSays(filed.externalClaimId!, { status: 'denied', detail: 'no proof of loss' });

    const escalated = await status(handle, 'escalated');
    expect(escalated.filer).toBe('shipsurance');
    expect(escalated.escalation).toMatchObject({
      insurer: 'shipsurance',
      carrierClaimId: filed.externalClaimId,
      amount: 250,
    });
    expect(escalated.externalClaimId).not.toBe(filed.externalClaimId);
    const atInsurer = stack.sandbox.store.claims.get(escalated.externalClaimId!)!;
    expect(atInsurer.amount).toBe(250);
    expect(atInsurer.description).toContain('no proof of loss');
    expect(atInsurer.evidence.carrierDenial).toMatchObject({ claimId: filed.externalClaimId });
    const row = await claimRow(handle.workflowId, 'escalated');
    expect(row).toMatchObject({
      filer: 'shipsurance',
      claimId: escalated.externalClaimId,
      status: 'escalated',
      amount: 250,
    });
    await opsMail(`Claim escalated to the insurer: shipment ${reg.shipmentId}`);

    carrierSays(escalated.externalClaimId!, { status: 'paid', amountApproved: 250 });
    const paid = await status(handle, 'paid');
    expect(paid.amountRecovered).toBe(250);
    expect(paid.history.map((h) => h.status)).toEqual([
      'pending_eligibility',
      'filed',
      'denied',
      'escalated',
      'paid',
    ]);
    await record(handle, 'claim-denied-escalated');
  }, 120_000);

  it('a denied claim on an uninsured shipment is appealed with new evidence, partly approved and paid', async () => {
    const reg = await parcel({ declaredValue: 90 });
    const handle = await startClaim(reg);
    const { externalClaimId } = await status(handle, 'filed');
    carrierSays(externalClaimId!, { status: 'denied', detail: 'insufficient proof of value' });
    const denied = await waitFor(handle, 'appeal window open', (x) => !!x.appeal);
    expect(denied.status).toBe('denied');
    const alert = await opsMail(`Claim denied: shipment ${reg.shipmentId}`);
    expect(alert.text).toContain(denied.appeal!.windowClosesAt);
    expect(alert.text).toContain('/appeal');

    await handle.executeUpdate(claimAppealUpdate, {
      args: [{ message: 'Invoice and photos attached.', attachments: [invoice], by: 'ada@ops' }],
    });
    const appealed = await status(handle, 'appealed');
    expect(appealed.appeal).toMatchObject({ appealedBy: 'ada@ops', attachments: [invoice.name] });
    expect(stack.sandbox.store.claims.get(externalClaimId!)!.appeal).toMatchObject({
      key: `${handle.workflowId}:appeal`,
      message: 'Invoice and photos attached.',
    });
    // One appeal per claim.
    await expect(
      handle.executeUpdate(claimAppealUpdate, {
        args: [{ message: 'again', attachments: [], by: 'ada@ops' }],
      }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

    carrierSays(externalClaimId!, { status: 'partially_approved', amountApproved: 40 });
    await status(handle, 'partially_approved');
    const partial = await opsMail(`Claim partially approved: shipment ${reg.shipmentId}`);
    expect(partial.text).toContain('50 USD is not covered');
    carrierSays(externalClaimId!, { status: 'paid', amountApproved: 40 });
    const paid = await status(handle, 'paid');
    expect(paid.amountRecovered).toBe(40);
    await record(handle, 'claim-denied-appealed');
  }, 120_000);

  it('a denial nobody appeals is final when the window closes; an approval not paid in time alerts ops', async () => {
    // A day of half a second: the 30-day appeal and payment windows pass in 15 s, the reminder
    // 1.5 s before the appeal window closes.
    const fast = SCALE / 2;
    const deniedReg = await parcel();
    const approvedReg = await parcel({ declaredValue: 30 });
    const denied = await startClaim(deniedReg, { timeScale: fast });
    const approved = await startClaim(approvedReg, { timeScale: fast });
    carrierSays((await status(denied, 'filed')).externalClaimId!, { status: 'denied' });
    carrierSays((await status(approved, 'filed')).externalClaimId!, { status: 'approved' });

    await opsMail(`Claim appeal window closing: shipment ${deniedReg.shipmentId}`);
    await opsMail(`Claim appeal window closed: shipment ${deniedReg.shipmentId}`);
    const final = (await denied.result()) as ClaimState;
    expect(final.status).toBe('denied');
    expect(final.appeal?.closedAt).toBeDefined();
    await expect(
      denied.executeUpdate(claimAppealUpdate, {
        args: [{ message: 'late', attachments: [], by: 'ada@ops' }],
      }),
    ).rejects.toThrow();

    const overdue = await opsMail(`Claim payment overdue: shipment ${approvedReg.shipmentId}`);
    expect(overdue.text).toContain('30 USD');
    const end = (await approved.result()) as ClaimState;
    expect(end.status).toBe('approved');
    expect(end.payment?.overdueAt).toBeDefined();
    await record(denied, 'claim-appeal-window-closed');
    await record(approved, 'claim-payment-overdue');
  }, 120_000);
});
