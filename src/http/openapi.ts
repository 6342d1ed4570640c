/**
 * The OpenAPI 3.1 document, assembled from the route specs (src/http/route.ts): parameters and
 * bodies from the same zod schemas that validate requests, answers from the schemas the
 * handlers' results are typed against, the roles of each operation from its access, and the
 * problems every keyed route can give.
 */
import { z } from 'zod';
import { isProbe } from './security';
import {
  allowedQueryParameters,
  apiSchemas,
  isOpen,
  pathParamNames,
  rolesFor,
  type Answer,
  type RouteSpec,
} from './route';
import { documentBlankOptionals, type Wire } from './validate';

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema (no dialect line): `input` for requests, `output` for answers. A
 * request part (`wire`) documents that its optional fields also take a blank value.
 */
export function jsonSchema(
  s: z.ZodType,
  io: 'input' | 'output' = 'input',
  wire?: Wire,
): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, {
    io,
    unrepresentable: 'any',
    ...(wire ? { override: documentBlankOptionals(wire) } : {}),
  }) as JsonSchema;
  return rest;
}

const isZod = (s: unknown): s is z.ZodType => s instanceof z.ZodType;

export const problemRef = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const integerHeader = (description: string) => ({ description, schema: { type: 'integer' } });

/** The headers of a 429 answer (RateLimit-* are also sent on every authenticated answer). */
const RATE_LIMIT_HEADERS = {
  'Retry-After': integerHeader('Seconds until the key may call again'),
  'RateLimit-Limit': integerHeader('Requests per minute the key may make'),
  'RateLimit-Remaining': integerHeader('Requests left now'),
  'RateLimit-Reset': integerHeader('Seconds until the full allowance is back'),
};

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'namespaced, e.g. review.not_awaiting' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
    suggestions: {
      type: 'array',
      items: { type: 'string' },
      description: 'carrier.unknown: the known carrier codes closest to the one sent',
    },
    unknownParameters: {
      type: 'array',
      items: { type: 'string' },
      description:
        'validation.failed on the query string: the parameters the operation does not take',
    },
    allowedParameters: {
      type: 'array',
      items: { type: 'string' },
      description: 'validation.failed on the query string: the parameters the operation takes',
    },
    knownCarriers: {
      type: 'array',
      items: { type: 'string' },
      description: 'carrier.unknown: every carrier code we know (GET /v1/carriers describes them)',
    },
  },
};

/** Examples of one operation for the reference: its JSON request body and its answers by status. */
export interface OperationExamples {
  request?: unknown;
  answers?: Record<string, unknown>;
}

/** Puts an example on the first media type of a request body or answer that has content. */
function withExample(part: JsonSchema | undefined, example: unknown): void {
  const content = part?.content as Record<string, JsonSchema> | undefined;
  const first = content && Object.values(content)[0];
  if (first && example !== undefined) first.example = example;
}

/** Builds the document's pieces, collecting named answer schemas as components. */
class Assembler {
  readonly components = new Map<string, JsonSchema>();

  constructor(private readonly examples: Record<string, OperationExamples> = {}) {}

  /** The JSON schema of an answer body: a reference when the schema is registered by name. */
  answerSchema(s: z.ZodType): JsonSchema {
    const name = apiSchemas.get(s)?.name;
    if (!name) return jsonSchema(s, 'output');
    if (!this.components.has(name)) this.components.set(name, jsonSchema(s, 'output'));
    return { $ref: `#/components/schemas/${name}` };
  }

  answer(a: Answer | string): JsonSchema {
    if (typeof a === 'string') return problemRef(a);
    const main = a.schema
      ? { 'application/json': { schema: this.answerSchema(a.schema) } }
      : a.contentType
        ? { [a.contentType]: a.bodySchema ? { schema: a.bodySchema } : {} }
        : undefined;
    const others = Object.entries(a.alternatives ?? {}).map(([type, schema]) => [type, { schema }]);
    const body = others.length ? { ...main, ...Object.fromEntries(others) } : main;
    return {
      description: a.description,
      ...(a.headers ? { headers: a.headers } : {}),
      ...(body ? { content: body } : {}),
    };
  }

