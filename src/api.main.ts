/** `npm run api`: the HTTP API alone, against configured services. */
import { loadConfig } from './config';
import { createLogger, prettyLogs } from './logger';
import { MissingSettingError, prepareDatabase, requireDatabaseUrl, startApi } from './services';
import { payloadCodecFromConfig } from './temporal/connection';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { role: 'api' });
  const logger = createLogger(config.logLevel, 'parcelwarden-api', undefined, {
    pretty: prettyLogs(config.nodeEnv),
  });
  if (!config.apiKeys)
    throw new MissingSettingError(
      'API_KEYS',
      'Set role:key pairs, e.g. API_KEYS=ingest:k1,ops:k2,analyst:k3,admin:k4.',
    );
  // Before the database: without PAYLOAD_KEY, say how to make one.
  payloadCodecFromConfig(config);
  const database = await prepareDatabase(requireDatabaseUrl(config), {
    poolMax: config.databasePoolMax,
  });
  const api = await startApi(config, database, logger);
  logger.info({ url: api.url }, 'API listening');
  const stop = () => {
    void api
      .stop()
      .then(() => database.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `The API could not start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
