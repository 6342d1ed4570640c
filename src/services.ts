/**
 * Composition of the runtime roles from configuration: the worker (workflows + activities) and
 * the API. `npm start`, `npm run worker` and `npm run api` all build on these.
 */
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Server } from 'node:http';
import { createActivities } from '../activities';
import type { ShopAccess } from '../activities/deps';
import { defaultShopPlatforms } from './shops/platforms';
import { createShopRepository } from './shops/shops.repository';
import { createSecretBox, type SecretBox } from './shops/secret-box';
import { connectConfiguredShop, parseShopUrl, retireSandboxShops } from './shops/shops.env';
import type { ShopInput } from './shops/shops.repository';
import { createPolicyRepository } from './policies/policies.repository';
import { createApp, parseApiKeys, type ApiKey } from './api/app';
import {
  DEVELOPMENT_KEY_NAME,
  hashEnvKeys,
  keyHasher,
  syncEnvKeys,
} from './api-keys/api-keys.repository';
import { carrierRegistryFromConfig } from './carriers/registry';
import { SandboxCarrierClient } from './carriers/sandbox/sandbox.client';
import { apiKeySecrets, DEV_API_KEY, isProduction, type Config } from './config';
import { connectDatabase, migrateDatabase, type Database } from './db/client';
import { channelPolicyFromConfig } from './channels/channel-policy';
import { seed } from './db/seed';
import type { Logger } from './logger';
import { createSmtpMailer } from './mail/smtp-mailer';
import { startMessageDispatcher } from './messages/dispatcher';
import { startEventDispatcher } from './events/dispatcher';
import { messagingFromConfig } from './messages/settings';
import {
  connectClient,
  connectWorkerConnection,
  dataConverterFromConfig,
  ensureSearchAttributes,
  payloadCodecFromConfig,
} from './temporal/connection';
import { createShipmentWorker, workerCapacityFromConfig } from './worker';
import { createOutboundFetch } from './http/outbound';
import { webhookSettingsFromConfig } from './webhooks/webhooks.routing';
import { codecSessionSecretFromPayloadKey } from './codec/codec-session';
import { ensureReportSchedule, reportScheduleFromConfig } from './reports/report.schedule';
import { REPORT_SCHEDULE_ID } from '../workflows/report.contract';

export class MissingSettingError extends Error {
  constructor(setting: string, fix: string) {
    super(`${setting} is not set. ${fix}`);
    this.name = 'MissingSettingError';
  }
}

/** DATABASE_URL for a role run on its own (`npm start` brings an embedded PostgreSQL instead). */
export function requireDatabaseUrl(config: Config): string {
  if (config.databaseUrl) return config.databaseUrl;
  throw new MissingSettingError(
    'DATABASE_URL',
    'Set it to your PostgreSQL, e.g. postgres://user:pass@host:5432/parcelwarden (or use `npm start` for the embedded one).',
  );
}

/**
 * Migrates, connects and seeds: what every role does with its database before it serves.
 * `poolMax` is DATABASE_POOL_MAX: the connections this process keeps.
 */
export async function prepareDatabase(
  url: string,
  opts: { poolMax?: number } = {},
): Promise<Database> {
  await migrateDatabase(url);
  const database = connectDatabase(url, { max: opts.poolMax });
  await seed(database.db);
  return database;
}

export interface RunningWorker {
  worker: Worker;
  done: Promise<void>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;
/**
 * The SDK runtime, installed once before any worker connection: warnings only (the bundler is
 * chatty), and no signal handlers of its own, so our entry points stop things in order. With
 * `metricsAddress` the SDK serves Prometheus metrics there (the API's /metrics appends them).
 */
export function installRuntime(opts: { metricsAddress?: string } = {}): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    shutdownSignals: [],
    ...(opts.metricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: { bindAddress: opts.metricsAddress, useSecondsForDurations: true },
            },
          },
        }
      : {}),
  });
  runtimeInstalled = true;
}

/**
 * Browser origins that may call the codec endpoint (/codec/*): the configured Temporal UI, else
 * the dev server's UI under both names a browser may use for it.
 */
export function codecCorsOrigins(
  config: Pick<Config, 'temporalUiUrl' | 'temporalUiPort'>,
): string[] {
  if (config.temporalUiUrl) return [new URL(config.temporalUiUrl).origin];
  return [`http://localhost:${config.temporalUiPort}`, `http://127.0.0.1:${config.temporalUiPort}`];
}

/** The outbound policy of the configuration: production refuses non-public addresses. */
export function outboundFetchFromConfig(config: {
  /** NODE_ENV of the configuration. */
  nodeEnv?: string;
  outboundAllowedHosts: string[];
}): typeof fetch {
  return createOutboundFetch({
    refusePrivate: config.nodeEnv === 'production',
    allowedHosts: config.outboundAllowedHosts,
  });
}

/** Where the API finds the worker's SDK metrics (see TEMPORAL_METRICS_ADDRESS). */
export function sdkMetricsUrl(config: Config): string | undefined {
  return config.temporalMetricsAddress
    ? `http://${config.temporalMetricsAddress}/metrics`
    : undefined;
}

