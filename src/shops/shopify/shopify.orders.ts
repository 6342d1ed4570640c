/**
 * The GraphQL Admin API documents we send (real type and field names of Shopify's Admin schema)
 * and the reading of their answers into `ShopOrder`.
 */
import type { ShopFulfillment, ShopLineItem, ShopOrder } from '../platform';
import { fulfillmentStatus, fullName } from './shopify.payloads';
import { legacyId, REPLACEMENT_TAG } from './shopify.ids';

export const ORDER_FIELDS = /* GraphQL */ `
  fragment OrderFields on Order {
    id
    name
    createdAt
    cancelledAt
    email
    currencyCode
    customerLocale
    tags
    totalPriceSet {
      shopMoney {
        amount
        currencyCode
      }
    }
    currentTotalPriceSet {
      shopMoney {
        amount
        currencyCode
      }
    }
    customer {
      firstName
      lastName
      email
    }
    shippingAddress {
      name
      firstName
      lastName
      address1
      address2
      city
      provinceCode
      zip
      countryCodeV2
    }
    lineItems(first: 100) {
      nodes {
        id
        title
        sku
        quantity
        variant {
          id
        }
        originalUnitPriceSet {
          shopMoney {
            amount
            currencyCode
          }
        }
      }
    }
    fulfillments(first: 50) {
      id
      legacyResourceId
      status
      createdAt
      trackingInfo(first: 1) {
        company
        number
        url
      }
      fulfillmentLineItems(first: 100) {
        nodes {
          quantity
          lineItem {
            id
          }
        }
      }
    }
  }
`;

export const GET_ORDER = /* GraphQL */ `
  ${ORDER_FIELDS}
  query ParcelwardenOrder($id: ID!) {
    order(id: $id) {
      ...OrderFields
    }
  }
`;

export const LIST_ORDERS = /* GraphQL */ `
  ${ORDER_FIELDS}
  query ParcelwardenFulfilledOrders($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: ID) {
      nodes {
        ...OrderFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    ordersCount(query: $query, limit: null) {
      count
      precision
    }
  }
`;

export const FIND_TAGGED_ORDER = /* GraphQL */ `
  query ParcelwardenTaggedOrder($query: String!) {
    orders(first: 1, query: $query) {
      nodes {
        id
        name
        fulfillments(first: 10) {
          id
          legacyResourceId
          status
          trackingInfo(first: 1) {
            number
          }
        }
        fulfillmentOrders(first: 10) {
          nodes {
            id
            status
          }
        }
      }
    }
  }
`;

