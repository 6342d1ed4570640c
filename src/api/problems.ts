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
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
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

/** Errors raised by express.json (body-parser) carry a `type`; map the ones a client can cause. */
function fromBodyParser(err: unknown): ProblemError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
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
        'The request body exceeds the limit of 1 MB.',
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
      return undefined;
  }
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
    let problem = err instanceof ProblemError ? err : fromBodyParser(err);
    if (!problem && err instanceof z.ZodError) problem = validationFailed(fieldErrors(err));
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
