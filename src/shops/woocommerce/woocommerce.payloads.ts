/**
 * WooCommerce's REST v3 order (the body of GET /wp-json/wc/v3/orders/<id> and of the order.*
 * webhooks, which carry "exactly the same as if requested via the REST API"; field list on
 * https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties), read with zod and
 * mapped to `ShopOrder`. Only the fields intake needs are declared; the rest passes unread.
 *
 * Tracking lives in the Shipment Tracking extension's order meta `_wc_shipment_tracking_items`:
 * one item per parcel, each with its own `tracking_id`, so a parcel is `<order id>-<tracking_id>`.
 */
import { z } from 'zod';
import {
  ShopPayloadError,
  type ShopFulfillment,
  type ShopLineItem,
  type ShopOrder,
} from '../platform';
import type { Address } from '../../../workflows/shipment.contract';

/** The order meta the Shipment Tracking extension keeps its items in. */
export const TRACKING_META_KEY = '_wc_shipment_tracking_items';
/** Order meta Parcelwarden writes on the replacement orders it creates. */
export const META_IDEMPOTENCY_KEY = '_parcelwarden_idempotency_key';
export const META_ORIGINAL_ORDER = '_parcelwarden_original_order';
export const META_SHIPMENT = '_parcelwarden_shipment';

/** Statuses after which an order's parcels are not watched (`refunded` is a full refund). */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'refunded', 'trash']);

const id = z.number().int().nonnegative();
/** Text WooCommerce may send as "" or leave out; read as "". */
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
/** Money as WooCommerce sends it: decimal strings ("29.35"); line item prices as numbers. */
const money = z.union([
  z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal such as "29.35"'),
  z.number(),
]);
/** WooCommerce's GMT dates: `2017-03-22T19:28:02`, no zone (it is GMT). */
const gmtDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, 'a date such as 2017-03-22T19:28:02');

export const wooAddress = z.object({
  first_name: text,
  last_name: text,
  company: text,
  address_1: text,
  address_2: text,
  city: text,
  state: text,
  postcode: text,
  country: text,
  email: text.optional(),
  phone: text.optional(),
});
export type WooAddress = z.infer<typeof wooAddress>;

export const wooMeta = z.object({
  id: id.optional(),
  key: z.string(),
  value: z.unknown(),
});

export const wooLineItem = z.object({
  id,
  name: z.string(),
  product_id: id.nullish(),
  variation_id: id.nullish(),
  quantity: z.number().int(),
  sku: text,
  price: money,
  total: money.optional(),
});

export const wooOrder = z.object({
  id: id.positive(),
  parent_id: id.optional(),
  number: z.union([z.string(), z.number()]).optional(),
  status: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  total: money,
  date_created_gmt: gmtDate.nullish(),
  date_created: gmtDate.nullish(),
  date_modified_gmt: gmtDate.nullish(),
  customer_id: id.optional(),
  billing: wooAddress,
  shipping: wooAddress,
  line_items: z.array(wooLineItem),
  meta_data: z.array(wooMeta).default([]),
});
export type WooOrder = z.infer<typeof wooOrder>;

/** One item of `_wc_shipment_tracking_items` as the extension stores it. */
export const wooTrackingItem = z.object({
  tracking_provider: text,
  custom_tracking_provider: text,
  custom_tracking_link: text,
  tracking_number: z.string().trim().min(1, 'a tracking number'),
  /** Unix seconds, as a string (or a number, depending on how the item was saved). */
  date_shipped: z.union([z.string(), z.number()]).nullish(),
  tracking_id: z.string().min(1),
});
export type WooTrackingItem = z.infer<typeof wooTrackingItem>;

/** The body of order.deleted: WooCommerce sends only the id of a deleted resource. */
export const wooDeleted = z.object({ id: z.union([id.positive(), z.string().regex(/^\d+$/)]) });

