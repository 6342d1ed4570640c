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
 * JSON logs on stdout (or `destination`), level from LOG_LEVEL. Top-level `name` is the logger's
 * own name, so only nested `name` fields (a customer's, a recipient's) are redacted.
 */
export function createLogger(
  level: string,
  name = 'parcelwarden',
  destination?: DestinationStream,
): Logger {
  const options = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
