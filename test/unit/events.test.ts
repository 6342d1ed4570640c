import { describe, expect, it } from 'vitest';
import { afterFailure, DEFAULT_EVENT_DISPATCHER, retryDelayMs } from '../../src/events/dispatcher';
import { judgeEndpointUrl } from '../../src/events/endpoint-url';
import { newSigningSecret } from '../../src/events/endpoints.repository';
import { snapshotEvents } from '../../src/events/events.snapshot';
import { EVENT_TYPES, eventPayloadSchema } from '../../src/events/events.types';
import { Webhook } from 'standardwebhooks';
import type { ShipmentState } from '../../workflows/shipment.contract';
import { DEFAULT_POLICY } from '../../workflows/policy';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('retries of a delivery', () => {
  it('wait 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 3 hours', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 12].map((n) => retryDelayMs(n, DEFAULT_EVENT_DISPATCHER));
    expect(waits).toEqual([5_000, 30_000, 2 * MIN, 10 * MIN, 30 * MIN, HOUR, 3 * HOUR, 3 * HOUR]);
  });

  it('go on until three days after the event, the last one on the deadline, then give up', () => {
    const occurred = new Date('2026-11-01T00:00:00Z');
    const at = (ms: number) => new Date(occurred.getTime() + ms);
    expect(afterFailure(1, occurred, at(1000), DEFAULT_EVENT_DISPATCHER)).toEqual({
      status: 'pending',
      nextAttemptAt: at(6000),
    });
    // Two hours before the deadline a 3-hour wait would overshoot: the last try is on it.
    const late = afterFailure(20, occurred, at(70 * HOUR), DEFAULT_EVENT_DISPATCHER);
    expect(late).toEqual({ status: 'pending', nextAttemptAt: at(72 * HOUR) });
    expect(afterFailure(21, occurred, at(72 * HOUR), DEFAULT_EVENT_DISPATCHER)).toEqual({
      status: 'failed',
    });
  });
});

describe('webhook endpoint URLs', () => {
  const production = { production: true, allowedHosts: ['hooks.internal'] };
  const development = { production: false, allowedHosts: [] };

  it('take plain http and local receivers in development only', () => {
    expect(judgeEndpointUrl('http://127.0.0.1:9000/hook', development)).toEqual({
      ok: true,
      url: 'http://127.0.0.1:9000/hook',
    });
    expect(judgeEndpointUrl('http://example.com/hook', production)).toMatchObject({
      ok: false,
      reason: 'must be https in production',
    });
    expect(judgeEndpointUrl('https://example.com/hook', production).ok).toBe(true);
  });

  it('refuse private, loopback and link-local addresses in production unless the host is allowed', () => {
    for (const url of [
      'https://10.0.0.5/hook',
      'https://169.254.169.254/latest',
      'https://[::1]/hook',
      'https://localhost/hook',
    ]) {
      expect(judgeEndpointUrl(url, production), url).toMatchObject({ ok: false });
    }
    expect(judgeEndpointUrl('https://hooks.internal/hook', production).ok).toBe(true);
  });

  it('refuse what is not an http URL, credentials in the URL and fragments', () => {
    expect(judgeEndpointUrl('not a url', development)).toMatchObject({ ok: false });
    expect(judgeEndpointUrl('ftp://example.com/x', development)).toMatchObject({ ok: false });
    expect(judgeEndpointUrl('https://u:p@example.com/x', development)).toMatchObject({
      ok: false,
    });
    expect(judgeEndpointUrl('https://example.com/x#frag', development)).toMatchObject({
      ok: false,
    });
  });
});

describe('signing secrets', () => {
  it('are made the Standard Webhooks way and sign what the library verifies', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newSigningSecret()).not.toBe(secret);
    const hook = new Webhook(secret);
    const body = JSON.stringify({ type: 'shipment.closed' });
    const now = new Date();
    const signature = hook.sign('evt_1', now, body);
    expect(
      hook.verify(body, {
        'webhook-id': 'evt_1',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      }),
    ).toEqual({ type: 'shipment.closed' });
  });
});

function aState(overrides: Partial<ShipmentState> = {}): ShipmentState {
  return {
    shipmentId: 'SHP-1',
    stage: 'monitoring',
    policy: { ...DEFAULT_POLICY, version: 1 },
    registeredAt: '2026-11-01T00:00:00.000Z',
    eventCount: 0,
    deadlines: {},
    thresholdFactor: 1,
    reviewRound: 0,
    notifications: [],
    timeline: [],
    ...overrides,
  } as ShipmentState;
}

describe('events a snapshot shows', () => {
  it('are none for a shipment that is only being watched (no extra write)', () => {
    expect(snapshotEvents(aState())).toEqual([]);
  });

  it('are the suspicion, the reship, a confirmed refund and the close, each under its own key', () => {
    const now = new Date('2026-11-05T00:00:00.000Z');
    const state = aState({
      stage: 'closed',
      resolution: 'reshipped',
      suspicion: { reason: 'stalled', detectedAt: '2026-11-03T00:00:00.000Z' },
      reship: {
        shipmentId: 'SHP-1~R1',
        workflowId: 'shipment:SHP-1~R1',
        carrier: 'sandbox',
        trackingNumber: 'SB1',
        warehouseId: 'wh',
        labelId: 'L1',
        reservationId: 'R1',
        shopOrder: { shopId: 'shop-1', orderId: 'gid://shopify/Order/2' },
      },
      refund: {
        amount: 12,
        currency: 'EUR',
        recordedAt: '2026-11-04T00:00:00.000Z',
        status: 'refunded',
        reference: 'RF-1',
      },
    });
    const events = snapshotEvents(state, now);
    expect(events.map((e) => [e.type, e.dedupeKey])).toEqual([
      ['shipment.flagged', 'shipment.flagged:SHP-1:2026-11-03T00:00:00.000Z'],
      ['shipment.reshipped', 'shipment.reshipped:SHP-1:SHP-1~R1'],
      ['shipment.refunded', 'shipment.refunded:SHP-1'],
      ['shipment.closed', 'shipment.closed:SHP-1'],
    ]);
    expect(events[1]!.data).toMatchObject({
      replacementShipmentId: 'SHP-1~R1',
      trackingNumber: 'SB1',
      shopOrder: { shopId: 'shop-1', orderId: 'gid://shopify/Order/2' },
    });
    // Every one is a payload its documented schema takes (the read model adds orderId).
    for (const e of events) {
      const payload = {
        type: e.type,
        timestamp: new Date(e.occurredAt ?? now).toISOString(),
        data: { ...e.data, orderId: 'ORD-1' },
      };
      expect(eventPayloadSchema(e.type).safeParse(payload).success, e.type).toBe(true);
    }
  });

  it('leave out a refund left to the seller (manual): nothing was refunded', () => {
    const state = aState({
      refund: { amount: 5, currency: 'USD', recordedAt: '2026-11-04T00:00:00Z', status: 'manual' },
    });
    expect(snapshotEvents(state)).toEqual([]);
  });

  it('cover every event type with a payload schema', () => {
    for (const t of EVENT_TYPES) expect(eventPayloadSchema(t).shape.type.value).toBe(t);
  });
});