/** Zod issues as ShopPayloadError field paths (`line_items.0.price`). */
export function payloadError(what: string, error: z.ZodError): ShopPayloadError {
  const errors = error.issues.map((i) => ({
    path: i.path.length ? i.path.map(String).join('.') : 'body',
    message: i.message,
  }));
  return new ShopPayloadError(
    `${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  );
}

export function parseOrder(body: unknown, what = 'not a WooCommerce order'): WooOrder {
  const parsed = wooOrder.safeParse(body);
  if (!parsed.success) throw payloadError(what, parsed.error);
  return parsed.data;
}

export function metaValue(order: Pick<WooOrder, 'meta_data'>, key: string): unknown {
  return order.meta_data.find((m) => m.key === key)?.value;
}

/** The Shipment Tracking items of an order; throws ShopPayloadError naming the bad field. */
export function trackingItems(order: WooOrder): WooTrackingItem[] {
  const index = order.meta_data.findIndex((m) => m.key === TRACKING_META_KEY);
  if (index < 0) return [];
  const value = order.meta_data[index]!.value;
  // The extension saves an empty string once the last item of an order is deleted.
  if (value === '' || value === null) return [];
  const parsed = z.array(wooTrackingItem).safeParse(value);
  if (!parsed.success) {
    const prefixed = new z.ZodError(
      parsed.error.issues.map((i) => ({ ...i, path: ['meta_data', index, 'value', ...i.path] })),
    );
    throw payloadError(
      `the ${TRACKING_META_KEY} meta is not the Shipment Tracking shape`,
      prefixed,
    );
  }
  return parsed.data;
}

/** A GMT date of WooCommerce as ISO 8601 (`2017-03-22T19:28:02` → `2017-03-22T19:28:02.000Z`). */
export function gmtToIso(value: string): string {
  const date = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** The shop's display of an order: `#727`. */
export function orderName(order: Pick<WooOrder, 'id' | 'number'>): string {
  return `#${order.number ?? order.id}`;
}

/** Product and variation of a line item, as one id (`93`, or `22:23` for a variation). */
export function lineVariantId(line: { product_id?: number | null; variation_id?: number | null }) {
  if (!line.product_id) return undefined;
  return line.variation_id ? `${line.product_id}:${line.variation_id}` : String(line.product_id);
}

/** The inverse of lineVariantId. */
export function parseVariantId(
  variantId: string | undefined,
): { product_id: number; variation_id?: number } | undefined {
  const match = /^(\d+)(?::(\d+))?$/.exec(variantId ?? '');
  if (!match) return undefined;
  return {
    product_id: Number(match[1]),
    ...(match[2] ? { variation_id: Number(match[2]) } : {}),
  };
}

function fullName(a: WooAddress): string {
  return [a.first_name, a.last_name]
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
}

function toAddress(a: WooAddress): Address | undefined {
  if (!a.address_1.trim() || !/^[A-Za-z]{2}$/.test(a.country)) return undefined;
  return {
    country: a.country.toUpperCase(),
    name: fullName(a) || a.company.trim(),
    line1: a.address_1.trim(),
    ...(a.address_2.trim() ? { line2: a.address_2.trim() } : {}),
    city: a.city.trim(),
    ...(a.state.trim() ? { region: a.state.trim() } : {}),
    postalCode: a.postcode.trim(),
  };
}

function toLineItem(line: WooOrder['line_items'][number]): ShopLineItem {
  const variantId = lineVariantId(line);
  return {
    title: line.name,
    ...(line.sku ? { sku: line.sku } : {}),
    quantity: line.quantity,
    unitPrice: Number(line.price),
    ...(variantId ? { variantId } : {}),
  };
}

/** `date_shipped` (unix seconds) as ISO 8601; undefined when absent or not a time. */
function shippedAt(value: WooTrackingItem['date_shipped']): string | undefined {
  const secs = typeof value === 'number' ? value : Number(value);
  if (!value || !Number.isFinite(secs) || secs <= 0) return undefined;
  return new Date(secs * 1000).toISOString();
}

function toFulfillment(
  order: WooOrder,
  item: WooTrackingItem,
  fallbackShippedAt: string,
): ShopFulfillment {
  const company = item.custom_tracking_provider.trim() || item.tracking_provider.trim();
  const link = item.custom_tracking_link.trim();
  return {
    fulfillmentId: `${order.id}-${item.tracking_id}`,
    status: 'active',
    ...(company ? { trackingCompany: company } : {}),
    trackingNumber: item.tracking_number,
    ...(/^https?:\/\//i.test(link) ? { trackingUrl: link } : {}),
    shippedAt: shippedAt(item.date_shipped) ?? fallbackShippedAt,
  };
}

/** A WooCommerce order as intake reads it. */
export function toShopOrder(order: WooOrder): ShopOrder {
  const created = order.date_created_gmt ?? order.date_created;
  const createdAt = created ? gmtToIso(created) : new Date(0).toISOString();
  const modified = order.date_modified_gmt ? gmtToIso(order.date_modified_gmt) : createdAt;
  const shippingAddress = toAddress(order.shipping) ?? toAddress(order.billing);
  return {
    orderId: String(order.id),
    orderName: orderName(order),
    createdAt,
    ...(ENDED_STATUSES.has(order.status) ? { cancelledAt: modified } : {}),
    currency: order.currency,
    totalValue: Number(order.total),
    customer: {
      name: fullName(order.billing) || fullName(order.shipping),
      email: order.billing.email ?? '',
    },
    ...(shippingAddress ? { shippingAddress } : {}),
    lineItems: order.line_items.filter((l) => l.quantity > 0).map(toLineItem),
    fulfillments: trackingItems(order).map((item) => toFulfillment(order, item, modified)),
  };
}

/** Whether the order is a replacement Parcelwarden created (its parcel is watched already). */
export function isOwnReplacement(order: Pick<WooOrder, 'meta_data'>): boolean {
  return metaValue(order, META_SHIPMENT) !== undefined;
}
