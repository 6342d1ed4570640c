/**
 * Which webhook receivers exist and whose shipments each provider may tell us about. A provider
 * is trusted only for what the carrier registry routes to it (see src/carriers/registry.ts): a
 * signed push from one provider must never move a parcel another provider tracks.
 */
import { durationMs, type Config } from '../config';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from './webhooks.providers';

/** The signing secret of each provider (17TRACK signs with the account's API key). */
export type WebhookSecrets = Partial<Record<WebhookProvider, string>>;

type Capability = 'tracking' | 'claims';

/** The providers the registry routes real carrier codes to; `sandbox` is always the sandbox's. */
export interface WebhookRouting {
  /** TRACKING_PROVIDER: who answers tracking lookups, hence whose scans we apply. */
  tracking: WebhookProvider;
  /** CLAIMS_PROVIDER: who files claims, hence whose claim decisions we apply. */
  claims: WebhookProvider;
  /** Carrier codes (lower case) routed to another provider than the one above. */
  carriers?: Record<string, Partial<Record<Capability, WebhookProvider>>>;
}

/** The configuration's defaults (the development setup: the sandbox carrier does everything). */
export const DEFAULT_WEBHOOK_ROUTING: WebhookRouting = { tracking: 'sandbox', claims: 'sandbox' };

/**
 * The receivers to mount: every provider whose secret is set, except the sandbox unless the
 * sandbox carrier answers the tracking lookups. Its secret has a public default, so anywhere real
 * providers track the parcels its receiver would only be a way in for forged scans.
 */
export function webhookReceivers(
  secrets: WebhookSecrets,
  routing: WebhookRouting,
): WebhookProvider[] {
  return WEBHOOK_PROVIDERS.filter(
    (p) => Boolean(secrets[p]) && (p !== 'sandbox' || routing.tracking === 'sandbox'),
  );
}

/**
 * Whether `provider` serves `carrier` for tracking or claims, as the registry routes it: the
 * `sandbox` code always goes to the sandbox carrier, every other code to the configured provider.
 */
export function servesCarrier(
  routing: WebhookRouting,
  provider: WebhookProvider,
  what: Capability,
  carrier: string,
): boolean {
  const code = carrier.toLowerCase();
  if (code === 'sandbox') return provider === 'sandbox';
  return (routing.carriers?.[code]?.[what] ?? routing[what]) === provider;
}

/** The webhook options of the app, from the configuration (what `startApi` passes). */
export function webhookSettingsFromConfig(config: Config): {
  webhookSecrets: WebhookSecrets;
  webhookRouting: WebhookRouting;
  webhookMaxAgeMs: number;
} {
  return {
    webhookSecrets: {
      aftership: config.aftershipWebhookSecret,
      '17track': config.track17ApiKey,
      easypost: config.easypostWebhookSecret,
      sandbox: config.sandboxWebhookSecret,
    },
    webhookRouting: { tracking: config.trackingProvider, claims: config.claimsProvider },
    // Validated by the setting's schema, so it parses.
    webhookMaxAgeMs: durationMs(config.webhookMaxAge)!,
  };
}
