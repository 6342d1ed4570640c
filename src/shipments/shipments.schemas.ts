import { z } from 'zod';
import { STAGES } from '../../workflows/model/enums';
import { count, timestamp } from '../../workflows/model/scalars';
import {
  address,
  claimHandOff,
  customer,
  customerInquiry,
  lineItem,
  origin,
  registration,
  reshipRecord,
  shipmentState,
  suspicion,
  timelineEntry,
} from '../../workflows/model/shipment';
import { expectedDeliverySchema } from '../estimates/estimates.schemas';
import { page, pageQueryFields, pgTimestampKey } from '../http/pagination';
import { named } from '../http/route';
import { CATEGORIES } from '../advice/packaging';
import { isStorableInstant } from '../http/validate';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** Codes CLDR knows but that are not ISO 3166-1 alpha-2 country codes. */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'UK', 'ZZ', 'QO']);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regionNames.of(code) !== code;
}

export function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
export const country = z
  .string()
  .refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code in capitals, such as DE')
  .describe('ISO 3166-1 alpha-2 country code, e.g. DE');
const currency = z
  .string()
  .refine((c) => CURRENCIES.has(c), 'must be an ISO 4217 currency code in capitals, such as EUR')
  .describe('ISO 4217 currency code, e.g. EUR');
const locale = z
  .string()
  .refine(isLocale, 'must be a BCP 47 language tag such as de-DE')
  .describe('BCP 47 language tag, e.g. de-DE');
export const instant = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO 8601 date-time with a time zone, such as 2025-03-01T12:00:00Z',
  })
  .refine(isStorableInstant, 'must be a date-time in the years 0001-9999');
/** Ids end up in workflow ids and URLs: keep them printable and short. */
export const shipmentId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}$/,
    'must be 1-128 characters: letters, digits, . _ : ~ -',
  );
// The read model stores amounts as numeric(12,2): anything larger would fail at the insert.
const money = z
  .number()
  .nonnegative()
  .finite()
  .max(9_999_999_999.99, 'must be at most 9999999999.99');

/**
 * The registration as a backend sends it: the base registration's fields (all but
 * `replacementOf`, which only the workflow sets) with the rules a request must meet.
 */
export const registrationBody = registration
  .omit({ replacementOf: true, shop: true })
  .safeExtend({
    shipmentId,
    orderId: text(128),
    marketplace: text(64).optional(),
    carrier: text(64).describe(
      'Carrier code from the catalogue (GET /v1/carriers), e.g. yanwen, usps, dhl; any case. An unknown code is refused (422 carrier.unknown, with suggestions) unless carrierUnlisted is true.',
    ),
    carrierUnlisted: z
      .boolean()
      .optional()
      .describe(
        'True when the carrier is deliberately outside the catalogue (a regional carrier): its code is kept as given instead of refused. Carrier lookups reach only catalogue carriers, so such a shipment relies on the tracking events pushed for it.',
      ),
    trackingNumber: text(128),
    service: text(64).optional(),
    origin: origin.safeExtend({ country, warehouseId: text(64).optional() }),
    destination: address.safeExtend({
      country,
      name: text(200),
      line1: text(200),
      line2: text(200).optional(),
      city: text(100),
      region: text(100).optional(),
      postalCode: text(20),
    }),
    customer: customer.safeExtend({
      name: text(200),
      email: z.email('must be an e-mail address'),
      locale,
    }),
    items: z
      .array(
        lineItem.safeExtend({
          sku: text(64),
          quantity: z.number().int('must be a whole number').positive('must be at least 1'),
          unitPrice: money,
          category: z
            .enum(CATEGORIES)
            .optional()
            .describe('Product category, for packaging advice'),
          hasBattery: z
            .boolean()
            .optional()
            .describe('The item is or contains a battery (packaging advice)'),
        }),
      )
      .min(1, 'must list at least one item'),
    currency,
    declaredValue: money,
    shippedAt: instant,
    expectedDeliveryAt: instant.optional(),
    compensation: registration.shape.compensation
      .unwrap()
      .safeExtend({ couponCode: text(64) })
      .optional(),
  })
  // A request may leave the policy out (its input is optional, so not a safeExtend).
  .extend({ policy: z.string().min(1).default('default') });
