/**
 * Builders of provider-native webhook payloads (AfterShip, 17TRACK, EasyPost, our sandbox), from a
 * neutral description of a parcel's scans. The sandbox carrier pushes what these build; the receiver
 * tests feed them to the parsers. Shapes follow the providers' public documentation (AfterShip
 * Tracking webhooks, 17TRACK webhook v2, EasyPost Events).
 */
import { createHash } from 'node:crypto';
import type { Location, TrackingEvent, TrackingStatus } from '../../workflows/shipment.contract';
import type { ProofOfDelivery } from '../carriers/carrier';
import { from17Track, fromAfterShip, fromEasyPost } from '../tracking/status-map';
import { toAlpha3 } from './countries';
import { checkpointEventId, type WebhookProvider } from './webhooks.providers';

/** What happened at a scan, independent of any provider's codes. */
export const SCAN_KINDS = [
  'info_received',
  'picked_up',
  'departed',
  'arrived',
  'in_transit',
  'customs_held',
  'customs_released',
  'out_for_delivery',
  'failed_attempt',
  'delivered',
  'returning',
  'returned',
  'lost',
  'damaged',
] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

export interface Scan {
  /** ISO instant in `toISOString` form (the receiver normalizes provider times to it). */
  at: string;
  kind: ScanKind;
  description: string;
  location?: Location;
}

/** Each provider's native code for a kind of scan: main status and sub status. */
const NATIVE: Record<Exclude<WebhookProvider, 'sandbox'>, Record<ScanKind, [string, string]>> = {
  aftership: {
    info_received: ['InfoReceived', 'InfoReceived_001'],
    picked_up: ['InTransit', 'InTransit_002'],
    departed: ['InTransit', 'InTransit_007'],
    arrived: ['InTransit', 'InTransit_004'],
    in_transit: ['InTransit', 'InTransit_001'],
    customs_held: ['Exception', 'Exception_004'],
    customs_released: ['InTransit', 'InTransit_005'],
    out_for_delivery: ['OutForDelivery', 'OutForDelivery_001'],
    failed_attempt: ['AttemptFail', 'AttemptFail_002'],
    delivered: ['Delivered', 'Delivered_001'],
    returning: ['Exception', 'Exception_010'],
    returned: ['Exception', 'Exception_011'],
    lost: ['Exception', 'Exception_013'],
    damaged: ['Exception', 'Exception_012'],
  },
  '17track': {
    info_received: ['InfoReceived', 'InfoReceived'],
    picked_up: ['InTransit', 'InTransit_PickedUp'],
    departed: ['InTransit', 'InTransit_Departure'],
    arrived: ['InTransit', 'InTransit_Arrival'],
    in_transit: ['InTransit', 'InTransit_Other'],
    customs_held: ['InTransit', 'InTransit_CustomsRequiringInformation'],
    customs_released: ['InTransit', 'InTransit_CustomsReleased'],
    out_for_delivery: ['OutForDelivery', 'OutForDelivery_Other'],
    failed_attempt: ['DeliveryFailure', 'DeliveryFailure_NoBody'],
    delivered: ['Delivered', 'Delivered_Other'],
    returning: ['Exception', 'Exception_Returning'],
    returned: ['Exception', 'Exception_Returned'],
    lost: ['Exception', 'Exception_Lost'],
    damaged: ['Exception', 'Exception_Damage'],
  },
  // EasyPost has no "attempt failed" or "returned" status: the nearest documented ones stand in.
  easypost: {
    info_received: ['pre_transit', 'label_created'],
    picked_up: ['in_transit', 'received_at_origin_facility'],
    departed: ['in_transit', 'departed_origin_facility'],
    arrived: ['in_transit', 'received_at_destination_facility'],
    in_transit: ['in_transit', 'arrived_at_facility'],
    customs_held: ['in_transit', 'customs_hold'],
    customs_released: ['in_transit', 'in_transit'],
    out_for_delivery: ['out_for_delivery', 'out_for_delivery'],
    failed_attempt: ['failure', 'delivery_exception'],
    delivered: ['delivered', 'arrived_at_destination'],
    returning: ['return_to_sender', 'return'],
    returned: ['return_to_sender', 'return'],
    lost: ['failure', 'lost'],
    damaged: ['failure', 'damaged'],
  },
};

