/**
 * Guards of the development servers (mail sink, sandbox carrier). They hold customer mail and
 * can push signed webhooks, and listen on loopback: a web page the developer visits can still
 * reach them through DNS rebinding (its own name resolving to 127.0.0.1), but its requests then
 * carry that foreign name in `Host`. So they answer only loopback names.
 */
import type { RequestHandler } from 'express';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Is `host` (a Host header: name and optional port) a loopback name, or one of `alsoAllowed`
 * (host names, compared without the port, e.g. a compose service name)?
 */
export function isAllowedHost(host: string | undefined, alsoAllowed: string[] = []): boolean {
  if (!host) return false;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match) return false;
  const name = match[1]!.toLowerCase();
  return LOOPBACK_NAMES.has(name) || alsoAllowed.some((h) => h.toLowerCase() === name);
}

export const MISDIRECTED = {
  status: 421,
  code: 'request.misdirected',
  message:
    'This development server answers only requests addressed to localhost, 127.0.0.1 or [::1].',
} as const;

/** Express middleware: 421 to any request whose Host is not a loopback (or allowed) name. */
export function loopbackHostOnly(alsoAllowed: string[] = []): RequestHandler {
  return (req, res, next) => {
    if (isAllowedHost(req.headers.host, alsoAllowed)) return next();
    res
      .status(MISDIRECTED.status)
      .json({ error: { code: MISDIRECTED.code, message: MISDIRECTED.message } });
  };
}

/** A malformed percent-encoding is the client's error (400), not an exception. */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
