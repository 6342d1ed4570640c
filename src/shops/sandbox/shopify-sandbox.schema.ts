/**
 * The slice of Shopify's GraphQL Admin API the sandbox store answers: real type, field, argument
 * and enum names of the Admin schema, only those Parcelwarden's client uses, executed with the
 * `graphql` package against the in-memory store.
 */
import { getAllCountries } from 'countries-and-timezones';
import { buildSchema, getDirectiveValues, GraphQLError, type GraphQLResolveInfo } from 'graphql';
import {
  fulfillmentStatusOf,
  gid,
  refundable,
  refunded,
  total,
  VariantError,
  type SandboxFulfillment,
  type SandboxOrder,
  type ShopifySandboxStore,
} from './shopify-sandbox.store';

const countryCodes = [...Object.keys(getAllCountries()), 'ZZ'].sort();
const currencyCodes = Intl.supportedValuesOf('currency');

export const SANDBOX_SDL = /* GraphQL */ `
  scalar DateTime
  scalar Decimal
  scalar Money
  scalar URL
  scalar UnsignedInt64

  enum CountryCode { ${countryCodes.join(' ')} }
  enum CurrencyCode { ${currencyCodes.join(' ')} }

  type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
  type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }
  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type Attribute { key: String! value: String }
  type UserError { field: [String!] message: String! }

  type MailingAddress {
    name: String firstName: String lastName: String address1: String address2: String
    city: String provinceCode: String zip: String countryCodeV2: CountryCode
  }
  type Customer { id: ID! firstName: String lastName: String email: String displayName: String! }
  type ProductVariant { id: ID! title: String! sku: String price: Money! }
  type LineItem {
    id: ID! title: String! name: String! sku: String quantity: Int! currentQuantity: Int!
    variant: ProductVariant originalUnitPriceSet: MoneyBag! discountedUnitPriceAfterAllDiscountsSet: MoneyBag!
  }
  type LineItemConnection { nodes: [LineItem!]! pageInfo: PageInfo! }

  enum FulfillmentStatus { CANCELLED ERROR FAILURE OPEN PENDING SUCCESS }
  type FulfillmentTrackingInfo { company: String number: String url: URL }
  type FulfillmentLineItem { id: ID! quantity: Int lineItem: LineItem! }
  type FulfillmentLineItemConnection { nodes: [FulfillmentLineItem!]! pageInfo: PageInfo! }
  type Fulfillment {
    id: ID! legacyResourceId: UnsignedInt64! name: String! status: FulfillmentStatus!
    createdAt: DateTime! updatedAt: DateTime!
    trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
    fulfillmentLineItems(first: Int, after: String): FulfillmentLineItemConnection!
  }
  enum FulfillmentOrderStatus { CANCELLED CLOSED INCOMPLETE IN_PROGRESS ON_HOLD OPEN SCHEDULED }
  type FulfillmentOrder { id: ID! status: FulfillmentOrderStatus! }
  type FulfillmentOrderConnection { nodes: [FulfillmentOrder!]! pageInfo: PageInfo! }

  enum OrderTransactionKind { AUTHORIZATION CAPTURE CHANGE EMV_AUTHORIZATION REFUND SALE SUGGESTED_REFUND VOID }
  enum OrderTransactionStatus { AWAITING_RESPONSE ERROR FAILURE PENDING SUCCESS UNKNOWN }
  type OrderTransaction {
    id: ID! kind: OrderTransactionKind! status: OrderTransactionStatus! gateway: String
    amountSet: MoneyBag! createdAt: DateTime! parentTransaction: OrderTransaction
  }
  type Refund { id: ID! legacyResourceId: UnsignedInt64! note: String createdAt: DateTime totalRefundedSet: MoneyBag! }

  enum OrderDisplayFinancialStatus { AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED }
  enum OrderDisplayFulfillmentStatus { FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT REQUEST_DECLINED RESTOCKED SCHEDULED UNFULFILLED }
  type Order {
    id: ID! legacyResourceId: UnsignedInt64! name: String!
    createdAt: DateTime! updatedAt: DateTime! cancelledAt: DateTime
    email: String currencyCode: CurrencyCode! customerLocale: String
    tags: [String!]! note: String customAttributes: [Attribute!]!
    displayFinancialStatus: OrderDisplayFinancialStatus
    displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
    totalPriceSet: MoneyBag! currentTotalPriceSet: MoneyBag! totalRefundedSet: MoneyBag!
    customer: Customer shippingAddress: MailingAddress
    lineItems(first: Int, after: String): LineItemConnection!
    fulfillments(first: Int): [Fulfillment!]!
    fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
    transactions(first: Int): [OrderTransaction!]!
    refunds(first: Int): [Refund!]!
  }
  type OrderEdge { cursor: String! node: Order! }
  type OrderConnection { nodes: [Order!]! edges: [OrderEdge!]! pageInfo: PageInfo! }
  enum OrderSortKeys { CREATED_AT ID ORDER_NUMBER PROCESSED_AT RELEVANCE TOTAL_PRICE UPDATED_AT }
  enum CountPrecision { AT_LEAST EXACT }
  type Count { count: Int! precision: CountPrecision! }

  type QueryRoot {
    order(id: ID!): Order
    orders(first: Int, after: String, last: Int, before: String, query: String, sortKey: OrderSortKeys = ID, reverse: Boolean = false): OrderConnection!
    ordersCount(query: String, limit: Int = 10000): Count
  }

  input MoneyInput { amount: Decimal! currencyCode: CurrencyCode! }
  input MoneyBagInput { shopMoney: MoneyInput! presentmentMoney: MoneyInput }
  input AttributeInput { key: String! value: String! }
  input MailingAddressInput {
    firstName: String lastName: String address1: String address2: String city: String
    provinceCode: String zip: String countryCode: CountryCode phone: String company: String
  }
  input OrderCreateLineItemInput {
    variantId: ID title: String sku: String quantity: Int! priceSet: MoneyBagInput requiresShipping: Boolean
  }
  input OrderCreateItemPercentageDiscountCodeAttributesInput { code: String! percentage: Float }
  input OrderCreateDiscountCodeInput { itemPercentageDiscountCode: OrderCreateItemPercentageDiscountCodeAttributesInput }
  enum OrderCreateFinancialStatus { AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED }
  input OrderCreateOrderInput {
    currency: CurrencyCode email: String lineItems: [OrderCreateLineItemInput!]
    shippingAddress: MailingAddressInput billingAddress: MailingAddressInput
    financialStatus: OrderCreateFinancialStatus tags: [String!] note: String
    customAttributes: [AttributeInput!] discountCode: OrderCreateDiscountCodeInput
  }
  enum OrderCreateInputsInventoryBehavior { BYPASS DECREMENT_IGNORING_POLICY DECREMENT_OBEYING_POLICY }
  input OrderCreateOptionsInput { sendReceipt: Boolean sendFulfillmentReceipt: Boolean inventoryBehaviour: OrderCreateInputsInventoryBehavior }
  type OrderCreateUserError { field: [String!] message: String! }
  type OrderCreatePayload { order: Order userErrors: [OrderCreateUserError!]! }

  input FulfillmentTrackingInput { company: String number: String url: URL numbers: [String!] urls: [URL!] }
  input FulfillmentOrderLineItemInput { id: ID! quantity: Int! }
  input FulfillmentOrderLineItemsInput { fulfillmentOrderId: ID! fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!] }
  input FulfillmentInput {
    lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
    trackingInfo: FulfillmentTrackingInput notifyCustomer: Boolean
  }
  type FulfillmentCreatePayload { fulfillment: Fulfillment userErrors: [UserError!]! }

  input OrderTransactionInput { amount: Money! gateway: String! kind: OrderTransactionKind! orderId: ID! parentId: ID }
  input RefundInput { orderId: ID! note: String notify: Boolean currency: CurrencyCode transactions: [OrderTransactionInput!] }
  type RefundCreatePayload { refund: Refund order: Order userErrors: [UserError!]! }

  type Mutation {
    orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput): OrderCreatePayload
    fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
    refundCreate(input: RefundInput!): RefundCreatePayload
  }

  "Deduplicates a mutation by key (optional for refundCreate in 2026-01, required from 2026-04)."
  directive @idempotent(key: String!) on FIELD

  schema { query: QueryRoot mutation: Mutation }
`;

