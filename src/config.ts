import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * One declarative configuration: each key has its environment variable, schema, default and doc.
 * Loaded once at start from an injected env (never read at import time).
 */
interface Setting<T extends z.ZodType> {
  env: string;
  doc: string;
  schema: T;
  secret?: boolean;
}

const port = z.coerce.number().int().min(0).max(65535);

export const settings = {
  port: { env: 'PORT', doc: 'HTTP port of the API and console.', schema: port.default(3000) },
  host: { env: 'HOST', doc: 'Address the API binds to.', schema: z.string().default('127.0.0.1') },
  dataDir: {
    env: 'DATA_DIR',
    doc: 'Folder for embedded PostgreSQL, the Temporal dev server SQLite file and the mail sink.',
    schema: z.string().default(path.resolve('.data')),
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'PostgreSQL URL. When unset, `npm start` runs embedded PostgreSQL under DATA_DIR.',
    schema: z.string().url().optional(),
    secret: true,
  },
  embeddedPostgresPort: {
    env: 'EMBEDDED_POSTGRES_PORT',
    doc: 'Port of the embedded PostgreSQL (only when DATABASE_URL is unset).',
    schema: port.default(5433),
  },
  temporalAddress: {
    env: 'TEMPORAL_ADDRESS',
    doc: 'Temporal frontend host:port. When unset, `npm start` runs the Temporal CLI dev server.',
    schema: z.string().optional(),
  },
  temporalNamespace: {
    env: 'TEMPORAL_NAMESPACE',
    doc: 'Temporal namespace.',
    schema: z.string().default('default'),
  },
  temporalApiKey: {
    env: 'TEMPORAL_API_KEY',
    doc: 'API key for Temporal Cloud (enables TLS).',
    schema: z.string().optional(),
    secret: true,
  },
  temporalTls: {
    env: 'TEMPORAL_TLS',
    doc: 'Use TLS to reach Temporal.',
    schema: z.stringbool().default(false),
  },
  temporalCli: {
    env: 'TEMPORAL_CLI',
    doc: 'Path of the `temporal` CLI binary used for the dev server (else PATH, cache, go install).',
    schema: z.string().optional(),
  },
  temporalDevPort: {
    env: 'TEMPORAL_DEV_PORT',
    doc: 'gRPC port of the embedded Temporal dev server.',
    schema: port.default(7233),
  },
  temporalUiPort: {
    env: 'TEMPORAL_UI_PORT',
    doc: 'Port of the Temporal Web UI of the embedded dev server.',
    schema: port.default(8233),
  },
  taskQueue: {
    env: 'TASK_QUEUE',
    doc: 'Task queue of the shipment workflows.',
    schema: z.string().default('shipments'),
  },
  smtpUrl: {
    env: 'SMTP_URL',
    doc: 'SMTP server for customer and ops mail, e.g. smtp://user:pass@host:587. When unset, `npm start` runs a local mail sink.',
    schema: z.string().optional(),
    secret: true,
  },
  smtpSinkPort: {
    env: 'SMTP_SINK_PORT',
    doc: 'SMTP port of the local mail sink.',
    schema: port.default(2525),
  },
  mailViewerPort: {
    env: 'MAIL_VIEWER_PORT',
    doc: 'HTTP port where the local mail sink lists what it received.',
    schema: port.default(3025),
  },
  mailFrom: {
    env: 'MAIL_FROM',
    doc: 'Sender address of customer mail.',
    schema: z.string().default('Parcelwarden <care@parcelwarden.local>'),
  },
  opsEmail: {
    env: 'OPS_EMAIL',
    doc: 'Where ops alerts go.',
    schema: z.string().default('ops@parcelwarden.local'),
  },
  apiKeys: {
    env: 'API_KEYS',
    doc: 'Comma-separated role:key pairs (roles ingest, ops, analyst, admin). `npm start` uses a dev admin key when unset.',
    schema: z.string().optional(),
    secret: true,
  },
  sandboxCarrierUrl: {
    env: 'SANDBOX_CARRIER_URL',
    doc: 'Base URL of the sandbox carrier. When unset, `npm start` runs it on SANDBOX_CARRIER_PORT.',
    schema: z.string().url().optional(),
  },
  sandboxCarrierPort: {
    env: 'SANDBOX_CARRIER_PORT',
    doc: 'Port of the sandbox carrier started by `npm start`.',
    schema: port.default(4010),
  },
  sandboxCarrierKey: {
    env: 'SANDBOX_CARRIER_KEY',
    doc: 'API key the sandbox carrier expects.',
    schema: z.string().default('sandbox-secret'),
    secret: true,
  },
  logLevel: {
    env: 'LOG_LEVEL',
    doc: 'pino log level.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
} satisfies Record<string, Setting<z.ZodType>>;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration from an env object (default: process.env). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(settings) as [string, Setting<z.ZodType>][]) {
    const raw = env[s.env];
    const parsed = s.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) out[key] = parsed.data;
    else
      problems.push(`${s.env}: ${parsed.error.issues.map((i) => i.message).join('; ')} (${s.doc})`);
  }
  if (problems.length) throw new ConfigError(problems);
  return out as Config;
}

/** A copy safe to log: secrets replaced. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [keyof Config, Setting<z.ZodType>][]) {
    out[key] = s.secret && config[key] !== undefined ? '***' : config[key];
  }
  return out;
}

/** Project cache folder outside the repository (Temporal CLI build and similar). */
export function cacheDir(env: Record<string, string | undefined> = process.env): string {
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'parcelwarden');
}
