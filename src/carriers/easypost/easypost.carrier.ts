/**
 * EasyPost as a carrier: trackers, labels (shipment + buy) and insurance claims; EasyPost has no
 * carrier trace. Auth: HTTP basic with the API key as user. EasyPost limits buying and rating by
 * load (429 + Retry-After, handled by the HTTP helper); its fixed 5 req/s applies to list
 * endpoints, which we do not call.
 */
import type {
  LineItem,
  TrackingEvent,
  TrackingSummary,
} from '../../../workflows/shipment.contract';
import { EASYPOST_STATUS_TABLE, fromEasyPost } from '../../tracking/status-map';
import { fromEasyPostClaimStatus } from '../../webhooks/webhooks.payloads';
import {
  unsupported,
  type Carrier,
  type ClaimFiled,
  type ClaimRequest,
  type Label,
  type LabelRequest,
  type TraceOpened,
  type TrackResult,
} from '../carrier';
import { fromEasyPostCarrier, toEasyPostCarrier } from '../catalogue';
import { chronological, toEvent, toInstant } from '../events';
import { JsonHttp, parseShape } from '../http';
import { summaryOf } from '../summary';
import {
  easyPostClaim,
  easyPostError,
  easyPostShipment,
  easyPostTracker,
  type EasyPostClaim,
  type EasyPostTracker,
} from './easypost.schemas';

export const EASYPOST_BASE_URL = 'https://api.easypost.com';
const API = '/v2';

/** Our claim reasons as EasyPost claim types; EasyPost insures against loss and damage only. */
const CLAIM_TYPES: Partial<Record<ClaimRequest['reason'], string>> = {
  lost: 'loss',
  damaged: 'damage',
};

export interface EasyPostOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** EasyPost address ids (`adr_…`) of our warehouses, by warehouse id: the label's sender. */
  warehouseAddresses?: Readonly<Record<string, string>>;
  /** Weight of a reship parcel in ounces when we know no better (EasyPost requires one). */
  parcelWeightOz?: number;
  /** Who certifies customs declarations on international labels. */
  customsSigner?: string;
  /** Where EasyPost writes about our claims. */
  claimContactEmail?: string;
}

export class EasyPostClient {
  readonly http: JsonHttp;

  constructor(private readonly opts: EasyPostOptions) {
    this.http = new JsonHttp({
      provider: 'EasyPost',
      baseUrl: opts.baseUrl ?? EASYPOST_BASE_URL,
      headers: { Authorization: `Basic ${Buffer.from(`${opts.apiKey}:`).toString('base64')}` },
      secrets: [opts.apiKey],
      timeoutMs: opts.timeoutMs,
      fetch: opts.fetch,
      describeError: (body) => {
        const parsed = easyPostError.safeParse(body);
        return parsed.success
          ? { code: parsed.data.error.code, message: parsed.data.error.message ?? undefined }
          : undefined;
      },
    });
  }

  /** This client as the carrier for one of our carrier codes. */
  carrier(code: string): Carrier {
    return {
      code,
      track: (n) => this.track(code, n),
      openTrace: () => Promise.reject<TraceOpened>(unsupported('EasyPost', 'carrier traces')),
      bookLabel: (req) => this.bookLabel(code, req),
      fileClaim: (req) => this.fileClaim(req),
      claimStatus: (id) => this.claimStatus(id),
    };
  }

  /**
   * Creates a tracker. EasyPost answers with the existing tracker when the same code and carrier
   * were submitted within 3 months, so this is also how we read one back.
   */
  async track(code: string, trackingNumber: string): Promise<TrackResult> {
    const path = `${API}/trackers`;
    const carrier = toEasyPostCarrier(code);
    const answer = await this.http.request('POST', path, {
      body: { tracker: { tracking_code: trackingNumber, ...(carrier ? { carrier } : {}) } },
    });
    return toTrackResult(parseShape(this.http, easyPostTracker, answer.body, 'POST', path));
  }

