import type { Request } from 'express';
import type { z } from 'zod';
import { fieldErrors, ProblemError, validationFailed } from './problems';

/** Parses the JSON body with a zod schema; 415 when the body was not sent as JSON. */
export function jsonBody(req: Request): unknown {
  // express.json leaves the body undefined when the request is not application/json.
  if (req.body === undefined) {
    throw new ProblemError(
      415,
      'request.unsupported_media_type',
      'Unsupported media type',
      'Send the body as JSON with Content-Type: application/json.',
    );
  }
  return req.body;
}

export function parseBody<T extends z.ZodType>(req: Request, schema: T): z.output<T> {
  const parsed = schema.safeParse(jsonBody(req));
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error), 'request body');
  return parsed.data;
}

export function parseQuery<T extends z.ZodType>(req: Request, schema: T): z.output<T> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error, 'query'), 'query string');
  return parsed.data;
}

export function parseParams<T extends z.ZodType>(req: Request, schema: T): z.output<T> {
  const parsed = schema.safeParse(req.params);
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error, 'path'), 'path');
  return parsed.data;
}
