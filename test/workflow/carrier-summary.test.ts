/**
 * What a provider says of a whole tracking, and what a carrier's description says, reach real
 * shipments through the real receivers: an AfterShip tracking that expired with no checkpoint, an
 * EasyPost tracker whose overall status is Delivered while its newest-timed scan is "out for
 * delivery" (EasyPost's own guide sample, ep02), and exception scans whose words say lost or
 * damaged. Policies are patient (ten minutes), so only these facts can move a parcel in time.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookProvider } from '../../src/webhooks/webhooks.providers';
import { SIGNATURE_HEADERS, signatureFor } from '../../src/webhooks/webhooks.signatures';
import {
  shipmentWorkflowId,
  type Policy,
  type ShipmentState,
} from '../../workflows/shipment.contract';
import { aFastPolicy, aRegistration, uniqueId } from '../helpers/factories';
import { stateOf } from '../helpers/shipments';
import { waitUntil } from '../helpers/wait';
import { startWebhookStack, WEBHOOK_SECRETS, type WebhookStack } from '../helpers/webhook-stack';

const PATIENT = 'PT600S';
const PATIENT_STALL: Policy['stallAfter'] = {
  info_received: PATIENT,
  in_transit: PATIENT,
  customs: PATIENT,
  out_for_delivery: PATIENT,
  failed_attempt: PATIENT,
  available_for_pickup: PATIENT,
};
/** "Within seconds": the facts act at once; the wait allows for a loaded CI machine. */
const SECONDS = 20_000;

let stack: WebhookStack;
let policyName: string;