  async bookLabel(code: string, req: LabelRequest): Promise<Label> {
    const carrier = toEasyPostCarrier(code);
    if (!carrier) throw unsupported('EasyPost', `labels for carrier "${code}"`);
    const fromId = this.opts.warehouseAddresses?.[req.from.warehouseId];
    if (!fromId) {
      throw this.http.error(
        `No EasyPost sender address for warehouse "${req.from.warehouseId}" (set EASYPOST_WAREHOUSE_ADDRESSES)`,
        'carrier.label_origin_unknown',
        true,
      );
    }
    const createPath = `${API}/shipments`;
    const created = parseShape(
      this.http,
      easyPostShipment,
      (
        await this.http.request('POST', createPath, {
          body: { shipment: this.shipmentBody(req, fromId) },
        })
      ).body,
      'POST',
      createPath,
    );
    const rate = pickRate(created.rates ?? [], carrier, req.service);
    if (!rate) {
      throw this.http.error(
        `EasyPost offered no ${carrier}${req.service ? ` ${req.service}` : ''} rate for shipment ${created.id}`,
        'carrier.no_rate',
        true,
      );
    }
    const buyPath = `${API}/shipments/${encodeURIComponent(created.id)}/buy`;
    const bought = parseShape(
      this.http,
      easyPostShipment,
      (
        await this.http.request('POST', buyPath, {
          body: {
            rate: { id: rate.id },
            // Insured for its value, so a lost reship can be claimed through EasyPost too.
            ...(req.declaredValue > 0 ? { insurance: req.declaredValue.toFixed(2) } : {}),
          },
        })
      ).body,
      'POST',
      buyPath,
    );
    const selected = bought.selected_rate ?? rate;
    if (!bought.tracking_code) throw this.http.badShape('POST', buyPath, 'tracking_code missing');
    return {
      labelId: bought.id,
      carrier: code,
      trackingNumber: bought.tracking_code,
      service: selected.service,
      postage: selected.rate ?? 0,
      currency: selected.currency,
      ...(bought.postage_label?.label_url ? { labelUrl: bought.postage_label.label_url } : {}),
    };
  }

  async fileClaim(req: ClaimRequest): Promise<ClaimFiled> {
    const type = CLAIM_TYPES[req.reason];
    if (!type) throw unsupported('EasyPost', `claims for "${req.reason}" parcels`);
    const path = `${API}/claims`;
    const answer = await this.http.request('POST', path, {
      body: {
        tracking_code: req.trackingNumber,
        type,
        amount: req.amount.toFixed(2),
        description: req.description,
        payment_method: 'easypost_wallet',
        ...(this.opts.claimContactEmail ? { contact_email: this.opts.claimContactEmail } : {}),
      },
    });
    return toClaimFiled(parseShape(this.http, easyPostClaim, answer.body, 'POST', path), req);
  }

  async claimStatus(claimId: string): Promise<ClaimFiled> {
    const path = `${API}/claims/${encodeURIComponent(claimId)}`;
    const answer = await this.http.request('GET', path);
    return toClaimFiled(parseShape(this.http, easyPostClaim, answer.body, 'GET', path));
  }

  private shipmentBody(req: LabelRequest, fromAddressId: string) {
    const weight = this.opts.parcelWeightOz ?? 16;
    const international = req.from.country.toUpperCase() !== req.to.country.toUpperCase();
    const units = req.items.reduce((n, i) => n + i.quantity, 0) || 1;
    return {
      reference: req.reference,
      to_address: {
        name: req.to.name,
        street1: req.to.line1,
        ...(req.to.line2 ? { street2: req.to.line2 } : {}),
        city: req.to.city,
        ...(req.to.region ? { state: req.to.region } : {}),
        zip: req.to.postalCode,
        country: req.to.country,
      },
      from_address: { id: fromAddressId },
      parcel: { weight },
      // Values EasyPost keeps for its automatic USPS claims (never sent to the carrier).
      line_items: req.items.map((i) => lineItem(i)),
      ...(international
        ? {
            customs_info: {
              contents_type: 'merchandise',
              customs_certify: true,
              customs_signer: this.opts.customsSigner ?? 'Parcelwarden',
              non_delivery_option: 'return',
              restriction_type: 'none',
              eel_pfc: 'NOEEI 30.37(a)',
              customs_items: req.items.map((i) => ({
                description: i.sku,
                quantity: i.quantity,
                value: round2(i.unitPrice * i.quantity),
                weight: round2((weight * i.quantity) / units),
                origin_country: req.from.country,
                code: i.sku,
              })),
            },
          }
        : {}),
    };
  }
}

