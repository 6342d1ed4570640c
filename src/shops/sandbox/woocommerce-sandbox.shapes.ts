/**
 * Shapes of the sandbox WooCommerce store (woocommerce-sandbox.ts): its orders, tracking items and
 * refunds as WooCommerce's REST API shows them, the request bodies it takes (WooCommerce's order
 * schema, the Shipment Tracking extension's, and its own development routes), and the small
 * helpers that write WooCommerce's formats (dates, money, error bodies, PHP's JSON).
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { parseQueryString } from './woocommerce-sandbox.auth';

export const WC_VERSION = '9.8.5';
export const USER_AGENT = `WooCommerce/${WC_VERSION} Hookshot (WordPress/6.8.1)`;
/** The store's webhook post ids, one per topic (X-WC-Webhook-ID). */
export const WEBHOOK_IDS = {
  'order.created': 11,
  'order.updated': 12,
  'order.deleted': 13,
} as const;
export type Topic = keyof typeof WEBHOOK_IDS;
export const ORDER_STATUSES = [
  'pending',
  'processing',
  'on-hold',
  'completed',
  'cancelled',
  'refunded',
  'failed',
  'trash',
] as const;

// ---------- shapes ----------

export interface WooAddressJson {
  first_name: string;
  last_name: string;
  company: string;
  address_1: string;
  address_2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  email?: string;
  phone: string;
}

export interface WooMetaJson {
  id: number;
  key: string;
  value: unknown;
}

export interface WooLineItemJson {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  tax_class: string;
  subtotal: string;
  subtotal_tax: string;
  total: string;
  total_tax: string;
  taxes: unknown[];
  meta_data: WooMetaJson[];
  sku: string;
  price: number;
}

/** An order as GET /wp-json/wc/v3/orders/<id> answers it (without `_links`). */
export interface SandboxWooOrder {
  id: number;
  parent_id: number;
  number: string;
  order_key: string;
  created_via: string;
  version: string;
  status: string;
  currency: string;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
  discount_total: string;
  discount_tax: string;
  shipping_total: string;
  shipping_tax: string;
  cart_tax: string;
  total: string;
  total_tax: string;
  prices_include_tax: boolean;
  customer_id: number;
  customer_ip_address: string;
  customer_user_agent: string;
  customer_note: string;
  billing: WooAddressJson;
  shipping: WooAddressJson;
  payment_method: string;
  payment_method_title: string;
  transaction_id: string;
  date_paid: string | null;
  date_paid_gmt: string | null;
  date_completed: string | null;
  date_completed_gmt: string | null;
  cart_hash: string;
  meta_data: WooMetaJson[];
  line_items: WooLineItemJson[];
  tax_lines: unknown[];
  shipping_lines: Array<{
    id: number;
    method_title: string;
    method_id: string;
    total: string;
    total_tax: string;
    taxes: unknown[];
    meta_data: WooMetaJson[];
  }>;
  fee_lines: unknown[];
  coupon_lines: unknown[];
  refunds: Array<{ id: number; reason: string; total: string }>;
}

/** An item of the Shipment Tracking extension, as it keeps it in `_wc_shipment_tracking_items`. */
export interface SandboxTrackingItem {
  tracking_provider: string;
  custom_tracking_provider: string;
  custom_tracking_link: string;
  tracking_number: string;
  /** Unix seconds, as a string. */
  date_shipped: string;
  tracking_id: string;
}

export interface SandboxRefund {
  id: number;
  date_created: string;
  date_created_gmt: string;
  amount: string;
  reason: string;
  refunded_by: number;
  refunded_payment: boolean;
  meta_data: WooMetaJson[];
  line_items: unknown[];
}

export interface SandboxDelivery {
  deliveryId: string;
  topic: Topic | 'ping';
  orderId?: number;
  at: string;
  /** The receiver's HTTP status; absent when it could not be reached (see `error`). */
  status?: number;
  error?: string;
}

export type SandboxFaultMode = 'rate_limit' | 'server_error' | 'unauthorized' | 'lost_answer';

export interface Fault {
  mode: SandboxFaultMode;
  remaining: number;
  retryAfterSeconds: number;
  method?: string;
  /** The path under /wp-json/ it applies to (`wc/v3/orders`); every REST path when absent. */
  path?: string;
}

// ---------- helpers ----------

/** WooCommerce's date format: site time (the sandbox's site runs on UTC) without a zone. */
export function wcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function money(n: number): string {
  return (Math.round(n * 100) / 100).toFixed(2);
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function wpError(res: Response, status: number, code: string, message: string, extra = {}) {
  res.status(status).json({ code, message, data: { status, ...extra } });
}

/** JSON as PHP's json_encode writes it (what wp_json_encode sends): `\/` and `\u00e9`-style escapes. */
export function phpJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const decimal = z
  .union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number().finite()])
  .transform(Number);
export const int = z.number().int();
export const text = z.string().max(500);

export const addressIn = z.object({
  first_name: text.optional(),
  last_name: text.optional(),
  company: text.optional(),
  address_1: text.optional(),
  address_2: text.optional(),
  city: text.optional(),
  state: text.optional(),
  postcode: text.optional(),
  country: z
    .string()
    .regex(/^([A-Z]{2})?$/, 'an ISO 3166-1 alpha-2 code such as DE')
    .optional(),
  email: z.union([z.email(), z.literal('')]).optional(),
  phone: text.optional(),
});
export type AddressIn = z.infer<typeof addressIn>;

