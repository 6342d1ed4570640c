import type { Config } from '../../config';
import type { WebhookProvider } from '../../webhooks/webhooks.providers';

/** Scenario pushes are signed with the same secrets the API's receivers check. */
export function sandboxWebhookSecrets(config: Config): Partial<Record<WebhookProvider, string>> {
  return {
    sandbox: config.sandboxWebhookSecret,
    aftership: config.aftershipWebhookSecret,
    '17track': config.track17ApiKey,
    easypost: config.easypostWebhookSecret,
  };
}