  parameters(spec: RouteSpec): JsonSchema[] {
    const pathProps = spec.params
      ? ((jsonSchema(spec.params, 'input', 'text') as { properties?: Record<string, JsonSchema> })
          .properties ?? {})
      : {};
    const path = pathParamNames(spec.path).map((name) => {
      // A parameter's `.describe()` documents the parameter, not only its schema.
      const { description, ...schema } = pathProps[name] ?? { type: 'string' };
      return {
        name,
        in: 'path',
        required: true,
        ...(typeof description === 'string' ? { description } : {}),
        schema,
      };
    });
    const queryProps = spec.query
      ? ((jsonSchema(spec.query, 'input', 'text') as { properties?: Record<string, JsonSchema> })
          .properties ?? {})
      : {};
    const query = Object.entries(queryProps).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema,
    }));
    const headers = (spec.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      schema: { type: 'string' },
      description: h.description,
    }));
    return [...path, ...query, ...headers];
  }

  requestBody(spec: RouteSpec): JsonSchema | undefined {
    const content: Record<string, z.ZodType | JsonSchema> = {
      ...(spec.body ? { 'application/json': spec.body } : {}),
      ...spec.bodyContent,
    };
    if (Object.keys(content).length === 0) return undefined;
    return {
      required: true,
      content: Object.fromEntries(
        Object.entries(content).map(([type, s]) => [
          type,
          { schema: isZod(s) ? jsonSchema(s, 'input', 'json') : s },
        ]),
      ),
    };
  }

  /** The problems any route can give, by what it takes and who may call it. */
  commonAnswers(spec: RouteSpec, hasBody: boolean): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    const open = isOpen(spec.access);
    // Every route but a signed one refuses a query parameter it does not take.
    if (allowedQueryParameters(spec) || spec.params || spec.query || spec.body) {
      out['400'] = problemRef('Validation failed or malformed JSON');
    }
    if (!open) {
      out['401'] = problemRef('Missing or invalid API key');
      out['403'] = problemRef('The role of the key may not do this');
      out['429'] = {
        ...problemRef(
          'Over the API key’s rate limit (RATE_LIMIT_PER_MINUTE); retry after Retry-After',
        ),
        headers: RATE_LIMIT_HEADERS,
      };
    }
    if (open && !isProbe(spec.path)) {
      out['429'] = {
        ...problemRef(
          'Too many requests without an accepted API key from this address (PUBLIC_RATE_LIMIT_PER_MINUTE); retry after Retry-After',
        ),
        headers: { 'Retry-After': integerHeader('Seconds until this address may call again') },
      };
    }
    if (hasBody) out['413'] = problemRef('The body is over the size limit');
    out['500'] = problemRef('Internal error: the answer names only the request id');
    out['503'] = {
      ...problemRef(
        'A dependency is out of reach (database.unavailable, workflow.unavailable): nothing was lost; send the same request again',
      ),
      headers: { 'Retry-After': integerHeader('Seconds to wait before sending it again') },
    };
    return out;
  }

  operation(spec: RouteSpec): JsonSchema {
    const requestBody = this.requestBody(spec);
    const parameters = this.parameters(spec);
    const responses: Record<string, JsonSchema> = {
      [String(spec.answer.status ?? 200)]: this.answer(spec.answer),
    };
    for (const [status, a] of Object.entries(spec.responses ?? {})) {
      responses[status] = this.answer(a);
    }
    for (const [status, a] of Object.entries(this.commonAnswers(spec, !!requestBody))) {
      responses[status] ??= a;
    }
    const examples = this.examples[spec.operationId];
    if (examples) {
      withExample(requestBody, examples.request);
      for (const [status, example] of Object.entries(examples.answers ?? {})) {
        // A copy: the shared problem answers are one object across operations.
        if (responses[status]) responses[status] = structuredClone(responses[status]);
        withExample(responses[status], example);
      }
    }
    return {
      operationId: spec.operationId,
      tags: [spec.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(isOpen(spec.access) ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      'x-access': spec.access,
      'x-roles': rolesFor(spec.access),
    };
  }
}

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
  license?: { name: string; identifier?: string; url?: string };
  /** Base URLs the API answers at (PUBLIC_URL). */
  servers: { url: string; description?: string }[];
  /** Tag descriptions, in the order the document lists them. */
  tags: { name: string; description: string }[];
  /** What the API sends to the seller's own endpoints (OpenAPI 3.1 `webhooks`), by name. */
  webhooks?: Record<string, unknown>;
  /** Examples by operationId, shown by the reference next to the schemas. */
  examples?: Record<string, OperationExamples>;
  /** An example of the Problem schema (problem+json). */
  problemExample?: unknown;
}

/** The OpenAPI 3.1 document of these routes. */
export function buildOpenApiDocument(routes: readonly RouteSpec[], info: DocumentInfo): JsonSchema {
  const assembler = new Assembler(info.examples);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) {
    (paths[spec.path] ??= {})[spec.method] = assembler.operation(spec);
  }
  const used = new Set(routes.map((r) => r.tag));
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: info.description,
      ...(info.license ? { license: info.license } : {}),
    },
    servers: info.servers,
    tags: info.tags.filter((t) => used.has(t.name)),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...Object.fromEntries([...assembler.components].sort(([a], [b]) => a.localeCompare(b))),
        Problem: info.problemExample
          ? { ...PROBLEM_SCHEMA, examples: [info.problemExample] }
          : PROBLEM_SCHEMA,
      },
    },
    paths,
    ...(info.webhooks ? { webhooks: info.webhooks } : {}),
  };
}
