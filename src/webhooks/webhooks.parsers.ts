/**
 * Provider payloads → our tracking events and claim updates. Lenient where providers are (extra
 * fields, nulls), strict where we cannot act without a field (tracking number, delivery id).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ClaimUpdate } from '../../workflows/claim.contract';
import {
  TRACKING_STATUSES,
  type TrackingEvent,
  type TrackingSummary,
} from '../../workflows/shipment.contract';
import { fieldErrors, ProblemError } from '../http/problems';
import { fromEasyPost } from '../tracking/status-map';
import { fromAfterShipSlug, fromEasyPostCarrier, fromTrack17Key } from '../carriers/catalogue';
import { chronological, toEvent, type ProviderCheckpoint } from '../carriers/events';
import { fromAfterShipTracking } from '../carriers/aftership/aftership.carrier';
import { afterShipTrackingCore } from '../carriers/aftership/aftership.schemas';
import { easyPostSummary } from '../carriers/easypost/easypost.carrier';
import { toTrackResult } from '../carriers/track17/track17.carrier';
import { track17TrackInfo } from '../carriers/track17/track17.schemas';
import { trackingEvent } from '../tracking/tracking.schemas';
import { CLAIM_STATUSES, fromEasyPostClaimStatus } from './webhooks.payloads';
import { toInstant, type WebhookProvider } from './webhooks.providers';

export interface ParsedTracking {
  trackingNumber: string;
  /** The carrier as the provider names it, when it says. */
  carrier?: string;
  events: TrackingEvent[];
  /** The provider's word on the whole tracking, where it says more than the scans. */
  summary?: TrackingSummary;
}

export interface ParsedWebhook {
  /** The provider's id of this delivery (a digest of the body when the provider sends none). */
  deliveryId: string;
  /** When the provider sent it, where the payload says (17TRACK does not). */
  sentAt?: string;
  kind: 'tracking' | 'claim' | 'ignored';
  /** The provider's event type, for logs. */
  event: string;
  trackings: ParsedTracking[];
  claims: ClaimUpdate[];
}

const text = z.string().nullish();
const amount = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : Number(v)));

function invalid(provider: WebhookProvider, error: z.ZodError): ProblemError {
  const errors = fieldErrors(error);
  return new ProblemError(
    400,
    'webhook.invalid_payload',
    'Invalid webhook payload',
    `The ${provider} payload is not in the documented shape: ${errors
      .map((e) => `${e.path}: ${e.message}`)
      .join('; ')}`,
    { errors },
  );
}

function parseWith<T extends z.ZodType>(provider: WebhookProvider, schema: T, body: unknown) {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalid(provider, parsed.error);
  return parsed.data as z.output<T>;
}

/** An event with its free-text fields cut to the lengths a stored event allows. */
function clip(e: TrackingEvent): TrackingEvent {
  const l = e.location;
  return {
    ...e,
    ...(e.subStatus ? { subStatus: e.subStatus.slice(0, 100) } : {}),
    ...(e.carrierCode ? { carrierCode: e.carrierCode.slice(0, 100) } : {}),
    ...(e.description ? { description: e.description.slice(0, 2000) } : {}),
    ...(l
      ? {
          location: {
            ...l,
            ...(l.city ? { city: l.city.slice(0, 200) } : {}),
            ...(l.postalCode ? { postalCode: l.postalCode.slice(0, 20) } : {}),
          },
        }
      : {}),
  };
}

/** Our event for one provider checkpoint, built as lookups build it; undefined without a time. */
function checkpoint(
  provider: WebhookProvider,
  trackingNumber: string,
  c: ProviderCheckpoint,
  expectedDeliveryAt: string | undefined,
): TrackingEvent | undefined {
  const e = toEvent(provider, trackingNumber, c, expectedDeliveryAt);
  return e && clip(e);
}

const byTime = (a: TrackingEvent, b: TrackingEvent) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt);

// ---------- AfterShip ----------

