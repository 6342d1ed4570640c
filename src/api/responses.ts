/**
 * The answers of the main routes as zod schemas, for the OpenAPI document only: the handlers build
 * their answers in code (the views), and a test checks real answers against these. Optional where
 * a view leaves a field out, nullable where it sends null.
 */
import { z } from 'zod';
import { TABLE_NAMES, type TableName } from '../analytics/analytics.tables';
import { EVIDENCE_ITEMS } from '../../workflows/claim.rules';
import { BUILTIN_LOCALES } from '../messages/templates';
import { WEBHOOK_PROVIDERS } from '../webhooks/webhooks.providers';
import { ROLES } from '../http/auth';
import { BATCH_ITEM_STATUSES } from '../../workflows/batch-review.contract';
import {
  INQUIRY_INTENTS,
  NOTIFICATION_KINDS,
  REVIEW_DECISIONS,
  STAGES,
} from '../../workflows/model/enums';
import {
  claimDeadlines,
  claimHistoryEntry,
  claimRule,
  claimTrace,
} from '../../workflows/model/claim';
import { policy } from '../../workflows/model/policy';
import { count, timestamp } from '../../workflows/model/scalars';
import {
  claimHandOff,
  customerInquiry,
  lineItem,
  registration,
  reshipRecord,
  reviewResult,
  shipmentState,
  suspicion,
} from '../../workflows/model/shipment';
import { proofOfDelivery } from '../../workflows/model/tracking';

const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Cursor of the next page; null on the last page'),
  });

export const shipmentRegisteredResponse = z.object({
  shipmentId: z.string(),
  workflowId: z.string(),
  stage: z.enum(STAGES),
});

/** POST /v1/shipments:batch: per item, what POST /v1/shipments would have answered for it. */
export const shipmentBatchResponse = z.object({
  created: count.describe('Items answered 201'),
  existing: count.describe('Items answered 200: registered before with the same body'),
  failed: count.describe('Items answered 409, 422 or 503'),
  results: z.array(
    z.object({
      index: count.describe('Position of the item in the request'),
      shipmentId: z.string().nullable().describe('Null when the item has no usable shipmentId'),
      status: z.union([
        z.literal(201),
        z.literal(200),
        z.literal(409),
        z.literal(422),
        z.literal(503),
      ]),
      workflowId: z.string().optional(),
      stage: z.enum(STAGES).optional(),
      problem: z
        .object({
          type: z.string(),
          title: z.string(),
          status: z.number().int(),
          detail: z.string(),
          code: z.string(),
          errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
        })
        .optional()
        .describe(
          'Why the item failed, as problem+json; errors[].path is shipments.<index>.<field>',
        ),
    }),
  ),
});

const reg = registration.shape;
const state = shipmentState.shape;

/** Fields every shipment answer repeats from the registration (the destination as its country). */
const registrationFields = {
  orderId: reg.orderId,
  carrier: reg.carrier,
  trackingNumber: reg.trackingNumber,
  destination: z.string().describe('Destination country (ISO 3166-1 alpha-2)'),
  declaredValue: reg.declaredValue,
  currency: reg.currency,
  createdAt: timestamp,
};

/**
 * GET /v1/shipments/{id}: from the workflow, its last snapshot, or only the read-model row. The
 * workflow state's own pieces, in the order the answer has always listed them.
 */
export const shipmentViewResponse = z.object({
  shipmentId: state.shipmentId,
  workflowId: z.string(),
  source: z.enum(['workflow', 'read_model']),
  stage: state.stage,
  resolution: state.resolution,
  policy: z.string().describe('Policy name'),
  ...registrationFields,
  registeredAt: state.registeredAt,
  lastEvent: state.lastEvent,
  // Absent when only the read-model row could answer.
  eventCount: state.eventCount.optional(),
  reviewRound: state.reviewRound.optional(),
  expectedDeliveryAt: state.expectedDeliveryAt,
  suspicion: state.suspicion,
  verification: state.verification,
  reopenedBecause: state.reopenedBecause,
  review: state.review,
  // The workflow's own handles (its id, the label, the stock reservation) stay inside.
  reship: reshipRecord.omit({ workflowId: true, labelId: true, reservationId: true }).optional(),
  refund: state.refund,
  claim: claimHandOff
    .extend({
      // From the claim's read-model row once the claim workflow has written one.
      claimId: z.string().optional(),
      filer: z.string().optional(),
      amount: z.number().optional(),
      amountRecovered: z.number().optional(),
      currency: z.string().optional(),
      filedAt: timestamp.optional(),
      windowClosesAt: timestamp.optional(),
      decidedAt: timestamp.optional(),
    })
    .optional(),
  cancelled: state.cancelled,
  notifications: state.notifications,
  timeline: state.timeline,
  deadlines: state.deadlines,
});

