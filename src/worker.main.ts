/** `npm run worker`: the shipment worker alone, against configured services. */
import { loadConfig } from './config';
import { connectDatabase, migrateDatabase } from './db/client';
import { seed } from './db/seed';
import { createLogger } from './logger';
import { MissingSettingError, startWorker } from './services';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, 'parcelwarden-worker');
  if (!config.databaseUrl)
    throw new MissingSettingError(
      'DATABASE_URL',
      'Set it to your PostgreSQL, e.g. postgres://user:pass@host:5432/parcelwarden (or use `npm start` for the embedded one).',
    );
  await migrateDatabase(config.databaseUrl);
  const database = connectDatabase(config.databaseUrl);
  await seed(database.db);
  const running = await startWorker(config, database, logger);
  const stop = () => running.worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.done;
  await running.stop();
  await database.close();
}

main().catch((err: unknown) => {
  process.stderr.write(
    `The worker could not run: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
