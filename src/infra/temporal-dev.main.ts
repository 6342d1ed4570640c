/**
 * `npm run temporal:dev`: the Temporal dev server alone, state in DATA_DIR/temporal.db,
 * Web UI on TEMPORAL_UI_PORT. Ctrl-C stops it.
 */
import path from 'node:path';
import { loadConfig } from '../config';
import { findTemporalCli } from './temporal-cli';
import { startTemporalDevServer } from './temporal-dev';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { role: 'tool' });
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  if (config.temporalAddress) {
    log(
      `Note: TEMPORAL_ADDRESS is set (${config.temporalAddress}); this still starts a local dev server.`,
    );
  }
  const cliPath = await findTemporalCli({ env: process.env, log });
  const dbFile = path.join(config.dataDir, 'temporal.db');
  const server = await startTemporalDevServer({
    cliPath,
    port: config.temporalDevPort,
    uiPort: config.temporalUiPort,
    dbFile,
    namespace: config.temporalNamespace,
    log,
  });
  log(`Temporal:  ${server.address}  (namespace ${server.namespace})`);
  log(`Web UI:    ${server.uiUrl ?? '(headless)'}`);
  log(`State:     ${dbFile}`);
  log('Press Ctrl-C to stop.');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the Temporal dev server…`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`Stopping failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  void server.exited.then(({ code, signal }) => {
    if (stopping) return;
    log(`The Temporal dev server stopped on its own (code ${code}, signal ${signal}).`);
    process.exit(1);
  });
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