/** AfterShip's `ts` (seconds since the epoch) as an instant; out of range reads as none. */
function fromUnixSeconds(ts: number): string | undefined {
  const d = new Date(ts * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

// `msg` is the tracking object a lookup answers with; its tracking-level `tag` is not required.
const afterShipBody = z.object({
  ts: z.number().nullish(),
  event: z.string().min(1),
  event_id: z.string().min(1),
  msg: afterShipTrackingCore,
});

export function parseAfterShip(body: unknown): ParsedWebhook {
  const b = parseWith('aftership', afterShipBody, body);
  const m = b.msg;
  // The same mapping as a lookup (checkpoints, carrier code, location, estimate, summary).
  const read = fromAfterShipTracking(m);
  const events = read.events.map(clip);
  const sentAt = typeof b.ts === 'number' ? fromUnixSeconds(b.ts) : undefined;
  return {
    deliveryId: b.event_id,
    ...(sentAt ? { sentAt } : {}),
    kind: 'tracking',
    event: b.event,
    trackings: [
      {
        trackingNumber: m.tracking_number,
        ...(m.slug ? { carrier: fromAfterShipSlug(m.slug) ?? m.slug } : {}),
        events,
        ...(read.summary ? { summary: read.summary } : {}),
      },
    ],
    claims: [],
  };
}

// ---------- 17TRACK ----------

/** 17TRACK names carriers by number: ours where the catalogue knows it, else the number. */
function track17Carrier(carrier: number | string): string {
  const key = typeof carrier === 'number' ? carrier : Number(carrier);
  return (Number.isInteger(key) ? fromTrack17Key(key) : undefined) ?? String(carrier);
}

const track17Body = z.object({
  event: z.string().min(1),
  data: z
    .object({
      number: z.string().min(1),
      carrier: z.union([z.number(), z.string()]).nullish(),
      // The shape a lookup reads (with `providers[].provider`: the carrier's name).
      track_info: track17TrackInfo.nullish(),
    })
    .nullish(),
});

export function parse17Track(body: unknown, raw: Buffer): ParsedWebhook {
  const b = parseWith('17track', track17Body, body);
  // 17TRACK sends no delivery id: a redelivery is the same bytes, so their digest stands in.
  const deliveryId = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  if (b.event !== 'TRACKING_UPDATED' || !b.data) {
    return { deliveryId, kind: 'ignored', event: b.event, trackings: [], claims: [] };
  }
  const number = b.data.number;
  const info = b.data.track_info;
  // The same mapping as a lookup, carrier names (`providers[].provider.name`) included.
  const read = toTrackResult(number, info ?? undefined);
  const events = read.events.map(clip);
  return {
    deliveryId,
    kind: 'tracking',
    event: b.event,
    trackings: [
      {
        trackingNumber: number,
        ...(b.data.carrier !== null && b.data.carrier !== undefined
          ? { carrier: track17Carrier(b.data.carrier) }
          : {}),
        events,
        ...(read.summary ? { summary: read.summary } : {}),
      },
    ],
    claims: [],
  };
}

// ---------- EasyPost ----------

const easyPostEvent = z.object({
  id: z.string().min(1),
  object: z.literal('Event'),
  description: z.string().min(1),
  created_at: text,
  result: z.record(z.string(), z.unknown()).nullish(),
});

const easyPostTracker = z.object({
  object: z.literal('Tracker'),
  tracking_code: z.string().min(1),
  carrier: text,
  status: text,
  status_detail: text,
  signed_by: text,
  updated_at: text,
  est_delivery_date: text,
  tracking_details: z
    .array(
      z.object({
        message: text,
        description: text,
        status: z.string().min(1),
        status_detail: text,
        datetime: text,
        carrier_code: text,
        tracking_location: z
          .object({ city: text, state: text, country: text, zip: text })
          .nullish(),
      }),
    )
    .nullish(),
});

const easyPostClaim = z.object({
  object: z.literal('Claim'),
  id: z.string().min(1),
  status: z.string().min(1),
  status_detail: text,
  status_timestamp: text,
  updated_at: text,
  approved_amount: amount,
});

export function parseEasyPost(body: unknown): ParsedWebhook {
  const e = parseWith('easypost', easyPostEvent, body);
  const sentAt = toInstant(e.created_at);
  const ignored: ParsedWebhook = {
    deliveryId: e.id,
    ...(sentAt ? { sentAt } : {}),
    kind: 'ignored',
    event: e.description,
    trackings: [],
    claims: [],
  };
  if (/^tracker\.(created|updated)$/.test(e.description)) {
    const t = parseWith('easypost', z.object({ result: easyPostTracker }), body).result;
    const edd = toInstant(t.est_delivery_date);
    const events = chronological(
      (t.tracking_details ?? []).map((d) =>
        checkpoint(
          'easypost',
          t.tracking_code,
          {
            time: d.datetime,
            main: d.status,
            sub: d.status_detail ?? undefined,
            mapped: fromEasyPost(d.status, d.status_detail ?? undefined),
            description: d.message ?? d.description,
            // As a lookup reads it: the scan's own code, else the Tracker's carrier.
            // The carrier itself, as every provider's events name it (`carrier_code` is its scan code).
            carrierCode: t.carrier ? (fromEasyPostCarrier(t.carrier) ?? t.carrier) : undefined,
            country: d.tracking_location?.country,
            state: d.tracking_location?.state,
            city: d.tracking_location?.city,
            postalCode: d.tracking_location?.zip,
          },
          edd,
        ),
      ),
    );
    // The same overall status and proof of delivery a lookup reads.
    const summary = easyPostSummary(t, events);
    return {
      ...ignored,
      kind: 'tracking',
      trackings: [
        {
          trackingNumber: t.tracking_code,
          ...(t.carrier ? { carrier: fromEasyPostCarrier(t.carrier) ?? t.carrier } : {}),
          events,
          ...(summary ? { summary } : {}),
        },
      ],
    };
  }
  // EasyPost documents both `claim.*` and (older pages) `claims.*`; `claim.message` is no decision.
  if (/^claims?\.(submitted|updated|approved|rejected|cancelled)$/.test(e.description)) {
    const c = parseWith('easypost', z.object({ result: easyPostClaim }), body).result;
    const status = fromEasyPostClaimStatus(c.status);
    return {
      ...ignored,
      kind: 'claim',
      claims: [
        {
          claimId: c.id,
          status,
          ...(c.approved_amount !== undefined ? { amountApproved: c.approved_amount } : {}),
          at: toInstant(c.status_timestamp ?? c.updated_at) ?? new Date().toISOString(),
          ...(c.status_detail ? { detail: c.status_detail } : {}),
        },
      ],
    };
  }
  return ignored;
}

// ---------- sandbox ----------

const TRACKING_STATUS_SET = new Set<string>(TRACKING_STATUSES);

/** The sandbox pushes our own event shape; the delivery's estimate comes once, at the top. */
const sandboxEvent = trackingEvent.omit({ expectedDeliveryAt: true }).extend({
  occurredAt: z.iso.datetime({ offset: true }),
  // Not checked here: a status we do not know becomes `unknown` below, not a refused delivery.
  status: z.string().min(1),
});

const sandboxBody = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('tracking.updated'),
    deliveryId: z.string().min(1),
    sentAt: z.iso.datetime({ offset: true }).optional(),
    trackingNumber: z.string().min(1),
    carrier: z.string().optional(),
    estimatedDeliveryAt: z.iso.datetime({ offset: true }).optional(),
    events: z.array(sandboxEvent),
  }),
  z.object({
    type: z.literal('claim.updated'),
    deliveryId: z.string().min(1),
    sentAt: z.iso.datetime({ offset: true }).optional(),
    claim: z.object({
      claimId: z.string().min(1),
      status: z.enum(CLAIM_STATUSES),
      amountApproved: z.number().nonnegative().optional(),
      decidedAt: z.iso.datetime({ offset: true }),
      detail: z.string().optional(),
    }),
  }),
]);

