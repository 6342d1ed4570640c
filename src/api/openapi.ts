import { z } from 'zod';
import { ROUTE_ACCESS, rolesFor, type Access } from './access';
import { apiKeyBody, apiKeyListQuery } from '../api-keys/api-keys.routes';
import { analyticsQuery } from '../analytics/analytics.schemas';
import { TABLE_NAMES } from '../analytics/analytics.tables';
import {
  stockImportBody,
  stockQuery,
  suggestionsQuery,
  warehouseBody,
  warehousesQuery,
} from '../inventory/inventory.schemas';
import { inboundEmailBody } from '../inquiries/inquiries.schemas';
import {
  logQuery,
  messagesQuery,
  templateBody,
  templatesQuery,
} from '../messages/messages.schemas';
import { batchBody } from '../batches/batches.schemas';
import { claimListQuery, claimOutcomeBody } from '../claims/claims.schemas';
import {
  policiesQuery,
  policyBody,
  policyRefreshBody,
  policyVersionsQuery,
} from '../policies/policies.schemas';
import { reportListQuery } from '../reports/report.schemas';
import { pendingQuery, reviewBody } from '../reviews/reviews.schemas';
import {
  inquiryBody,
  listQuery,
  registrationBatchBody,
  registrationBody,
} from '../shipments/shipments.schemas';
import { surveyAnswerBody, surveyResultsQuery } from '../surveys/surveys.routes';
import { trackingEventsBody } from '../tracking/tracking.schemas';
import { codecPayloadsAnswer, codecPayloadsBody } from '../codec/codec.routes';
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
const ok = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
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
      '/openapi.json': {
        get: { summary: 'This document (OpenAPI 3.1)', responses: { '200': ok('OpenAPI 3.1') } },
      },
      '/docs': {
        get: {
          summary: 'This document as a readable page (HTML, no external assets)',
          responses: { '200': { description: 'HTML page', content: { 'text/html': {} } } },
        },
      },
      '/console': {
        get: {
          summary:
            'The ops console (HTML, no external assets); log in there with an ops or admin key',
          responses: { '200': { description: 'HTML page', content: { 'text/html': {} } } },
        },
      },
      '/console/console.js': {
        get: {
          summary: 'The ops console’s script',
          responses: {
            '200': { description: 'JavaScript module', content: { 'text/javascript': {} } },
          },
        },
      },
      '/console/console.css': {
        get: {
          summary: 'The ops console’s stylesheet',
          responses: { '200': { description: 'CSS', content: { 'text/css': {} } } },
        },
      },
      '/metrics': {
        get: {
          summary:
            'Prometheus metrics: HTTP, shipments by stage and resolution, review queue, outbox, Temporal SDK (with METRICS_TOKEN, or an analyst or admin key)',
          responses: {
            '200': {
              description: 'Prometheus text exposition format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            '401': problem('Missing or invalid token'),
            '403': problem('The role of the key may not read metrics'),
          },
        },
      },
      '/v1/api-keys': {
        get: {
          summary: 'API keys, newest first, without secrets (admin), cursor paging',
          parameters: queryParameters(apiKeyListQuery),
          responses: {
            '200': answered(
              '{items: [{id, role, name, source, createdAt, lastUsedAt, revokedAt}], nextCursor}',
              'ApiKeyPage',
            ),
            ...common,
          },
        },
        post: {
          summary: 'Create an API key (admin); the answer holds the key, shown this once',
          requestBody: jsonBody(apiKeyBody),
          responses: {
            '201': answered('{id, role, name, source, createdAt, key}', 'ApiKeyCreated'),
            ...common,
          },
        },
      },
      '/v1/api-keys/{id}': {
        parameters: [pathParam('id')],
        delete: {
          summary: 'Revoke an API key (admin); it stops working within seconds',
          responses: {
            '200': answered('The revoked key', 'ApiKey'),
            '404': problem('Unknown key'),
            ...common,
          },
        },
      },
      '/v1/policies': {
        get: {
          summary: 'List policies by name, cursor paging',
          parameters: queryParameters(policiesQuery),
          responses: { '200': answered('{items, nextCursor}', 'PolicyPage'), ...common },
        },
      },
      '/v1/policies/{name}': {
        parameters: [pathParam('name')],
        get: {
          summary: 'Read a policy',
          responses: {
            '200': answered('The policy', 'Policy'),
            '404': problem('Unknown policy'),
            ...common,
          },
        },
        put: {
          summary: 'Create or replace a policy (admin)',
          requestBody: jsonBody(policyBody),
          responses: { '200': answered('The stored policy and its version', 'Policy'), ...common },
        },
      },
      '/v1/shipments': {
        get: {
          summary: 'List shipments (read model), newest first, cursor paging',
          parameters: queryParameters(listQuery),
          responses: { '200': answered('{items, nextCursor}', 'ShipmentPage'), ...common },
        },
        post: {
          summary: 'Register a shipment and start its workflow (idempotent)',
          requestBody: jsonBody(registrationBody),
          responses: {
            '201': answered('{shipmentId, workflowId, stage}', 'ShipmentRegistered'),
            '200': answered('Already registered with the same body', 'ShipmentRegistered'),
            '409': problem('Another body under this id, or the tracking number is taken'),
            '422': problem('Unknown policy'),
            ...common,
          },
        },
      },
      '/v1/shipments:batch': {
        post: {
          summary:
            'Register up to 500 shipments and start their workflows; items are independent and each answers as POST /v1/shipments would (idempotent per item)',
          requestBody: jsonBody(registrationBatchBody),
          responses: {
            '200': answered(
              '{created, existing, failed, results: [{index, shipmentId, status, workflowId?, stage?, problem?}]}; per item 201 created, 200 same body again, 409 another body or tracking number taken, 422 invalid item or unknown policy, 503 workflow not started (the row is kept: send the item again)',
              'ShipmentBatch',
            ),
            ...common,
          },
        },
      },
      '/v1/policies/{name}/versions': {
        parameters: [pathParam('name')],
        get: {
          summary: 'Every stored version of a policy, oldest first, cursor paging',
          parameters: queryParameters(policyVersionsQuery),
          responses: {
            '200': answered('{items, nextCursor}', 'PolicyPage'),
            '404': problem('Unknown policy'),
            ...common,
          },
        },
      },
      '/v1/policies/{name}/versions/{version}': {
        parameters: [
          pathParam('name'),
          { ...pathParam('version'), schema: { type: 'integer', minimum: 1 } },
        ],
        get: {
          summary: 'One version of a policy, as shipments registered under it use it',
          responses: {
            '200': answered('The policy version', 'Policy'),
            '404': problem('Unknown policy or version'),
            ...common,
          },
        },
      },
      '/v1/shipments/{id}/policy:refresh': {
        parameters: [pathParam('id')],
        post: {
          summary:
            'Tell the running workflow to reload its policy (the latest version), or switch to another policy (ops); applied asynchronously',
          requestBody: jsonBody(policyRefreshBody),
          responses: {
            '202': ok('{shipmentId, policy}'),
            '404': problem('Unknown shipment'),
            '409': problem('The workflow has closed'),
            '422': problem('Unknown policy'),
            '503': problem('Temporal unreachable'),
            ...common,
          },
        },
      },
      '/v1/shipments/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary: 'A shipment as its workflow sees it (or its last snapshot)',
          responses: {
            '200': answered('The shipment', 'Shipment'),
            '404': problem('Unknown shipment'),
            ...common,
          },
        },
      },
      '/v1/shipments/{id}/inquiries': {
        parameters: [pathParam('id')],
        post: {
          summary:
            'Record a customer inquiry: classify its intent, reply with the status in the customer’s language or route it to ops, and tell the workflow (idempotent by inquiryId)',
          requestBody: jsonBody(inquiryBody),
          responses: {
            '202': answered(
              '{shipmentId, inquiryId, intent, language?, action, duplicate, signalled}',
              'InquiryOutcome',
            ),
            '404': problem('Unknown shipment'),
            ...common,
          },
        },
      },
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
      '/v1/webhooks/{provider}': {
        post: {
          security: [],
          summary:
            'Receive a provider webhook (aftership, 17track, easypost, sandbox); authenticated by the provider signature over the raw body',
          parameters: [pathParam('provider')],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          responses: {
            '200': answered(
              '{received, duplicate, deliveryId, kind?, event?, accepted?, duplicates?, unknown?}',
              'WebhookReceived',
            ),
            '400': problem('Malformed JSON or not the documented payload shape'),
            '401': problem('Missing or wrong signature; nothing recorded'),
            '404': problem(
              'Unknown provider, or no receiver for it here (provider not configured)',
            ),
            '415': problem('Not sent as JSON'),
            '422': problem(
              'Delivery older than WEBHOOK_MAX_AGE (webhook.stale_event); nothing recorded',
            ),
            '503': problem('Temporal unreachable; nothing recorded, deliver again'),
          },
        },
      },
      '/v1/webhooks/stats': {
        get: {
          summary:
            'Webhook deliveries per provider, with unknown tracking numbers (analyst, admin)',
          responses: { '200': answered('{providers}', 'WebhookStats'), ...common },
        },
      },
      '/v1/tracking-events': {
        post: {
          summary: 'Push a batch of tracking events (at most 1000)',
          requestBody: jsonBody(trackingEventsBody),
          responses: {
            '202': answered('{accepted, duplicates, unknown}', 'TrackingEventsAccepted'),
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
      '/v1/reviews:batch': {
        post: {
          summary:
            'Decide up to 500 reviews as one batch workflow (ops); the same batchId is a retry',
          requestBody: jsonBody(batchBody),
          responses: {
            '202': answered('{batchId, workflowId, total}', 'BatchAccepted'),
            '409': problem('The batchId was used for other decisions'),
            ...common,
          },
        },
      },
      '/v1/reviews:batch/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary: 'Progress of a batch: {total, done, succeeded, failed, items}',
          responses: {
            '200': answered('The progress', 'BatchProgress'),
            '404': problem('Unknown batch'),
            ...common,
          },
        },
      },
      '/v1/claims': {
        get: {
          summary: 'Claims, newest first, filtered by status and carrier, cursor paging',
          parameters: queryParameters(claimListQuery),
          responses: { '200': answered('{items, nextCursor}', 'ClaimPage'), ...common },
        },
      },
      '/v1/claims/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary: 'A claim with its history, deadlines, amounts and evidence',
          responses: {
            '200': answered('The claim', 'Claim'),
            '404': problem('Unknown claim'),
            ...common,
          },
        },
      },
      '/v1/claims/{id}/evidence': {
        parameters: [pathParam('id')],
        get: {
          summary: 'The evidence package (JSON)',
          responses: {
            '200': answered('The evidence package', 'EvidencePackage'),
            '404': problem('Unknown claim'),
            '409': problem('Evidence not built yet'),
            ...common,
          },
        },
      },
      '/v1/claims/{id}/evidence.pdf': {
        parameters: [pathParam('id')],
        get: {
          summary: 'The evidence package as a PDF to submit',
          responses: {
            '200': { description: 'PDF', content: { 'application/pdf': {} } },
            '404': problem('Unknown claim'),
            '409': problem('Evidence not built yet'),
            ...common,
          },
        },
      },
      '/v1/claims/{id}/outcome': {
        parameters: [pathParam('id')],
        post: {
          summary: 'Record an outcome decided outside the system (ops)',
          requestBody: jsonBody(claimOutcomeBody),
          responses: {
            '200': answered('The claim', 'ClaimSummary'),
            '404': problem('Unknown claim'),
            '409': problem('Already decided otherwise'),
            ...common,
          },
        },
      },
      '/v1/stock:import': {
        post: {
          summary:
            'Import stock levels (CSV warehouse_id,sku,quantity[,mode set|add] or JSON); all rows or none; idempotent',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string' },
              description: 'Defaults to the hash of the rows: the same file twice applies once.',
            },
          ],
          requestBody: {
            required: true,
            content: {
              'text/csv': { schema: { type: 'string' } },
              'application/json': { schema: schema(stockImportBody) },
            },
          },
          responses: {
            '200': answered('{importKey, replayed, rows, created, updated}', 'StockImported'),
            '409': problem('Idempotency-Key used for other rows'),
            '415': problem('Neither CSV nor JSON'),
            '422': problem('Invalid rows (errors[].path = rows.<row>.<field>); nothing applied'),
            ...common,
          },
        },
      },
      '/v1/stock': {
        get: {
          summary: 'Stock levels per warehouse and SKU, by warehouse then SKU, cursor paging',
          parameters: queryParameters(stockQuery),
          responses: { '200': answered('{items, nextCursor}', 'StockPage'), ...common },
        },
      },
      '/v1/warehouses': {
        get: {
          summary: 'List warehouses by id, cursor paging',
          parameters: queryParameters(warehousesQuery),
          responses: { '200': answered('{items, nextCursor}', 'WarehousePage'), ...common },
        },
      },
      '/v1/warehouses/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary: 'A warehouse with its stock',
          responses: {
            '200': answered('The warehouse', 'WarehouseWithStock'),
            '404': problem('Unknown warehouse'),
            ...common,
          },
        },
        put: {
          summary: 'Create or replace a warehouse (admin)',
          requestBody: jsonBody(warehouseBody),
          responses: {
            '201': answered('Created', 'Warehouse'),
            '200': answered('Replaced', 'Warehouse'),
            ...common,
          },
        },
      },
      '/v1/purchase-suggestions': {
        get: {
          summary:
            'What to restock, recorded when a reship found no warehouse with the order; newest first, cursor paging',
          parameters: queryParameters(suggestionsQuery),
          responses: {
            '200': answered('{items, nextCursor}', 'PurchaseSuggestionPage'),
            ...common,
          },
        },
      },
      '/v1/shipments/{id}/history': {
        parameters: [pathParam('id')],
        get: {
          summary:
            "The workflow's event history (every continue-as-new run) as a business timeline, with run ids and the Temporal UI link",
          responses: {
            '200': answered(
              '{shipmentId, workflowId, runIds, temporalUiUrl, entries: [{at, runId, eventId, kind, summary, actor?, name?}]}',
              'ShipmentHistory',
            ),
            '404': problem('Unknown shipment, or no history in Temporal'),
            '503': problem('Temporal unreachable'),
            ...common,
          },
        },
      },
      '/v1/analytics': {
        get: {
          summary: 'The analytics tables (analyst, admin)',
          responses: { '200': ok('{tables: [{name, title, json, csv, svg}]}'), ...common },
        },
      },
      '/v1/analytics/{table}': {
        parameters: [
          {
            name: 'table',
            in: 'path',
            required: true,
            description: 'A table, or a table with .svg for its chart',
            schema: {
              type: 'string',
              enum: TABLE_NAMES.flatMap((t) => [t, `${t}.svg`]),
            },
          },
        ],
        get: {
          summary:
            'An analytics table from the read model (analyst, admin): JSON, CSV (?format=csv or Accept: text/csv) or an SVG chart (.svg)',
          parameters: queryParameters(analyticsQuery),
          responses: {
            '200': {
              description: '{table, title, filters, columns, items}; or CSV; or SVG',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/AnalyticsTable' } },
                'text/csv': { schema: { type: 'string' } },
                'image/svg+xml': { schema: { type: 'string' } },
              },
            },
            '404': problem('Unknown table'),
            ...common,
          },
        },
      },
      '/v1/reports': {
        get: {
          summary:
            'Daily carrier reports (analyst, admin), newest period first: period, worst lanes, cursor paging',
          parameters: queryParameters(reportListQuery),
          responses: { '200': answered('{items, nextCursor}', 'ReportPage'), ...common },
        },
      },
      '/v1/reports/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary:
            'A daily report snapshot with its figures: carriers, worst lanes, review queue, claims settled',
          responses: {
            '200': answered('The snapshot', 'Report'),
            '404': problem('Unknown report'),
            ...common,
          },
        },
      },
      '/v1/reports:run': {
        post: {
          summary:
            'Run the daily report schedule now (admin); the previous day is reported once, so a second run sends nothing new',
          responses: {
            '202': ok('{scheduleId, triggeredAt}'),
            '409': problem('The schedule does not exist yet (no worker has started)'),
            ...common,
          },
        },
      },
      '/v1/shipments/{id}/messages': {
        parameters: [pathParam('id')],
        get: {
          summary:
            'Communication log: messages sent (with delivery status), inquiries and e-mails received, survey answers, oldest first, cursor paging',
          parameters: queryParameters(logQuery),
          responses: {
            '200': answered('{shipmentId, items, nextCursor}', 'CommunicationLog'),
            '404': problem('Unknown shipment'),
            ...common,
          },
        },
      },
      '/v1/inbound/email': {
        post: {
          summary:
            'A customer e-mail from an inbound-mail webhook; matched to a shipment by tracking number, order id or sender, then handled as an inquiry (idempotent by messageId)',
          requestBody: jsonBody(inboundEmailBody),
          responses: {
            '202': ok(
              '{matched, matchedBy?, shipmentId?, unverifiedSender?, intent?, action, duplicate}',
            ),
            ...common,
          },
        },
      },
      '/v1/messages': {
        get: {
          summary: 'The outbox, newest first; ?status=failing lists messages that keep failing',
          parameters: queryParameters(messagesQuery),
          responses: { '200': answered('{items, nextCursor}', 'MessagePage'), ...common },
        },
      },
      '/v1/templates': {
        get: {
          summary:
            'Message kinds, built-in languages, allowed placeholders and the seller’s overrides (by kind and locale, cursor paging)',
          parameters: queryParameters(templatesQuery),
          responses: {
            '200': answered(
              '{kinds, builtinLocales, placeholders, overrides, nextCursor}',
              'Templates',
            ),
            ...common,
          },
        },
      },
      '/v1/templates/{kind}/{locale}': {
        parameters: [pathParam('kind'), pathParam('locale')],
        get: {
          summary:
            'The template a customer with this locale gets (override or built-in, after fallback)',
          responses: { '200': ok('The effective template'), ...common },
        },
        put: {
          summary: 'Override a template (admin); an unknown placeholder is refused',
          requestBody: jsonBody(templateBody),
          responses: {
            '200': answered('Replaced', 'TemplateOverride'),
            '201': answered('Created', 'TemplateOverride'),
            '400': problem('Invalid template (template.invalid names the placeholder)'),
            '401': common['401'],
            '403': common['403'],
          },
        },
        delete: {
          summary: 'Remove an override: the built-in text applies again (admin)',
          responses: {
            '204': { description: 'Reverted' },
            '404': problem('No override'),
            ...common,
          },
        },
      },
      '/v1/analytics/surveys': {
        get: {
          summary:
            'Survey results (analyst, admin): sent, answered, average, distribution of ratings',
          parameters: queryParameters(surveyResultsQuery),
          responses: {
            '200': answered('{sent, count, average, distribution, responseRate}', 'SurveyResults'),
            ...common,
          },
        },
      },
      '/survey/{token}': {
        parameters: [pathParam('token')],
        get: {
          security: [],
          summary:
            'The customer’s survey page (HTML, no external assets); the signed token is the credential',
          responses: {
            '200': { description: 'HTML page', content: { 'text/html': {} } },
            '404': { description: 'Invalid link (HTML page)', content: { 'text/html': {} } },
          },
        },
        post: {
          security: [],
          summary: 'Answer the survey once (form or JSON); again → 409',
          requestBody: jsonBody(surveyAnswerBody),
          responses: {
            '201': ok('Stored'),
            '400': problem('Rating not 1–5'),
            '404': problem('Invalid link'),
            '409': problem('Already answered'),
          },
        },
      },
      '/codec/decode': {
        post: {
          summary:
            'Decrypt Temporal payloads (the Temporal UI / CLI codec server protocol; proto3 JSON, bytes as base64); payloads not encrypted by us come back unchanged. Optional X-Namespace header. Authorization: an API key, or the codec session cookie of POST /codec/session (from an allowed Temporal UI origin or none)',
          requestBody: jsonBody(codecPayloadsBody),
          responses: {
            '200': answered('{payloads: [{metadata, data}]} decoded, same order', 'CodecPayloads'),
            '422': problem('A payload could not be decrypted (unknown key id, altered data)'),
            '503': problem('The API runs without PAYLOAD_KEY'),
            ...common,
          },
        },
      },
      '/codec/encode': {
        post: {
          summary:
            'Encrypt Temporal payloads with the current PAYLOAD_KEY (the Temporal UI / CLI codec server protocol). Optional X-Namespace header. Authorization: an API key, or the codec session cookie of POST /codec/session (from an allowed Temporal UI origin or none)',
          requestBody: jsonBody(codecPayloadsBody),
          responses: {
            '200': answered(
              '{payloads: [{metadata, data}]} encrypted, same order',
              'CodecPayloads',
            ),
            '422': problem('The payloads could not be encrypted'),
            '503': problem('The API runs without PAYLOAD_KEY'),
            ...common,
          },
        },
      },
      '/codec/session': {
        post: {
          summary:
            'Open a codec session for the Temporal UI, which cannot send an API key: a signed cookie (HttpOnly, SameSite=Strict, Path=/codec, 8 h) that /codec/decode and /codec/encode accept instead of the key while the key stays valid. Turn on "Include cross-origin credentials" in the UI’s Data Encoder settings',
          responses: {
            '204': {
              description: 'Session opened',
              headers: {
                'Set-Cookie': {
                  description:
                    'parcelwarden_codec=<token>; Path=/codec; Max-Age=28800; HttpOnly; SameSite=Strict (and Secure over https)',
                  schema: { type: 'string' },
                },
              },
            },
            ...common,
          },
        },
        delete: {
          summary: 'End the codec session of this browser (clears the cookie)',
          responses: {
            '204': {
              description: 'Cookie cleared',
              headers: {
                'Set-Cookie': {
                  description: 'parcelwarden_codec=; Max-Age=0',
                  schema: { type: 'string' },
                },
              },
            },
            ...common,
          },
        },
      },
      '/healthz': {
        get: {
          security: [],
          summary: 'Liveness',
          responses: { '200': answered('ok', 'Liveness') },
        },
      },
      '/readyz': {
        get: {
          security: [],
          summary: 'Readiness (database and Temporal)',
          responses: {
            '200': answered('ready', 'Readiness'),
            '503': answered('which dependency failed', 'Unready'),
          },
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