export const metaIn = z.object({ key: z.string().min(1).max(255), value: z.unknown() });

/** POST /wp-json/wc/v3/orders: the fields of WooCommerce's order schema the sandbox keeps. */
export const createOrderSchema = z.object({
  parent_id: int.nonnegative().optional(),
  status: z.enum(ORDER_STATUSES).default('pending'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  customer_id: int.nonnegative().optional(),
  customer_note: z.string().max(5000).optional(),
  payment_method: text.optional(),
  payment_method_title: text.optional(),
  transaction_id: text.optional(),
  set_paid: z.boolean().optional(),
  billing: addressIn.optional(),
  shipping: addressIn.optional(),
  line_items: z
    .array(
      z.object({
        product_id: int.nonnegative().optional(),
        variation_id: int.nonnegative().optional(),
        name: text.optional(),
        quantity: int.positive(),
        subtotal: decimal.optional(),
        total: decimal.optional(),
        meta_data: z.array(metaIn).optional(),
      }),
    )
    .optional(),
  shipping_lines: z
    .array(z.object({ method_id: text, method_title: text, total: decimal.optional() }))
    .optional(),
  meta_data: z.array(metaIn).optional(),
});

export const refundSchema = z.object({
  amount: decimal.optional(),
  reason: z.string().max(5000).optional(),
  api_refund: z.boolean().optional(),
  api_restock: z.boolean().optional(),
});

export const trackingSchema = z.object({
  tracking_provider: text.optional(),
  custom_tracking_provider: text.optional(),
  custom_tracking_link: text.optional(),
  tracking_number: z.string().trim().min(1).max(100),
  date_shipped: z.string().max(40).optional(),
});

/** POST /sandbox/orders: a customer's order as checkout would make it, with optional tracking. */
export const sandboxOrderSchema = z.object({
  status: z.enum(['pending', 'processing', 'on-hold', 'completed']).default('completed'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('EUR'),
  billing: addressIn.optional(),
  shipping: addressIn.optional(),
  line_items: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        sku: z.string().max(100).default(''),
        quantity: int.positive().default(1),
        price: z.number().nonnegative(),
        product_id: int.positive().optional(),
        variation_id: int.nonnegative().optional(),
      }),
    )
    .min(1)
    .optional(),
  shipping_total: z.number().nonnegative().default(4.9),
  meta_data: z.array(metaIn).default([]),
  /** Backdates the order (for backfill tests). */
  date_created_gmt: z.iso.datetime({ offset: true }).optional(),
  tracking: trackingSchema.optional(),
});

export const sandboxTrackingSchema = trackingSchema.extend({
  /** Replace this item's number and provider, keeping its tracking_id, instead of adding one. */
  replace_tracking_id: z.string().min(1).optional(),
});

export const faultSchema = z.object({
  mode: z.enum(['rate_limit', 'server_error', 'unauthorized', 'lost_answer', 'none']),
  count: int.positive().default(1),
  retryAfterSeconds: int.nonnegative().default(1),
  method: z.enum(['GET', 'POST']).optional(),
  path: z.string().min(1).optional(),
});

export const DEFAULT_CUSTOMER: AddressIn = {
  first_name: 'Lena',
  last_name: 'Vogel',
  address_1: 'Torstraße 112',
  city: 'Berlin',
  postcode: '10119',
  country: 'DE',
  email: 'lena.vogel@example.com',
  phone: '+49 30 1234567',
};

export const DEFAULT_LINES: NonNullable<z.infer<typeof sandboxOrderSchema>['line_items']> = [
  { name: 'Merino Wool Scarf', sku: 'SCARF-MER-GRY', quantity: 1, price: 49.0, product_id: 93 },
];

export function address(a: AddressIn | undefined, withEmail: boolean): WooAddressJson {
  return {
    first_name: a?.first_name ?? '',
    last_name: a?.last_name ?? '',
    company: a?.company ?? '',
    address_1: a?.address_1 ?? '',
    address_2: a?.address_2 ?? '',
    city: a?.city ?? '',
    state: a?.state ?? '',
    postcode: a?.postcode ?? '',
    country: a?.country ?? '',
    ...(withEmail ? { email: a?.email ?? '' } : {}),
    phone: a?.phone ?? '',
  };
}

/**
 * The query as PHP's $_GET reads it: a repeated name keeps its last value. The library sends every
 * parameter twice over http (oauth-1.0a merges the URL's query into the OAuth parameters it
 * returns, and the library hands those to axios as params again); WooCommerce takes that, so the
 * sandbox must too.
 */
export function phpQuery(req: Request): Map<string, string> {
  return parseQueryString(req.originalUrl.split('?').slice(1).join('?')) ?? new Map();
}

/** The body-check failure WordPress answers for invalid REST parameters. */
export function invalidParams(res: Response, error: z.ZodError) {
  const params: Record<string, string> = {};
  for (const issue of error.issues) {
    const top = String(issue.path[0] ?? 'body');
    const where = issue.path.map((p, i) => (i === 0 ? String(p) : `[${String(p)}]`)).join('');
    params[top] ??= `${where || top}: ${issue.message}`;
  }
  wpError(
    res,
    400,
    'rest_invalid_param',
    `Invalid parameter(s): ${Object.keys(params).join(', ')}`,
    {
      params,
    },
  );
}

export function parse<T extends z.ZodType>(schema: T, req: Request, res: Response) {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data as z.output<T>;
  invalidParams(res, parsed.error);
  return undefined;
}