export const sandboxSchema = buildSchema(SANDBOX_SDL);

/** A global id's number for `type`, or a GraphQL error as Shopify answers a malformed one. */
function idOf(type: string, value: string): number {
  const m = new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(value);
  if (!m)
    throw new GraphQLError(`Invalid global id '${value}'`, {
      extensions: { code: 'argumentLiteralsIncompatible' },
    });
  return Number(m[1]);
}

const bag = (amount: number, currencyCode: string) => {
  const m = { amount: amount.toFixed(2), currencyCode };
  return { shopMoney: m, presentmentMoney: m };
};
const pageInfo = (hasNextPage = false, endCursor: string | null = null) => ({
  hasNextPage,
  hasPreviousPage: false,
  startCursor: null,
  endCursor,
});
const MAX_PAGE = 250;

function pageSize(first: number | null | undefined): number {
  if (first == null) throw new GraphQLError('you must provide one of first or last');
  if (first > MAX_PAGE) throw new GraphQLError(`The page size ${first} exceeds ${MAX_PAGE}.`);
  return first;
}

/** Events the sandbox raises for API writes (it sends their webhooks). */
export interface SandboxHooks {
  fulfillmentCreated(order: SandboxOrder, f: SandboxFulfillment): void;
}

export interface SandboxRootOptions {
  /**
   * Orders show in `orders(query:)` and `ordersCount(query:)` only this many ms after they are
   * made, as Shopify's search index lags behind a new order. 0 (the default): at once.
   */
  searchLagMs?: number;
}