export type RegistrationBody = z.output<typeof registrationBody>;

/** Most registrations one POST /v1/shipments:batch carries (500 typical ones stay under 1 MB). */
export const MAX_BATCH_REGISTRATIONS = 500;
const batchItems = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .min(1, 'must list at least one shipment')
    .max(MAX_BATCH_REGISTRATIONS, `must list at most ${MAX_BATCH_REGISTRATIONS} shipments`);
/**
 * The envelope the batch route checks as a whole (400); each item is then checked on its own
 * against `registrationBody`, so one bad item fails alone (422 in its result).
 */
export const registrationBatchEnvelope = z.object({ shipments: batchItems(z.unknown()) });
/** The same body as documented: items are registrations. */
export const registrationBatchBody = z.object({ shipments: batchItems(registrationBody) });

export const shipmentParams = z.object({ id: shipmentId });

/** A search term or exact filter value from the query string. */
const searchText = (max: number, doc: string) => text(max).optional().describe(doc);

/**
 * The list's query. Strict: a parameter the list does not know (`?orderId=` before it was one)
 * is refused with its name rather than ignored, which would answer with unrelated shipments.
 */
export const listQuery = z.strictObject(
  {
    q: searchText(
      200,
      "Search: order number (our orderId or the shop order name, with or without #), tracking number (also a replacement's), shipment id, customer e-mail (each exact or prefix), or part of the customer name; case-insensitive",
    ),
    orderId: searchText(128, 'Exact order id'),
    trackingNumber: searchText(128, 'Exact tracking number'),
    email: searchText(320, 'Exact customer e-mail, any case'),
    shop: searchText(128, 'Connected shop id'),
    stage: z.enum(STAGES).optional(),
    carrier: z.string().min(1).optional(),
    destination: country.optional(),
    from: instant.optional(),
    to: instant.optional(),
    ...pageQueryFields,
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : undefined,
  },
);
export type ListQuery = z.output<typeof listQuery>;
/** Paging position: the last row's created_at as PostgreSQL text and its id. */
export const listCursor = z.tuple([pgTimestampKey, z.string().min(1).max(128)]);

/** A customer inquiry as sent; the API classifies it (`intent`) before signalling. */
export const inquiryBody = customerInquiry.omit({ intent: true }).safeExtend({
  inquiryId: text(128),
  channel: text(32),
  message: z.string().min(1, 'must not be empty').max(10_000),
  receivedAt: instant,
  locale: locale.optional(),
});
export type InquiryBody = z.output<typeof inquiryBody>;

/** JSON with object keys sorted at every level, so equal bodies serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/* The answers (response schemas, named as OpenAPI components). */

/** The advice stored with a registration (its full shape: the Advice schema of POST /v1/advice). */
const adviceAnswer = z
  .looseObject({
    channel: z.looseObject({ carrier: z.string(), service: z.string(), reason: z.string() }),
    insurance: z.looseObject({ recommended: z.boolean(), premium: z.number() }),
    warnings: z.array(z.looseObject({ message: z.string() })),
    packaging: z.array(z.looseObject({ rule: z.string(), advice: z.string() })),
    followedChannel: z.boolean(),
  })
  .describe('Advice at registration: channel, insurance, risk warnings, packaging (see Advice)');

export const shipmentRegisteredResponse = named(
  'ShipmentRegistered',
  z.object({
    shipmentId: z.string(),
    workflowId: z.string(),
    stage: z.enum(STAGES),
    advice: adviceAnswer.optional(),
  }),
);

