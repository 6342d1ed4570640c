import { z } from 'zod';
import { ROUTE_ACCESS, rolesFor, type Access } from './access';
import { pendingQuery, reviewBody } from '../reviews/reviews.schemas';
import { codecPayloadsAnswer } from '../codec/codec.routes';
import * as answers from './responses';
import { apiSchemas, type RouteSpec } from '../http/route';
import { buildOpenApiDocument } from '../http/openapi';

type JsonSchema = Record<string, unknown>;

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
};

/** Query schemas become one `parameter` per property. */
function queryParameters(s: z.ZodType): JsonSchema[] {
  const json = schema(s) as { properties?: Record<string, JsonSchema> };
  return Object.entries(json.properties ?? {}).map(([name, p]) => ({
    name,
    in: 'query',
    required: false,
    schema: p,
  }));
}

const pathParam = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
});
const jsonBody = (s: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: schema(s) } },
});
/** The answers documented from zod (src/api/responses.ts), shared as components. */
const ANSWERS = {
  ShipmentRegistered: answers.shipmentRegisteredResponse,
  ShipmentBatch: answers.shipmentBatchResponse,
  Shipment: answers.shipmentViewResponse,
  ShipmentPage: answers.shipmentListResponse,
  ReviewQueuePage: answers.reviewQueueResponse,
  ReviewDecision: answers.reviewDecisionResponse,
  TrackingEventsAccepted: answers.trackingEventsResponse,
  Policy: answers.policyResponse,
  PolicyPage: answers.policyListResponse,
  BatchAccepted: answers.batchAcceptedResponse,
  BatchProgress: answers.batchProgressResponse,
  Claim: answers.claimResponse,
  ClaimSummary: answers.claimSummaryResponse,
  ClaimPage: answers.claimListResponse,
  AnalyticsTable: answers.analyticsTableResponse,
  ApiKey: answers.apiKeyResponse,
  ApiKeyPage: answers.apiKeyListResponse,
  ApiKeyCreated: answers.apiKeyCreatedResponse,
  InquiryOutcome: answers.inquiryOutcomeResponse,
  WebhookReceived: answers.webhookReceivedResponse,
  WebhookStats: answers.webhookStatsResponse,
  StockPage: answers.stockListResponse,
  StockImported: answers.stockImportResponse,
  Warehouse: answers.warehouseResponse,
  WarehousePage: answers.warehouseListResponse,
  WarehouseWithStock: answers.warehouseWithStockResponse,
  PurchaseSuggestionPage: answers.purchaseSuggestionListResponse,
  ShipmentHistory: answers.shipmentHistoryResponse,
  Report: answers.reportResponse,
  ReportPage: answers.reportListResponse,
  MessagePage: answers.messageListResponse,
  CommunicationLog: answers.communicationLogResponse,
  Templates: answers.templatesResponse,
  TemplateOverride: answers.templateOverrideResponse,
  SurveyResults: answers.surveyResultsResponse,
  EvidencePackage: answers.evidencePackageResponse,
  Liveness: answers.livenessResponse,
  Readiness: answers.readinessResponse,
  Unready: answers.unreadyResponse,
  CodecPayloads: codecPayloadsAnswer,
} satisfies Record<string, z.ZodType>;
for (const [name, s] of Object.entries(ANSWERS))
  if (!apiSchemas.has(s)) apiSchemas.add(s, { name });
const answered = (description: string, name: keyof typeof ANSWERS) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
});
const problem = (description: string) => ({
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
const common = {
  '400': problem('Validation failed or malformed JSON'),
  '401': problem('Missing or invalid API key'),
  '403': problem('The role of the key may not do this'),
};

/** The operations as written by each feature; `openApiDocument` adds access and problems. */
function describedApi(): JsonSchema & { paths: Record<string, Record<string, unknown>> } {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parcelwarden API',
      version: '1',
      description:
        'Durable lost-parcel handling: register shipments, push tracking events and inquiries, work the review queue.\n\n' +
        'Authenticate with `Authorization: Bearer <key>`; each operation lists the roles that may call it (`x-roles`): `ingest` registers and pushes, `ops` decides, `analyst` reads the numbers, `admin` may do everything. ' +
        'Every response carries `X-Request-Id` (yours when it is 1–128 characters of `A-Za-z0-9._:-`, else a fresh UUID); problems (RFC 9457) quote it as `requestId`. ' +
        'Lists page with `limit` and the opaque `cursor` from the previous answer’s `nextCursor` (null on the last page).',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...Object.fromEntries(
          Object.entries(ANSWERS).map(([name, s]) => [name, schema(s, 'output')]),
        ),
        Problem: {
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
          },
        },
      },
    },
    paths: {
      '/v1/shipments/{id}/review': {
        parameters: [pathParam('id')],
        post: {
          summary: 'Decide a review (ops)',
          requestBody: jsonBody(reviewBody),
          responses: {
            '200': answered('{stage, decision, duplicate}', 'ReviewDecision'),
            '404': problem('Unknown shipment'),
            '409': problem('Not awaiting review'),
            '503': problem('The workflow cannot be reached or did not take the decision in time'),
            ...common,
          },
        },
      },
      '/v1/reviews': {
        get: {
          summary: 'Pending reviews, oldest first, cursor paging',
          parameters: queryParameters(pendingQuery),
          responses: { '200': answered('{items, nextCursor}', 'ReviewQueuePage'), ...common },
        },
      },
    },
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Who may call an operation, as the access table says, in words and as `x-roles`. */
function withAccess(operation: Record<string, unknown>, access: Access | undefined) {
  const responses = { ...(operation.responses as Record<string, unknown>) };
  responses['500'] ??= problem('Internal error: the answer names only the request id');
  if (access === undefined) return { ...operation, responses };
  const open = access === 'public' || access === 'signed';
  if (operation.requestBody) responses['413'] ??= problem('The body is over the size limit');
  responses['503'] ??= {
    ...problem(
      'A dependency is out of reach (database.unavailable, workflow.unavailable): nothing was lost; send the same request again',
    ),
    headers: { 'Retry-After': integerHeader('Seconds to wait before sending it again') },
  };
  if (!open) {
    responses['401'] ??= common['401'];
    responses['403'] ??= common['403'];
    responses['429'] ??= {
      ...problem('Over the API key’s rate limit (RATE_LIMIT_PER_MINUTE); retry after Retry-After'),
      headers: RATE_LIMIT_HEADERS,
    };
  }
  return {
    ...operation,
    ...(access === 'public' ? { security: [] } : {}),
    'x-access': access,
    'x-roles': rolesFor(access),
    responses,
  };
}

