/**
 * AfterShip Tracking as a carrier: tracking only (AfterShip books no labels and files no carrier
 * claims). A number is created at AfterShip the first time we ask for it, then read back.
 * Auth: header `as-api-key`. Limits: POST /trackings 20 req/s, GET /trackings 6 req/s.
 */
import type { TrackingEvent, TrackingSummary } from '../../../workflows/shipment.contract';
import { AFTERSHIP_STATUS_TABLE, fromAfterShip } from '../../tracking/status-map';
import {
  unsupported,
  type Carrier,
  type ClaimFiled,
  type Label,
  type ProofOfDelivery,
  type TraceOpened,
  type TrackResult,
} from '../carrier';
import { chronological, toEvent, toInstant } from '../events';
import { JsonHttp, parseShape } from '../http';
import { summaryOf } from '../summary';
import { PROVIDER_LIMITS, TokenBucket, type Clock } from '../rate-limit';
import {
  afterShipEnvelope,
  afterShipTrackingCreated,
  afterShipTrackingList,
  type AfterShipTracking,
  type AfterShipTrackingCore,
} from './aftership.schemas';

export const AFTERSHIP_BASE_URL = 'https://api.aftership.com';
const API = '/tracking/2025-01';

/** AfterShip `meta.code`s on a 4xx that mean "no such parcel" rather than a bad request. */
const INVALID_NUMBER_CODES = new Set([4005, 4017]);
const ALREADY_EXISTS = 4003;

export interface AfterShipOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
}

export class AfterShipClient {
  readonly http: JsonHttp;
  private readonly createLimit: TokenBucket;
  private readonly listLimit: TokenBucket;

  constructor(opts: AfterShipOptions) {
    this.http = new JsonHttp({
      provider: 'AfterShip',
      baseUrl: opts.baseUrl ?? AFTERSHIP_BASE_URL,
      headers: { 'as-api-key': opts.apiKey },
      secrets: [opts.apiKey],
      timeoutMs: opts.timeoutMs,
      fetch: opts.fetch,
      describeError: (body) => {
        const parsed = afterShipEnvelope.safeParse(body);
        return parsed.success
          ? { code: String(parsed.data.meta.code), message: parsed.data.meta.message ?? undefined }
          : undefined;
      },
    });
    this.createLimit = new TokenBucket({ ...PROVIDER_LIMITS.aftership.create, clock: opts.clock });
    this.listLimit = new TokenBucket({ ...PROVIDER_LIMITS.aftership.list, clock: opts.clock });
  }

  /** This client as the tracking carrier for one AfterShip courier slug. */
  carrier(slug: string): Carrier {
    return {
      code: slug,
      track: (n) => this.track(slug, n),
      openTrace: () => Promise.reject<TraceOpened>(unsupported('AfterShip', 'carrier traces')),
      bookLabel: () => Promise.reject<Label>(unsupported('AfterShip', 'labels')),
      fileClaim: () => Promise.reject<ClaimFiled>(unsupported('AfterShip', 'carrier claims')),
      claimStatus: () => Promise.reject<ClaimFiled>(unsupported('AfterShip', 'carrier claims')),
    };
  }

  async track(slug: string, trackingNumber: string): Promise<TrackResult> {
    const found = await this.find(slug, trackingNumber);
    if (found) return toTrackResult(found);
    const created = await this.create(slug, trackingNumber);
    if (created === 'invalid') return { known: false, events: [] };
    // Created by someone else between our read and our create: read it back.
    const tracking = created === 'exists' ? await this.find(slug, trackingNumber) : created;
    return tracking ? toTrackResult(tracking) : { known: false, events: [] };
  }

  private async find(slug: string, trackingNumber: string): Promise<AfterShipTracking | undefined> {
    const path = `${API}/trackings`;
    await this.listLimit.take();
    const answer = await this.http.request('GET', path, {
      query: { tracking_numbers: trackingNumber, slug },
    });
    const list = parseShape(this.http, afterShipTrackingList, answer.body, 'GET', path);
    return list.data.trackings.find(
      (t) => t.tracking_number === trackingNumber && (!t.slug || t.slug === slug),
    );
  }