beforeAll(async () => {
  stack = await startWebhookStack();
  const policy = aFastPolicy(uniqueId('summary').toLowerCase(), {
    stallAfter: PATIENT_STALL,
    overdueGrace: PATIENT,
    inquirySurge: { count: 5, window: PATIENT },
    reviewSla: PATIENT,
    deliveredWatch: 'PT2S',
  });
  const { name, ...body } = policy;
  const put = await stack.api.call('PUT', `/v1/policies/${name}`, { as: 'admin', body });
  expect(put.status).toBe(200);
  policyName = name;
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/carriers/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function registered(carrier: string) {
  const reg = aRegistration({
    carrier,
    trackingNumber: `SM${randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase()}`,
    policy: policyName,
  });
  const res = await stack.api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return reg;
}

async function push(provider: WebhookProvider, body: unknown) {
  const raw = JSON.stringify(body);
  const res = await stack.api.call('POST', `/v1/webhooks/${provider}`, {
    rawBody: raw,
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADERS[provider]]: signatureFor(
        provider,
        Buffer.from(raw, 'utf8'),
        WEBHOOK_SECRETS[provider],
      ),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

function stateUntil(shipmentId: string, ok: (s: ShipmentState) => boolean, what: string) {
  const handle = stack.base.client.workflow.getHandle(shipmentWorkflowId(shipmentId));
  return waitUntil(`${shipmentId}: ${what}`, () => stateOf(handle), ok, SECONDS);
}

describe('the overall status of a tracking, pushed by webhook', () => {
  it('an AfterShip tracking that expired with no checkpoint leaves monitoring within seconds, because the carrier stopped tracking', async () => {
    const reg = await registered('dhl');
    await stateUntil(reg.shipmentId, (s) => s.stage === 'monitoring', 'monitoring');
    const now = new Date().toISOString();
    await push('aftership', {
      ts: Math.floor(Date.now() / 1000),
      event: 'tracking_update',
      event_id: randomUUID(),
      msg: {
        id: randomUUID(),
        slug: 'dhl',
        tracking_number: reg.trackingNumber,
        tag: 'Expired',
        subtag: 'Expired_001',
        subtag_message: 'Expired',
        updated_at: now,
        checkpoints: [],
      },
    });
    const state = await stateUntil(
      reg.shipmentId,
      (s) => s.stage !== 'monitoring' && s.suspicion !== undefined,
      'to leave monitoring',
    );
    expect(state.suspicion?.reason).toBe('carrier_stopped_tracking');
    expect(state.eventCount).toBe(0);
    expect(state.carrierSummary).toMatchObject({
      provider: 'aftership',
      native: 'Expired/Expired_001',
      status: 'expired',
    });
    const said = state.timeline.find((t) => t.kind === 'suspicion')?.detail ?? '';
    expect(said).toMatch(/carrier stopped tracking/);
    // Verified with the carrier (which knows nothing newer), then ops decide.
    await stateUntil(reg.shipmentId, (s) => s.stage === 'awaiting_review', 'review');
    const view = await stack.api.call('GET', `/v1/shipments/${reg.shipmentId}`, { as: 'ops' });
    expect(view.body).toMatchObject({
      suspicion: { reason: 'carrier_stopped_tracking' },
      carrierSummary: { provider: 'aftership', status: 'expired' },
    });
  });

  it("EasyPost's guide sample (ep02): overall Delivered while the newest-timed scan is out for delivery settles the shipment as delivered, with the signature as proof", async () => {
    const reg = await registered('usps');
    await stateUntil(reg.shipmentId, (s) => s.stage === 'monitoring', 'monitoring');
    const event = fixture('ep02-event-tracker-updated-ups-delivered-guide.json');
    // The tracker's own fields as published; only the number is ours and the send time now.
    event.result.tracking_code = reg.trackingNumber;
    event.created_at = new Date().toISOString();
    event.id = `evt_${randomUUID().replace(/-/g, '')}`;
    await push('easypost', event);
    const state = await stateUntil(
      reg.shipmentId,
      (s) => s.stage === 'delivered' || s.stage === 'closed',
      'delivered',
    );
    expect(state.lastEvent?.status).toBe('out_for_delivery');
    expect(state.carrierSummary?.status).toBe('delivered');
    expect(state.carrierSummary?.proofOfDelivery).toEqual({
      deliveredAt: '2014-11-19T10:51:54.000Z',
      signedBy: 'John Tester',
    });
    const closed = await stateUntil(reg.shipmentId, (s) => s.stage === 'closed', 'closed');
    expect(closed.resolution).toBe('delivered');
  });
});

/** A monitored sandbox parcel that has just had an exception scan with these words. */
async function monitoredWithException(description: string) {
  const reg = await registered('sandbox');
  await stateUntil(reg.shipmentId, (s) => s.stage === 'monitoring', 'monitoring');
  const res = await stack.api.call('POST', '/v1/tracking-events', {
    as: 'ingest',
    body: {
      events: [
        {
          carrier: reg.carrier,
          trackingNumber: reg.trackingNumber,
          eventId: randomUUID(),
          occurredAt: new Date().toISOString(),
          status: 'exception',
          description,
        },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return reg;
}

describe('exception descriptions', () => {
  it.each([
    ['Package lost at sorting centre, investigation opened', 'carrier_lost', 'en.lost'],
    ['Sendung beim Transport beschädigt', 'carrier_damaged', 'de.damaged'],
    ['包裹已被海关没收', 'customs_seized', 'zh.seized'],
  ])('"%s" raises %s at once, recording rule %s', async (description, reason, rule) => {
    const reg = await monitoredWithException(description);
    const state = await stateUntil(reg.shipmentId, (s) => s.suspicion !== undefined, 'a suspicion');
    expect(state.suspicion?.reason).toBe(reason);
    expect(state.suspicion?.evidence?.finding?.rule).toBe(rule);
    expect(state.timeline.find((t) => t.kind === 'suspicion')?.detail).toContain(rule);
  });

  it('an exception whose words say nothing alarming waits for the stall clock', async () => {
    const reg = await monitoredWithException(
      'Package not lost: delayed by weather, will be delivered tomorrow',
    );
    const state = await stateUntil(reg.shipmentId, (s) => s.eventCount === 1, 'the scan');
    await new Promise((r) => setTimeout(r, 2000));
    const later = await stateOf(
      stack.base.client.workflow.getHandle(shipmentWorkflowId(reg.shipmentId)),
    );
    expect(state.lastEvent?.finding).toBeUndefined();
    expect(later.stage).toBe('monitoring');
    expect(later.suspicion).toBeUndefined();
  });
});
