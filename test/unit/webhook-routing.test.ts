import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import {
  servesCarrier,
  webhookReceivers,
  webhookSettingsFromConfig,
} from '../../src/webhooks/webhooks.routing';

const receiversOf = (env: Record<string, string>) => {
  const s = webhookSettingsFromConfig(loadConfig(env));
  return webhookReceivers(s.webhookSecrets, s.webhookRouting);
};

describe('which webhook receivers are mounted', () => {
  it('the development setup (the sandbox carrier tracks) has the sandbox receiver only', () => {
    expect(receiversOf({})).toEqual(['sandbox']);
  });

  it('with a real tracking provider the sandbox receiver is gone, its default secret notwithstanding', () => {
    expect(
      receiversOf({
        TRACKING_PROVIDER: 'aftership',
        AFTERSHIP_API_KEY: 'k',
        AFTERSHIP_WEBHOOK_SECRET: 's',
      }),
    ).toEqual(['aftership']);
  });

  it('a provider is mounted only once its secret is set', () => {
    expect(receiversOf({ TRACKING_PROVIDER: 'easypost', EASYPOST_API_KEY: 'k' })).toEqual([]);
    expect(
      receiversOf({
        TRACKING_PROVIDER: '17track',
        TRACK17_API_KEY: 'k',
        EASYPOST_WEBHOOK_SECRET: 'e',
      }),
    ).toEqual(['17track', 'easypost']);
  });
});

describe('whose shipments a provider may tell us about', () => {
  const routing = { tracking: 'aftership', claims: 'easypost' } as const;

  it('real carrier codes belong to the configured tracking and claims providers', () => {
    expect(servesCarrier(routing, 'aftership', 'tracking', 'usps')).toBe(true);
    expect(servesCarrier(routing, '17track', 'tracking', 'usps')).toBe(false);
    expect(servesCarrier(routing, 'sandbox', 'tracking', 'usps')).toBe(false);
    expect(servesCarrier(routing, 'easypost', 'claims', 'usps')).toBe(true);
    expect(servesCarrier(routing, 'aftership', 'claims', 'usps')).toBe(false);
  });

  it('the sandbox carrier code is the sandbox provider’s alone', () => {
    expect(servesCarrier(routing, 'sandbox', 'tracking', 'sandbox')).toBe(true);
    expect(servesCarrier(routing, 'aftership', 'tracking', 'Sandbox')).toBe(false);
    expect(servesCarrier(routing, 'easypost', 'claims', 'sandbox')).toBe(false);
  });
});
