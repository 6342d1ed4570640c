/** `npm run sandbox-carrier`: the sandbox carrier on its own, for demos and manual testing. */
import pino from 'pino';
import { loadConfig } from '../../config';
import { sandboxWebhookSecrets } from './sandbox.config';
import { createSandboxCarrier } from './sandbox.server';

// In production mode its key and webhook secret must be your own, not the public defaults.
const config = loadConfig(process.env, { role: 'sandbox' });
const logger = pino({ level: config.logLevel, name: 'sandbox-carrier' });
const sandbox = createSandboxCarrier({
  apiKey: config.sandboxCarrierKey,
  log: (m) => logger.info(m),
  webhookSecrets: sandboxWebhookSecrets(config),
  apiBaseUrl: config.sandboxApiUrl ?? config.publicUrl,
  // Other containers reach it by the name in SANDBOX_CARRIER_URL (docker-compose.yml).
  allowedHosts: config.sandboxCarrierUrl ? [new URL(config.sandboxCarrierUrl).hostname] : [],
});
const server = await sandbox.listen(config.sandboxCarrierPort, config.host);
logger.info(`sandbox carrier listening on ${server.url}`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal} received, stopping`);
  await server.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