/** POST /v1/shipments:batch: per item, what POST /v1/shipments would have answered for it. */
export const shipmentBatchResponse = named(
  'ShipmentBatch',
  z.object({
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
        advice: adviceAnswer.optional(),
        problem: z
          .object({
            type: z.string(),
            title: z.string(),
            status: z.number().int(),
            detail: z.string(),
            code: z.string(),
            errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
            suggestions: z
              .array(z.string())
              .optional()
              .describe('carrier.unknown: the known carrier codes closest to the one sent'),
            knownCarriers: z
              .array(z.string())
              .optional()
              .describe('carrier.unknown: every carrier code we know (GET /v1/carriers)'),
          })
          .optional()
          .describe(
            'Why the item failed, as problem+json; errors[].path is shipments.<index>.<field>',
          ),
      }),
    ),
  }),
);

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
  /** The shop order it came from, for shipments of a connected shop. */
  shop: reg.shop,
  createdAt: timestamp,
};

/**
 * GET /v1/shipments/{id}: from the workflow, its last snapshot, or only the read-model row. The
 * workflow state's own pieces, in the order the answer has always listed them.
 */
export const shipmentViewResponse = named(
  'Shipment',
  z.object({
    shipmentId: state.shipmentId,
    workflowId: z.string(),
    source: z.enum(['workflow', 'read_model']),
    stage: state.stage,
    resolution: state.resolution,
    policy: z.string().describe('Policy name'),
    ...registrationFields,
    registeredAt: state.registeredAt,
    lastEvent: state.lastEvent,
    /** The provider's word on the whole tracking (overall status, proof of delivery). */
    carrierSummary: state.carrierSummary,
    // Absent when only the read-model row could answer.
    eventCount: state.eventCount.optional(),
    reviewRound: state.reviewRound.optional(),
    expectedDeliveryAt: state.expectedDeliveryAt,
    /** Our best estimate with its range and basis (src/estimates): carrier, lane or channel. */
    expectedDelivery: expectedDeliverySchema.optional(),
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
        id: z
          .string()
          .optional()
          .describe('Our claim id: GET /v1/claims/{id} opens it (links.claim)'),
        carrierClaimNumber: z
          .string()
          .optional()
          .describe("The carrier's or insurer's own claim number, once filed (not our id)"),
        claimId: z
          .string()
          .optional()
          .describe(
            "Deprecated: the carrier's claim number, kept for existing clients; use carrierClaimNumber, or id for ours",
          ),
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
    timeline: z.array(
      timelineEntry.extend({
        label: z.string().describe('The entry in plain words (English); kind is its code'),
      }),
    ),
    deadlines: state.deadlines.describe(
      'The clocks running at this stage only: stallAt and overdueAt while monitoring, reviewSlaAt in review, deliveredWatchUntil once delivered',
    ),
    stageLabel: z.string().describe('The stage in plain words (English)'),
    customer: customer.describe('Who the parcel is for'),
    address: address.describe('Where it goes'),
    items: z.array(lineItem),
    links: z
      .object({
        self: z.string(),
        original: z
          .string()
          .optional()
          .describe('The shipment this one replaces (GET /v1/shipments/{id})'),
        replacement: z
          .string()
          .optional()
          .describe('The replacement sent for this one (GET /v1/shipments/{id})'),
        claim: z.string().optional().describe('Its claim (GET /v1/claims/{id}, our id)'),
        claimEvidence: z.string().optional().describe("The claim's evidence package"),
      })
      .describe('Related resources, each opening with its own route'),
  }),
);

export const shipmentListResponse = named(
  'ShipmentPage',
  page(
    z.object({
      shipmentId: state.shipmentId,
      workflowId: z.string(),
      stage: state.stage,
      resolution: state.resolution,
      policy: z.string(),
      ...registrationFields,
      suspicionReason: suspicion.shape.reason.optional(),
      customerName: z
        .string()
        .describe(
          "The customer's name, so a search hit can be recognised; the e-mail is searchable but never listed",
        ),
      updatedAt: timestamp,
    }),
  ),
);
