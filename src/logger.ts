import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

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
  'headers.authorization',
  'authorization',
  'apiKey',
  ...PERSONAL.filter((f) => f !== 'name'),
  ...PERSONAL.map((f) => `*.${f}`),
  ...PERSONAL.map((f) => `*.*.${f}`),
];

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
 * JSON logs on stdout (or `destination`), level from LOG_LEVEL. Top-level `name` is the logger's
 * own name, so only nested `name` fields (a customer's, a recipient's) are redacted.
 */
export function createLogger(
  level: string,
  name = 'parcelwarden',
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin: withRequestId,
  };
  return destination ? pino(options, destination) : pino(options);
}
