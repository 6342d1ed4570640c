import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; never pass secrets or customer details in log fields. */
export function createLogger(level: string, name = 'parcelwarden'): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', '*.email', '*.customer'] });
}
