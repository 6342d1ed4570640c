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
  const parsed = schema.safeParse(withoutBlankOptionals(schema, jsonBody(req), 'json'));
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error), 'request body');
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

/**
 * How a request part arrives: `json` (a body, where a field may be a number or an object) or
 * `text` (path and query string, where every value is a string).
 */
export type Wire = 'json' | 'text';

type Def = { type: string } & Record<string, unknown>;
const defOf = (s: z.core.$ZodType) => s._zod.def as unknown as Def;

/** The schema under its wrappers (optional, default, pipe…): the shape a value is walked by. */
function core(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    const def = defOf(s);
    if ('innerType' in def && def.type !== 'transform') s = def.innerType as z.core.$ZodType;
    else if (def.type === 'pipe') {
      const input = def.in as z.core.$ZodType;
      // A preprocess pipe takes anything: its shape is the schema it feeds.
      s = defOf(input).type === 'transform' ? (def.out as z.core.$ZodType) : input;
    } else if (def.type === 'lazy') s = (def.getter as () => z.core.$ZodType)();
    else return s;
  }
  return s;
}

/**
 * The parameter names a query schema declares (its object's keys, under wrappers and through a
 * union of objects); undefined when its shape cannot be read, e.g. a record that takes any key.
 */
export function declaredKeys(schema: z.core.$ZodType): string[] | undefined {
  const s = core(schema);
  const def = defOf(s);
  if (def.type === 'object') {
    // A catchall other than `never` (a loose object) takes keys it does not list.
    const catchall = def.catchall as z.core.$ZodType | undefined;
    if (catchall && defOf(catchall).type !== 'never') return undefined;
    return Object.keys(def.shape as Record<string, unknown>);
  }
  if (def.type === 'union') {
    const keys = new Set<string>();
    for (const option of def.options as z.core.$ZodType[]) {
      const found = declaredKeys(option);
      if (!found) return undefined;
      found.forEach((k) => keys.add(k));
    }
    return [...keys];
  }
  return undefined;
}

const TEXT_TYPES = new Set(['string', 'enum', 'literal', 'template_literal']);

/** A string field in JSON: text, a format, an enum of strings (or a union holding one). */
function takesText(field: z.core.$ZodType): boolean {
  const s = core(field);
  const def = defOf(s);
  if (def.type === 'union') return (def.options as z.core.$ZodType[]).some(takesText);
  return TEXT_TYPES.has(def.type);
}

const BLANK = /^\s*$/;
const isBlank = (v: unknown): v is string => typeof v === 'string' && BLANK.test(v);

/**
 * Whether a blank value ("" or whitespace only) of this object field counts as the field left
 * out: the field is optional and takes text (every optional path or query field does).
 */
function blankMeansAbsent(field: z.core.$ZodType, wire: Wire): boolean {
  // optin is 'optional', or 'defaulted' for a field with a default.
  return field._zod.optin !== undefined && (wire === 'text' || takesText(field));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The value with every blank string left out where the schema's field is optional or defaulted (see
 * `blankMeansAbsent`), at any depth: an empty province is parsed as no province, not as "".
 * Required fields keep their blank value, so their own check refuses it. The value is copied,
 * not changed.
 */
export function withoutBlankOptionals(
  schema: z.core.$ZodType,
  value: unknown,
  wire: Wire,
): unknown {
  const s = core(schema);
  const def = defOf(s);
  if (def.type === 'object' && isPlainObject(value)) {
    const shape = def.shape as Record<string, z.core.$ZodType>;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (!field) out[key] = v;
      else if (!(isBlank(v) && blankMeansAbsent(field, wire)))
        out[key] = withoutBlankOptionals(field, v, wire);
    }
    return out;
  }
  if (def.type === 'array' && Array.isArray(value)) {
    return value.map((item) => withoutBlankOptionals(def.element as z.core.$ZodType, item, wire));
  }
  if (def.type === 'union' && isPlainObject(value)) {
    // The first alternative the value then meets; else the value as sent, for its errors.
    for (const option of def.options as z.core.$ZodType[]) {
      const candidate = withoutBlankOptionals(option, value, wire);
      if (candidate !== value && z.safeParse(option, candidate).success) return candidate;
    }
  }
  return value;
}

/** A JSON schema that takes a blank string, which the API reads as the field left out. */
export const BLANK_JSON_SCHEMA = {
  type: 'string',
  pattern: BLANK.source,
  description: 'Blank: read as left out',
} as const;

/**
 * For the document: the JSON schema of each optional field of an object that now takes a blank
 * value its own schema refuses gets the blank alternative (a `z.toJSONSchema` override).
 */
export function documentBlankOptionals(wire: Wire) {
  return (ctx: { zodSchema: z.core.$ZodType; jsonSchema: Record<string, unknown> }) => {
    const def = defOf(ctx.zodSchema);
    const props = ctx.jsonSchema.properties as Record<string, Record<string, unknown>> | undefined;
    if (def.type !== 'object' || !props) return;
    for (const [key, field] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
      const prop = props[key];
      if (!prop || !blankMeansAbsent(field, wire)) continue;
      if (z.safeParse(field, '').success && z.safeParse(field, ' ').success) continue;
      const { description, ...rest } = prop;
      props[key] = {
        ...(description === undefined ? {} : { description }),
        anyOf: [rest, BLANK_JSON_SCHEMA],
      };
    }
  };
}
