/**
 * Examples for the API reference (/docs): a request and its answer for the operations a seller
 * starts with. They are checked against the routes' own zod schemas
 * (test/api/docs-page.test.ts), so an example that no longer fits its schema fails the tests
 * rather than misleading a reader.
 */

import type { OperationExamples } from '../http/openapi';

const SHIPMENT_ID = 'SHP-1042';
const WORKFLOW_ID = `shipment:${SHIPMENT_ID}`;

const registration = {
  shipmentId: SHIPMENT_ID,
  orderId: 'ORD-78121',
  marketplace: 'shopify',
  carrier: 'yanwen',
  trackingNumber: 'YW123456789CN',
  policy: 'default',
  origin: { country: 'CN', warehouseId: 'wh-shenzhen' },
  destination: {
    country: 'DE',
    name: 'Jana Schreiber',
    line1: 'Lindenstraße 12',
    city: 'Leipzig',
    postalCode: '04109',
  },
  customer: { name: 'Jana Schreiber', email: 'jana.schreiber@example.org', locale: 'de-DE' },
  items: [{ sku: 'MUG-BLUE', quantity: 2, unitPrice: 14.5 }],
  currency: 'EUR',
  declaredValue: 29,
  shippedAt: '2026-11-02T08:30:00Z',
};

const scan = {
  eventId: 'yw-evt-55120',
  occurredAt: '2026-11-05T14:12:00Z',
  status: 'in_transit',
  description: 'Departed from sorting centre',
  location: { country: 'CN', city: 'Shenzhen' },
};

/** By operationId. */
export const OPERATION_EXAMPLES: Record<string, OperationExamples> = {
  registerShipment: {
    request: registration,
    answers: {
      '201': { shipmentId: SHIPMENT_ID, workflowId: WORKFLOW_ID, stage: 'monitoring' },
      '200': { shipmentId: SHIPMENT_ID, workflowId: WORKFLOW_ID, stage: 'monitoring' },
    },
  },
  pushTrackingEvents: {
    request: {
      events: [{ carrier: 'yanwen', trackingNumber: 'YW123456789CN', ...scan }],
    },
    answers: { '202': { accepted: 1, duplicates: 0, unknown: 0 } },
  },
  decideReview: {
    request: {
      decision: 'reship',
      reviewer: 'mei.lin@seller.example',
      note: 'No scan for 12 days; customer asked twice.',
      round: 1,
    },
    answers: { '200': { stage: 'reshipping', decision: 'reship', duplicate: false } },
  },
  getShipment: {
    answers: {
      '200': {
        shipmentId: SHIPMENT_ID,
        workflowId: WORKFLOW_ID,
        source: 'workflow',
        stage: 'awaiting_review',
        policy: 'default',
        orderId: registration.orderId,
        carrier: registration.carrier,
        trackingNumber: registration.trackingNumber,
        destination: 'DE',
        declaredValue: 29,
        currency: 'EUR',
        createdAt: '2026-11-02T08:31:04.120Z',
        registeredAt: '2026-11-02T08:31:04.120Z',
        lastEvent: scan,
        eventCount: 3,
        reviewRound: 1,
        expectedDeliveryAt: '2026-11-16T00:00:00Z',
        suspicion: {
          reason: 'stalled',
          detectedAt: '2026-11-17T14:12:00Z',
          detail: 'No scan for 12 days while in transit',
        },
        notifications: [],
        timeline: [
          {
            at: '2026-11-02T08:31:04.120Z',
            kind: 'registered',
            detail: 'yanwen YW123456789CN',
            label: 'Registered with yanwen, tracking number YW123456789CN',
          },
          {
            at: '2026-11-17T14:12:00Z',
            kind: 'suspicion',
            detail: 'stalled',
            label: 'Looks lost: no scan for 12 days while in transit',
          },
        ],
        deadlines: { reviewSlaAt: '2026-11-18T14:12:00Z' },
        stageLabel: 'Awaiting review',
        customer: registration.customer,
        address: registration.destination,
        items: registration.items,
        links: { self: `/v1/shipments/${SHIPMENT_ID}` },
      },
    },
  },
};

/** A problem+json answer as every refusal has it. */
export const PROBLEM_EXAMPLE = {
  type: 'https://parcelwarden.dev/problems/validation.failed',
  title: 'Validation failed',
  status: 400,
  detail:
    'The query string is not valid: unknown parameter "orderID"; GET /v1/shipments: it takes q, orderId, trackingNumber, email, shop, stage, carrier, destination, from, to, limit, cursor.',
  code: 'validation.failed',
  requestId: '0b6f6a0e-6c1e-4d0a-9a57-4f7f2b1c9d3e',
  errors: [{ path: 'query', message: 'unknown parameter "orderID"' }],
  unknownParameters: ['orderID'],
  allowedParameters: ['q', 'orderId', 'trackingNumber', 'email', 'shop', 'stage', 'carrier'],
};