/** Our own status for a kind of scan (the sandbox format speaks it directly). */
const SANDBOX_STATUS: Record<ScanKind, TrackingStatus> = {
  info_received: 'info_received',
  picked_up: 'in_transit',
  departed: 'in_transit',
  arrived: 'in_transit',
  in_transit: 'in_transit',
  customs_held: 'customs',
  customs_released: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  failed_attempt: 'failed_attempt',
  delivered: 'delivered',
  returning: 'returning',
  returned: 'returned',
  lost: 'lost',
  damaged: 'damaged',
};

/** The native status a provider reports for a scan, as the receiver reads it back. */
export function nativeCode(format: WebhookProvider, kind: ScanKind): [string, string | undefined] {
  if (format === 'sandbox') return [SANDBOX_STATUS[kind], undefined];
  return NATIVE[format][kind];
}

/** The key the receiver hashes into an event id for this provider's checkpoint. */
export function nativeStatusKey(format: WebhookProvider, main: string, sub?: string): string {
  return sub ? `${main}/${sub}` : main;
}

/**
 * The scan as our event, exactly as the receiver derives it from this provider's payload: the
 * sandbox stores these so that lookups agree with what it pushed.
 */
export function toTrackingEvent(
  format: WebhookProvider,
  trackingNumber: string,
  scan: Scan,
): TrackingEvent {
  const [main, sub] = nativeCode(format, scan.kind);
  const mapped =
    format === 'aftership'
      ? fromAfterShip(main, sub)
      : format === '17track'
        ? from17Track(main, sub)
        : format === 'easypost'
          ? fromEasyPost(main, sub)
          : { status: SANDBOX_STATUS[scan.kind] };
  return {
    eventId: checkpointEventId(format, trackingNumber, scan.at, nativeStatusKey(format, main, sub)),
    occurredAt: scan.at,
    status: mapped.status,
    ...(mapped.subStatus ? { subStatus: mapped.subStatus } : {}),
    description: scan.description,
    ...(scan.location ? { location: scan.location } : {}),
  };
}

/** A push of a parcel's tracking: all scans so far, as providers send the whole history. */
export interface TrackingPush {
  deliveryId: string;
  sentAt: string;
  trackingNumber: string;
  /** The carrier as the provider names it (AfterShip slug, EasyPost carrier, …). */
  carrier: string;
  scans: Scan[];
  estimatedDeliveryAt?: string;
  proofOfDelivery?: ProofOfDelivery;
}

