/**
 * The sandbox carrier's claim conversation: the control route asks for information, denies or
 * pays; the carrier takes an answer only while it asks for one and an appeal only once, after a
 * denial; the same Idempotency-Key replays the first answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierError } from '../../src/carriers/carrier';
import { SandboxCarrierClient } from '../../src/carriers/sandbox/sandbox.client';
import { createSandboxCarrier } from '../../src/carriers/sandbox/sandbox.server';

const API_KEY = 'test-sandbox-key';
let url: string;
let close: () => Promise<void>;
let client: SandboxCarrierClient;

beforeAll(async () => {
  const server = await createSandboxCarrier({ apiKey: API_KEY }).listen(0);
  url = server.url;
  close = () => server.close();
  client = new SandboxCarrierClient({ baseUrl: url, apiKey: API_KEY });
});
afterAll(() => close?.());

async function decide(claimId: string, body: unknown) {
  const res = await fetch(`${url}/__control/claims/${claimId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json() as Promise<{ status: string; detail?: string; respondBy?: string }>;
}

const answer = (key: string, message = 'Invoice attached.') => ({
  idempotencyKey: key,
  message,
  attachments: [
    { name: 'invoice.pdf', contentType: 'application/pdf', url: 'https://x.test/i.pdf' },
  ],
});

describe('sandbox claim answers and appeals', () => {
  it('asks for information by the control route, takes one answer per key and reviews the claim again', async () => {
    const label = await client.bookLabel({
      idempotencyKey: 'label-a',
      reference: 'ORD-A',
      from: { country: 'CN', warehouseId: 'wh-1' },
      to: { country: 'US', name: 'Ada', line1: '1 Market St', city: 'SF', postalCode: '94105' },
      items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 20 }],
      declaredValue: 20,
      currency: 'USD',
    });
    const filed = await client.fileClaim({
      idempotencyKey: 'claim-a',
      trackingNumber: label.trackingNumber,
      reason: 'lost',
      amount: 20,
      currency: 'USD',
      description: 'lost',
      evidence: {},
    });
    await expect(client.answerClaim(filed.claimId, answer('ans-0'))).rejects.toMatchObject({
      code: 'claim.not_awaiting_information',
      permanent: true,
    });
    const respondBy = '2030-01-01T00:00:00.000Z';
    const asked = await decide(filed.claimId, {
      status: 'needs_info',
      detail: 'the invoice',
      respondBy,
    });
    expect(asked).toMatchObject({ status: 'needs_info', detail: 'the invoice', respondBy });
    expect(await client.claimStatus(filed.claimId)).toMatchObject({
      status: 'needs_info',
      respondBy,
    });

    const first = await client.answerClaim(filed.claimId, answer('ans-1'));
    expect(first.status).toBe('submitted');
    // The same key again: the same answer, not a second one.
    expect((await client.answerClaim(filed.claimId, answer('ans-1'))).status).toBe('submitted');
    await expect(
      client.answerClaim(filed.claimId, answer('ans-1', 'another text')),
    ).rejects.toBeInstanceOf(CarrierError);

    await decide(filed.claimId, { status: 'denied', detail: 'no proof' });
    expect((await client.appealClaim(filed.claimId, answer('app-1'))).status).toBe('appealed');
    await decide(filed.claimId, { status: 'denied' });
    await expect(client.appealClaim(filed.claimId, answer('app-2'))).rejects.toMatchObject({
      code: 'claim.not_appealable',
    });
    await decide(filed.claimId, { status: 'paid', amountApproved: 15 });
    expect(await client.claimStatus(filed.claimId)).toMatchObject({
      status: 'paid',
      amountApproved: 15,
    });
  });
});
