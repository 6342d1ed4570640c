/**
 * What the sandbox Shopify store keeps in memory: orders with their line items, fulfillments,
 * fulfillment orders, payments and refunds; and their REST JSON as Shopify's webhooks carry it
 * (field names and shapes of the sample payloads on https://shopify.dev/docs/api/webhooks).
 */

export interface SandboxAddress {
  firstName?: string;
  lastName: string;
  address1: string;
  address2?: string;
  city: string;
  provinceCode?: string;
  zip: string;
  countryCode: string;
}

export interface SandboxLineItem {
  id: number;
  variantId: number;
  title: string;
  sku?: string;
  quantity: number;
  price: number;
}

export interface SandboxFulfillment {
  id: number;
  name: string;
  status: 'success' | 'cancelled';
  trackingCompany?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  createdAt: string;
  updatedAt: string;
  lineItemIds: number[];
}

export interface SandboxFulfillmentOrder {
  id: number;
  status: 'OPEN' | 'CLOSED' | 'CANCELLED';
}

export interface SandboxTransaction {
  id: number;
  kind: 'SALE' | 'REFUND';
  status: 'SUCCESS';
  gateway: string;
  amount: number;
  parentId?: number;
  createdAt: string;
}

export interface SandboxRefund {
  id: number;
  transactionId: number;
  note?: string;
  amount: number;
  createdAt: string;
}

export interface SandboxOrder {
  id: number;
  number: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt?: string;
  email: string;
  locale: string;
  currency: string;
  customer: { id: number; firstName?: string; lastName: string; email: string };
  shippingAddress: SandboxAddress;
  lineItems: SandboxLineItem[];
  /** Percentage taken off every line item (100 for a replacement order). */
  discountPercent: number;
  financialStatus: 'paid' | 'partially_refunded' | 'refunded';
  fulfillments: SandboxFulfillment[];
  fulfillmentOrders: SandboxFulfillmentOrder[];
  transactions: SandboxTransaction[];
  refunds: SandboxRefund[];
  tags: string[];
  note?: string;
  customAttributes: { key: string; value: string }[];
}

