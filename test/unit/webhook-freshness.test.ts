import { describe, expect, it } from 'vitest';
import { ConfigError, durationMs, loadConfig } from '../../src/config';
import { buildTrackingPayload, type TrackingPush } from '../../src/webhooks/webhooks.payloads';
import {
  DEFAULT_WEBHOOK_MAX_AGE_MS,
  describeDuration,
  staleDelivery,
} from '../../src/webhooks/webhooks.freshness';
import { parseWebhook } from '../../src/webhooks/webhooks.parsers';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/webhooks/webhooks.providers';
import { webhookSettingsFromConfig } from '../../src/webhooks/webhooks.routing';

const DAY = 86_400_000;

describe('WEBHOOK_MAX_AGE', () => {
  it('reads ISO 8601 durations and plain days', () => {
    expect(durationMs('P30D')).toBe(30 * DAY);
    expect(durationMs('PT12H')).toBe(DAY / 2);
    expect(durationMs('P1DT6H30M')).toBe(DAY + 6.5 * 3_600_000);
    expect(durationMs('P2W')).toBe(14 * DAY);
    expect(durationMs('PT90S')).toBe(90_000);
    expect(durationMs('7')).toBe(7 * DAY);
  });

  it('refuses years, months and what is not a duration', () => {
    for (const v of ['P1Y', 'P1M', 'P', 'PT', '', '30 days', '-5', 'P-1D']) {
      expect(durationMs(v), v).toBeUndefined();
    }
  });

  it('defaults to 30 days, and a bad value stops the start naming the variable', () => {
    expect(webhookSettingsFromConfig(loadConfig({})).webhookMaxAgeMs).toBe(
      DEFAULT_WEBHOOK_MAX_AGE_MS,
    );
    expect(webhookSettingsFromConfig(loadConfig({ WEBHOOK_MAX_AGE: 'PT6H' })).webhookMaxAgeMs).toBe(
      DAY / 4,
    );
    expect(() => loadConfig({ WEBHOOK_MAX_AGE: 'P1M' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_MAX_AGE: '0' })).toThrow(/WEBHOOK_MAX_AGE/);
  });

  it('is named in messages the way people say it', () => {
    expect(describeDuration(30 * DAY)).toBe('30 days');
    expect(describeDuration(DAY)).toBe('1 day');
    expect(describeDuration(36 * 3_600_000)).toBe('36 hours');
  });
});

function delivery(provider: WebhookProvider, sentAt: string, scanAt: string) {
  const push: TrackingPush = {
    deliveryId: provider === 'easypost' ? 'evt_1' : 'd-1',
    sentAt,
    trackingNumber: 'N1',
    carrier: 'usps',
    scans: [{ at: scanAt, kind: 'picked_up', description: 'Accepted' }],
  };
  const raw = JSON.stringify(buildTrackingPayload(provider, push));
  return parseWebhook(provider, JSON.parse(raw), Buffer.from(raw));
}

describe('which deliveries are stale', () => {
  const now = Date.parse('2025-06-01T00:00:00.000Z');

  it.each(WEBHOOK_PROVIDERS.filter((p) => p !== '17track'))(
    '%s: judged by the time the provider sent it, however old its scans',
    (provider) => {
      const fresh = delivery(provider, '2025-05-30T00:00:00.000Z', '2024-01-01T00:00:00.000Z');
      expect(staleDelivery(fresh, now, 30 * DAY)).toBeUndefined();
      const old = delivery(provider, '2025-04-01T00:00:00.000Z', '2025-03-31T00:00:00.000Z');
      expect(staleDelivery(old, now, 30 * DAY)).toEqual({
        at: '2025-04-01T00:00:00.000Z',
        basis: 'sent',
      });
    },
  );

  it('17track: judged by its newest scan, as it sends no time of its own', () => {
    const old = delivery('17track', '2025-05-30T00:00:00.000Z', '2025-04-01T00:00:00.000Z');
    expect(staleDelivery(old, now, 30 * DAY)).toEqual({
      at: '2025-04-01T00:00:00.000Z',
      basis: 'newest event',
    });
    const fresh = delivery('17track', '2025-05-30T00:00:00.000Z', '2025-05-29T00:00:00.000Z');
    expect(staleDelivery(fresh, now, 30 * DAY)).toBeUndefined();
  });
});
