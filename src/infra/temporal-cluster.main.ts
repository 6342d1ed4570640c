/**
 * `npm run cluster`: the production-shaped Temporal cluster (temporal-cluster.ts) in the
 * foreground. State stays between runs: the databases `<prefix>_temporal` and
 * `<prefix>_temporal_visibility` on DATABASE_URL's server (else an embedded PostgreSQL under
 * DATA_DIR/temporal-cluster), config and logs under DATA_DIR/temporal-cluster. Ctrl-C stops it.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import {
  CLUSTER_SERVICES,
  findTemporalServer,
  startTemporalCluster,
  TEMPORAL_SERVER_VERSION,
  TemporalClusterError,
} from './temporal-cluster';

const USAGE = `Usage: npm run cluster -- [--port <n>] [--prefix <name>] [--build-only]
  --port        frontend gRPC port (default TEMPORAL_DEV_PORT)
  --prefix      database name prefix (default parcelwarden): <prefix>_temporal, <prefix>_temporal_visibility
  --build-only  build the server and its SQL tool into the cache folder, then exit`;

interface ClusterArgs {
  port?: number;
  prefix: string;
  buildOnly: boolean;
}

class UsageError extends Error {}

function parseClusterArgs(argv: string[]): ClusterArgs {
  const args: ClusterArgs = { prefix: 'parcelwarden', buildOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!v) throw new UsageError(`${arg.split('=')[0]} needs a value`);
      return v;
    };
    if (arg === '--port' || arg.startsWith('--port=')) {
      const v = value();
      const port = Number(v);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new UsageError(`--port must be a port number (1-65535), not "${v}"`);
      args.port = port;
    } else if (arg === '--prefix' || arg.startsWith('--prefix=')) {
      const v = value();
      if (!/^[a-z_][a-z0-9_]{0,40}$/.test(v))
        throw new UsageError(
          `--prefix "${v}" is not usable: lower-case letters, digits and _, not starting with a digit`,
        );
      args.prefix = v;
    } else if (arg === '--build-only') {
      args.buildOnly = true;
    } else if (arg === '--help' || arg === '-h') {
      throw new UsageError('');
    } else {
      throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return args;
}

async function main(): Promise<number> {
  let args: ClusterArgs;
  try {
    args = parseClusterArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `${err.message}\n` : ''}${USAGE}\n`);
    return err.message ? 2 : 0;
  }
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  if (args.buildOnly) {
    const bins = await findTemporalServer({ env: process.env, log });
    log(`Temporal server: ${bins.server}\nSQL tool:        ${bins.sqlTool}`);
    return 0;
  }
  const config = loadConfig(process.env, { role: 'tool' });
  if (config.temporalAddress) {
    log(
      `Note: TEMPORAL_ADDRESS is set (${config.temporalAddress}); this still starts a local cluster.`,
    );
  }
  const runDir = path.join(config.dataDir, 'temporal-cluster');
  const cluster = await startTemporalCluster({
    databaseUrl: config.databaseUrl,
    databasePrefix: args.prefix,
    runDir,
    namespace: config.temporalNamespace,
    frontendPort: args.port ?? config.temporalDevPort,
    log,
  });
  const pids = CLUSTER_SERVICES.map((s) => `${s} ${cluster.pid(s)}`).join(', ');
  log('');
  log(`Temporal cluster ${TEMPORAL_SERVER_VERSION} (PostgreSQL persistence and visibility)`);
  log(`  frontend:   ${cluster.address}   namespace ${cluster.namespace}`);
  log(`  services:   ${pids}`);
  log(
    `  databases:  ${cluster.databases.persistence}, ${cluster.databases.visibility} on ${cluster.databases.serverHost}`,
  );
  log(`  logs:       ${path.join(runDir, 'logs')}`);
  log('Point the app at it (the search attributes are registered already):');
  log(`  TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_NAMESPACE=${cluster.namespace} npm start`);
  log(
    `  TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_NAMESPACE=${cluster.namespace} npm run worker   (one per process you want)`,
  );
  log('Press Ctrl-C to stop.');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping the Temporal cluster…`);
      cluster.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log(`Stopping failed: ${err instanceof Error ? err.message : String(err)}`);
          resolve(1);
        },
      );
    };
    void cluster.unexpectedExit.then(({ service }) => {
      if (stopping) return;
      log(`The ${service} service stopped on its own (see ${cluster.logFile(service)}); stopping.`);
      stopping = true;
      void cluster.stop().finally(() => resolve(1));
    });
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Our own errors say what to fix; anything else keeps its stack for a bug report.
    const known = err instanceof TemporalClusterError || err instanceof ConfigError;
    const text = err instanceof Error ? (known ? err.message : (err.stack ?? err.message)) : err;
    process.stderr.write(`${String(text)}\n`);
    process.exit(1);
  },
);
