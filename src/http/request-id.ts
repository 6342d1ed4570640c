import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestContext, safeUrl, serializeError } from '../logger';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** What we accept from a caller: short, printable, no spaces (it ends up in logs and headers). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a sane X-Request-Id from the caller or makes one; echoed on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * The level of a request's log line: a 5xx (or a thrown error) is ours to fix, `error`; a 4xx is
 * the client's mistake, answered as designed, so `info` like any other answer (a warning there
 * would drown the warnings that need someone).
 */
export function requestLogLevel(
  _req: IncomingMessage,
  res: ServerResponse,
  err?: Error,
): 'error' | 'info' {
  return err || res.statusCode >= 500 ? 'error' : 'info';
}

/**
 * Request ids and request logs: `req.id` is the id, `req.log` a child logger with `requestId`, and
 * loggers from createLogger add it too while the request is handled. One line per request on
 * completion.
 */
export function requestLogging(logger: Logger): RequestHandler {
  const http = pinoHttp({
    logger,
    genReqId: requestId,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    // Never log headers: they carry API keys and the codec session cookie. Query strings may
    // carry customer data; keep the path, with the secrets in it masked (/survey/<token>).
    // Errors without what their queries were given (customer names, e-mails, streets).
    serializers: {
      req: (req: { method: string; url: string }) => ({
        method: req.method,
        path: safeUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
    customLogLevel: requestLogLevel,
  });
  // The rest of the request runs inside the context, so loggers made by createLogger add the id.
  return (req, res, next) => {
    http(req, res, () => requestContext.run({ requestId: String(req.id) }, next));
  };
}
