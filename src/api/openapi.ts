import type { RouteSpec } from '../http/route';
import { buildOpenApiDocument, jsonSchema } from '../http/openapi';
import { eventWebhooksDocument } from '../events/events.types';
import { OPERATION_EXAMPLES, PROBLEM_EXAMPLE } from './examples';

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
  {
    name: 'Carriers',
    description: 'The carriers we know: codes for registrations, names, provider codes',
  },
  { name: 'Tracking', description: 'Tracking events pushed by the order system or an aggregator' },
  { name: 'Webhooks', description: 'Provider pushes (signed) and their delivery statistics' },
  { name: 'Inquiries', description: 'Customer inquiries, by API and by inbound mail' },
  { name: 'Reviews', description: 'The review queue and ops decisions, one by one or in batches' },
  { name: 'Claims', description: 'Claims with carriers and insurers, and their evidence' },
  { name: 'Policies', description: 'Named, versioned handling policies' },
  {
    name: 'Advice',
    description:
      'Advice before shipping (channel, insurance, risk warnings, packaging) and packaging rules per seller',
  },
  {
    name: 'Channels',
    description:
      'The channel policy and rate card reships and advice choose by, versioned; CSV import',
  },
  {
    name: 'Shops',
    description:
      'Connected Shopify and WooCommerce stores: records, their signed order webhooks, backfill',
  },
  { name: 'Inventory', description: 'Warehouses, stock and purchase suggestions for reships' },
  { name: 'Messages', description: 'Customer messages, templates and the communication log' },
  { name: 'Surveys', description: 'The customer survey after a replacement arrives' },
  {
    name: 'Customer page',
    description:
      'A shipment’s page for its customer, reached by the signed link in every customer mail: tracking, help forms, the helper',
  },
  { name: 'Analytics', description: 'Loss, delay, handling and claim figures from the read model' },
  { name: 'Reports', description: 'The daily report' },
  { name: 'History', description: 'A shipment’s history from Temporal, in words' },
  { name: 'API keys', description: 'Keys and their roles' },
  {
    name: 'Webhook endpoints',
    description:
      'Your endpoints for our events (signed by the Standard Webhooks specification), their deliveries and redelivery; the events themselves are under `webhooks`',
  },
  { name: 'Codec', description: 'The Temporal UI’s codec server for encrypted payloads' },
  { name: 'Operations', description: 'Health, readiness, metrics, this document and the console' },
];

/**
 * OpenAPI 3.1 of the API, assembled from the route specs: the same zod schemas that validate
 * requests and type the answers, the roles of each operation, the problems every route can give.
 */
export function openApiDocument(
  routes: readonly RouteSpec[] = [],
  servers: { url: string }[] = [],
): Record<string, unknown> {
  return buildOpenApiDocument(routes, {
    ...API_INFO,
    servers,
    tags: API_TAGS,
    webhooks: eventWebhooksDocument((s) => jsonSchema(s, 'output')),
    examples: OPERATION_EXAMPLES,
    problemExample: PROBLEM_EXAMPLE,
  });
}
