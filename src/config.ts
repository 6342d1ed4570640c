import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { isTimeZone } from './reports/report.period';

/**
 * One declarative configuration: each key has its environment variable, schema, default and doc.
 * Loaded once at start from an injected env (never read at import time).
 */
interface Setting<T extends z.ZodType> {
  env: string;
  doc: string;
  schema: T;
  secret?: boolean;
  /** Production mode needs it set, and not to its (public) development default: see below. */
  production?: Requirement;
}

/**
 * The process that reads the configuration: production mode asks each one only for what it uses
 * (a worker gets no API keys). `start` is `npm start`, which runs both roles.
 */
export type ProcessRole = 'start' | 'api' | 'worker' | 'sandbox' | 'tool';

/** The configuration as loadConfig builds it, before its type is known (for `when`). */
type Values = Readonly<Record<string, unknown>>;

interface Requirement {
  /** The processes that need it in production mode. */
  for: readonly ProcessRole[];
  /** Needed only when this holds of the configuration (e.g. a sandbox provider is chosen). */
  when?: (config: Values, role: ProcessRole) => boolean;
  /** What it protects and how to make one, for the error message. */
  make: string;
}

/** Used only when API_KEYS is unset in development, so the README walk-through works as is. */
export const DEV_API_KEY = 'dev-admin-key';

/** API_KEY_SECRET in development (and tests): public, so production refuses it. */
export const DEV_API_KEY_SECRET = 'parcelwarden-dev-api-key-secret-do-not-use';

/** Signing secrets of the sandbox stores in development: public, so production refuses them. */
export const DEV_SANDBOX_SHOPIFY_SECRET = 'sandbox-shopify-secret';
export const DEV_SANDBOX_WOOCOMMERCE_SECRET = 'sandbox-woocommerce-secret';

const RANDOM_SECRET = 'make one with `openssl rand -base64 32`';
const PROVIDERS = ['trackingProvider', 'labelProvider', 'claimsProvider', 'traceProvider'];
/** Some provider is the sandbox carrier (the default in development). */
export const usesSandbox = (c: Values) => PROVIDERS.some((k) => c[k] === 'sandbox');

/** The keys of an API_KEYS value (role:key,role:key), for checks that must not print them. */
const keysOf = (value: string) =>
  value
    .split(',')
    .map((entry) => entry.slice(entry.indexOf(':') + 1).trim())
    .filter(Boolean);