export function parseSandbox(body: unknown): ParsedWebhook {
  const b = parseWith('sandbox', sandboxBody, body);
  const sentAt = b.sentAt ? { sentAt: toInstant(b.sentAt)! } : {};
  if (b.type === 'claim.updated') {
    const c = b.claim;
    return {
      deliveryId: b.deliveryId,
      ...sentAt,
      kind: 'claim',
      event: b.type,
      trackings: [],
      claims: [
        {
          claimId: c.claimId,
          status: c.status,
          ...(c.amountApproved !== undefined ? { amountApproved: c.amountApproved } : {}),
          at: toInstant(c.decidedAt)!,
          ...(c.detail ? { detail: c.detail } : {}),
        },
      ],
    };
  }
  const edd = toInstant(b.estimatedDeliveryAt);
  // The sandbox names its scans itself, with the same ids its tracking lookups answer.
  const events: TrackingEvent[] = b.events
    .map((e) => {
      const mapped = TRACKING_STATUS_SET.has(e.status)
        ? (e.status as TrackingEvent['status'])
        : 'unknown';
      return {
        ...e,
        occurredAt: toInstant(e.occurredAt)!,
        status: mapped,
        ...(edd ? { expectedDeliveryAt: edd } : {}),
      };
    })
    .sort(byTime);
  return {
    deliveryId: b.deliveryId,
    ...sentAt,
    kind: 'tracking',
    event: b.type,
    trackings: [
      { trackingNumber: b.trackingNumber, ...(b.carrier ? { carrier: b.carrier } : {}), events },
    ],
    claims: [],
  };
}

/** Parses a verified delivery of a provider. Throws a 400 ProblemError for a malformed one. */
export function parseWebhook(provider: WebhookProvider, body: unknown, raw: Buffer): ParsedWebhook {
  switch (provider) {
    case 'aftership':
      return parseAfterShip(body);
    case '17track':
      return parse17Track(body, raw);
    case 'easypost':
      return parseEasyPost(body);
    case 'sandbox':
      return parseSandbox(body);
  }
}
