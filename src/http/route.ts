/**
 * Each HTTP operation declared once: a feature exports route specs (method, path, who may call
 * it, what it takes and answers, its handler). `mountRoutes` puts them on an express router with
 * access control and validation; `src/http/openapi.ts` builds the OpenAPI document from the same
 * specs, so the document, the access rules and the code cannot drift apart.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { hasPermission, PERMISSIONS, ROLES, type Permission, type Role } from './auth';
import { fieldErrors, ProblemError, validationFailed, type FieldError } from './problems';
import { declaredKeys, jsonBody, unstorableTextErrors, withoutBlankOptionals } from './validate';

/**
 * Who may call an operation: `public`, `signed` (carries its own credential: a provider
 * signature or a signed link), or a permission of an authenticated key.
 */
export type Access = 'public' | 'signed' | Permission;
export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The roles that may call a route with this access; every role for public and signed routes. */
export function rolesFor(access: Access): readonly Role[] {
  return access === 'public' || access === 'signed' ? ROLES : PERMISSIONS[access];
}

export const isOpen = (access: Access) => access === 'public' || access === 'signed';

/** Routes mounted ahead of key authentication: open ones and those that check callers themselves. */
export const beforeAuthentication = (spec: Pick<RouteSpec, 'access' | 'selfAuthenticated'>) =>
  isOpen(spec.access) || spec.selfAuthenticated === true;

/**
 * Names of the response shapes shown as `components.schemas` in the OpenAPI document. A schema
 * registered here is referenced by name wherever a route answers with it.
 */
export const apiSchemas = z.registry<{ name: string }>();

/** Registers a response schema under its component name and returns it. */
export function named<S extends z.ZodType>(name: string, schema: S): S {
  apiSchemas.add(schema, { name });
  return schema;
}

type JsonSchema = Record<string, unknown>;

/** One documented answer of an operation. */
export interface Answer<S extends z.ZodType = z.ZodType> {
  description: string;
  /** The JSON body's shape (documented under its registered name when it has one). */
  schema?: S;
  /** Content type when the answer is not JSON (HTML, CSV, PDF, Prometheus text…). */
  contentType?: string;
  /** A JSON schema for a non-JSON body (`{type: 'string'}` for text). */
  bodySchema?: JsonSchema;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  /** The same answer in other content types (CSV, SVG…), each with its body's JSON schema. */
  alternatives?: Record<string, JsonSchema>;
}

export interface RouteInput<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteSpec<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  S extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** OpenAPI path template, e.g. `/v1/shipments/{id}`; a literal colon as in `/v1/reviews:batch`. */
  path: string;
  access: Access;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  /** The JSON body; validated before the handler runs (see `onInvalidBody`). */
  body?: B;
  /** Request headers the operation reads, for the document. */
  headers?: { name: string; description: string; required?: boolean }[];
  /** The documented request body per content type, where it is not (only) the JSON `body`. */
  bodyContent?: Record<string, z.ZodType | JsonSchema>;
  /** What a handler's return value is sent as (status default 200). */
  answer: Answer<S> & { status?: number };
  /** Other answers, by status: a string is a problem (application/problem+json). */
  responses?: Record<string, Answer | string>;
  /**
   * Middleware that runs before access control and body parsing: a provider's raw-body
   * signature check, a session cookie standing in for the key.
   */
  before?: RequestHandler[];
  /**
   * The route checks its caller itself (a token of its own besides keys, like /metrics): it is
   * mounted ahead of key authentication and the mount does not check the permission.
   */
  selfAuthenticated?: boolean;
  /** `raw`: the handler reads the body itself (a `before` or `parsers` middleware parsed it). */
  bodyParser?: 'json' | 'raw';
  /**
   * Body parsers of a `raw` route that do not need the raw bytes before the access check (CSV):
   * they run after it, so a caller without the permission never gets its body read.
   */
  parsers?: RequestHandler[];
  /** Turns path validation errors into a more specific problem (else 400 validation.failed). */
  onInvalidParams?: (errors: FieldError[], params: unknown) => ProblemError;
  /** Turns body validation errors into a more specific problem (else 400 validation.failed). */
  onInvalidBody?: (errors: FieldError[], body: unknown) => ProblemError;
  handler: (
    input: RouteInput<Out<P>, Out<Q>, Out<B>>,
  ) => Promise<z.input<S> | void> | z.input<S> | void;
}

/** Declares a route with its types inferred from its schemas. */
export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  S extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B, S>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** `/v1/reviews:batch/{id}` (OpenAPI) → `/v1/reviews\:batch/:id` (express). */
export function expressPath(template: string): string {
  return template.replace(/:/g, '\\:').replace(/\{(\w+)\}/g, ':$1');
}

/** The path parameters a template names, in order. */
export function pathParamNames(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  root: string,
  where: string,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error, root), where);
  return parsed.data;
}

/** Path and query text gets the checks bodies get: nothing PostgreSQL would refuse. */
function checkText(value: unknown, root: string, where: string) {
  const errors = unstorableTextErrors(value, root);
  if (errors.length) throw validationFailed(errors, where);
}

