import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { fieldErrors, ProblemError, validationFailed, type FieldError } from './problems';

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

/** The largest PostgreSQL `integer`: ids and keys past it fail at the query, not here. */
export const INT4_MAX = 2_147_483_647;

/** An integer key of ours (identity column, version) as a client sends it back. */
export const int4Key = z.number().int().min(1).max(INT4_MAX);

/** The same from a path or query string. */
export const int4Param = z.coerce.number().int().min(1).max(INT4_MAX);

/**
 * A date-time PostgreSQL can store and that means something: a real calendar date in years
 * 0001–9999 (PostgreSQL has no year 0; JavaScript rolls 30 February over to March).
 */
export function isStorableInstant(text: string): boolean {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL could not store this text (text or jsonb), or undefined when it can. */
export function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (holds an unpaired surrogate)';
  return undefined;
}

/**
 * Where a parsed JSON value holds text PostgreSQL cannot store (U+0000, or an unpaired UTF-16
 * surrogate, which jsonb refuses), in a string or an object key: such a body is refused up front
 * with the field named, rather than failing at the insert.
 */
export function unstorableTextErrors(value: unknown, root = 'body'): FieldError[] {
  interface Node {
    v: unknown;
    key?: string;
    parent?: Node;
  }
  const pathOf = (n: Node, last?: string): string => {
    const keys = last === undefined ? [] : [last];
    for (let at: Node | undefined = n; at?.key !== undefined; at = at.parent) keys.push(at.key);
    return keys.length ? keys.reverse().join('.') : root;
  };
  const errors: FieldError[] = [];
  // An explicit stack with parent links: a hostile body may nest thousands of levels deep.
  const stack: Node[] = [{ v: value }];
  while (stack.length > 0 && errors.length < 20) {
    const node = stack.pop()!;
    const { v } = node;
    if (typeof v === 'string') {
      const why = unstorable(v);
      if (why) errors.push({ path: pathOf(node), message: why });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, key: String(i), parent: node }));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const why = unstorable(key);
        if (why)
          errors.push({ path: pathOf(node, JSON.stringify(key).slice(1, -1)), message: why });
        stack.push({ v: item, key, parent: node });
      }
    }
  }
  return errors;
}

/** After a body parser: refuses a body with text we cannot store (see unstorableTextErrors). */
export const rejectUnstorableText: RequestHandler = (req, _res, next) => {
  const errors = unstorableTextErrors(req.body);
  if (errors.length) throw validationFailed(errors);
  next();
};
