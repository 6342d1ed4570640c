import { z } from 'zod';
import { decodeCursor, pgTimestampKey, toPage } from '../http/pagination';
import { ProblemError, validationFailed, type FieldError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { judgeEndpointUrl, type EndpointUrlPolicy } from './endpoint-url';
import {
  NoSecretBoxError,
  type DeliveryView,
  type EndpointRepository,
  type EndpointRow,
} from './endpoints.repository';
import {
  deliveryListQuery,
  deliveryParams,
  endpointListQuery,
  endpointParams,
  webhookDeliveryListResponse,
  webhookDeliveryResponse,
  webhookEndpointBody,
  webhookEndpointCreatedResponse,
  webhookEndpointListResponse,
  webhookEndpointResponse,
} from './events.schemas';
import { EVENT_TYPES, isEventType, type EventType } from './events.types';

const TAG = 'Webhook endpoints';
/** (created_at as PostgreSQL text, endpoint id): checked before it reaches the SQL cast. */
const endpointCursor = z.tuple([pgTimestampKey, z.string().min(1).max(100)]);
const deliveryCursor = z.tuple([z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)]);

function view(row: EndpointRow): z.input<typeof webhookEndpointResponse> {
  return {
    id: row.endpointId,
    url: row.url,
    // Written only from EVENT_TYPES (the create route validates them).
    eventTypes: row.eventTypes as EventType[],
    description: row.description,
    createdAt: row.createdAt.toISOString(),
  };
}