/** Starts the shipment worker against the configured Temporal, database, SMTP and carriers. */
export async function startWorker(
  config: Config,
  database: Database,
  logger: Logger,
): Promise<RunningWorker> {
  if (!config.smtpUrl)
    throw new MissingSettingError(
      'SMTP_URL',
      'Point it at your SMTP server, e.g. smtp://user:pass@mail.example.com:587 (npm start runs a local mail sink for you).',
    );
  // Before anything connects: without PAYLOAD_KEY the worker must not start at all.
  const dataConverter = dataConverterFromConfig(config);
  const mailer = createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom });
  // Each of tracking, labels, claims and traces goes to its configured provider; a provider
  // without its key (or the sandbox without SANDBOX_CARRIER_URL) fails here, naming the variable.
  // Every call to a configured address: no redirects; in production no private addresses.
  const outbound = outboundFetchFromConfig(config);
  // Opens shop credentials and endpoint signing secrets; without PAYLOAD_KEY (tests of other
  // parts) there are no shop calls and no events out.
  const secretBox = config.payloadKey ? createSecretBox(config.payloadKey) : undefined;
  const carriers = carrierRegistryFromConfig(config, {
    sandbox: config.sandboxCarrierUrl
      ? new SandboxCarrierClient({
          baseUrl: config.sandboxCarrierUrl,
          apiKey: config.sandboxCarrierKey,
          fetch: outbound,
        })
      : undefined,
    fetch: outbound,
  });
  const configured = messagingFromConfig(config, (level, msg, meta) =>
    logger[level](meta ?? {}, msg),
  );
  const messaging = configured.onsite
    ? { ...configured, onsite: { ...configured.onsite, fetch: outbound } }
    : configured;
  const activities = createActivities({
    db: database.db,
    carriers,
    mailer,
    opsEmail: config.opsEmail,
    messaging,
    channelPolicy: channelPolicyFromConfig(config),
    shops: secretBox ? createShopAccess(database.db, secretBox, outbound) : undefined,
    refund: {
      url: config.refundUrl,
      secret: config.refundSecret,
      timeoutMs: config.refundTimeoutMs,
      fetch: outbound,
    },
  });
  installRuntime({ metricsAddress: config.temporalMetricsAddress });
  if (config.temporalAddress) {
    // A cluster may not know our search attributes yet (the dev server gets them at start).
    const client = await connectClient(config);
    try {
      const { added } = await ensureSearchAttributes(client.connection, config.temporalNamespace);
      if (added.length) logger.info({ added }, 'registered search attributes');
    } catch (err) {
      logger.warn(
        { err: (err as Error).message },
        'could not register search attributes; register them with the Temporal CLI or your cloud console',
      );
    } finally {
      await client.connection.close();
    }
  }
  const connection = await connectWorkerConnection(config);
  const worker = await createShipmentWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities,
    dataConverter,
    ...workerCapacityFromConfig(config),
  });
  const done = worker.run();
  await ensureReportScheduleAtStart(config, logger);
  const dispatcher = startMessageDispatcher({ db: database.db, mailer, settings: messaging });
  // Events out to the seller's endpoints: fan-out and signed deliveries, crash-safe by lease.
  const eventDispatcher = secretBox
    ? startEventDispatcher({
        db: database.db,
        box: secretBox,
        fetch: outbound,
        log: (level, msg, meta) => logger[level](meta ?? {}, msg),
      })
    : undefined;
  logger.info(
    { taskQueue: config.taskQueue, namespace: config.temporalNamespace },
    'worker running',
  );
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await dispatcher.stop();
      await eventDispatcher?.stop();
      await connection.close();
      mailer.close?.();
    },
  };
}

/**
 * Connected shops for the activities: the shops table (credentials opened with the secret box)
 * and each platform's module, calling out through `fetch` (the outbound policy).
 */
export function createShopAccess(
  db: Database['db'],
  box: SecretBox,
  fetch: typeof globalThis.fetch,
): ShopAccess {
  const repository = createShopRepository(db, box);
  const platforms = defaultShopPlatforms();
  return {
    connection: (shopId) => repository.connection(shopId),
    api: (connection) => platforms.shopApiFor(connection, { fetch }),
    markCredentialsFailing: (shopId) => repository.markCredentialsFailing(shopId),
    markCredentialsWorking: (shopId) => repository.markCredentialsWorking(shopId),
  };
}

/**
 * The daily report's schedule as configured, checked at every worker start (create if absent,
 * update if changed). A failure is logged, not fatal: shipments matter more than the report.
 */
async function ensureReportScheduleAtStart(config: Config, logger: Logger): Promise<void> {
  let client: Client | undefined;
  try {
    client = await connectClient(config);
    const outcome = await ensureReportSchedule(client, reportScheduleFromConfig(config));
    logger.info(
      { scheduleId: REPORT_SCHEDULE_ID, outcome, cron: config.reportSchedule },
      'daily report schedule',
    );
  } catch (err) {
    logger.error(
      { err: (err as Error).message, scheduleId: REPORT_SCHEDULE_ID },
      'could not create or update the daily report schedule; the report will not run',
    );
  } finally {
    await client?.connection.close();
  }
}

