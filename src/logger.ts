import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger };

/**
 * Fields that carry secrets or customer details, at the top of a log object and one or two levels
 * down (pino redaction paths do not recurse). A customer, a destination or an address is dropped
 * whole: it holds the name, the e-mail and the street together.
 */
const PERSONAL = ['email', 'name', 'customer', 'destination', 'address', 'to', 'phone'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'authorization',
  'cookie',
  'apiKey',
  ...PERSONAL.filter((f) => f !== 'name'),
  ...PERSONAL.map((f) => `*.${f}`),
  ...PERSONAL.map((f) => `*.*.${f}`),
];

/**
 * Fields of an error that carry what a query was given: the driver's `query`, `parameters`,
 * `args` and `types` (postgres.js), drizzle's `query` and `params`, PostgreSQL's `detail`
 * ("Key (email)=(…) already exists", "Failing row contains (…)"), `where` and `internal_query`.
 */
const ERROR_FIELDS_DROPPED = new Set([
  'query',
  'queryText',
  'query text',
  'parameters',
  'params',
  'args',
  'types',
  'values',
  'detail',
  'where',
  'internal_query',
  'internalQuery',
  'raw',
]);
const CAUSE_DEPTH = 5;

/**
 * An error message fit for the log. drizzle puts the SQL and every parameter into the message
 * ("Failed query: …\nparams: …"); PostgreSQL quotes the offending value in data exceptions
 * (SQLSTATE class 22: `invalid input syntax for type uuid: "…"`).
 */
export function safeErrorMessage(message: string, code?: unknown): string {
  if (message.startsWith('Failed query:')) return 'Failed query (SQL and parameters not logged)';
  let out = message.split(/\n\s*params:/)[0]!;
  if (typeof code === 'string' && code.startsWith('22')) out = out.replace(/"[^"]*"/g, '"***"');
  return out;
}

/**
 * pino's `err` serializer: type, message, stack, the SQLSTATE `code`, constraint, table, column and
 * schema names, other plain fields, and the causes (drizzle wraps the driver's error in `cause`),
 * without what a query was given (ERROR_FIELDS_DROPPED). Nested objects other than errors are
 * dropped too: they are where request bodies and rows hide. Takes an Error or what pino's standard
 * serializer made of one (pino-http applies both).
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (typeof err === 'string') return safeErrorMessage(err);
  if (!err || typeof err !== 'object') return err;
  // pino-http hands on the standard serializer's output, which folds the causes' messages into
  // the message and keeps the error itself as `raw`: start again from that.
  const raw = (err as { raw?: unknown }).raw;
  if (raw instanceof Error) return serializeError(raw, depth);
  if (depth > CAUSE_DEPTH) return { type: 'Error', message: '(cause chain cut here)' };
  const e = err as Record<string, unknown>;
  const type =
    typeof e.type === 'string'
      ? e.type
      : err instanceof Error
        ? err.name && err.name !== 'Error'
          ? err.name
          : err.constructor.name
        : 'Object';
  const message = safeErrorMessage(typeof e.message === 'string' ? e.message : '', e.code);
  const out: Record<string, unknown> = { type, message };
  if (typeof e.stack === 'string') {
    // The stack starts with the message (drizzle's holds the parameters): keep the frames only.
    const frames = e.stack.split('\n').filter((line) => /^\s+at /.test(line));
    out.stack = [`${type}: ${message}`, ...frames].join('\n');
  }
  for (const [key, value] of Object.entries(e)) {
    if (key in out || ERROR_FIELDS_DROPPED.has(key)) continue;
    if (key === 'cause' || key === 'errors' || key === 'aggregateErrors') continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  if (e.cause !== undefined) out.cause = serializeError(e.cause, depth + 1);
  const many = Array.isArray(e.errors) ? e.errors : e.aggregateErrors;
  if (Array.isArray(many)) out.errors = many.slice(0, 10).map((x) => serializeError(x, depth + 1));
  return out;
}

/**
 * Rewrites, in place, the message and stack of an error and of its causes where they hold what a
 * query was given (see safeErrorMessage), and drops such fields. For errors that leave the process
 * whole rather than through the log: an activity's failure goes into Temporal's history (in
 * plain text, unlike payloads) and into the SDK's log. Returns the same error.
 */
