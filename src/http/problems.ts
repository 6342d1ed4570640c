import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

/** Base of the `type` URI of every problem (RFC 9457); the code is appended. */
export const PROBLEM_BASE = 'https://parcelwarden.dev/problems/';

export interface FieldError {
  path: string;
  message: string;
}

/**
 * An HTTP error with a namespaced, unique code (`review.not_awaiting`). Thrown anywhere in a
 * request; the error middleware renders it as application/problem+json.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      /** Extension members of this kind of problem (RFC 9457 §3.2), e.g. `suggestions`. */
      members?: Record<string, unknown>;
    } = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

/** Zod issues as `{path: 'items.0.quantity', message}`; the root is named `body` (or `query`). */
export function fieldErrors(error: z.ZodError, root = 'body'): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : root,
    message: issue.message,
  }));
}

export function validationFailed(errors: FieldError[], where = 'request body'): ProblemError {
  return new ProblemError(
    400,
    'validation.failed',
    'Validation failed',
    `The ${where} is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

export const routeNotFound: RequestHandler = (req) => {
  throw new ProblemError(
    404,
    'route.not_found',
    'Route not found',
    `There is no route ${req.method} ${req.path}.`,
  );
};

/** body-parser's limit in bytes as `1 MB` / `4 MB` (1 MB when it does not say). */
function sizeLimit(err: object): string {
  const limit = 'limit' in err && typeof err.limit === 'number' ? err.limit : 1024 * 1024;
  return limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MB` : `${limit} bytes`;
}

/** Errors raised by express.json (body-parser) carry a `type`; map the ones a client can cause. */
function fromBodyParser(err: unknown): ProblemError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  // zlib's own errors (Z_DATA_ERROR…) when a body is not the gzip/deflate it claims to be.
  if ('code' in err && typeof err.code === 'string' && /^(Z_|ERR__)/.test(err.code)) {
    return new ProblemError(
      400,
      'request.bad_encoding',
      'Body does not match its Content-Encoding',
      'The request body could not be decompressed as its Content-Encoding says.',
    );
  }
  if (!('type' in err)) return exposedClientError(err);
  switch (err.type) {
    case 'entity.parse.failed':
      return new ProblemError(
        400,
        'request.malformed_json',
        'Malformed JSON',
        'The request body is not valid JSON.',
      );
    case 'entity.too.large':
      return new ProblemError(
        413,
        'request.too_large',
        'Request body too large',
        `The request body exceeds the limit of ${sizeLimit(err)}.`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError(
        415,
        'request.unsupported_encoding',
        'Unsupported encoding',
        'Send the body as UTF-8 JSON, without content encoding or with gzip/deflate.',
      );
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ProblemError(
        400,
        'request.invalid',
        'Invalid request',
        'The request body could not be read.',
      );
    default:
      return exposedClientError(err);
  }
}

/**
 * express's router decodes path parameters with decodeURIComponent and passes the URIError on
 * (status 400, not marked as exposable): a client's malformed percent-encoding, not our fault.
 */
function fromRouter(err: unknown): ProblemError | undefined {
  if (!(err instanceof URIError)) return undefined;
  return new ProblemError(
    400,
    'request.malformed_path',
    'Malformed path',
    'A path segment is not valid percent-encoding (a "%" must be followed by two hex digits of UTF-8).',
  );
}

/** Another 4xx that body-parser (http-errors) marks as safe to show: kept as a 4xx. */
function exposedClientError(err: object): ProblemError | undefined {
  const status = 'status' in err && typeof err.status === 'number' ? err.status : 0;
  const exposed = 'expose' in err && err.expose === true;
  if (!exposed || status < 400 || status > 499) return undefined;
  return new ProblemError(
    status,
    'request.invalid',
    'Invalid request',
    'The request body could not be read.',
  );
}

/** Network errors of a dependency we cannot reach (Node's codes). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/**
 * The postgres driver's codes for a connection the server closed or never answered on. Not
 * CONNECTION_ENDED or _DESTROYED: those mean our own code ended the pool, a bug (500).
 */
const DRIVER_CONNECTION = new Set(['CONNECTION_CLOSED', 'CONNECT_TIMEOUT']);

/**
 * Is this (or what it wraps: drizzle wraps driver errors in `cause`) the database being out of
 * reach rather than a fault of ours? SQLSTATE class 08 (connection exception), 57P01-57P03
 * (the server is shutting down, crashed or not accepting connections yet), and socket errors.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNREACHABLE.has(code) || DRIVER_CONNECTION.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) return true;
    }
    // A pool that could not connect to any address reports an AggregateError of socket errors.
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The database is down or restarting: the client should send the same request again later. */
export function databaseUnavailable(): ProblemError {
  return new ProblemError(
    503,
    'database.unavailable',
    'Database unavailable',
    'The database cannot be reached right now. Send the same request again shortly.',
    { headers: { 'Retry-After': '5' } },
  );
}

function requestIdOf(req: { id?: unknown }): string | undefined {
  return typeof req.id === 'string' ? req.id : undefined;
}

/** The one error middleware: every failure leaves as problem+json; internals never leak. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const requestId = requestIdOf(req);
    // req.log (see request-id.ts) already puts requestId on every line.
    const log = req.log ?? logger.child({ requestId });
    let problem = err instanceof ProblemError ? err : (fromRouter(err) ?? fromBodyParser(err));
    if (!problem && err instanceof z.ZodError) problem = validationFailed(fieldErrors(err));
    // An outage of the database is not a bug: 503 with Retry-After, so clients retry.
    if (!problem && isDatabaseUnavailable(err)) problem = databaseUnavailable();
    if (!problem) {
      // Unexpected: log everything, answer nothing but the correlation id.
      log.error({ err }, 'unhandled error');
      problem = new ProblemError(
        500,
        'internal.error',
        'Internal error',
        `Something went wrong on our side. Quote request id ${requestId ?? 'unknown'} when reporting it.`,
      );
    } else if (problem.status >= 500) {
      log.error({ err, code: problem.code }, problem.detail);
    }
    for (const [name, value] of Object.entries(problem.extra.headers ?? {}))
      res.setHeader(name, value);
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({
        // Extension members first: the standard ones below always win.
        ...problem.extra.members,
        type: PROBLEM_BASE + problem.code,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        code: problem.code,
        requestId,
        ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
      });
  };
}
