/**
 * The answers of the main routes as zod schemas, for the OpenAPI document only: the handlers build
 * their answers in code (the views), and a test checks real answers against these. Optional where
 * a view leaves a field out, nullable where it sends null.
 */
import { z } from 'zod';
import { TABLE_NAMES, type TableName } from '../analytics/analytics.tables';
import { BATCH_ITEM_STATUSES } from '../../workflows/batch-review.contract';
import {
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
  evidence: z
    .looseObject({})
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