export const ORDER_CREATE = /* GraphQL */ `
  mutation ParcelwardenReplacementOrder(
    $order: OrderCreateOrderInput!
    $options: OrderCreateOptionsInput
  ) {
    orderCreate(order: $order, options: $options) {
      order {
        id
        name
        fulfillmentOrders(first: 10) {
          nodes {
            id
            status
          }
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const FULFILLMENT_CREATE = /* GraphQL */ `
  mutation ParcelwardenReplacementFulfillment($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) {
      fulfillment {
        id
        legacyResourceId
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const ORDER_REFUNDS = /* GraphQL */ `
  query ParcelwardenOrderRefunds($id: ID!) {
    order(id: $id) {
      id
      currencyCode
      refunds(first: 50) {
        id
        note
        totalRefundedSet {
          shopMoney {
            amount
            currencyCode
          }
        }
      }
      transactions(first: 50) {
        id
        kind
        status
        gateway
        amountSet {
          shopMoney {
            amount
            currencyCode
          }
        }
      }
    }
  }
`;

/**
 * From API 2026-04 Shopify refuses a refundCreate without `@idempotent(key:)` on the field; the
 * key is a variable so the document stays the same for every refund.
 */
export const REFUND_CREATE = /* GraphQL */ `
  mutation ParcelwardenRefund($input: RefundInput!, $idempotencyKey: String!) {
    refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
      refund {
        id
        note
        totalRefundedSet {
          shopMoney {
            amount
            currencyCode
          }
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

// ---------- answer shapes ----------

interface Money {
  shopMoney: { amount: string; currencyCode: string };
}

export interface GqlFulfillment {
  id: string;
  legacyResourceId?: string;
  status: string;
  createdAt?: string;
  trackingInfo: { company?: string | null; number?: string | null; url?: string | null }[];
  fulfillmentLineItems?: { nodes: { quantity: number | null; lineItem: { id: string } }[] };
}

export interface GqlOrder {
  id: string;
  name: string;
  createdAt: string;
  cancelledAt: string | null;
  email: string | null;
  currencyCode: string;
  customerLocale: string | null;
  tags: string[];
  totalPriceSet: Money;
  currentTotalPriceSet: Money | null;
  customer: { firstName: string | null; lastName: string | null; email: string | null } | null;
  shippingAddress: {
    name: string | null;
    firstName: string | null;
    lastName: string | null;
    address1: string | null;
    address2: string | null;
    city: string | null;
    provinceCode: string | null;
    zip: string | null;
    countryCodeV2: string | null;
  } | null;
  lineItems: {
    nodes: {
      id: string;
      title: string;
      sku: string | null;
      quantity: number;
      variant: { id: string } | null;
      originalUnitPriceSet: Money;
    }[];
  };
  fulfillments: GqlFulfillment[];
}

export interface GqlUserError {
  field: string[] | null;
  message: string;
}

/** Orders read from the Admin API that are our own replacement orders (by their tag). */
const replacementOrders = new WeakSet<ShopOrder>();

/** Whether `order` (as read by this module) is a replacement order Parcelwarden created. */
export function isReplacementOrder(order: ShopOrder): boolean {
  return replacementOrders.has(order);
}

export function orderFromGraphql(o: GqlOrder): ShopOrder {
  const items = new Map<string, ShopLineItem>();
  for (const li of o.lineItems.nodes) {
    items.set(li.id, {
      title: li.title,
      sku: li.sku || undefined,
      quantity: li.quantity,
      unitPrice: Number(li.originalUnitPriceSet.shopMoney.amount),
      variantId: li.variant?.id,
    });
  }
  const fulfillments: ShopFulfillment[] = o.fulfillments.map((f) => {
    const tracking = f.trackingInfo[0];
    const lines = (f.fulfillmentLineItems?.nodes ?? []).flatMap((n) => {
      const item = items.get(n.lineItem.id);
      return item ? [{ ...item, quantity: n.quantity ?? item.quantity }] : [];
    });
    return {
      fulfillmentId: f.legacyResourceId ?? legacyId(f.id),
      status: fulfillmentStatus(f.status),
      trackingCompany: tracking?.company || undefined,
      trackingNumber: tracking?.number || undefined,
      trackingUrl: tracking?.url || undefined,
      shippedAt: f.createdAt ?? o.createdAt,
      lineItems: lines.length ? lines : undefined,
    };
  });
  const a = o.shippingAddress;
  const customerName =
    fullName(o.customer?.firstName, o.customer?.lastName) ||
    a?.name ||
    fullName(a?.firstName, a?.lastName);
  const order: ShopOrder = {
    orderId: o.id,
    orderName: o.name,
    createdAt: o.createdAt,
    cancelledAt: o.cancelledAt ?? undefined,
    currency: o.currencyCode,
    totalValue: Number((o.currentTotalPriceSet ?? o.totalPriceSet).shopMoney.amount),
    locale: o.customerLocale ?? undefined,
    customer: { name: customerName, email: o.email || o.customer?.email || '' },
    shippingAddress:
      a && a.countryCodeV2
        ? {
            country: a.countryCodeV2,
            name: a.name || fullName(a.firstName, a.lastName) || customerName,
            line1: a.address1 ?? '',
            line2: a.address2 || undefined,
            city: a.city ?? '',
            region: a.provinceCode || undefined,
            postalCode: a.zip ?? '',
          }
        : undefined,
    lineItems: [...items.values()],
    fulfillments,
  };
  if (o.tags.includes(REPLACEMENT_TAG)) replacementOrders.add(order);
  return order;
}
