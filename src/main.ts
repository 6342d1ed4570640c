/**
 * `npm start`: the whole of Parcelwarden on one machine with embedded defaults. Anything set in
 * the environment (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, SANDBOX_CARRIER_URL) is used instead
 * of its embedded stand-in. In production mode (NODE_ENV=production) loadConfig has made sure of
 * every secret, and no mail sink, sandbox carrier, sandbox store or payload key file is made here. Ctrl-C stops
 * everything, in reverse order.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sandboxWebhookSecrets } from './carriers/sandbox/sandbox.config';
import { createSandboxCarrier } from './carriers/sandbox/sandbox.server';
import { ConfigError, DEV_API_KEY, isProduction, loadConfig, type Config } from './config';
import { startEmbeddedPostgres } from './infra/embedded-postgres';
import { findTemporalCli } from './infra/temporal-cli';
import { startTemporalDevServer } from './infra/temporal-dev';
import { createLogger, prettyLogs } from './logger';
import { startMailSink } from './mail/smtp-sink';
import { prepareDatabase, startApi, startWorker } from './services';
import { createSecretBox } from './shops/secret-box';
import { createShopRepository } from './shops/shops.repository';
import { startSandboxStores, type SandboxStore } from './shops/shops.sandbox';
import { ensurePayloadKeyFile } from './temporal/payload-key-file';

const say = (msg: string) => process.stdout.write(`${msg}\n`);

async function main(): Promise<void> {
  const config: Config = loadConfig(process.env, { role: 'start' });
  const production = isProduction(config);
  const logger = createLogger(config.logLevel, undefined, undefined, {
    pretty: prettyLogs(config.nodeEnv),
  });
  await fs.mkdir(config.dataDir, { recursive: true });
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const shutdown = async (why: string) => {
    say(`\n${why}: stopping Parcelwarden…`);
    for (const s of stops.reverse()) {
      try {
        await s.stop();
        say(`  stopped ${s.name}`);
      } catch (err) {
        say(`  ${s.name} did not stop cleanly: ${(err as Error).message}`);
      }
    }
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    // Payload encryption: PAYLOAD_KEY, else a key of this data folder, made once.
    let payloadKey = config.payloadKey;
    let payloadKeyWhere = 'PAYLOAD_KEY';
    if (!payloadKey && !production) {
      const keyFile = await ensurePayloadKeyFile(config.dataDir);
      payloadKey = keyFile.value;
      payloadKeyWhere = keyFile.file;
      say(
        `${keyFile.created ? 'Created' : 'Using'} the payload encryption key ${keyFile.file} ` +
          '(keep it: workflows encrypted with it cannot be read without it).',
      );
    }

    // PostgreSQL
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      say('Starting embedded PostgreSQL…');
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.embeddedPostgresPort,
        log: (m) => logger.debug(m),
      });
      stops.push({ name: 'PostgreSQL', stop: pg.stop });
      databaseUrl = pg.url;
    }
    const database = await prepareDatabase(databaseUrl, { poolMax: config.databasePoolMax });
    stops.push({ name: 'database pool', stop: database.close });

    // Temporal
    let temporalUi: string | undefined;
    const apiBase = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
    if (!config.temporalAddress) {
      const cliPath = await findTemporalCli({ env: process.env, log: say });
      say('Starting the Temporal dev server…');
      const temporal = await startTemporalDevServer({
        cliPath,
        port: config.temporalDevPort,
        uiPort: config.temporalUiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        namespace: config.temporalNamespace,
        // The UI decodes payloads through our API (it needs an ops, analyst or admin key).
        uiCodecEndpoint: `${apiBase}/codec`,
        log: (m) => logger.warn(m),
      });
      stops.push({ name: 'Temporal dev server', stop: temporal.stop });
      temporalUi = temporal.uiUrl;
    }

    // Mail
    let smtpUrl = config.smtpUrl;
    let mailViewer: string | undefined;
    // Development only: production mode requires SMTP_URL (checked by loadConfig).
    if (!smtpUrl && !production) {
      const sink = await startMailSink({
        smtpPort: config.smtpSinkPort,
        httpPort: config.mailViewerPort,
        storeFile: path.join(config.dataDir, 'mail.jsonl'),
        log: (m) => logger.debug(m),
      });
      stops.push({ name: 'mail sink', stop: sink.stop });
      smtpUrl = `smtp://127.0.0.1:${sink.smtpPort}`;
      mailViewer = sink.httpUrl;
    }

    // Sandbox carrier
    let sandboxCarrierUrl = config.sandboxCarrierUrl;
    // Development only: production mode starts no sandbox (SANDBOX_CARRIER_URL when one is used).
    if (!sandboxCarrierUrl && !production) {
      const sandbox = createSandboxCarrier({
        apiKey: config.sandboxCarrierKey,
        log: (m) => logger.debug(m),
        webhookSecrets: sandboxWebhookSecrets(config),
        // Scenario webhooks go to this API and nowhere else.
        apiBaseUrl: apiBase,
      });
      const http = await sandbox.listen(config.sandboxCarrierPort, '127.0.0.1');
      stops.push({ name: 'sandbox carrier', stop: http.close });
      sandboxCarrierUrl = http.url;
    }

    // Sandbox stores, development only: a Shopify and a WooCommerce store whose webhooks come to
    // this API, connected as shops sandbox-shopify and sandbox-woocommerce.
    let sandboxStores: SandboxStore[] = [];
    if (!production && payloadKey) {
      sandboxStores = await startSandboxStores({
        apiBaseUrl: apiBase,
        shopify: { port: config.sandboxShopifyPort, secret: config.sandboxShopifySecret },
        woocommerce: {
          port: config.sandboxWooCommercePort,
          secret: config.sandboxWooCommerceSecret,
        },
        shops: createShopRepository(database.db, createSecretBox(payloadKey)),
        log: (m) => logger.debug(m),
      });
      for (const store of sandboxStores)
        stops.push({ name: `sandbox ${store.platform} store`, stop: store.close });
    }

    const effective: Config = { ...config, databaseUrl, smtpUrl, sandboxCarrierUrl, payloadKey };
    const worker = await startWorker(effective, database, logger);
    stops.push({ name: 'worker', stop: worker.stop });
    const api = await startApi(effective, database, logger);
    stops.push({ name: 'API', stop: api.stop });

    say('');
    say('Parcelwarden is running.');
    say(
      `  API              ${api.url}   (Authorization: Bearer ${config.apiKeys ? '<a key from API_KEYS>' : `${DEV_API_KEY}  — development key; set API_KEYS for real use`})`,
    );
    say(`  API docs         ${api.url}/docs   (OpenAPI 3.1 at ${api.url}/openapi.json)`);
    say(`  Ops console      ${api.url}/console   (log in with an ops or admin key)`);
    say(
      `  Metrics          ${api.url}/metrics   (analyst/admin key or METRICS_TOKEN${config.temporalMetricsAddress ? `; SDK metrics from ${config.temporalMetricsAddress}` : ''})`,
    );
    say(`  Temporal UI      ${temporalUi ?? '(external Temporal: see TEMPORAL_ADDRESS)'}`);
    say(`  Codec endpoint   ${api.url}/codec   (payloads encrypted with ${payloadKeyWhere})`);
    say(
      `  Mail sink        ${mailViewer ?? `(external SMTP: ${config.smtpUrl ? 'SMTP_URL' : ''})`}`,
    );
    say(
      `  Sandbox carrier  ${sandboxCarrierUrl ? `${sandboxCarrierUrl}   (Authorization: Bearer <SANDBOX_CARRIER_KEY>)` : '(none: real providers)'}`,
    );
    for (const store of sandboxStores)
      say(
        `  ${store.platform === 'shopify' ? 'Shopify sandbox ' : 'Woo sandbox     '} ${store.url}   (${store.platform === 'shopify' ? 'Shopify' : 'WooCommerce'} store, shop ${store.shopId}; orders: POST ${store.url}/sandbox/orders)`,
      );
    if (production) say('  Mode             production (NODE_ENV=production)');
    say(`  Data             ${config.dataDir}`);
    say('Press Ctrl-C to stop.');

    void worker.done.catch(async (err: unknown) => {
      if (stopping) return;
      logger.error({ err }, 'worker stopped unexpectedly');
      stopping = true;
      await shutdown('worker failure');
      process.exit(1);
    });
  } catch (err) {
    await shutdown('start-up failed');
    throw err;
  }
}

main().catch((err: unknown) => {
  const msg = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`\nParcelwarden could not start: ${msg}\n`);
  process.exit(1);
});
