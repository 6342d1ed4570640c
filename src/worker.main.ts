/** `npm run worker`: the shipment worker alone, against configured services. */
import { loadConfig } from './config';
import { createLogger, prettyLogs } from './logger';
import { prepareDatabase, requireDatabaseUrl, startWorker } from './services';
import { payloadCodecFromConfig } from './temporal/connection';
import { installMemoryReport } from './worker-memory';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { role: 'worker' });
  const logger = createLogger(config.logLevel, 'parcelwarden-worker', undefined, {
    pretty: prettyLogs(config.nodeEnv),
  });
  // First: without PAYLOAD_KEY, say how to make one before touching the database.
  payloadCodecFromConfig(config);
  const database = await prepareDatabase(requireDatabaseUrl(config), {
    poolMax: config.databasePoolMax,
  });
  const running = await startWorker(config, database, logger);
  const uninstallMemoryReport = config.workerMemoryReport
    ? installMemoryReport({
        cachedWorkflows: () => running.worker.getStatus().numCachedWorkflows,
        onError: (err) => logger.warn({ err: err.message }, 'memory report failed'),
      })
    : undefined;
  const stop = () => running.worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.done;
  uninstallMemoryReport?.();
  await running.stop();
  await database.close();
}

main().catch((err: unknown) => {
  process.stderr.write(
    `The worker could not run: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