export const API_INFO = {
  title: 'Parcelwarden API',
  version: '1',
  license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  description:
    'Durable lost-parcel handling: register shipments, push tracking events and inquiries, work the review queue.\n\n' +
    'Authenticate with `Authorization: Bearer <key>`; each operation lists the roles that may call it (`x-roles`): `ingest` registers and pushes, `ops` decides, `analyst` reads the numbers, `admin` may do everything. ' +
    'Every response carries `X-Request-Id` (yours when it is 1–128 characters of `A-Za-z0-9._:-`, else a fresh UUID); problems (RFC 9457) quote it as `requestId`. ' +
    'Lists page with `limit` and the opaque `cursor` from the previous answer’s `nextCursor` (null on the last page).',
};

export const API_TAGS = [
  {
    name: 'Shipments',
    description: 'Register shipments and read them as their workflows see them',
  },
  { name: 'Tracking', description: 'Tracking events pushed by the order system or an aggregator' },
  { name: 'Webhooks', description: 'Provider pushes (signed) and their delivery statistics' },
  { name: 'Inquiries', description: 'Customer inquiries, by API and by inbound mail' },
  { name: 'Reviews', description: 'The review queue and ops decisions, one by one or in batches' },
  { name: 'Claims', description: 'Claims with carriers and insurers, and their evidence' },
  { name: 'Policies', description: 'Named, versioned handling policies' },
  { name: 'Inventory', description: 'Warehouses, stock and purchase suggestions for reships' },
  { name: 'Messages', description: 'Customer messages, templates and the communication log' },
  { name: 'Surveys', description: 'The customer survey after a replacement arrives' },
  { name: 'Analytics', description: 'Loss, delay, handling and claim figures from the read model' },
  { name: 'Reports', description: 'The daily report' },
  { name: 'History', description: 'A shipment’s history from Temporal, in words' },
  { name: 'API keys', description: 'Keys and their roles' },
  { name: 'Codec', description: 'The Temporal UI’s codec server for encrypted payloads' },
  { name: 'Operations', description: 'Health, readiness, metrics, this document and the console' },
];

/**
 * OpenAPI 3.1 of the API, generated from the same zod schemas that validate requests, with the
 * roles of each operation from the access table and the problem answers every route can give.
 */
export function openApiDocument(
  routes: readonly RouteSpec[] = [],
  servers: { url: string }[] = [],
): JsonSchema {
  const doc = describedApi();
  const declared = buildOpenApiDocument(routes, { ...API_INFO, servers, tags: API_TAGS }) as {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, unknown> };
    servers: unknown[];
    tags: unknown[];
    info: unknown;
  };
  const access = ROUTE_ACCESS as Record<string, Access>;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([key, value]) =>
        (METHODS as readonly string[]).includes(key)
          ? [
              key,
              withAccess(value as Record<string, unknown>, access[`${key.toUpperCase()} ${path}`]),
            ]
          : [key, value],
      ),
    );
  }
  for (const [path, item] of Object.entries(declared.paths)) {
    const legacy = paths[path] ?? {};
    const { parameters: shared, ...operations } = legacy as { parameters?: unknown[] };
    // Declared operations list their own path parameters; legacy ones keep theirs, per operation.
    paths[path] = {
      ...Object.fromEntries(
        Object.entries(operations).map(([m, op]) => [
          m,
          shared ? { parameters: shared, ...(op as object) } : op,
        ]),
      ),
      ...item,
    };
  }
  return {
    ...doc,
    info: declared.info,
    servers: declared.servers,
    tags: declared.tags,
    components: {
      ...(doc.components as Record<string, unknown>),
      schemas: {
        ...((doc.components as { schemas: Record<string, unknown> }).schemas ?? {}),
        ...declared.components.schemas,
      },
    },
    paths,
  };
}