export interface NewOrder {
  email: string;
  locale: string;
  currency: string;
  customer: { firstName?: string; lastName: string; email: string };
  shippingAddress: SandboxAddress;
  items: { variantId?: number; title?: string; sku?: string; quantity: number; price?: number }[];
  discountPercent?: number;
  /** Whether a card payment of the total was taken (orders placed by customers). */
  paid?: boolean;
  tags?: string[];
  note?: string;
  customAttributes?: { key: string; value: string }[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
export const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;

export class ShopifySandboxStore {
  readonly orders = new Map<number, SandboxOrder>();
  /** The catalogue: variants seen in orders, so an order by variant id gets its title and price. */
  readonly variants = new Map<number, { title: string; sku?: string; price: number }>();
  /**
   * Ids start from the clock (a thousand per millisecond), as Shopify's are unique across every store and
   * every day: a sandbox started again on the same database, or two sandboxes of two test files,
   * never hand out the same order or fulfillment id (a shipment is `shopify-<fulfillment id>`).
   */
  private nextId = Date.now() * 1000;
  private nextNumber = 1001;

  constructor(private readonly now: () => Date = () => new Date()) {}

  id(): number {
    return this.nextId++;
  }

  timestamp(): string {
    return this.now().toISOString();
  }

  /** Creates an order; throws a message for an unknown variant. */
  createOrder(input: NewOrder): SandboxOrder {
    const at = this.timestamp();
    const lineItems = input.items.map((item, i): SandboxLineItem => {
      const known = item.variantId !== undefined ? this.variants.get(item.variantId) : undefined;
      if (item.variantId !== undefined && !known && item.title === undefined)
        throw new VariantError(i, `The variant ${item.variantId} could not be found.`);
      const variantId = item.variantId ?? this.id();
      const title = item.title ?? known!.title;
      const price = item.price ?? known?.price ?? 0;
      const sku = item.sku ?? known?.sku;
      if (!this.variants.has(variantId)) this.variants.set(variantId, { title, sku, price });
      return { id: this.id(), variantId, title, sku, quantity: item.quantity, price };
    });
    const number = this.nextNumber++;
    const order: SandboxOrder = {
      id: this.id(),
      number,
      name: `#${number}`,
      createdAt: at,
      updatedAt: at,
      email: input.email,
      locale: input.locale,
      currency: input.currency,
      customer: { id: this.id(), ...input.customer },
      shippingAddress: input.shippingAddress,
      lineItems,
      discountPercent: input.discountPercent ?? 0,
      financialStatus: 'paid',
      fulfillments: [],
      fulfillmentOrders: [{ id: this.id(), status: 'OPEN' }],
      transactions: [],
      refunds: [],
      tags: input.tags ?? [],
      note: input.note,
      customAttributes: input.customAttributes ?? [],
    };
    if (input.paid !== false && total(order) > 0)
      order.transactions.push({
        id: this.id(),
        kind: 'SALE',
        status: 'SUCCESS',
        gateway: 'bogus',
        amount: total(order),
        createdAt: at,
      });
    this.orders.set(order.id, order);
    return order;
  }

  /** Ships every line item not yet shipped, closing the open fulfillment orders. */
  fulfil(
    order: SandboxOrder,
    tracking: { company?: string; number?: string; url?: string },
  ): SandboxFulfillment {
    const at = this.timestamp();
    const shipped = new Set(
      order.fulfillments.filter((f) => f.status === 'success').flatMap((f) => f.lineItemIds),
    );
    const f: SandboxFulfillment = {
      id: this.id(),
      name: `${order.name}.${order.fulfillments.length + 1}`,
      status: 'success',
      trackingCompany: tracking.company,
      trackingNumber: tracking.number,
      trackingUrl: tracking.url,
      createdAt: at,
      updatedAt: at,
      lineItemIds: order.lineItems.filter((li) => !shipped.has(li.id)).map((li) => li.id),
    };
    order.fulfillments.push(f);
    for (const fo of order.fulfillmentOrders) if (fo.status === 'OPEN') fo.status = 'CLOSED';
    order.updatedAt = at;
    return f;
  }

  refund(order: SandboxOrder, parent: SandboxTransaction, amount: number, note?: string) {
    const at = this.timestamp();
    const transactionId = this.id();
    order.transactions.push({
      id: transactionId,
      kind: 'REFUND',
      status: 'SUCCESS',
      gateway: parent.gateway,
      amount,
      parentId: parent.id,
      createdAt: at,
    });
    const r: SandboxRefund = { id: this.id(), transactionId, note, amount, createdAt: at };
    order.refunds.push(r);
    order.financialStatus = refunded(order) >= total(order) ? 'refunded' : 'partially_refunded';
    order.updatedAt = at;
    return r;
  }
}

export class VariantError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

export const subtotal = (o: SandboxOrder) =>
  round2(o.lineItems.reduce((sum, li) => sum + li.price * li.quantity, 0));
export const total = (o: SandboxOrder) => round2(subtotal(o) * (1 - o.discountPercent / 100));
export const refunded = (o: SandboxOrder) => round2(o.refunds.reduce((s, r) => s + r.amount, 0));
export const refundable = (parent: SandboxTransaction, o: SandboxOrder) =>
  round2(
    parent.amount -
      o.transactions
        .filter((t) => t.kind === 'REFUND' && t.parentId === parent.id)
        .reduce((s, t) => s + t.amount, 0),
  );

/** Shopify's order-level fulfillment status: null (none shipped), partial or fulfilled. */
export function fulfillmentStatusOf(o: SandboxOrder): 'fulfilled' | 'partial' | null {
  const shipped = new Set(
    o.fulfillments.filter((f) => f.status === 'success').flatMap((f) => f.lineItemIds),
  );
  const count = o.lineItems.filter((li) => shipped.has(li.id)).length;
  if (count === 0) return null;
  return count === o.lineItems.length ? 'fulfilled' : 'partial';
}

const fixed = (n: number) => n.toFixed(2);

function restLineItem(li: SandboxLineItem, o: SandboxOrder) {
  return {
    id: li.id,
    admin_graphql_api_id: gid('LineItem', li.id),
    variant_id: li.variantId,
    title: li.title,
    name: li.title,
    sku: li.sku ?? '',
    quantity: li.quantity,
    price: fixed(li.price),
    price_set: {
      shop_money: { amount: fixed(li.price), currency_code: o.currency },
      presentment_money: { amount: fixed(li.price), currency_code: o.currency },
    },
    requires_shipping: true,
    fulfillment_service: 'manual',
    total_discount: fixed((li.price * li.quantity * o.discountPercent) / 100),
  };
}

export function restFulfillment(f: SandboxFulfillment, o: SandboxOrder) {
  return {
    id: f.id,
    admin_graphql_api_id: gid('Fulfillment', f.id),
    order_id: o.id,
    status: f.status,
    created_at: f.createdAt,
    updated_at: f.updatedAt,
    service: 'manual',
    shipment_status: null,
    location_id: null,
    origin_address: null,
    email: o.email,
    name: f.name,
    tracking_company: f.trackingCompany ?? null,
    tracking_number: f.trackingNumber ?? null,
    tracking_numbers: f.trackingNumber ? [f.trackingNumber] : [],
    tracking_url: f.trackingUrl ?? null,
    tracking_urls: f.trackingUrl ? [f.trackingUrl] : [],
    receipt: {},
    line_items: o.lineItems
      .filter((li) => f.lineItemIds.includes(li.id))
      .map((li) => restLineItem(li, o)),
  };
}

function restAddress(a: SandboxAddress) {
  return {
    first_name: a.firstName ?? null,
    last_name: a.lastName,
    name: [a.firstName, a.lastName].filter(Boolean).join(' '),
    address1: a.address1,
    address2: a.address2 ?? null,
    city: a.city,
    province_code: a.provinceCode ?? null,
    zip: a.zip,
    country_code: a.countryCode,
  };
}

/** The order as Shopify's order webhooks carry it. */
export function restOrder(o: SandboxOrder) {
  const money = (n: number) => ({
    shop_money: { amount: fixed(n), currency_code: o.currency },
    presentment_money: { amount: fixed(n), currency_code: o.currency },
  });
  const current = round2(total(o) - refunded(o));
  return {
    id: o.id,
    admin_graphql_api_id: gid('Order', o.id),
    name: o.name,
    number: o.number - 1000,
    order_number: o.number,
    email: o.email,
    contact_email: o.email,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    processed_at: o.createdAt,
    cancelled_at: o.cancelledAt ?? null,
    cancel_reason: o.cancelledAt ? 'customer' : null,
    currency: o.currency,
    presentment_currency: o.currency,
    customer_locale: o.locale,
    financial_status: o.financialStatus,
    fulfillment_status: fulfillmentStatusOf(o),
    subtotal_price: fixed(subtotal(o)),
    total_discounts: fixed(subtotal(o) - total(o)),
    total_price: fixed(total(o)),
    total_price_set: money(total(o)),
    current_total_price: fixed(current),
    current_total_price_set: money(current),
    tags: o.tags.join(', '),
    note: o.note ?? null,
    note_attributes: o.customAttributes.map((a) => ({ name: a.key, value: a.value })),
    test: true,
    customer: {
      id: o.customer.id,
      admin_graphql_api_id: gid('Customer', o.customer.id),
      email: o.customer.email,
      first_name: o.customer.firstName ?? null,
      last_name: o.customer.lastName,
    },
    billing_address: restAddress(o.shippingAddress),
    shipping_address: restAddress(o.shippingAddress),
    line_items: o.lineItems.map((li) => restLineItem(li, o)),
    fulfillments: o.fulfillments.map((f) => restFulfillment(f, o)),
    refunds: o.refunds.map((r) => ({
      id: r.id,
      admin_graphql_api_id: gid('Refund', r.id),
      order_id: o.id,
      note: r.note ?? null,
      created_at: r.createdAt,
      transactions: o.transactions
        .filter((t) => t.id === r.transactionId)
        .map((t) => ({ id: t.id, kind: 'refund', status: 'success', amount: fixed(t.amount) })),
    })),
  };
}