/**
 * Shops from configuration, at API start: the store of SHOP_URL is connected (created or
 * updated), and production mode retires sandbox shops a development run left connected with their
 * public secrets.
 */
async function connectShopsAtStart(
  config: Config,
  database: Database,
  logger: Logger,
  configuredShop: ShopInput | undefined,
): Promise<void> {
  if (!config.payloadKey) {
    if (configuredShop)
      throw new MissingSettingError(
        'PAYLOAD_KEY',
        "SHOP_URL's credentials are sealed with it; set it (npm run secrets makes one), or connect the store later with PUT /v1/shops/{shopId}.",
      );
    return;
  }
  const shops = createShopRepository(database.db, createSecretBox(config.payloadKey));
  if (isProduction(config)) {
    const removed = await retireSandboxShops(shops);
    if (removed.length)
      logger.warn(
        { removed },
        'removed sandbox shops connected with public development secrets (production mode)',
      );
  }
  if (configuredShop) {
    const outcome = await connectConfiguredShop(
      shops,
      createPolicyRepository(database.db),
      configuredShop,
      'SHOP_URL',
    );
    logger.info(
      {
        shopId: configuredShop.shopId,
        platform: configuredShop.platform,
        domain: configuredShop.domain,
        outcome,
      },
      'connected the store of SHOP_URL',
    );
  }
}

/** Time a client has to send a whole request, headers and body. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface RunningApi {
  url: string;
  client: Client;
  stop(): Promise<void>;
}

/**
 * The keys of API_KEYS, else (development only: production mode requires API_KEYS) the
 * development key `dev-admin-key`, which is never accepted once API_KEYS is set.
 */
export function apiKeysFromConfig(config: Config): { keys: ApiKey[]; development: boolean } {
  if (config.apiKeys) return { keys: parseApiKeys(config.apiKeys), development: false };
  if (isProduction(config))
    throw new MissingSettingError(
      'API_KEYS',
      'Production mode has no development key: set role:key pairs, e.g. API_KEYS=admin:$(openssl rand -hex 32).',
    );
  return { keys: [{ role: 'admin', key: DEV_API_KEY }], development: true };
}

/** Starts the HTTP API (and console) on the configured port. */
export async function startApi(
  config: Config,
  database: Database,
  logger: Logger,
): Promise<RunningApi> {
  const payloadCodec = payloadCodecFromConfig(config);
  // SHOP_URL is read before anything is served: a mistake stops the start with its fix.
  const configuredShop = config.shopUrl ? parseShopUrl(config.shopUrl) : undefined;
  await connectShopsAtStart(config, database, logger, configuredShop);
  const apiKeys = apiKeysFromConfig(config);
  const apiKeySecretList = apiKeySecrets(config.apiKeySecret);
  // At start, before serving: API_KEYS is the truth for keys from the environment. A key removed
  // from it stops working, and so does the development key once API_KEYS is set.
  const { revoked } = await syncEnvKeys(
    database.db,
    hashEnvKeys(apiKeys.keys, keyHasher(apiKeySecretList)),
    { revokeOthers: true, name: apiKeys.development ? DEVELOPMENT_KEY_NAME : undefined },
  );
  if (revoked)
    logger.warn({ revoked }, 'revoked API keys from the environment that API_KEYS no longer holds');
  const client = await connectClient(config);
  const app = createApp({
    channelPolicy: channelPolicyFromConfig(config),
    db: database.db,
    temporal: client,
    taskQueue: config.taskQueue,
    apiKeys: apiKeys.keys,
    apiKeySecrets: apiKeySecretList,
    developmentKey: apiKeys.development,
    messaging: messagingFromConfig(config),
    ...webhookSettingsFromConfig(config),
    logger,
    temporalUiUrl: config.temporalUiUrl ?? `http://localhost:${config.temporalUiPort}`,
    payloadCodec,
    codecCorsOrigins: codecCorsOrigins(config),
    metricsToken: config.metricsToken,
    sdkMetricsUrl: sdkMetricsUrl(config),
    // Derived from the payload keys, so every API replica accepts the same codec sessions.
    codecSessionSecret: config.payloadKey
      ? codecSessionSecretFromPayloadKey(config.payloadKey)
      : undefined,
    rateLimitPerMinute: config.rateLimitPerMinute,
    publicRateLimitPerMinute: config.publicRateLimitPerMinute,
    // Seals shop credentials and webhook endpoint secrets (the worker opens them with the same key).
    secretBox: config.payloadKey ? createSecretBox(config.payloadKey) : undefined,
    // Calls into shops (backfill, the order a fulfillment webhook lacks) under the outbound policy.
    shopFetch: outboundFetchFromConfig(config),
    webhookEndpointUrls: {
      production: isProduction(config),
      allowedHosts: config.outboundAllowedHosts,
    },
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.on('error', reject);
  });
  // A client that announces a body and never sends it gives up its socket after this long
  // (Node's default is 5 minutes); 1 MB arrives well within it on any real connection.
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    url: `http://${config.host}:${port}`,
    client,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.connection.close();
    },
  };
}
