import { z } from 'zod';
import {
  stockImportBody,
  stockQuery,
  suggestionsQuery,
  warehouseBody,
} from '../inventory/inventory.schemas';
import { policyBody } from '../policies/policies.schemas';
import { pendingQuery, reviewBody } from '../reviews/reviews.schemas';
import { inquiryBody, listQuery, registrationBody } from '../shipments/shipments.schemas';
import { trackingEventsBody } from '../tracking/tracking.schemas';

type JsonSchema = Record<string, unknown>;

const schema = (s: z.ZodType): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, {
    io: 'input',
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
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const common = {
  '400': problem('Validation failed or malformed JSON'),
  '401': problem('Missing or invalid API key'),
  '403': problem('The role of the key may not do this'),
};

/** OpenAPI 3.1 of the v1 API, generated from the same zod schemas that validate requests. */
export function openApiDocument(): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parcelwarden API',
      version: '1',
      description:
        'Durable lost-parcel handling: register shipments, push tracking events and inquiries, work the review queue.',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status', 'code'],
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
      '/v1/policies': {
        get: { summary: 'List policies', responses: { '200': ok('Policies'), ...common } },
      },
      '/v1/policies/{name}': {
        parameters: [pathParam('name')],
        get: {
          summary: 'Read a policy',
          responses: { '200': ok('The policy'), '404': problem('Unknown policy'), ...common },
        },
        put: {
          summary: 'Create or replace a policy (admin)',
          requestBody: jsonBody(policyBody),
          responses: { '200': ok('The stored policy and its version'), ...common },
        },
      },
      '/v1/shipments': {
        get: {
          summary: 'List shipments (read model), newest first, cursor paging',
          parameters: queryParameters(listQuery),
          responses: { '200': ok('{items, nextCursor}'), ...common },
        },
        post: {
          summary: 'Register a shipment and start its workflow (idempotent)',
          requestBody: jsonBody(registrationBody),
          responses: {
            '201': ok('{shipmentId, workflowId, stage}'),
            '200': ok('Already registered with the same body'),
            '409': problem('Another body under this id, or the tracking number is taken'),
            '422': problem('Unknown policy'),
            ...common,
          },
        },
      },
      '/v1/shipments/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary: 'A shipment as its workflow sees it (or its last snapshot)',
          responses: { '200': ok('The shipment'), '404': problem('Unknown shipment'), ...common },
        },
      },
      '/v1/shipments/{id}/inquiries': {
        parameters: [pathParam('id')],
        post: {
          summary: 'Record a customer inquiry',
          requestBody: jsonBody(inquiryBody),
          responses: { '202': ok('Accepted'), '404': problem('Unknown shipment'), ...common },
        },
      },
      '/v1/shipments/{id}/review': {
        parameters: [pathParam('id')],
        post: {
          summary: 'Decide a review (ops)',
          requestBody: jsonBody(reviewBody),
          responses: {
            '200': ok('{stage, decision, duplicate}'),
            '404': problem('Unknown shipment'),
            '409': problem('Not awaiting review'),
            ...common,
          },
        },
      },
      '/v1/tracking-events': {
        post: {
          summary: 'Push a batch of tracking events (at most 1000)',
          requestBody: jsonBody(trackingEventsBody),
          responses: { '202': ok('{accepted, duplicates, unknown}'), ...common },
        },
      },
      '/v1/reviews': {
        get: {
          summary: 'Pending reviews, oldest first',
          parameters: queryParameters(pendingQuery),
          responses: { '200': ok('{items}'), ...common },
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
            '200': ok('{importKey, replayed, rows, created, updated}'),
            '409': problem('Idempotency-Key used for other rows'),
            '415': problem('Neither CSV nor JSON'),
            '422': problem('Invalid rows (errors[].path = rows.<row>.<field>); nothing applied'),
            ...common,
          },
        },
      },
      '/v1/stock': {
        get: {
          summary: 'Stock levels per warehouse and SKU',
          parameters: queryParameters(stockQuery),
          responses: { '200': ok('{items, truncated}'), ...common },
        },
      },
      '/v1/warehouses': {
        get: { summary: 'List warehouses', responses: { '200': ok('{items}'), ...common } },
      },
      '/v1/warehouses/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary: 'A warehouse with its stock',
          responses: { '200': ok('The warehouse'), '404': problem('Unknown warehouse'), ...common },
        },
        put: {
          summary: 'Create or replace a warehouse (admin)',
          requestBody: jsonBody(warehouseBody),
          responses: { '201': ok('Created'), '200': ok('Replaced'), ...common },
        },
      },
      '/v1/purchase-suggestions': {
        get: {
          summary: 'What to restock, recorded when a reship found no warehouse with the order',
          parameters: queryParameters(suggestionsQuery),
          responses: { '200': ok('{items}'), ...common },
        },
      },
      '/healthz': { get: { security: [], summary: 'Liveness', responses: { '200': ok('ok') } } },
      '/readyz': {
        get: {
          security: [],
          summary: 'Readiness (database and Temporal)',
          responses: { '200': ok('ready'), '503': ok('which dependency failed') },
        },
      },
    },
  };
}