function lineItem(i: LineItem) {
  return { item_description: i.sku, total_line_value: round2(i.unitPrice * i.quantity).toFixed(2) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The asked-for service of this carrier, else its cheapest rate. */
function pickRate<R extends { carrier: string; service: string; rate?: number }>(
  rates: R[],
  carrier: string,
  service: string | undefined,
): R | undefined {
  const ofCarrier = rates.filter((r) => r.carrier === carrier);
  if (service) return ofCarrier.find((r) => r.service.toLowerCase() === service.toLowerCase());
  return ofCarrier.sort((a, b) => (a.rate ?? Infinity) - (b.rate ?? Infinity))[0];
}

function toClaimFiled(c: EasyPostClaim, req?: ClaimRequest): ClaimFiled {
  return {
    claimId: c.id,
    status: fromEasyPostClaimStatus(c.status),
    amount: c.requested_amount ?? req?.amount ?? 0,
    // EasyPost insurance and its claims are in US dollars.
    currency: 'USD',
    ...(c.approved_amount !== undefined ? { amountApproved: c.approved_amount } : {}),
    filedAt: toInstant(c.created_at) ?? new Date().toISOString(),
  };
}

/** An EasyPost Tracker (API answer or a `tracker.updated` event's result) as our lookup result. */
export function toTrackResult(t: EasyPostTracker): TrackResult {
  const estimatedDeliveryAt = toInstant(t.est_delivery_date);
  const events = chronological(
    (t.tracking_details ?? []).map((d) =>
      toEvent(
        'easypost',
        t.tracking_code,
        {
          time: d.datetime,
          main: d.status,
          sub: d.status_detail ?? undefined,
          mapped: fromEasyPost(d.status, d.status_detail ?? undefined),
          description: d.message ?? d.description,
          // The scan's own code, else the Tracker's carrier (EasyPost sends null or "" for none).
          // The carrier itself, as every provider's events name it (`carrier_code` is its scan code).
          carrierCode: t.carrier ? (fromEasyPostCarrier(t.carrier) ?? t.carrier) : undefined,
          country: d.tracking_location?.country,
          state: d.tracking_location?.state,
          city: d.tracking_location?.city,
          postalCode: d.tracking_location?.zip,
        },
        estimatedDeliveryAt,
      ),
    ),
  );
  const summary = easyPostSummary(t, events);
  return {
    // `unknown` with no detail: the carrier has no information on this code.
    known: !(t.status === 'unknown' && events.length === 0),
    events,
    ...(estimatedDeliveryAt ? { estimatedDeliveryAt } : {}),
    ...(summary?.proofOfDelivery ? { proofOfDelivery: summary.proofOfDelivery } : {}),
    ...(summary ? { summary } : {}),
  };
}

/**
 * A Tracker's overall `status`/`status_detail` and `signed_by`, for its lookups and webhooks alike.
 * The delivery time is the newest delivered scan's, else the Tracker's last update.
 */
export function easyPostSummary(
  t: {
    status?: string | null;
    status_detail?: string | null;
    signed_by?: string | null;
    updated_at?: string | null;
  },
  events: TrackingEvent[],
): TrackingSummary | undefined {
  const updatedAt = toInstant(t.updated_at);
  const deliveredAt =
    events.filter((e) => e.status === 'delivered').at(-1)?.occurredAt ?? updatedAt;
  const pod =
    t.status === 'delivered' && deliveredAt
      ? { deliveredAt, ...(t.signed_by ? { signedBy: t.signed_by } : {}) }
      : undefined;
  return summaryOf('easypost', EASYPOST_STATUS_TABLE, {
    main: t.status,
    sub: t.status_detail,
    updatedAt,
    proofOfDelivery: pod,
  });
}