export const shipmentListResponse = page(
  z.object({
    shipmentId: state.shipmentId,
    workflowId: z.string(),
    stage: state.stage,
    resolution: state.resolution,
    policy: z.string(),
    ...registrationFields,
    suspicionReason: suspicion.shape.reason.optional(),
    updatedAt: timestamp,
  }),
);

/** One open review as the queue lists it: the suspicion, its round and SLA, the parcel. */
export const reviewQueueResponse = page(
  z.object({
    shipmentId: state.shipmentId,
    round: state.reviewRound,
    reason: suspicion.shape.reason,
    detectedAt: suspicion.shape.detectedAt,
    slaDeadline: timestamp,
    declaredValue: reg.declaredValue,
    currency: reg.currency,
    carrier: reg.carrier,
    trackingNumber: reg.trackingNumber,
    destination: z.string(),
  }),
);

export const reviewDecisionResponse = reviewResult;

export const trackingEventsResponse = z.object({
  accepted: count,
  duplicates: count,
  unknown: count.describe('Events for a carrier and tracking number no shipment has'),
});

export const policyResponse = z.object({
  name: policy.shape.name,
  version: policy.shape.version.unwrap(),
  updatedAt: timestamp,
  policy,
});
export const policyListResponse = page(policyResponse);

export const batchAcceptedResponse = z.object({
  batchId: z.string(),
  workflowId: z.string(),
  total: count,
});