export function scrubError<T>(err: T): T {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth <= CAUSE_DEPTH; depth++) {
    const x = e as Record<string, unknown>;
    if (typeof x.message === 'string') {
      const safe = safeErrorMessage(x.message, x.code);
      if (safe !== x.message) {
        const frames =
          typeof x.stack === 'string' ? x.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
        const name = e instanceof Error && e.name !== 'Error' ? e.name : e.constructor.name;
        Reflect.set(x, 'message', safe);
        Reflect.set(x, 'stack', [`${name}: ${safe}`, ...frames].join('\n'));
      }
    }
    // The driver's query fields are not deletable (nor enumerable without its debug option).
    for (const key of ['params', 'parameters', 'args', 'query', 'detail', 'where'])
      Reflect.deleteProperty(x, key);
    e = x.cause;
  }
  return err;
}

/** Path segments that are secrets themselves: survey links carry their signed token. */
const SECRET_PATH_SEGMENTS = [/^(\/survey\/)[^/?#]+/];
/** Query parameters whose value is a secret. */
const SECRET_PARAMS =
  /^(token|key|api[-_]?key|access[-_]?token|secret|signature|sig|password|code)$/i;

/**
 * A request URL fit for the log: secrets in the path masked (`/survey/<token>` → `/survey/***`),
 * and the query string dropped (it may carry customer data), or with `keepQuery` kept with the
 * values of `token=`, `key=` and other secret parameters masked.
 */
export function safeUrl(url: string, opts: { keepQuery?: boolean } = {}): string {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  for (const pattern of SECRET_PATH_SEGMENTS) path = path.replace(pattern, '$1***');
  if (!opts.keepQuery || q < 0) return path;
  const params = new URLSearchParams(url.slice(q + 1));
  const masked = [...params].map(
    ([name, value]) =>
      `${encodeURIComponent(name)}=${SECRET_PARAMS.test(name) ? '***' : encodeURIComponent(value)}`,
  );
  return masked.length ? `${path}?${masked.join('&')}` : path;
}

/**
 * The request being handled (set by src/api/request-id.ts), so that every line logged while it is
 * handled carries its id, whichever logger object a module was given.
 */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** Adds `requestId` unless the logger is already a request's child that carries it. */
function withRequestId(_obj: object, _level: number, logger: Logger): object {
  const ctx = requestContext.getStore();
  return ctx && !('requestId' in logger.bindings()) ? { requestId: ctx.requestId } : {};
}

/**
 * Whether logs are written for a person: in development on a terminal. Production, tests and
 * any output that is piped (to a file, a collector) keep one JSON object per line.
 */
export function prettyLogs(nodeEnv: string, isTerminal = process.stdout.isTTY === true): boolean {
  return nodeEnv === 'development' && isTerminal;
}

/**
 * A pino-pretty stream: local wall-clock time instead of epoch milliseconds, the level in words,
 * no pid or host. Synchronous, so a line is out before the process exits on a fatal error.
 */
export function prettyStream(destination?: DestinationStream, colorize = !destination) {
  return PinoPretty({
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
    colorize,
    sync: true,
    ...(destination ? { destination } : {}),
  });
}

/**
 * Logs on stdout (or `destination`), level from LOG_LEVEL: JSON lines, or with `pretty` (see
 * prettyLogs) lines for a person. Top-level `name` is the logger's own name, so only nested
 * `name` fields (a customer's, a recipient's) are redacted.
 */
export function createLogger(
  level: string,
  name = 'parcelwarden',
  destination?: DestinationStream,
  opts: { pretty?: boolean } = {},
): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    mixin: withRequestId,
  };
  if (opts.pretty) return pino(options, prettyStream(destination));
  return destination ? pino(options, destination) : pino(options);
}