  private async create(
    slug: string,
    trackingNumber: string,
  ): Promise<AfterShipTracking | 'exists' | 'invalid'> {
    const path = `${API}/trackings`;
    await this.createLimit.take();
    const answer = await this.http.request('POST', path, {
      body: { tracking_number: trackingNumber, slug },
      accept: [400, 409, 422],
    });
    if (answer.status >= 200 && answer.status < 300) {
      return parseShape(this.http, afterShipTrackingCreated, answer.body, 'POST', path).data;
    }
    const code = afterShipEnvelope.safeParse(answer.body).data?.meta.code;
    if (code === ALREADY_EXISTS) return 'exists';
    if (code !== undefined && INVALID_NUMBER_CODES.has(code)) return 'invalid';
    throw this.http.error(
      `AfterShip POST ${path} rejected the request (${answer.status}${code ? ` ${code}` : ''})`,
      'carrier.rejected',
      true,
      answer.status,
    );
  }
}

/** The most specific estimate first: AfterShip's latest, a custom one, the carrier's, its AI's. */
function estimate(t: AfterShipTrackingCore): string | undefined {
  return toInstant(
    t.latest_estimated_delivery?.datetime ??
      t.latest_estimated_delivery?.datetime_max ??
      t.custom_estimated_delivery_date?.datetime ??
      t.custom_estimated_delivery_date?.datetime_max ??
      t.courier_estimated_delivery_date?.estimated_delivery_date ??
      t.courier_estimated_delivery_date?.estimated_delivery_date_max ??
      t.aftership_estimated_delivery_date?.estimated_delivery_date ??
      t.expected_delivery,
  );
}

/**
 * An AfterShip tracking object (API answer or webhook `msg`) as our events and estimate: the one
 * mapping the lookup and the webhook receiver share.
 */
export function fromAfterShipTracking(t: AfterShipTrackingCore): {
  events: TrackingEvent[];
  estimatedDeliveryAt?: string;
  summary?: TrackingSummary;
} {
  const estimatedDeliveryAt = estimate(t);
  const events = chronological(
    (t.checkpoints ?? []).map((c) =>
      toEvent(
        'aftership',
        t.tracking_number,
        {
          time: c.checkpoint_time,
          main: c.tag,
          sub: c.subtag ?? undefined,
          mapped: fromAfterShip(c.tag, c.subtag ?? undefined),
          description: c.message,
          // The courier that scanned (its slug), not the courier's raw status code (`raw_tag`).
          carrierCode: c.slug ?? t.slug,
          country: c.country_region ?? c.country_iso3,
          state: c.state,
          city: c.city,
          postalCode: c.postal_code ?? c.zip,
        },
        estimatedDeliveryAt,
      ),
    ),
  );
  const pod = t.tag === 'Delivered' ? proofOfDelivery(t, events) : undefined;
  const summary = summaryOf('aftership', AFTERSHIP_STATUS_TABLE, {
    main: t.tag,
    sub: t.subtag,
    description: t.subtag_message,
    updatedAt: toInstant(t.updated_at),
    proofOfDelivery: pod,
  });
  return {
    events,
    ...(estimatedDeliveryAt ? { estimatedDeliveryAt } : {}),
    ...(summary ? { summary } : {}),
  };
}

/** An AfterShip tracking object as our lookup result. */
export function toTrackResult(t: AfterShipTracking): TrackResult {
  const { events, estimatedDeliveryAt, summary } = fromAfterShipTracking(t);
  // Pending/Expired with no checkpoint: the carrier has nothing on this number (yet).
  const known = events.length > 0 || !['Pending', 'Expired'].includes(t.tag);
  const pod = summary?.proofOfDelivery;
  return {
    known,
    events,
    ...(estimatedDeliveryAt ? { estimatedDeliveryAt } : {}),
    ...(pod ? { proofOfDelivery: pod } : {}),
    ...(summary ? { summary } : {}),
  };
}

function proofOfDelivery(
  t: AfterShipTrackingCore,
  events: TrackingEvent[],
): ProofOfDelivery | undefined {
  const deliveredAt =
    toInstant(t.shipment_delivery_date) ??
    events.filter((e) => e.status === 'delivered').at(-1)?.occurredAt;
  if (!deliveredAt) return undefined;
  return {
    deliveredAt,
    ...(t.signed_by ? { signedBy: t.signed_by } : {}),
    ...(t.delivery_location_type ? { note: t.delivery_location_type } : {}),
  };
}