/** What each GraphQL call runs with: the API version in its URL. */
export interface SandboxContext {
  apiVersion: string;
}

/** The first API version that refuses refundCreate without `@idempotent`. */
export const IDEMPOTENT_REFUND_REQUIRED_FROM = '2026-04';

/** A JSON text of `value` with object keys sorted, so equal variables compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export function createRootValue(
  store: ShopifySandboxStore,
  hooks: SandboxHooks,
  opts: SandboxRootOptions = {},
) {
  const searchLagMs = opts.searchLagMs ?? 0;
  /** Searchable: made at least searchLagMs ago (a query without search terms sees every order). */
  const searchable = (query: unknown) => (o: SandboxOrder) =>
    !query || searchLagMs <= 0 || Date.now() - Date.parse(o.createdAt) >= searchLagMs;
  /**
   * The `@idempotent` keys refundCreate has seen: the variables they came with and the refund
   * they made. Shopify keeps a key for a limited time (about 24 hours); the sandbox for its life.
   */
  const refundKeys = new Map<string, { input: string; orderId: number; refundId: number }>();
  const idempotentDirective = sandboxSchema.getDirective('idempotent')!;
  const lineItemNode = (o: SandboxOrder) => (li: SandboxOrder['lineItems'][number]) => {
    const unit = bag(li.price, o.currency);
    return {
      id: gid('LineItem', li.id),
      title: li.title,
      name: li.title,
      sku: li.sku ?? null,
      quantity: li.quantity,
      currentQuantity: li.quantity,
      variant: {
        id: gid('ProductVariant', li.variantId),
        title: li.title,
        sku: li.sku ?? null,
        price: li.price.toFixed(2),
      },
      originalUnitPriceSet: unit,
      discountedUnitPriceAfterAllDiscountsSet: bag(
        li.price * (1 - o.discountPercent / 100),
        o.currency,
      ),
    };
  };

  const fulfillmentNode = (o: SandboxOrder) => (f: SandboxFulfillment) => ({
    id: gid('Fulfillment', f.id),
    legacyResourceId: String(f.id),
    name: f.name,
    status: f.status === 'cancelled' ? 'CANCELLED' : 'SUCCESS',
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    trackingInfo: ({ first }: { first?: number | null }) =>
      f.trackingNumber || f.trackingCompany
        ? [
            {
              company: f.trackingCompany ?? null,
              number: f.trackingNumber ?? null,
              url: f.trackingUrl ?? null,
            },
          ].slice(0, first ?? undefined)
        : [],
    fulfillmentLineItems: ({ first }: { first?: number | null }) => ({
      nodes: o.lineItems
        .filter((li) => f.lineItemIds.includes(li.id))
        .slice(0, pageSize(first))
        .map((li) => ({
          id: gid('FulfillmentLineItem', li.id),
          quantity: li.quantity,
          lineItem: lineItemNode(o)(li),
        })),
      pageInfo: pageInfo(),
    }),
  });

  const orderNode = (o: SandboxOrder) => {
    const status = fulfillmentStatusOf(o);
    const items = o.lineItems.map(lineItemNode(o));
    return {
      id: gid('Order', o.id),
      legacyResourceId: String(o.id),
      name: o.name,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
      cancelledAt: o.cancelledAt ?? null,
      email: o.email,
      currencyCode: o.currency,
      customerLocale: o.locale,
      tags: o.tags,
      note: o.note ?? null,
      customAttributes: o.customAttributes,
      displayFinancialStatus: o.financialStatus.toUpperCase(),
      displayFulfillmentStatus:
        status === 'fulfilled'
          ? 'FULFILLED'
          : status === 'partial'
            ? 'PARTIALLY_FULFILLED'
            : 'UNFULFILLED',
      totalPriceSet: bag(total(o), o.currency),
      currentTotalPriceSet: bag(total(o) - refunded(o), o.currency),
      totalRefundedSet: bag(refunded(o), o.currency),
      customer: {
        id: gid('Customer', o.customer.id),
        firstName: o.customer.firstName ?? null,
        lastName: o.customer.lastName,
        email: o.customer.email,
        displayName: [o.customer.firstName, o.customer.lastName].filter(Boolean).join(' '),
      },
      shippingAddress: {
        ...o.shippingAddress,
        name: [o.shippingAddress.firstName, o.shippingAddress.lastName].filter(Boolean).join(' '),
        countryCodeV2: o.shippingAddress.countryCode,
      },
      lineItems: ({ first }: { first?: number | null }) => ({
        nodes: items.slice(0, pageSize(first)),
        pageInfo: pageInfo(items.length > (first ?? 0)),
      }),
      fulfillments: ({ first }: { first?: number | null }) =>
        o.fulfillments.slice(0, first ?? undefined).map(fulfillmentNode(o)),
      fulfillmentOrders: ({ first }: { first?: number | null }) => ({
        nodes: o.fulfillmentOrders
          .slice(0, pageSize(first))
          .map((fo) => ({ id: gid('FulfillmentOrder', fo.id), status: fo.status })),
        pageInfo: pageInfo(),
      }),
      transactions: ({ first }: { first?: number | null }) =>
        o.transactions.slice(0, first ?? undefined).map((t) => ({
          id: gid('OrderTransaction', t.id),
          kind: t.kind,
          status: t.status,
          gateway: t.gateway,
          amountSet: bag(t.amount, o.currency),
          createdAt: t.createdAt,
          parentTransaction: null,
        })),
      refunds: ({ first }: { first?: number | null }) =>
        o.refunds.slice(0, first ?? undefined).map(refundNode(o)),
    };
  };

  const refundNode = (o: SandboxOrder) => (r: SandboxOrder['refunds'][number]) => ({
    id: gid('Refund', r.id),
    legacyResourceId: String(r.id),
    note: r.note ?? null,
    createdAt: r.createdAt,
    totalRefundedSet: bag(r.amount, o.currency),
  });

  const sorted = () => [...store.orders.values()].sort((a, b) => a.id - b.id);

  type Args = Record<string, unknown>;
  return {
    order: ({ id }: Args) => {
      const o = store.orders.get(idOf('Order', String(id)));
      return o ? orderNode(o) : null;
    },

    orders: ({ first, after, query, reverse }: Args) => {
      const size = pageSize(first as number | null);
      const match = parseOrderSearch((query as string | null) ?? '');
      let list = sorted().filter(searchable(query)).filter(match);
      if (reverse) list = list.reverse();
      if (after) {
        const afterId = Number(Buffer.from(String(after), 'base64url').toString());
        const at = list.findIndex((o) => o.id === afterId);
        list = at >= 0 ? list.slice(at + 1) : [];
      }
      const page = list.slice(0, size);
      const cursor = (o: SandboxOrder) => Buffer.from(String(o.id)).toString('base64url');
      const last = page.at(-1);
      return {
        nodes: page.map(orderNode),
        edges: page.map((o) => ({ cursor: cursor(o), node: orderNode(o) })),
        pageInfo: pageInfo(list.length > size, last ? cursor(last) : null),
      };
    },

    ordersCount: ({ query, limit }: Args) => {
      const count = sorted()
        .filter(searchable(query))
        .filter(parseOrderSearch((query as string | null) ?? '')).length;
      const cap = limit as number | null;
      return cap != null && count > cap
        ? { count: cap, precision: 'AT_LEAST' }
        : { count, precision: 'EXACT' };
    },

    orderCreate: ({ order: input }: Args) => {
      const i = input as {
        currency?: string;
        email?: string;
        lineItems?: {
          variantId?: string;
          title?: string;
          sku?: string;
          quantity: number;
          priceSet?: { shopMoney: { amount: string } };
        }[];
        shippingAddress?: Record<string, string | undefined>;
        tags?: string[];
        note?: string;
        customAttributes?: { key: string; value: string }[];
        discountCode?: { itemPercentageDiscountCode?: { percentage?: number } };
      };
      const errors: { field: string[]; message: string }[] = [];
      if (!i.lineItems?.length)
        errors.push({
          field: ['order', 'lineItems'],
          message: 'Line items must have at least one line item',
        });
      i.lineItems?.forEach((li, n) => {
        if (!li.variantId && !li.title)
          errors.push({
            field: ['order', 'lineItems', String(n), 'title'],
            message: 'Title must be present for custom line items',
          });
        if (li.quantity < 1)
          errors.push({
            field: ['order', 'lineItems', String(n), 'quantity'],
            message: 'Quantity must be greater than 0',
          });
      });
      const a = i.shippingAddress;
      if (a && (!a.countryCode || !a.address1 || !a.city))
        errors.push({
          field: ['order', 'shippingAddress'],
          message: 'Shipping address is invalid',
        });
      if (errors.length) return { order: null, userErrors: errors };
      try {
        const o = store.createOrder({
          email: i.email ?? '',
          locale: 'en',
          currency: i.currency ?? 'USD',
          customer: {
            firstName: a?.firstName,
            lastName: a?.lastName ?? '',
            email: i.email ?? '',
          },
          shippingAddress: {
            firstName: a?.firstName,
            lastName: a?.lastName ?? '',
            address1: a?.address1 ?? '',
            address2: a?.address2,
            city: a?.city ?? '',
            provinceCode: a?.provinceCode,
            zip: a?.zip ?? '',
            countryCode: a?.countryCode ?? 'ZZ',
          },
          items: (i.lineItems ?? []).map((li) => ({
            variantId: li.variantId ? idOf('ProductVariant', li.variantId) : undefined,
            title: li.title,
            sku: li.sku,
            quantity: li.quantity,
            price: li.priceSet ? Number(li.priceSet.shopMoney.amount) : undefined,
          })),
          discountPercent: i.discountCode?.itemPercentageDiscountCode?.percentage ?? 0,
          paid: false,
          tags: i.tags,
          note: i.note,
          customAttributes: i.customAttributes,
        });
        return { order: orderNode(o), userErrors: [] };
      } catch (err) {
        if (!(err instanceof VariantError)) throw err;
        return {
          order: null,
          userErrors: [
            { field: ['order', 'lineItems', String(err.index), 'variantId'], message: err.message },
          ],
        };
      }
    },

    fulfillmentCreate: ({ fulfillment }: Args) => {
      const input = fulfillment as {
        lineItemsByFulfillmentOrder: { fulfillmentOrderId: string }[];
        trackingInfo?: { company?: string; number?: string; url?: string };
      };
      const foIds = input.lineItemsByFulfillmentOrder.map((l) =>
        idOf('FulfillmentOrder', l.fulfillmentOrderId),
      );
      const order = [...store.orders.values()].find((o) =>
        o.fulfillmentOrders.some((fo) => fo.id === foIds[0]),
      );
      const fo = order?.fulfillmentOrders.find((x) => x.id === foIds[0]);
      if (!order || !fo)
        return {
          fulfillment: null,
          userErrors: [{ field: ['fulfillment'], message: 'Fulfillment order does not exist.' }],
        };
      if (fo.status !== 'OPEN')
        return {
          fulfillment: null,
          userErrors: [
            {
              field: ['fulfillment'],
              message: 'Fulfillment order is not in an actionable state.',
            },
          ],
        };
      const f = store.fulfil(order, input.trackingInfo ?? {});
      hooks.fulfillmentCreated(order, f);
      return { fulfillment: fulfillmentNode(order)(f), userErrors: [] };
    },

    refundCreate: ({ input }: Args, context: SandboxContext, info: GraphQLResolveInfo) => {
      const key = getDirectiveValues(idempotentDirective, info.fieldNodes[0]!, info.variableValues)
        ?.key as string | undefined;
      if (key === undefined) {
        if (context.apiVersion >= IDEMPOTENT_REFUND_REQUIRED_FROM)
          // Shopify's answer: a top-level error on the field, which resolves to null.
          throw new GraphQLError(
            'The @idempotent directive is required for this mutation but was not provided.',
            { extensions: { code: 'BAD_REQUEST' } },
          );
        return createRefund(input);
      }
      const seen = refundKeys.get(key);
      if (seen) {
        // A key seen before answers the refund it made, and only for the same variables.
        if (seen.input !== canonical(input))
          return {
            refund: null,
            order: null,
            userErrors: [
              {
                field: null,
                message:
                  'The same idempotency key cannot be used with different operation parameters.',
              },
            ],
          };
        const order = store.orders.get(seen.orderId)!;
        const refund = order.refunds.find((r) => r.id === seen.refundId)!;
        return { refund: refundNode(order)(refund), order: orderNode(order), userErrors: [] };
      }
      const made = createRefund(input);
      if (made.made)
        refundKeys.set(key, {
          input: canonical(input),
          orderId: made.made.order.id,
          refundId: made.made.refund.id,
        });
      return made;
    },
  };

  /** refundCreate's own checks, then the refund (and the order and refund it made, if it did). */
  function createRefund(input: unknown) {
    const i = input as {
      orderId: string;
      note?: string;
      transactions?: { amount: string; gateway: string; kind: string; parentId?: string }[];
    };
    const order = store.orders.get(idOf('Order', i.orderId));
    if (!order)
      return {
        refund: null,
        order: null,
        userErrors: [{ field: ['orderId'], message: 'Order does not exist' }],
      };
    const tx = i.transactions ?? [];
    if (tx.length === 0)
      return {
        refund: null,
        order: null,
        userErrors: [
          { field: ['transactions'], message: 'Refund must have at least one transaction' },
        ],
      };
    let made: ReturnType<ShopifySandboxStore['refund']> | undefined;
    for (const [n, t] of tx.entries()) {
      const field = ['transactions', String(n)];
      const parent = t.parentId
        ? order.transactions.find((x) => x.id === idOf('OrderTransaction', t.parentId!))
        : undefined;
      const amount = Number(t.amount);
      const error = (message: string) => ({
        refund: null,
        order: null,
        userErrors: [{ field, message }],
      });
      if (t.kind !== 'REFUND') return error('Kind must be refund');
      if (!parent || parent.kind !== 'SALE') return error('Parent transaction could not be found');
      if (parent.gateway !== t.gateway)
        return error('Gateway does not match the parent transaction');
      if (!(amount > 0)) return error('Amount must be greater than 0');
      if (amount > refundable(parent, order) + 1e-9)
        return error(`Amount cannot be greater than ${refundable(parent, order).toFixed(2)}`);
      made = store.refund(order, parent, amount, i.note);
    }
    return {
      refund: refundNode(order)(made!),
      order: orderNode(order),
      userErrors: [],
      made: { order, refund: made! },
    };
  }
}

