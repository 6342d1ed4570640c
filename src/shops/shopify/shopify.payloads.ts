/**
 * Shopify's REST webhook payloads (the JSON bodies of the order and fulfillment topics, as listed
 * with sample payloads on https://shopify.dev/docs/api/webhooks), read with zod and mapped to
 * `ShopOrder`. Only the fields intake needs are declared; the rest of Shopify's body passes
 * unread.
 *
 * Ids: Shopify's numeric ids can exceed 2^53 in its own samples, and a body parsed with
 * JSON.parse has already rounded them; so orders take their id from `admin_graphql_api_id` (a
 * string) and fulfillments from theirs when present.
 */
import { z } from 'zod';
import {
  ShopPayloadError,
  type ShopFulfillment,
  type ShopLineItem,
  type ShopOrder,
} from '../platform';
import { legacyId, REPLACEMENT_TAG, toGid } from './shopify.ids';

// Not `.int()`: zod's int is a safe integer, and Shopify's ids (its samples') may be past 2^53.
const id = z.union([
  z.number().nonnegative().refine(Number.isInteger, 'an integer id'),
  z.string().regex(/^\d+$/),
]);
const text = z.string().nullish();
/** Shopify sends money as decimal strings ("89.99"). */
const money = z.union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()]).transform(Number);

export const restLineItem = z.object({
  id: id.nullish(),
  title: z.string(),
  sku: text,
  quantity: z.number().int().nonnegative(),
  price: money,
  variant_id: id.nullish(),
});

export const restFulfillment = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  order_id: id,
  status: z.string(),
  created_at: z.string(),
  tracking_company: text,
  tracking_number: text,
  tracking_numbers: z.array(z.string()).nullish(),
  tracking_url: text,
  tracking_urls: z.array(z.string()).nullish(),
  line_items: z.array(restLineItem).nullish(),
});

const restAddress = z.object({
  name: text,
  first_name: text,
  last_name: text,
  address1: text,
  address2: text,
  city: text,
  province_code: text,
  zip: text,
  country_code: z.string().length(2),
});

export const restOrder = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  name: z.string(),
  created_at: z.string(),
  cancelled_at: text,
  currency: z.string().length(3),
  total_price: money,
  current_total_price: money.optional(),
  customer_locale: text,
  email: text,
  contact_email: text,
  tags: z.string().nullish(),
  customer: z.object({ first_name: text, last_name: text, email: text }).nullish(),
  shipping_address: restAddress.nullish(),
  line_items: z.array(restLineItem),
  // `fulfillments` is what intake watches: a body without it is not an order payload.
  fulfillments: z.array(
    restFulfillment.omit({ order_id: true }).extend({ order_id: id.optional() }),
  ),
});

export const restCancelledOrder = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  cancelled_at: z.string().nullish(),
});

export type RestOrder = z.output<typeof restOrder>;
export type RestFulfillment = z.output<typeof restFulfillment>;

/** Parses `body` as `schema`, or throws ShopPayloadError naming each wrong field. */
export function readPayload<T extends z.ZodType>(
  schema: T,
  body: unknown,
  what: string,
): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ShopPayloadError(
    `The body is not a Shopify ${what} payload.`,
    parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    })),
  );
}

/** Fulfillment statuses that mean the parcel is not (or no longer) on its way. */
const DEAD_FULFILLMENT = new Set(['cancelled', 'failure', 'error']);

export function fulfillmentStatus(status: string): ShopFulfillment['status'] {
  return DEAD_FULFILLMENT.has(status.toLowerCase()) ? 'cancelled' : 'active';
}

function lineItem(item: z.output<typeof restLineItem>): ShopLineItem {
  return {
    title: item.title,
    sku: item.sku || undefined,
    quantity: item.quantity,
    unitPrice: item.price,
    variantId: item.variant_id != null ? toGid('ProductVariant', item.variant_id) : undefined,
  };
}

export function fulfillmentFromRest(
  f: Omit<RestFulfillment, 'order_id'> & { order_id?: unknown },
): ShopFulfillment {
  return {
    fulfillmentId: f.admin_graphql_api_id ? legacyId(f.admin_graphql_api_id) : String(f.id),
    status: fulfillmentStatus(f.status),
    trackingCompany: f.tracking_company || undefined,
    trackingNumber: f.tracking_number || f.tracking_numbers?.[0] || undefined,
    trackingUrl: f.tracking_url || f.tracking_urls?.[0] || undefined,
    shippedAt: f.created_at,
    lineItems: f.line_items?.length ? f.line_items.map(lineItem) : undefined,
  };
}

/** A person's name from Shopify's first and last name fields (REST and GraphQL alike). */
export function fullName(first?: string | null, last?: string | null): string {
  return [first, last].filter(Boolean).join(' ');
}

export function orderFromRest(o: RestOrder): ShopOrder {
  const a = o.shipping_address;
  const customerName =
    fullName(o.customer?.first_name, o.customer?.last_name) ||
    a?.name ||
    fullName(a?.first_name, a?.last_name);
  return {
    orderId: o.admin_graphql_api_id ?? toGid('Order', o.id),
    orderName: o.name,
    createdAt: o.created_at,
    cancelledAt: o.cancelled_at || undefined,
    currency: o.currency,
    totalValue: o.current_total_price ?? o.total_price,
    locale: o.customer_locale || undefined,
    customer: {
      name: customerName,
      email: o.email || o.contact_email || o.customer?.email || '',
    },
    shippingAddress: a
      ? {
          country: a.country_code,
          name: a.name || fullName(a.first_name, a.last_name) || customerName,
          line1: a.address1 ?? '',
          line2: a.address2 || undefined,
          city: a.city ?? '',
          region: a.province_code || undefined,
          postalCode: a.zip ?? '',
        }
      : undefined,
    lineItems: o.line_items.map(lineItem),
    fulfillments: o.fulfillments.map(fulfillmentFromRest),
  };
}

/** Whether a REST order's tags (a comma-separated string) mark one of our replacement orders. */
export function isReplacementTags(tags: string | string[] | null | undefined): boolean {
  const list = Array.isArray(tags) ? tags : (tags ?? '').split(',');
  return list.some((t) => t.trim() === REPLACEMENT_TAG);
}
