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
  MESSAGE_CHANNELS,
  NOTIFICATION_KINDS,
  RESOLUTIONS,
  REVIEW_DECISIONS,
  STAGES,
  SUSPICION_REASONS,
  TRACKING_STATUSES,
  VERIFICATION_OUTCOMES,
} from '../../workflows/shipment.contract';

const timestamp = z.string().describe('ISO 8601 date-time');
const count = z.number().int().nonnegative();
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

/** Fields every shipment answer repeats from the registration. */
const registrationFields = {
  orderId: z.string(),
  carrier: z.string(),
  trackingNumber: z.string(),
  destination: z.string().describe('Destination country (ISO 3166-1 alpha-2)'),
  declaredValue: z.number(),
  currency: z.string(),
  createdAt: timestamp,
};

const trackingEvent = z.object({
  eventId: z.string(),
  occurredAt: timestamp,
  status: z.enum(TRACKING_STATUSES),
  subStatus: z.string().optional(),
  carrierCode: z.string().optional(),
  description: z.string().optional(),
  location: z
    .object({
      country: z.string().optional(),
      city: z.string().optional(),
      postalCode: z.string().optional(),
    })
    .optional(),
  expectedDeliveryAt: timestamp.optional(),
});

const proofOfDelivery = z.object({
  deliveredAt: timestamp,
  signedBy: z.string().optional(),
  photoUrl: z.string().optional(),
  location: z.object({ lat: z.number(), lng: z.number() }).optional(),
  note: z.string().optional(),
});

/** GET /v1/shipments/{id}: from the workflow, its last snapshot, or only the read-model row. */
export const shipmentViewResponse = z.object({
  shipmentId: z.string(),
  workflowId: z.string(),
  source: z.enum(['workflow', 'read_model']),
  stage: z.enum(STAGES),
  resolution: z.enum(RESOLUTIONS).optional(),
  policy: z.string().describe('Policy name'),
  ...registrationFields,
  registeredAt: timestamp,
  lastEvent: trackingEvent.optional(),
  // Absent when only the read-model row could answer.
  eventCount: count.optional(),
  reviewRound: count.optional(),
  expectedDeliveryAt: timestamp.optional(),
  suspicion: z
    .object({
      reason: z.enum(SUSPICION_REASONS),
      detectedAt: timestamp,
      detail: z.string().optional(),
      evidence: z
        .object({
          proofOfDelivery: proofOfDelivery.nullable().optional(),
          inquiryIds: z.array(z.string()).optional(),
          failedAttempts: count.optional(),
        })
        .optional(),
    })
    .optional(),
  verification: z
    .object({ outcome: z.enum(VERIFICATION_OUTCOMES), at: timestamp, detail: z.string() })
    .optional(),
  reopenedBecause: z.string().optional(),
  review: z
    .object({
      round: count.optional(),
      decision: z.enum(REVIEW_DECISIONS),
      reviewer: z.string(),
      decidedAt: timestamp,
      automatic: z.boolean(),
      note: z.string().optional(),
    })
    .optional(),
  reship: z
    .object({
      shipmentId: z.string(),
      carrier: z.string(),
      trackingNumber: z.string(),
      warehouseId: z.string(),
      channel: z.string().optional(),
      channelReason: z.string().optional(),
      insured: z.boolean().optional(),
      cost: z
        .object({
          goods: z.number(),
          postage: z.number(),
          insurance: z.number(),
          total: z.number(),
          currency: z.string(),
        })
        .optional(),
    })
    .optional(),
  refund: z
    .object({
      amount: z.number(),
      currency: z.string(),
      recordedAt: timestamp,
      status: z.enum(['refunded', 'manual']).optional(),
      reference: z.string().optional(),
      note: z.string().optional(),
    })
    .optional(),
  claim: z
    .object({
      workflowId: z.string(),
      status: z.string(),
      reason: z.enum(['lost', 'damaged']),
      startedAt: timestamp,
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
  cancelled: z.object({ reason: z.string(), at: timestamp }).optional(),
  notifications: z.array(
    z.object({
      kind: z.enum(NOTIFICATION_KINDS),
      channel: z.enum(MESSAGE_CHANNELS),
      to: z.string(),
      locale: z.string(),
      sentAt: timestamp,
      status: z.enum(['sent', 'queued']).optional(),
    }),
  ),
  timeline: z.array(z.object({ at: timestamp, kind: z.string(), detail: z.string() })),
  deadlines: z.object({
    stallAt: timestamp.optional(),
    overdueAt: timestamp.optional(),
    reviewSlaAt: timestamp.optional(),
    deliveredWatchUntil: timestamp.optional(),
  }),
});

export const shipmentListResponse = page(
  z.object({
    shipmentId: z.string(),
    workflowId: z.string(),
    stage: z.enum(STAGES),
    resolution: z.enum(RESOLUTIONS).optional(),
    policy: z.string(),
    ...registrationFields,
    suspicionReason: z.enum(SUSPICION_REASONS).optional(),
    updatedAt: timestamp,
  }),
);

export const reviewQueueResponse = page(
  z.object({
    shipmentId: z.string(),
    round: count,
    reason: z.enum(SUSPICION_REASONS),
    detectedAt: timestamp,
    slaDeadline: timestamp,
    declaredValue: z.number(),
    currency: z.string(),
    carrier: z.string(),
    trackingNumber: z.string(),
    destination: z.string(),
  }),
);

export const reviewDecisionResponse = z.object({
  stage: z.enum(STAGES),
  decision: z.enum(REVIEW_DECISIONS),
  duplicate: z.boolean().describe('The same decision had already been taken'),
});

export const trackingEventsResponse = z.object({
  accepted: count,
  duplicates: count,
  unknown: count.describe('Events for a carrier and tracking number no shipment has'),
});

const policy = z.object({
  name: z.string(),
  stallAfter: z.record(z.string(), z.string()).describe('Tracking status → ISO 8601 duration'),
  overdueGrace: z.string(),
  inquirySurge: z.object({ count: z.number().int().positive(), window: z.string() }),
  reviewSla: z.string(),
  autoDecision: z.object({
    maxDeclaredValue: z.number(),
    decision: z.enum(REVIEW_DECISIONS),
  }),
  deliveredWatch: z.string(),
  claimWait: z.string(),
  maxFailedAttempts: z.number().int().positive().optional(),
  version: z.number().int().positive().optional(),
});

export const policyResponse = z.object({
  name: z.string(),
  version: z.number().int().positive(),
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
    party: z.enum(['carrier', 'insurer']),
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
      items: z.array(z.object({ sku: z.string(), quantity: z.number(), unitPrice: z.number() })),
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
  label: z
    .object({
      carrier: z.string(),
      trackingNumber: z.string(),
      service: z.string().optional(),
      shippedAt: timestamp,
      expectedDeliveryAt: timestamp.optional(),
      origin: z.string(),
      destination: z.string(),
    })
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
  carrierTrace: z
    .object({ traceId: z.string(), status: z.string(), openedAt: timestamp })
    .optional(),
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
  deadlines: z.object({
    eligibleAt: timestamp.optional(),
    warnAt: timestamp.optional(),
    windowClosesAt: timestamp.optional(),
  }),
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
  history: z.array(z.object({ status: z.string(), at: timestamp, detail: z.string().optional() })),
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
        inquiryId: z.string(),
        channel: z.string(),
        message: z.string(),
        locale: z.string().optional(),
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