// ---------- order search syntax (https://shopify.dev/docs/api/usage/search-syntax) ----------

type Match = (o: SandboxOrder) => boolean;

/**
 * The part of Shopify's search syntax the client uses: `field:value` terms with `>=`, `<=`, `>`
 * and `<`, quoted values, implicit or explicit AND, OR, NOT / `-` and parentheses. An unknown
 * field matches nothing, so a mistake in the client's query shows in tests.
 */
export function parseOrderSearch(query: string): Match {
  const tokens =
    query.match(/\(|\)|-?[A-Za-z_]+:(?:>=|<=|>|<)?(?:'[^']*'|"[^"]*"|[^\s()]+)|[^\s()]+/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];

  function orExpr(): Match {
    const parts = [andExpr()];
    while (peek() === 'OR') {
      pos++;
      parts.push(andExpr());
    }
    return (o) => parts.some((p) => p(o));
  }
  function andExpr(): Match {
    const parts: Match[] = [];
    while (pos < tokens.length && peek() !== ')' && peek() !== 'OR') {
      if (peek() === 'AND') {
        pos++;
        continue;
      }
      parts.push(unary());
    }
    return (o) => parts.every((p) => p(o));
  }
  function unary(): Match {
    const t = tokens[pos++]!;
    if (t === 'NOT') {
      const inner = unary();
      return (o) => !inner(o);
    }
    if (t === '(') {
      const inner = orExpr();
      if (tokens[pos] === ')') pos++;
      return inner;
    }
    if (t.startsWith('-') && t.includes(':')) {
      const inner = term(t.slice(1));
      return (o) => !inner(o);
    }
    return term(t);
  }
  return tokens.length ? orExpr() : () => true;
}

function term(token: string): Match {
  const m = /^([A-Za-z_]+):(>=|<=|>|<)?(.*)$/.exec(token);
  if (!m) {
    const word = token.toLowerCase();
    return (o) => o.name.toLowerCase().includes(word) || o.email.toLowerCase().includes(word);
  }
  const [, field, op, raw] = m;
  const value = raw!.replace(/^'(.*)'$|^"(.*)"$/, (_, a, b) => a ?? b);
  switch (field) {
    case 'updated_at':
    case 'created_at': {
      const at = Date.parse(value);
      return (o) => {
        const t = Date.parse(field === 'updated_at' ? o.updatedAt : o.createdAt);
        switch (op) {
          case '>=':
            return t >= at;
          case '<=':
            return t <= at;
          case '>':
            return t > at;
          case '<':
            return t < at;
          default:
            return t === at;
        }
      };
    }
    case 'fulfillment_status': {
      const wanted = value.toLowerCase();
      return (o) => {
        const s = fulfillmentStatusOf(o);
        if (wanted === 'any') return true;
        if (wanted === 'shipped') return s === 'fulfilled';
        if (wanted === 'partial') return s === 'partial';
        if (wanted === 'unshipped' || wanted === 'unfulfilled') return s === null;
        return false;
      };
    }
    case 'tag':
      return (o) => o.tags.some((t) => t.toLowerCase() === value.toLowerCase());
    case 'name':
      return (o) => o.name === value || o.name === `#${value}`;
    case 'email':
      return (o) => o.email.toLowerCase() === value.toLowerCase();
    case 'id':
      return (o) => String(o.id) === value;
    default:
      return () => false;
  }
}