function accessCheck(spec: RouteSpec): RequestHandler {
  const permission = spec.access as Permission;
  return (req, _res, next) => {
    if (!hasPermission(req, permission)) {
      const roles = rolesFor(spec.access);
      throw new ProblemError(
        403,
        'auth.forbidden',
        'Forbidden',
        `The role "${req.role ?? 'none'}" may not call ${spec.method.toUpperCase()} ${spec.path}; allowed roles: ${roles.join(', ')}.`,
      );
    }
    next();
  };
}

/**
 * The query parameters a route takes, or undefined when it takes any. Every route is strict (a
 * parameter it does not know, `?orderId=` on a list that has no such filter, is refused by name
 * rather than ignored, which would answer as if it had been applied), except `signed` routes:
 * providers, shops and customers' mail clients call those with URLs we do not control, which may
 * carry parameters of theirs (`utm_source`, a provider's own).
 */
export function allowedQueryParameters(spec: RouteSpec): readonly string[] | undefined {
  if (spec.access === 'signed') return undefined;
  return spec.query ? declaredKeys(spec.query) : [];
}

function unknownQueryParameters(spec: RouteSpec, allowed: readonly string[], query: object) {
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length === 0) return;
  const names = unknown.map((k) => `"${k}"`).join(', ');
  const message = `unknown parameter${unknown.length > 1 ? 's' : ''} ${names}`;
  const takes = allowed.length ? `it takes ${allowed.join(', ')}` : 'it takes no query parameters';
  throw new ProblemError(
    400,
    'validation.failed',
    'Validation failed',
    `The query string is not valid: ${message}; ${routeKey(spec)}: ${takes}.`,
    {
      errors: [{ path: 'query', message }],
      members: { unknownParameters: unknown, allowedParameters: allowed },
    },
  );
}

function handle(spec: RouteSpec): RequestHandler {
  const allowed = allowedQueryParameters(spec);
  return async (req, res) => {
    checkText(req.params, 'path', 'path');
    checkText(req.query, 'query', 'query string');
    if (allowed) unknownQueryParameters(spec, allowed, req.query);
    let params: unknown;
    if (spec.params) {
      const parsed = spec.params.safeParse(withoutBlankOptionals(spec.params, req.params, 'text'));
      if (!parsed.success) {
        const found = fieldErrors(parsed.error, 'path');
        throw spec.onInvalidParams?.(found, req.params) ?? validationFailed(found, 'path');
      }
      params = parsed.data;
    }
    const query = spec.query
      ? parse(
          spec.query,
          withoutBlankOptionals(spec.query, req.query, 'text'),
          'query',
          'query string',
        )
      : undefined;
    let body: unknown;
    if (spec.body && spec.bodyParser !== 'raw') {
      const raw = jsonBody(req);
      const errors = unstorableTextErrors(raw);
      if (errors.length) throw validationFailed(errors);
      // A blank optional field is parsed as left out (errors still quote the body as sent).
      const parsed = spec.body.safeParse(withoutBlankOptionals(spec.body, raw, 'json'));
      if (!parsed.success) {
        const found = fieldErrors(parsed.error);
        throw spec.onInvalidBody?.(found, raw) ?? validationFailed(found, 'request body');
      }
      body = parsed.data;
    }
    const result = await spec.handler({ req, res, params, query, body } as never);
    if (result !== undefined && !res.headersSent) {
      res.status(spec.answer.status ?? 200).json(result);
    }
  };
}

/** Where a request was routed, for logs and metrics: `routeOf(res)` once a route matched. */
function markRoute(spec: RouteSpec): RequestHandler {
  return (_req, res, next) => {
    res.locals[ROUTE] = spec;
    next();
  };
}

const ROUTE = 'parcelwardenRoute';

/** The declared route a request matched, if any. */
export function routeOf(res: Response): RouteSpec | undefined {
  return res.locals[ROUTE] as RouteSpec | undefined;
}

/** The size limit of a JSON body, for every route that takes one. */
export const BODY_LIMIT = '1mb';

export interface MountOptions {
  /** The JSON body limit (express.json's `limit`). */
  bodyLimit: string;
}

/**
 * One router for a list of routes, in list order (a literal path declared before a template
 * that would also match it wins). Keyed routes check the caller's permission before the body
 * is read; the caller must have authenticated the request before this router.
 */
export function mountRoutes(routes: readonly RouteSpec[], opts: MountOptions): Router {
  const router = Router();
  const json = express.json({ limit: opts.bodyLimit });
  for (const spec of routes) {
    const chain: RequestHandler[] = [markRoute(spec), ...(spec.before ?? [])];
    if (!beforeAuthentication(spec)) chain.push(accessCheck(spec));
    chain.push(...(spec.parsers ?? []));
    if (spec.body && spec.bodyParser !== 'raw') chain.push(json);
    chain.push(handle(spec));
    router[spec.method](expressPath(spec.path), ...chain);
  }
  return router;
}

/** `METHOD /path` of each route, as the access matrix and the OpenAPI check list them. */
export const routeKey = (spec: Pick<RouteSpec, 'method' | 'path'>) =>
  `${spec.method.toUpperCase()} ${spec.path}`;