/** API_KEY_SECRET: one secret, or several comma-separated while rotating (the first hashes). */
export function apiKeySecrets(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const port = z.coerce.number().int().min(0).max(65535);

const DURATION_UNITS_MS = { W: 604_800_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1000 };

/**
 * Milliseconds of an ISO 8601 duration in weeks, days, hours, minutes and seconds (`P30D`,
 * `PT12H`, `P1DT6H`) or of a plain number of days (`30`); undefined for anything else. Years
 * and months are refused: their length depends on the date.
 */
export function durationMs(text: string): number | undefined {
  const v = text.trim().toUpperCase();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * DURATION_UNITS_MS.D;
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m.map((x) => Number(x ?? 0));
  return (
    w! * DURATION_UNITS_MS.W +
    d! * DURATION_UNITS_MS.D +
    h! * DURATION_UNITS_MS.H +
    min! * DURATION_UNITS_MS.M +
    s! * DURATION_UNITS_MS.S
  );
}

export const settings = {
  nodeEnv: {
    env: 'NODE_ENV',
    doc: '`production` refuses development defaults: it needs API_KEYS, API_KEY_SECRET, SURVEY_SECRET, PAYLOAD_KEY and METRICS_TOKEN (and the sandbox secrets when a provider is the sandbox), and `npm start` then runs no mail sink, sandbox carrier or sandbox store of its own (docs/security.md, Production mode). `development` and `test` use the defaults below.',
    schema: z.enum(['development', 'production', 'test']).default('development'),
  },
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
  temporalUiUrl: {
    env: 'TEMPORAL_UI_URL',
    doc: 'Temporal Web UI base URL for links from shipment histories (default: the dev server UI on TEMPORAL_UI_PORT).',
    schema: z.string().url().optional(),
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
    production: {
      for: ['start', 'worker'],
      make: 'production mode runs no local mail sink (it would keep customer mail instead of sending it): point SMTP_URL at your mail server, e.g. smtp://user:pass@mail.example.com:587',
    },
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
  reportEnabled: {
    env: 'REPORT_ENABLED',
    doc: 'Run the daily carrier report (a Temporal Schedule the worker keeps as configured). false pauses it.',
    schema: z.stringbool().default(true),
  },
  reportSchedule: {
    env: 'REPORT_SCHEDULE',
    doc: 'When the daily carrier report runs: five-field cron read in REPORT_TIMEZONE.',
    schema: z
      .string()
      .trim()
      .regex(/^\S+( \S+){4}$/, 'must be a five-field cron expression such as 0 6 * * *')
      .default('0 6 * * *'),
  },
  reportTimezone: {
    env: 'REPORT_TIMEZONE',
    doc: 'IANA time zone of REPORT_SCHEDULE and of the day the report covers.',
    schema: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
      .default('UTC'),
  },
  publicUrl: {
    env: 'PUBLIC_URL',
    doc: 'Base URL customers reach the API on; survey links in customer messages start with it.',
    schema: z.string().url().default('http://127.0.0.1:3000'),
  },
  surveySecret: {
    env: 'SURVEY_SECRET',
    doc: 'HMAC key that signs survey links. Set your own in production (the default is public).',
    schema: z.string().min(16).default('parcelwarden-dev-survey-secret'),
    secret: true,
    production: {
      for: ['start', 'api', 'worker'],
      make: `it signs survey links, so the public default would let anyone answer any survey: ${RANDOM_SECRET}`,
    },
  },
  surveyLinkTtlDays: {
    env: 'SURVEY_LINK_TTL_DAYS',
    doc: 'Days a survey link works after the survey mail is written; later it shows a page saying the link is not valid or has expired.',
    schema: z.coerce.number().int().min(1).max(365).default(30),
  },
  customerPageDaysAfterClose: {
    env: 'CUSTOMER_PAGE_DAYS_AFTER_CLOSE',
    doc: "Days a shipment's customer page (the link in every customer mail) works after the parcel is delivered or the case closed; later the link shows a page saying it has expired (410).",
    schema: z.coerce.number().int().min(1).max(730).default(90),
  },
  supportReplyHours: {
    env: 'SUPPORT_REPLY_HOURS',
    doc: 'Hours within which a person answers when the customer page hands a conversation over ("a colleague will answer within …").',
    schema: z.coerce.number().int().min(1).max(720).default(48),
  },
  onsiteMessageUrl: {
    env: 'ONSITE_MESSAGE_URL',
    doc: 'Seller endpoint for on-site / marketplace messages (signed POST). Unset: customers who prefer on-site messages get e-mail.',
    schema: z.string().url().optional(),
  },
  onsiteMessageSecret: {
    env: 'ONSITE_MESSAGE_SECRET',
    doc: 'HMAC-SHA256 key of the X-Parcelwarden-Signature header on on-site messages.',
    schema: z.string().default('parcelwarden-dev-onsite-secret'),
    secret: true,
    production: {
      for: ['start', 'worker'],
      when: (c) => Boolean(c.onsiteMessageUrl),
      make: `ONSITE_MESSAGE_URL is set, and the seller's endpoint trusts messages signed with this key; the public default would let anyone forge them: ${RANDOM_SECRET}`,
    },
  },
  outboxLeaseSeconds: {
    env: 'OUTBOX_LEASE_SECONDS',
    doc: 'How long a sender owns a message it is sending; after that (sender died) another may send it.',
    schema: z.coerce.number().int().min(1).default(60),
  },
  outboxPollMs: {
    env: 'OUTBOX_POLL_MS',
    doc: 'How often the worker looks for messages due for (re)sending.',
    schema: z.coerce.number().int().min(100).default(2000),
  },
  outboxAlertAfter: {
    env: 'OUTBOX_ALERT_AFTER',
    doc: 'Failed attempts of one message after which ops get an alert (once).',
    schema: z.coerce.number().int().min(1).default(5),
  },
  outboxPauseBeforeSendMs: {
    env: 'OUTBOX_TEST_PAUSE_MS',
    doc: 'Testing aid: wait this long between recording a message and sending it. Keep 0.',
    schema: z.coerce.number().int().min(0).default(0),
  },
  apiKeys: {
    env: 'API_KEYS',
    doc: 'Comma-separated role:key pairs (roles ingest, ops, analyst, admin). Keys from here that are removed are revoked at the next start; keys created through the API stay. Unset: `npm start` in development uses the development key `dev-admin-key` (never accepted once API_KEYS is set).',
    schema: z
      .string()
      .refine(
        (v) => !keysOf(v).includes(DEV_API_KEY),
        `${DEV_API_KEY} is the public development key; choose your own, e.g. \`openssl rand -hex 32\``,
      )
      .optional(),
    secret: true,
    production: {
      for: ['start', 'api'],
      make: 'production mode has no development key: set role:key pairs with keys you generate, e.g. API_KEYS=admin:$(openssl rand -hex 32)',
    },
  },
  apiKeySecret: {
    env: 'API_KEY_SECRET',
    doc: 'HMAC-SHA-256 key the API keys are stored under (the database holds HMACs, not keys). Comma-separated while rotating: the first hashes, the others still verify and their keys are rewritten under the first on use. The default is public, for development only.',
    schema: z
      .string()
      .refine(
        (v) => apiKeySecrets(v).length > 0 && apiKeySecrets(v).every((p) => p.length >= 32),
        'must be one or more comma-separated secrets of at least 32 characters',
      )
      .default(DEV_API_KEY_SECRET),
    secret: true,
    production: {
      for: ['start', 'api'],
      make: `with it, a copy of the api_keys table is no help in guessing keys; without its own, anyone can: ${RANDOM_SECRET}. Keep it: changing it drops every key created through the API unless the old one stays listed after the new one`,
    },
  },
  sandboxCarrierUrl: {
    env: 'SANDBOX_CARRIER_URL',
    doc: 'Base URL of the sandbox carrier. When unset, `npm start` runs it on SANDBOX_CARRIER_PORT.',
    schema: z.string().url().optional(),
    production: {
      for: ['start', 'worker'],
      when: usesSandbox,
      make: 'a provider is the sandbox carrier and production mode does not start one: run it yourself and set its URL, or choose real providers (TRACKING_PROVIDER, LABEL_PROVIDER, CLAIMS_PROVIDER, TRACE_PROVIDER)',
    },
  },
  sandboxCarrierPort: {
    env: 'SANDBOX_CARRIER_PORT',
    doc: 'Port of the sandbox carrier started by `npm start`.',
    schema: port.default(4010),
  },
  sandboxApiUrl: {
    env: 'SANDBOX_API_URL',
    doc: 'Base URL of the API that `npm run sandbox-carrier` pushes scenario webhooks to, and the only one it pushes to (default PUBLIC_URL; `npm start` uses its own API). The sandbox also answers requests addressed to the host of SANDBOX_CARRIER_URL besides localhost.',
    schema: z.string().url().optional(),
  },
  sandboxCarrierKey: {
    env: 'SANDBOX_CARRIER_KEY',
    doc: 'API key the sandbox carrier expects.',
    schema: z.string().default('sandbox-secret'),
    secret: true,
    production: {
      for: ['start', 'worker', 'sandbox'],
      when: (c, role) => role === 'sandbox' || usesSandbox(c),
      make: `a provider is the sandbox carrier, whose API (fault injection included) this key guards: ${RANDOM_SECRET}`,
    },
  },
  refundUrl: {
    env: 'REFUND_URL',
    doc: "The seller's order-system endpoint that refunds a customer (POST JSON with an Idempotency-Key header). When unset, refunds are recorded as `manual` for ops to pay.",
    schema: z.string().url().optional(),
  },
  refundSecret: {
    env: 'REFUND_SECRET',
    doc: 'When set, refund requests carry `X-Parcelwarden-Signature: sha256=<HMAC-SHA256 of the body>`.',
    schema: z.string().optional(),
    secret: true,
  },
  refundTimeoutMs: {
    env: 'REFUND_TIMEOUT_MS',
    doc: 'How long one refund request may take before it is retried.',
    schema: z.coerce.number().int().positive().default(10_000),
  },
  reshipMaxLossRate: {
    env: 'RESHIP_MAX_LOSS_RATE',
    doc: 'A carrier that lost more than this share of finished shipments on a lane (0.05 = 5 %) is avoided for reships on it.',
    schema: z.coerce.number().min(0).max(1).default(0.05),
  },
  reshipLossMinSample: {
    env: 'RESHIP_LOSS_MIN_SAMPLE',
    doc: 'Finished shipments a carrier needs on a lane before its loss rate counts.',
    schema: z.coerce.number().int().min(1).default(20),
  },
  reshipInsureAbove: {
    env: 'RESHIP_INSURE_ABOVE',
    doc: 'Reships declared above this value are insured (in the order currency).',
    schema: z.coerce.number().min(0).default(100),
  },
  reshipInsuranceRate: {
    env: 'RESHIP_INSURANCE_RATE',
    doc: 'Insurance premium per 100 of declared value for an insured reship.',
    schema: z.coerce.number().min(0).default(1.39),
  },
  aftershipWebhookSecret: {
    env: 'AFTERSHIP_WEBHOOK_SECRET',
    doc: 'AfterShip webhook secret (Settings › Webhooks); checks `aftership-hmac-sha256` on POST /v1/webhooks/aftership. Unset: no such receiver (404).',
    schema: z.string().optional(),
    secret: true,
  },
  track17ApiKey: {
    env: 'TRACK17_API_KEY',
    doc: '17TRACK API key (17token); 17TRACK signs webhook pushes with it (`sign` header on POST /v1/webhooks/17track). Unset: no such receiver (404).',
    schema: z.string().optional(),
    secret: true,
  },
  easypostWebhookSecret: {
    env: 'EASYPOST_WEBHOOK_SECRET',
    doc: 'The `webhook_secret` of your EasyPost webhook; checks `X-Hmac-Signature` on POST /v1/webhooks/easypost. Unset: no such receiver (404).',
    schema: z.string().optional(),
    secret: true,
  },
  sandboxWebhookSecret: {
    env: 'SANDBOX_WEBHOOK_SECRET',
    doc: "HMAC key of the sandbox carrier's webhook pushes (`x-sandbox-signature`, POST /v1/webhooks/sandbox); the sandbox signs with the same value. That receiver exists only while TRACKING_PROVIDER=sandbox.",
    schema: z.string().default('sandbox-webhook-secret'),
    secret: true,
    production: {
      for: ['start', 'api', 'sandbox'],
      when: (c, role) => role === 'sandbox' || c.trackingProvider === 'sandbox',
      make: `TRACKING_PROVIDER is the sandbox carrier, so POST /v1/webhooks/sandbox takes tracking events signed with this key, and the public default would let anyone post them: ${RANDOM_SECRET}`,
    },
  },
  shopUrl: {
    env: 'SHOP_URL',
    doc: "One store connected at API start, for those who prefer a variable to `PUT /v1/shops/{shopId}`: `shopify://<access token>:<webhook secret>@<store>.myshopify.com?originCountry=CN` or `woocommerce://<consumer key>:<consumer secret>@<store host>?webhookSecret=<secret>&originCountry=CN`. Parameters: originCountry (required), shopId (default `default`), policy (default `default`), url (the store's base URL when it is not https://<host>), senderName, replyTo; percent-encode reserved characters. Each start updates the shop to match; unsetting it leaves the shop connected (remove it with DELETE /v1/shops/{shopId}). See docs/shops.md.",
    schema: z.string().optional(),
    secret: true,
  },
  sandboxShopifyPort: {
    env: 'SANDBOX_SHOPIFY_PORT',
    doc: 'Port of the sandbox Shopify store `npm start` runs in development, connected as shop `sandbox-shopify`.',
    schema: port.default(4011),
  },
  sandboxShopifySecret: {
    env: 'SANDBOX_SHOPIFY_SECRET',
    doc: "App secret of the sandbox Shopify store: it signs the store's webhooks (X-Shopify-Hmac-Sha256) and shop `sandbox-shopify` is connected with it. Development only: production mode starts no sandbox store, and the API retires a sandbox shop still connected with a public default.",
    schema: z.string().min(1).default(DEV_SANDBOX_SHOPIFY_SECRET),
    secret: true,
  },
  sandboxWooCommercePort: {
    env: 'SANDBOX_WOOCOMMERCE_PORT',
    doc: 'Port of the sandbox WooCommerce store `npm start` runs in development, connected as shop `sandbox-woocommerce`.',
    schema: port.default(4012),
  },
  sandboxWooCommerceSecret: {
    env: 'SANDBOX_WOOCOMMERCE_SECRET',
    doc: "Webhook secret of the sandbox WooCommerce store: it signs the store's webhooks (X-WC-Webhook-Signature) and shop `sandbox-woocommerce` is connected with it. Development only, as SANDBOX_SHOPIFY_SECRET.",
    schema: z.string().min(1).default(DEV_SANDBOX_WOOCOMMERCE_SECRET),
    secret: true,
  },
  webhookMaxAge: {
    env: 'WEBHOOK_MAX_AGE',
    doc: 'Oldest provider webhook accepted, judged by the time the provider sent it (else its newest event); an older one is refused with 422 webhook.stale_event. ISO 8601 duration (P30D, PT12H) or a number of days.',
    schema: z
      .string()
      .refine(
        (v) => (durationMs(v) ?? 0) > 0,
        'must be an ISO 8601 duration such as P30D or PT12H, or a number of days',
      )
      .default('P30D'),
  },
  trackingProvider: {
    env: 'TRACKING_PROVIDER',
    doc: 'Who answers tracking lookups for real carrier codes: aftership, 17track, easypost or sandbox.',
    schema: z.enum(['aftership', '17track', 'easypost', 'sandbox']).default('sandbox'),
  },
  labelProvider: {
    env: 'LABEL_PROVIDER',
    doc: 'Who books reship labels: easypost or sandbox.',
    schema: z.enum(['easypost', 'sandbox']).default('sandbox'),
  },
  claimsProvider: {
    env: 'CLAIMS_PROVIDER',
    doc: 'Who files and reports claims: easypost (insurance claims) or sandbox.',
    schema: z.enum(['easypost', 'sandbox']).default('sandbox'),
  },
  traceProvider: {
    env: 'TRACE_PROVIDER',
    doc: 'Who opens carrier traces (inquiries): sandbox, or none (traces are then skipped as unsupported).',
    schema: z.enum(['sandbox', 'none']).default('sandbox'),
  },
  aftershipApiKey: {
    env: 'AFTERSHIP_API_KEY',
    doc: 'AfterShip API key (`as-api-key`); required when TRACKING_PROVIDER=aftership.',
    schema: z.string().optional(),
    secret: true,
  },
  aftershipBaseUrl: {
    env: 'AFTERSHIP_BASE_URL',
    doc: 'AfterShip API base URL (tests point it at a local server).',
    schema: z.string().url().default('https://api.aftership.com'),
  },
  track17BaseUrl: {
    env: 'TRACK17_BASE_URL',
    doc: '17TRACK API base URL (tests point it at a local server). TRACK17_API_KEY is required when TRACKING_PROVIDER=17track.',
    schema: z.string().url().default('https://api.17track.net'),
  },
  easypostApiKey: {
    env: 'EASYPOST_API_KEY',
    doc: 'EasyPost API key (basic auth); required when any provider is easypost.',
    schema: z.string().optional(),
    secret: true,
  },
  easypostBaseUrl: {
    env: 'EASYPOST_BASE_URL',
    doc: 'EasyPost API base URL (tests point it at a local server).',
    schema: z.string().url().default('https://api.easypost.com'),
  },
  easypostWarehouseAddresses: {
    env: 'EASYPOST_WAREHOUSE_ADDRESSES',
    doc: 'Comma-separated warehouseId:adr_… pairs: the EasyPost address each warehouse ships reships from.',
    schema: z.string().optional(),
  },
  easypostParcelWeightOz: {
    env: 'EASYPOST_PARCEL_WEIGHT_OZ',
    doc: 'Weight in ounces declared for a reship parcel on EasyPost labels.',
    schema: z.coerce.number().positive().default(16),
  },
  easypostCustomsSigner: {
    env: 'EASYPOST_CUSTOMS_SIGNER',
    doc: 'Name that certifies customs declarations on international EasyPost labels.',
    schema: z.string().default('Parcelwarden'),
  },
  metricsToken: {
    env: 'METRICS_TOKEN',
    doc: 'Bearer token that may read GET /metrics and nothing else (for a Prometheus scraper); analyst and admin keys may read it too.',
    schema: z.string().min(16).optional(),
    secret: true,
    production: {
      for: ['start', 'api'],
      make: `GET /metrics shows traffic and workflow counts to whoever holds it: ${RANDOM_SECRET}`,
    },
  },
  temporalMetricsAddress: {
    env: 'TEMPORAL_METRICS_ADDRESS',
    doc: "host:port where the worker's Temporal SDK serves Prometheus metrics (e.g. 127.0.0.1:9464); the API's /metrics appends them. Unset: SDK metrics off.",
    schema: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
      .optional(),
  },
  databasePoolMax: {
    env: 'DATABASE_POOL_MAX',
    doc: 'Connections each process keeps to PostgreSQL (API and worker each have their own pool).',
    schema: z.coerce.number().int().min(1).max(200).default(10),
  },
  workerMaxCachedWorkflows: {
    env: 'WORKER_MAX_CACHED_WORKFLOWS',
    doc: 'Workflows the worker keeps in its sticky cache (about 0.5 MB each). It needs to hold only the shipments busy right now: memory grows with this, not with open shipments; an evicted shipment is replayed when it wakes.',
    schema: z.coerce.number().int().min(0).default(100),
  },
  workerMaxConcurrentWorkflowTasks: {
    env: 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
    doc: 'Workflow tasks the worker runs at once; the worker polls for half as many (the SDK guidance).',
    schema: z.coerce.number().int().min(2).default(40),
  },
  workerMaxConcurrentActivities: {
    env: 'WORKER_MAX_CONCURRENT_ACTIVITIES',
    doc: 'Activities (carrier, inventory, mail, database calls) the worker runs at once.',
    schema: z.coerce.number().int().min(1).default(100),
  },
  workerMemoryReport: {
    env: 'WORKER_MEMORY_REPORT',
    doc: 'On a line memory-report (or memory-report gc) on its stdin, or on SIGUSR2, the worker prints one line (parcelwarden-worker-memory and JSON) saying where its memory is: V8 heaps of every thread, external memory, sticky cache count, /proc/self/smaps_rollup; with gc (and on the signal) also after a full garbage collection. For measuring: npm run bench sets it; off (the default), the worker neither reads stdin nor handles the signal.',
    schema: z.stringbool().default(false),
  },
  payloadKey: {
    env: 'PAYLOAD_KEY',
    doc: 'AES-256-GCM keys that encrypt workflow payloads in Temporal, as comma-separated keyId:base64key (32 bytes each). The first encrypts; all decrypt, so add a new key in front to rotate. Unset: npm start creates one once in DATA_DIR/payload-key (mode 0600) and reuses it; the worker and API on their own refuse to start without it.',
    schema: z.string().optional(),
    secret: true,
    production: {
      for: ['start', 'api', 'worker'],
      make: "it encrypts customer names, e-mails and addresses in Temporal, and production mode makes no key file of its own; the API and every worker need the same value. Make one with `npm run secrets` (or node -e \"console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))\")",
    },
  },
  rateLimitPerMinute: {
    env: 'RATE_LIMIT_PER_MINUTE',
    doc: 'Requests per minute each API key may make (token bucket, bursts up to the same number); over it the API answers 429 with Retry-After. The default (1,000 a second) stays above what one API process takes in on 2 cores, so it stops a runaway client rather than capping an integration. 0 turns the limit off.',
    schema: z.coerce.number().int().min(0).default(60000),
  },
  publicRateLimitPerMinute: {
    env: 'PUBLIC_RATE_LIMIT_PER_MINUTE',
    doc: 'Requests per minute each client IP may make without an accepted API key (failed authentication, provider webhooks, survey pages, inbound mail, docs); over it the API answers 429 with Retry-After. Behind a reverse proxy every client shares its address, so raise it there. 0 turns the limit off.',
    schema: z.coerce.number().int().min(0).default(1200),
  },
  outboundAllowedHosts: {
    env: 'OUTBOUND_ALLOWED_HOSTS',
    doc: 'Comma-separated host names (or host:port) that outgoing calls (REFUND_URL, ONSITE_MESSAGE_URL, carrier base URLs) may reach on private, loopback or link-local addresses in production mode, e.g. orders.internal,10.0.0.5:8080. Every other such address is refused in production.',
    schema: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean),
      )
      .default([]),
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
  constructor(
    public readonly problems: string[],
    heading = 'Invalid configuration',
  ) {
    super(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const isProduction = (config: Pick<Config, 'nodeEnv'>) => config.nodeEnv === 'production';

/**
 * Production mode (NODE_ENV=production) refuses development defaults: every setting this process
 * needs there must be set, and not to its public default. One error names every one missing.
 */
export function checkProduction(config: Config, role: ProcessRole = 'start'): void {
  if (!isProduction(config)) return;
  const missing: string[] = [];
  for (const [key, s] of Object.entries(settings) as [keyof Config, Setting<z.ZodType>][]) {
    const need = s.production;
    if (!need || !need.for.includes(role) || (need.when && !need.when(config, role))) continue;
    const value = config[key];
    const fallback = s.schema.safeParse(undefined);
    const isDefault = fallback.success && fallback.data !== undefined && value === fallback.data;
    if (value === undefined || isDefault)
      missing.push(
        `${s.env} is ${isDefault ? 'at its public development default' : 'not set'}: ${need.make}.`,
      );
  }
  if (missing.length)
    throw new ConfigError(
      missing,
      'Production mode (NODE_ENV=production) needs these set (`npm run secrets` prints new secrets for all of them)',
    );
}

/**
 * Reads and validates the configuration from an env object (default: process.env), then checks
 * what production mode needs of `role` (see checkProduction).
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  opts: { role?: ProcessRole } = {},
): Config {
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
  const config = out as Config;
  checkProduction(config, opts.role);
  return config;
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