function deliveryView(d: DeliveryView): z.input<typeof webhookDeliveryResponse> {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType as EventType,
    shipmentId: d.shipmentId,
    status: d.status as 'pending' | 'delivered' | 'failed',
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastResponse: d.lastResponse,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

const notFound = (id: string) =>
  new ProblemError(
    404,
    'webhook_endpoint.not_found',
    'Unknown webhook endpoint',
    `No webhook endpoint ${id}.`,
  );

/** An unknown event type is a 422 listing the types there are; other body errors stay 400. */
function invalidBody(errors: FieldError[], body: unknown): ProblemError {
  const types: unknown =
    typeof body === 'object' && body !== null
      ? (body as { eventTypes?: unknown }).eventTypes
      : undefined;
  const unknown = Array.isArray(types)
    ? types.filter((t): t is string => typeof t === 'string' && !isEventType(t))
    : [];
  const onlyTypes = errors.every((e) => /^eventTypes\.\d+$/.test(e.path));
  if (unknown.length > 0 && onlyTypes) {
    return new ProblemError(
      422,
      'webhook_endpoint.unknown_event_type',
      'Unknown event type',
      `Unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')}; the event types are ${EVENT_TYPES.join(', ')}.`,
      { errors, members: { validEventTypes: EVENT_TYPES } },
    );
  }
  return validationFailed(errors);
}

export interface EventsRoutesDeps {
  endpoints: EndpointRepository;
  urlPolicy: EndpointUrlPolicy;
}

/** Admin routes of the seller's webhook endpoints (events out) and their deliveries. */
export function eventsRoutes(deps: EventsRoutesDeps): RouteSpec[] {
  const { urlPolicy, endpoints } = deps;

  const create = route({
    method: 'post',
    path: '/v1/webhook-endpoints',
    access: 'administer',
    operationId: 'createWebhookEndpoint',
    tag: TAG,
    summary:
      'Subscribe an endpoint of yours to events (admin); the answer holds its signing secret, shown this once',
    body: webhookEndpointBody,
    onInvalidBody: invalidBody,
    answer: {
      status: 201,
      description: '{id, url, eventTypes, description, createdAt, secret}',
      schema: webhookEndpointCreatedResponse,
    },
    responses: {
      '422': 'An unknown event type (validEventTypes lists them) or a URL that may not be used',
      '503': 'The API runs without PAYLOAD_KEY (signing secrets are sealed with it)',
    },
    handler: async ({ req, body }) => {
      const judged = judgeEndpointUrl(body.url, urlPolicy);
      if (!judged.ok) {
        throw new ProblemError(
          422,
          'webhook_endpoint.bad_url',
          'URL not accepted',
          `The url ${judged.reason}.`,
          { errors: [{ path: 'url', message: judged.reason }] },
        );
      }
      const made = await endpoints
        .create({
          url: judged.url,
          eventTypes: [...new Set(body.eventTypes)],
          description: body.description,
        })
        .catch((err: unknown) => {
          if (!(err instanceof NoSecretBoxError)) throw err;
          throw new ProblemError(
            503,
            'webhook_endpoint.no_payload_key',
            'Webhook endpoints cannot be made',
            'The API has no PAYLOAD_KEY to seal signing secrets with; set it (the same value as the worker’s).',
          );
        });
      const { row, secret } = made;
      req.log?.info(
        { endpointId: row.endpointId, eventTypes: row.eventTypes, by: req.keyId },
        'webhook endpoint created',
      );
      // The only time the secret is shown: the row holds it sealed.
      return { ...view(row), secret };
    },
  });

  const list = route({
    method: 'get',
    path: '/v1/webhook-endpoints',
    access: 'administer',
    operationId: 'listWebhookEndpoints',
    tag: TAG,
    summary: 'Webhook endpoints, newest first, without secrets (admin), cursor paging',
    query: endpointListQuery,
    answer: { description: '{items, nextCursor}', schema: webhookEndpointListResponse },
    handler: async ({ query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, endpointCursor) : undefined;
      const rows = await endpoints.list({
        limit: q.limit + 1,
        after: after && { createdAt: after[0], id: after[1] },
      });
      const page = toPage(rows, q.limit, (r) => [r.cursorAt, r.endpointId]);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  });

  const get = route({
    method: 'get',
    path: '/v1/webhook-endpoints/{id}',
    access: 'administer',
    operationId: 'getWebhookEndpoint',
    tag: TAG,
    summary: 'A webhook endpoint, without its secret (admin)',
    params: endpointParams,
    answer: { description: 'The endpoint', schema: webhookEndpointResponse },
    responses: { '404': 'Unknown (or deleted) endpoint' },
    handler: async ({ params: { id } }) => {
      const row = await endpoints.get(id);
      if (!row) throw notFound(id);
      return view(row);
    },
  });

  const remove = route({
    method: 'delete',
    path: '/v1/webhook-endpoints/{id}',
    access: 'administer',
    operationId: 'deleteWebhookEndpoint',
    tag: TAG,
    summary: 'Delete a webhook endpoint (admin): nothing more is sent to it',
    params: endpointParams,
    answer: { description: 'The deleted endpoint', schema: webhookEndpointResponse },
    responses: { '404': 'Unknown (or already deleted) endpoint' },
    handler: async ({ req, params: { id } }) => {
      const row = await endpoints.remove(id);
      if (!row) throw notFound(id);
      req.log?.info({ endpointId: id, by: req.keyId }, 'webhook endpoint deleted');
      return view(row);
    },
  });

  const deliveries = route({
    method: 'get',
    path: '/v1/webhook-endpoints/{id}/deliveries',
    access: 'administer',
    operationId: 'listWebhookDeliveries',
    tag: TAG,
    summary:
      'Deliveries to an endpoint, newest first (admin): status, attempts, last answer, next attempt',
    params: endpointParams,
    query: deliveryListQuery,
    answer: { description: '{items, nextCursor}', schema: webhookDeliveryListResponse },
    responses: { '404': 'Unknown endpoint' },
    handler: async ({ params: { id }, query: q }) => {
      if (!(await endpoints.get(id))) throw notFound(id);
      const after = q.cursor ? decodeCursor(q.cursor, deliveryCursor) : undefined;
      const rows = await endpoints.deliveries(id, {
        limit: q.limit + 1,
        afterId: after?.[0],
        status: q.status,
      });
      const page = toPage(rows, q.limit, (r) => [r.id]);
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  });

  const redeliver = route({
    method: 'post',
    path: '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}:redeliver',
    access: 'administer',
    operationId: 'redeliverWebhookDelivery',
    tag: TAG,
    summary: 'Send a delivered or failed delivery again, now (admin), with the same webhook-id',
    params: deliveryParams,
    answer: {
      status: 202,
      description: 'The delivery, pending again',
      schema: webhookDeliveryResponse,
    },
    responses: {
      '404': 'Unknown endpoint or delivery',
      '409': 'The delivery is pending already: it is sent at its next attempt',
    },
    handler: async ({ req, params: { id, deliveryId } }) => {
      if (!(await endpoints.get(id))) throw notFound(id);
      const result = /^[1-9]\d{0,14}$/.test(deliveryId)
        ? await endpoints.redeliver(id, Number(deliveryId))
        : undefined;
      if (!result) {
        throw new ProblemError(
          404,
          'webhook_delivery.not_found',
          'Unknown delivery',
          `Endpoint ${id} has no delivery ${deliveryId}.`,
        );
      }
      if (result.outcome === 'pending') {
        throw new ProblemError(
          409,
          'webhook_delivery.pending',
          'Delivery is pending',
          `Delivery ${deliveryId} is pending already; it is tried next at ${result.delivery.nextAttemptAt.toISOString()}.`,
        );
      }
      req.log?.info({ endpointId: id, deliveryId, by: req.keyId }, 'webhook delivery redelivered');
      return deliveryView(result.delivery);
    },
  });

  return [list, create, get, remove, deliveries, redeliver];
}