/** Claim statuses in our vocabulary (EasyPost's are mapped to and from these). */
export const CLAIM_STATUSES = [
  'submitted',
  'in_review',
  'needs_action',
  'approved',
  'partially_approved',
  'denied',
  'cancelled',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export const EASYPOST_CLAIM_STATUS: Record<string, ClaimStatus> = {
  submitted: 'submitted',
  in_review: 'in_review',
  needs_action: 'needs_action',
  approved: 'approved',
  approved_partial: 'partially_approved',
  rejected: 'denied',
  cancelled: 'cancelled',
};

/**
 * Our status for EasyPost's, or EasyPost's own when we have no name for it. Own keys only: a
 * status of `constructor` or `__proto__` must stay text, not reach Object.prototype.
 */
export function fromEasyPostClaimStatus(native: string): string {
  return Object.hasOwn(EASYPOST_CLAIM_STATUS, native) ? EASYPOST_CLAIM_STATUS[native]! : native;
}

export interface ClaimPush {
  deliveryId: string;
  sentAt: string;
  claimId: string;
  trackingNumber: string;
  status: ClaimStatus;
  amount: number;
  currency: string;
  amountApproved?: number;
  detail?: string;
}

const digestId = (prefix: string, s: string) =>
  `${prefix}${createHash('sha256').update(s).digest('hex').slice(0, 24)}`;

function afterShipPayload(p: TrackingPush) {
  const checkpoints = p.scans.map((s) => {
    const [tag, subtag] = NATIVE.aftership[s.kind];
    return {
      slug: p.carrier,
      checkpoint_time: s.at.replace('.000Z', '+00:00'),
      created_at: s.at,
      message: s.description,
      tag,
      subtag,
      subtag_message: s.description,
      location: [s.location?.city, s.location?.country].filter(Boolean).join(', ') || null,
      city: s.location?.city ?? null,
      state: null,
      postal_code: s.location?.postalCode ?? null,
      country_region: toAlpha3(s.location?.country) ?? null,
      country_region_name: null,
      raw_tag: null,
      source: 'carrier',
    };
  });
  const last = checkpoints.at(-1);
  const edd = p.estimatedDeliveryAt;
  return {
    ts: Math.floor(Date.parse(p.sentAt) / 1000),
    event: 'tracking_update',
    event_id: p.deliveryId,
    is_tracking_first_tag: true,
    msg: {
      id: digestId('', `aftership:${p.trackingNumber}`),
      slug: p.carrier,
      tracking_number: p.trackingNumber,
      tag: last?.tag ?? 'Pending',
      subtag: last?.subtag ?? 'Pending_001',
      subtag_message: last?.subtag_message ?? 'Pending',
      checkpoints,
      latest_estimated_delivery: edd
        ? {
            type: 'specific',
            source: 'Carrier EDD',
            datetime: edd,
            datetime_min: null,
            datetime_max: null,
          }
        : null,
      courier_estimated_delivery_date: edd
        ? {
            estimated_delivery_date: edd.slice(0, 10),
            estimated_delivery_date_min: null,
            estimated_delivery_date_max: null,
          }
        : null,
    },
  };
}

function track17Payload(p: TrackingPush) {
  const events = p.scans
    .map((s) => {
      const [, sub] = NATIVE['17track'][s.kind];
      return {
        time_iso: s.at.replace('.000Z', '+00:00'),
        time_utc: s.at.replace('.000Z', 'Z'),
        description: s.description,
        location: [s.location?.city, s.location?.country].filter(Boolean).join(', ') || null,
        stage: null,
        sub_status: sub,
        address: {
          country: s.location?.country ?? null,
          state: null,
          city: s.location?.city ?? null,
          street: null,
          postal_code: s.location?.postalCode ?? null,
          coordinates: { longitude: null, latitude: null },
        },
      };
    })
    .reverse(); // 17TRACK lists the newest event first.
  const latest = events[0];
  const [main, sub] = latest
    ? NATIVE['17track'][p.scans.at(-1)!.kind]
    : ['NotFound', 'NotFound_Other'];
  return {
    event: 'TRACKING_UPDATED',
    data: {
      number: p.trackingNumber,
      carrier: 190271,
      param: null,
      tag: null,
      track_info: {
        latest_status: { status: main, sub_status: sub, sub_status_descr: null },
        latest_event: latest ?? null,
        time_metrics: {
          days_after_order: null,
          days_of_transit: null,
          days_of_transit_done: null,
          days_after_last_update: null,
          estimated_delivery_date: {
            source: p.estimatedDeliveryAt ? 'Official' : null,
            from: p.estimatedDeliveryAt ?? null,
            to: p.estimatedDeliveryAt ?? null,
          },
        },
        milestone: [],
        misc_info: {},
        tracking: {
          providers_hash: 0,
          providers: [
            {
              provider: {
                key: 190271,
                name: p.carrier,
                alias: p.carrier,
                tel: null,
                homepage: null,
                country: null,
              },
              service_type: null,
              latest_sync_status: 'Success',
              latest_sync_time: p.sentAt,
              events_hash: 0,
              events,
            },
          ],
        },
      },
    },
  };
}

function easyPostTrackerEvent(p: TrackingPush) {
  const details = p.scans.map((s) => {
    const [status, detail] = NATIVE.easypost[s.kind];
    return {
      object: 'TrackingDetail',
      message: s.description,
      description: s.description,
      status,
      status_detail: detail,
      datetime: s.at.replace('.000Z', 'Z'),
      source: p.carrier,
      carrier_code: null,
      tracking_location: {
        object: 'TrackingLocation',
        city: s.location?.city ?? null,
        state: null,
        country: s.location?.country ?? null,
        zip: s.location?.postalCode ?? null,
      },
    };
  });
  const last = details.at(-1);
  return {
    id: p.deliveryId,
    object: 'Event',
    mode: 'test',
    description: p.scans.length > 1 ? 'tracker.updated' : 'tracker.created',
    previous_attributes: {},
    pending_urls: [],
    completed_urls: [],
    created_at: p.sentAt,
    updated_at: p.sentAt,
    status: 'pending',
    result: {
      id: digestId('trk_', p.trackingNumber),
      object: 'Tracker',
      mode: 'test',
      tracking_code: p.trackingNumber,
      status: last?.status ?? 'unknown',
      status_detail: last?.status_detail ?? 'unknown',
      signed_by: p.proofOfDelivery?.signedBy ?? null,
      weight: null,
      est_delivery_date: p.estimatedDeliveryAt ?? null,
      shipment_id: null,
      carrier: p.carrier,
      tracking_details: details,
      carrier_detail: null,
      public_url: null,
      fees: [],
      created_at: p.scans[0]?.at ?? p.sentAt,
      updated_at: p.sentAt,
    },
  };
}

function sandboxTrackingPayload(p: TrackingPush) {
  return {
    deliveryId: p.deliveryId,
    type: 'tracking.updated',
    sentAt: p.sentAt,
    trackingNumber: p.trackingNumber,
    carrier: p.carrier,
    events: p.scans.map((s) => toTrackingEvent('sandbox', p.trackingNumber, s)),
    ...(p.estimatedDeliveryAt ? { estimatedDeliveryAt: p.estimatedDeliveryAt } : {}),
    ...(p.proofOfDelivery ? { proofOfDelivery: p.proofOfDelivery } : {}),
  };
}

/** The tracking webhook body a provider sends for this push. */
export function buildTrackingPayload(format: WebhookProvider, push: TrackingPush): unknown {
  switch (format) {
    case 'aftership':
      return afterShipPayload(push);
    case '17track':
      return track17Payload(push);
    case 'easypost':
      return easyPostTrackerEvent(push);
    case 'sandbox':
      return sandboxTrackingPayload(push);
  }
}

/** Providers that push claim decisions (AfterShip Tracking and 17TRACK have no claims). */
export function pushesClaims(format: WebhookProvider): format is 'easypost' | 'sandbox' {
  return format === 'easypost' || format === 'sandbox';
}

/** The claim webhook body: an EasyPost `claim.*` Event, or the sandbox's own `claim.updated`. */
export function buildClaimPayload(format: 'easypost' | 'sandbox', c: ClaimPush): unknown {
  if (format === 'sandbox') {
    return {
      deliveryId: c.deliveryId,
      type: 'claim.updated',
      sentAt: c.sentAt,
      claim: {
        claimId: c.claimId,
        trackingNumber: c.trackingNumber,
        status: c.status,
        amount: c.amount,
        currency: c.currency,
        ...(c.amountApproved !== undefined ? { amountApproved: c.amountApproved } : {}),
        decidedAt: c.sentAt,
        ...(c.detail ? { detail: c.detail } : {}),
      },
    };
  }
  const native = Object.entries(EASYPOST_CLAIM_STATUS).find(([, ours]) => ours === c.status)![0];
  const description =
    c.status === 'approved' || c.status === 'partially_approved'
      ? 'claim.approved'
      : c.status === 'denied'
        ? 'claim.rejected'
        : c.status === 'cancelled'
          ? 'claim.cancelled'
          : c.status === 'submitted'
            ? 'claim.submitted'
            : 'claim.updated';
  return {
    id: c.deliveryId,
    object: 'Event',
    mode: 'test',
    description,
    previous_attributes: {},
    pending_urls: [],
    completed_urls: [],
    created_at: c.sentAt,
    updated_at: c.sentAt,
    result: {
      id: c.claimId,
      object: 'Claim',
      mode: 'test',
      tracking_code: c.trackingNumber,
      status: native,
      status_detail: c.detail ?? null,
      status_timestamp: c.sentAt,
      requested_amount: c.amount.toFixed(2),
      approved_amount: c.amountApproved !== undefined ? c.amountApproved.toFixed(2) : null,
      history: [{ status: native, status_detail: c.detail ?? null, timestamp: c.sentAt }],
      created_at: c.sentAt,
      updated_at: c.sentAt,
    },
  };
}