export const batchProgressResponse = z.object({
  batchId: z.string(),
  total: count,
  done: count,
  succeeded: count,
  failed: count,
  finished: z.boolean(),
  items: z.array(
    z.object({
      shipmentId: z.string(),
      decision: z.enum(REVIEW_DECISIONS),
      status: z.enum(BATCH_ITEM_STATUSES),
      stage: z.string().optional(),
      duplicate: z.boolean().optional(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

/** GET /v1/claims/{id}/evidence: what the claim is filed with. */
export const evidencePackageResponse = z.object({
  claim: z.object({
    shipmentId: z.string(),
    filer: z.string(),
    party: claimRule.shape.party,
    rule: z.string(),
    reason: z.string(),
    amountClaimed: z.number(),
    currency: z.string(),
    preparedAt: timestamp,
  }),
  order: z
    .object({
      orderId: z.string(),
      marketplace: z.string().optional(),
      items: z.array(lineItem),
      customer: z.string(),
    })
    .optional(),
  paymentReference: z
    .object({
      orderId: z.string(),
      marketplace: z.string().optional(),
      amountPaid: z.number(),
      currency: z.string(),
    })
    .optional(),
  declaredValue: z.object({ amount: z.number(), currency: z.string() }).optional(),
  label: registration
    .pick({
      carrier: true,
      trackingNumber: true,
      service: true,
      shippedAt: true,
      expectedDeliveryAt: true,
    })
    // Origin and destination as one line of text each.
    .extend({ origin: z.string(), destination: z.string() })
    .optional(),
  trackingHistory: z.array(
    z.object({
      at: timestamp,
      status: z.string(),
      description: z.string().optional(),
      location: z.string().optional(),
      source: z.string(),
    }),
  ),
  carrierTrace: claimTrace.optional(),
  customerMessages: z.array(z.object({ at: timestamp, channel: z.string(), message: z.string() })),
  notificationsSent: z.array(z.object({ at: timestamp, kind: z.string() })),
  proofOfDelivery: proofOfDelivery.optional(),
  required: z.array(z.enum(EVIDENCE_ITEMS)),
  missing: z.array(z.enum(EVIDENCE_ITEMS)),
});

const claimFields = {
  id: z.string(),
  shipmentId: z.string(),
  workflowId: z.string().optional(),
  carrier: z.string(),
  filer: z.string(),
  rule: z.string().optional(),
  trackingNumber: z.string(),
  reason: z.string(),
  status: z.string(),
  externalClaimId: z.string().optional(),
  amounts: z.object({
    claimed: z.number(),
    recovered: z.number().optional(),
    currency: z.string(),
  }),
  deadlines: claimDeadlines.partial(),
  filedAt: timestamp.optional(),
  decidedAt: timestamp.optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
  links: z.object({ self: z.string(), evidence: z.string(), evidencePdf: z.string() }),
};
export const claimSummaryResponse = z.object(claimFields);
export const claimListResponse = page(claimSummaryResponse);
export const claimResponse = z.object({
  ...claimFields,
  trace: z.looseObject({}).optional().describe('The carrier trace opened before filing'),
  // The read model's history keeps the status as the carrier or insurer reported it.
  history: z.array(claimHistoryEntry.extend({ status: z.string() })),
  evidence: evidencePackageResponse
    .optional()
    .describe('The evidence package, once the claim is eligible (GET …/evidence)'),
});

const rate = z.number().nullable().describe('null when the denominator is 0');
const deliveryStats = {
  shipments: count,
  resolved: count,
  lost: count,
  lossRate: rate,
  delivered: count,
  withEstimate: count,
  delayed: count,
  delayRate: rate,
  flagged: count,
  flaggedRate: rate,
  medianTransitDays: z.number().nullable(),
};
const analyticsFields = {
  title: z.string(),
  filters: z.object({
    from: timestamp.optional(),
    to: timestamp.optional(),
    carrier: z.string().optional(),
    destination: z.string().optional(),
    threshold: z.number().optional(),
    minSample: z.number().optional(),
  }),
  columns: z.array(z.string()),
};
const deliveryTable = <T extends z.ZodRawShape>(name: string, key: T) =>
  z.object({
    table: z.literal(name),
    ...analyticsFields,
    items: z.array(z.object({ ...key, ...deliveryStats })),
  });

/** GET /v1/analytics/{table} as JSON: the delivery tables row by row, the others as their rows. */
export const analyticsTableResponse = z.union([
  deliveryTable('carriers', { carrier: z.string() }),
  deliveryTable('lanes', { origin: z.string(), destination: z.string() }),
  deliveryTable('months', { month: z.string().describe('YYYY-MM (UTC)') }),
  z.object({
    table: z.enum(
      TABLE_NAMES.filter((t) => !['carriers', 'lanes', 'months'].includes(t)) as [
        TableName,
        ...TableName[],
      ],
    ),
    ...analyticsFields,
    items: z.array(z.record(z.string(), z.unknown())),
  }),
]);

/** An API key as the admin routes show it: never the key itself, never its hash. */
const apiKeyFields = {
  id: z.string(),
  role: z.enum(ROLES),
  name: z.string(),
  source: z.enum(['env', 'api']),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
};
export const apiKeyResponse = z.object(apiKeyFields);
export const apiKeyListResponse = page(apiKeyResponse);
export const apiKeyCreatedResponse = z.object({
  ...apiKeyFields,
  key: z.string().describe('The secret, shown this once'),
});

export const inquiryOutcomeResponse = z.object({
  shipmentId: z.string(),
  inquiryId: z.string(),
  intent: z.enum(INQUIRY_INTENTS),
  language: z.string().optional().describe('Detected language, when the classifier found one'),
  action: z.enum(['replied', 'routed_to_ops']),
  duplicate: z.boolean(),
  signalled: z.boolean().describe('false when the workflow had already closed'),
});

/** POST /v1/webhooks/{provider}: a redelivery is only acknowledged. */
export const webhookReceivedResponse = z.union([
  z.object({ received: z.literal(true), duplicate: z.literal(true), deliveryId: z.string() }),
  z.object({
    received: z.literal(true),
    duplicate: z.literal(false),
    deliveryId: z.string(),
    kind: z.enum(['tracking', 'claim', 'ignored']),
    event: z.string().describe("The provider's event type"),
    accepted: count,
    duplicates: count,
    unknown: z.array(z.string()).describe('Tracking numbers or claim ids no record has'),
  }),
]);

export const webhookStatsResponse = z.object({
  providers: z.array(
    z.object({
      provider: z.enum(WEBHOOK_PROVIDERS),
      deliveries: count,
      redeliveries: count,
      events: count,
      unknownDeliveries: count,
      unknownReferences: count,
      lastReceivedAt: timestamp.nullable(),
    }),
  ),
});

const stockLevel = z.object({
  warehouseId: z.string(),
  sku: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int().describe('onHand − reserved'),
  updatedAt: timestamp,
});
export const stockListResponse = page(stockLevel);

export const stockImportResponse = z.object({
  importKey: z.string(),
  replayed: z.boolean().describe('The same import had been applied before; nothing changed'),
  rows: count,
  created: count,
  updated: count,
});

const warehouseFields = {
  warehouseId: z.string(),
  name: z.string(),
  country: z.string(),
  kind: z.string(),
  region: z.string(),
  updatedAt: timestamp,
};
export const warehouseResponse = z.object(warehouseFields);
export const warehouseListResponse = page(warehouseResponse);
export const warehouseWithStockResponse = z.object({
  ...warehouseFields,
  stock: z.array(stockLevel),
});

export const purchaseSuggestionListResponse = page(
  z.object({
    id: z.number().int(),
    shipmentId: z.string(),
    sku: z.string(),
    warehouseId: z.string().nullable(),
    quantityMissing: z.number().int(),
    status: z.string(),
    createdAt: timestamp,
  }),
);

export const shipmentHistoryResponse = z.object({
  shipmentId: z.string(),
  workflowId: z.string(),
  runIds: z.array(z.string()).describe('Oldest first'),
  temporalUiUrl: z.string(),
  entries: z.array(
    z.object({
      at: timestamp,
      runId: z.string(),
      eventId: z.number().int(),
      kind: z.string(),
      summary: z.string(),
      actor: z.string().optional(),
      name: z.string().optional(),
    }),
  ),
});

const reportFields = {
  id: z.number().int(),
  period: z.object({ start: timestamp, end: timestamp }),
  timeZone: z.string(),
  generatedAt: timestamp,
  workflowId: z.string(),
  worstLanes: z.array(
    z.object({
      carrier: z.string(),
      origin: z.string(),
      destination: z.string(),
      resolved: count,
      lost: count,
      lossRate: z.number(),
    }),
  ),
  links: z.object({ self: z.string() }),
};
export const reportListResponse = page(z.object(reportFields));
export const reportResponse = z.object({
  ...reportFields,
  figures: z.object({
    window: z.object({ from: timestamp, to: timestamp }),
    minSample: z.number(),
    carriers: z.array(z.object({ carrier: z.string(), ...deliveryStats })),
    reviews: z.object({ pending: count, overdue: count, decided: count }),
    claims: z.array(
      z.object({
        currency: z.string(),
        settled: count,
        recovered: count,
        amountRecovered: z.number(),
      }),
    ),
  }),
});

const messageFields = {
  id: z.number().int(),
  idempotencyKey: z.string(),
  shipmentId: z.string().nullable(),
  kind: z.string(),
  channel: z.string(),
  to: z.string(),
  locale: z.string(),
  subject: z.string(),
  status: z.enum(['pending', 'sending', 'sent', 'failing']),
  attempts: count,
  lastError: z.string().optional(),
  messageId: z.string().optional(),
  createdAt: timestamp,
  sentAt: timestamp.optional(),
  nextAttemptAt: timestamp.optional().describe('Absent once sent'),
  opsAlertedAt: timestamp.optional(),
};
export const messageListResponse = page(z.object(messageFields));

/** GET /v1/shipments/{id}/messages: sent messages (with their text), inquiries, survey answers. */
export const communicationLogResponse = z.object({
  shipmentId: z.string(),
  items: z.array(
    z.discriminatedUnion('type', [
      z.object({
        at: timestamp,
        direction: z.literal('out'),
        type: z.literal('message'),
        ...messageFields,
        text: z.string(),
      }),
      z.object({
        at: timestamp,
        direction: z.literal('in'),
        type: z.literal('inquiry'),
        ...customerInquiry.pick({ inquiryId: true, channel: true, message: true, locale: true })
          .shape,
        intent: z.string().optional(),
        action: z.string().optional(),
        email: z
          .object({
            from: z.string(),
            to: z.string(),
            subject: z.string(),
            messageId: z.string(),
            matchedBy: z.string().optional(),
          })
          .optional(),
      }),
      z.object({
        at: timestamp,
        direction: z.literal('in'),
        type: z.literal('survey_answer'),
        surveyId: z.string(),
        rating: z.number().int(),
        comment: z.string().optional(),
      }),
    ]),
  ),
  nextCursor: z.string().nullable(),
});

const templateOverride = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  locale: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  updatedAt: timestamp,
});
export const templateOverrideResponse = templateOverride;
export const templatesResponse = z.object({
  kinds: z.array(z.enum(NOTIFICATION_KINDS)),
  builtinLocales: z.array(z.enum(BUILTIN_LOCALES)),
  placeholders: z
    .record(z.string(), z.array(z.string()))
    .describe('Notification kind → placeholders its templates may use'),
  overrides: z.array(templateOverride),
  nextCursor: z.string().nullable(),
});

export const surveyResultsResponse = z.object({
  from: timestamp.optional(),
  to: timestamp.optional(),
  sent: count,
  count: count.describe('Answers'),
  average: z.number().nullable().describe('null without answers'),
  distribution: z.object({ '1': count, '2': count, '3': count, '4': count, '5': count }),
  responseRate: rate,
});

export const livenessResponse = z.object({ status: z.literal('ok') });
const checks = z.object({ db: z.boolean(), temporal: z.boolean() });
export const readinessResponse = z.object({ status: z.literal('ready'), checks });
export const unreadyResponse = z.object({
  status: z.literal('unavailable'),
  checks,
  failed: z.array(z.enum(['db', 'temporal'])),
});
