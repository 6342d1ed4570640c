/** `npm run api`: the HTTP API alone, against configured services. */
import { loadConfig } from './config';
import { connectDatabase, migrateDatabase } from './db/client';
import { seed } from './db/seed';
import { createLogger } from './logger';
import { MissingSettingError, startApi } from './services';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, 'parcelwarden-api');
  if (!config.databaseUrl)
    throw new MissingSettingError(
      'DATABASE_URL',
      'Set it to your PostgreSQL, e.g. postgres://user:pass@host:5432/parcelwarden (or use `npm start` for the embedded one).',
    );
  if (!config.apiKeys)
    throw new MissingSettingError(
      'API_KEYS',
      'Set role:key pairs, e.g. API_KEYS=ingest:k1,ops:k2,analyst:k3,admin:k4.',
    );
  await migrateDatabase(config.databaseUrl);
  const database = connectDatabase(config.databaseUrl);
  await seed(database.db);
  const api = await startApi(config, database, logger, config.apiKeys);
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
