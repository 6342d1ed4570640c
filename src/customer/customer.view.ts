/**
 * What the customer page shows of a shipment, read from the read model: status, expected
 * delivery, the carrier's scans, the replacement, the shop's branding. Only what the link's owner
 * already knows from our mails: no address, no e-mail, no customer name.
 */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { shipments, trackingEvents } from '../db/schema/shipments';
import { shops } from '../db/schema/shops';
import { carrierName } from '../carriers/catalogue';
import { timeZonesOf } from '../carriers/local-time';
import type { ExpectedDelivery } from '../estimates/estimate';
import { estimateSubjectOf, type Estimator } from '../estimates/estimates.repository';
import { customerStatusOf, type ShipmentReadRow } from '../messages/compose';
import type { CustomerStatus } from '../messages/templates';
import type {
  Location,
  ProofOfDeliveryRecord as ProofOfDelivery,
  ShipmentState,
  TrackingStatus,
} from '../../workflows/shipment.contract';

export interface PageEvent {
  at: string;
  status: TrackingStatus;
  place?: string;
}

export interface CustomerPageModel {
  shipmentId: string;
  locale: string;
  timeZone: string;
  shop: { name?: string; logoUrl?: string; brandColor?: string };
  order: string;
  carrier: string;
  trackingNumber: string;
  status: CustomerStatus;
  expected?: ExpectedDelivery;
  events: PageEvent[];
  /** The carrier says delivered: when, where, and its proof. */
  delivered?: { at: string; place?: string; proof?: ProofOfDelivery };
  replacement?: {
    carrier: string;
    trackingNumber: string;
    expected?: ExpectedDelivery;
    events: PageEvent[];
  };
  /** The last scan, for the helper. */
  lastScanAt?: string;
}

/** A place in a few words: city and country, never a street. */
export function placeWords(loc: Location | null | undefined, locale: string): string | undefined {
  if (!loc) return undefined;
  let country = loc.country;
  if (country && /^[A-Za-z]{2}$/.test(country)) {
    try {
      country = new Intl.DisplayNames([locale], { type: 'region' }).of(country.toUpperCase());
    } catch {
      // an unknown code is shown as given
    }
  }
  const words = [loc.city, country].filter((w): w is string => Boolean(w && w.trim()));
  return words.length ? words.join(', ') : undefined;
}

/** The customer's time zone from the destination: the most specific level that has one zone. */
export function customerTimeZone(destination: {
  country: string;
  region?: string | undefined;
  city: string;
}): string {
  const levels = timeZonesOf({
    country: destination.country,
    state: destination.region ?? null,
    city: destination.city,
  });
  for (const zones of levels) if (zones.length === 1) return zones[0]!;
  return levels[0]?.[0] ?? 'UTC';
}

async function eventsOf(db: Db, shipmentId: string, locale: string): Promise<PageEvent[]> {
  const rows = await db
    .select()
    .from(trackingEvents)
    .where(eq(trackingEvents.shipmentId, shipmentId))
    .orderBy(desc(trackingEvents.occurredAt))
    .limit(50);
  return rows.map((r) => {
    const place = placeWords(r.location, locale);
    return {
      at: r.occurredAt.toISOString(),
      status: r.status as TrackingStatus,
      ...(place ? { place } : {}),
    };
  });
}

/**
 * The read-model row as the workflow sees it now: its stage, resolution and state in place of the
 * last snapshot (which may lag a scan or a decision the workflow already took).
 */
function asLive(row: ShipmentReadRow, live: ShipmentState | undefined): ShipmentReadRow {
  if (!live) return row;
  return { ...row, stage: live.stage, resolution: live.resolution ?? null, snapshot: live };
}

/** The workflow's last scan on top of the stored timeline when the timeline does not have it yet. */
function withLastScan(
  events: PageEvent[],
  live: ShipmentState | undefined,
  locale: string,
): PageEvent[] {
  const last = live?.lastEvent;
  if (!last || Number.isNaN(Date.parse(last.occurredAt))) return events;
  const at = new Date(last.occurredAt).toISOString();
  const newest = events[0];
  if (newest && Date.parse(newest.at) >= Date.parse(at)) return events;
  // Only what the stored timeline shows of a scan: when, its status, city and country.
  const place = placeWords(last.location, locale);
  return [{ at, status: last.status, ...(place ? { place } : {}) }, ...events];
}

/**
 * The page's model from the read model, or, with `live` (the workflow's `state` query), from
 * what the workflow knows now; either way only the fields the page shows.
 */
export async function loadPageModel(
  db: Db,
  estimator: Estimator,
  stored: ShipmentReadRow,
  live?: ShipmentState,
): Promise<CustomerPageModel> {
  const row = asLive(stored, live);
  const reg = row.registration;
  const locale = reg.customer.locale;
  const state: Partial<ShipmentState> = row.snapshot ?? {};
  const events = withLastScan(await eventsOf(db, row.shipmentId, locale), live, locale);
  const [shop] = row.shopId
    ? await db.select().from(shops).where(eq(shops.shopId, row.shopId))
    : [];
  const [replacementRow] = await db
    .select()
    .from(shipments)
    .where(eq(shipments.replacesShipmentId, row.shipmentId))
    .orderBy(desc(shipments.createdAt))
    .limit(1);
  const status = customerStatusOf(row);
  const deliveredEvent = events.find((e) => e.status === 'delivered');
  const proof =
    state.carrierSummary?.proofOfDelivery ??
    state.suspicion?.evidence?.proofOfDelivery ??
    undefined;
  const deliveredAt =
    deliveredEvent?.at ?? row.deliveredAt?.toISOString() ?? proof?.deliveredAt ?? undefined;
  const expected =
    status === 'delivered' ? undefined : await estimator.estimate(estimateSubjectOf(row, state));
  let replacement: CustomerPageModel['replacement'];
  if (replacementRow) {
    replacement = {
      carrier: carrierName(replacementRow.carrier),
      trackingNumber: replacementRow.trackingNumber,
      events: await eventsOf(db, replacementRow.shipmentId, locale),
    };
    const est = replacementRow.deliveredAt
      ? undefined
      : await estimator.estimate(estimateSubjectOf(replacementRow, replacementRow.snapshot));
    if (est) replacement.expected = est;
  } else if (state.reship) {
    replacement = {
      carrier: carrierName(state.reship.carrier),
      trackingNumber: state.reship.trackingNumber,
      events: [],
    };
  }
  const shopName = shop?.senderName ?? shop?.domain;
  return {
    shipmentId: row.shipmentId,
    locale,
    timeZone: customerTimeZone(reg.destination),
    shop: {
      ...(shopName ? { name: shopName } : {}),
      ...(shop?.logoUrl ? { logoUrl: shop.logoUrl } : {}),
      ...(shop?.brandColor ? { brandColor: shop.brandColor } : {}),
    },
    order: reg.shop?.orderName ?? reg.orderId,
    carrier: carrierName(reg.carrier),
    trackingNumber: reg.trackingNumber,
    status,
    ...(expected && !replacement ? { expected } : {}),
    events,
    ...(deliveredAt && (status === 'delivered' || deliveredEvent)
      ? {
          delivered: {
            at: deliveredAt,
            ...(deliveredEvent?.place ? { place: deliveredEvent.place } : {}),
            ...(proof ? { proof } : {}),
          },
        }
      : {}),
    ...(replacement ? { replacement } : {}),
    ...(events[0] ? { lastScanAt: events[0].at } : {}),
  };
}
