/**
 * Maps the rows of a shipment export (CSV) to `POST /v1/shipments` bodies. Checks here are the
 * ones a file can fail on its own (missing column, `2,5` as a number); the API validates the rest
 * and its field errors are mapped back to the CSV column.
 */
import type { LineItem } from '../../workflows/shipment.contract';
import type { CsvRecord } from './csv';

/** The columns of the import file; header names are matched ignoring case, spaces, _ and -. */
export const COLUMNS = {
  order_id: { required: true, doc: 'Order id in the shop, e.g. #1001' },
  shipment_id: {
    required: false,
    doc: 'Our shipment id; default: order id and tracking number, e.g. 1001-LX123456789CN',
  },
  tracking_number: { required: true, doc: "The carrier's tracking number" },
  carrier: {
    required: true,
    doc: 'Carrier code from the catalogue (GET /v1/carriers), e.g. yanwen, usps, dhl',
  },
  carrier_unlisted: {
    required: false,
    doc: 'true for a carrier deliberately outside the catalogue (a regional carrier); default false',
  },
  service: { required: false, doc: 'Carrier service, e.g. economy' },
  marketplace: { required: false, doc: 'shopify, amazon, ebay…' },
  policy: { required: false, doc: 'Policy name; default: --policy, else "default"' },
  origin_country: { required: false, doc: 'ISO country shipped from; default: --origin' },
  warehouse_id: { required: false, doc: 'Warehouse shipped from' },
  destination_country: { required: true, doc: 'ISO 3166-1 alpha-2, e.g. US' },
  destination_name: { required: false, doc: 'Recipient; default: customer_name' },
  destination_line1: { required: true, doc: 'Street address' },
  destination_line2: { required: false, doc: 'Flat, suite…' },
  destination_city: { required: true, doc: 'City' },
  destination_region: { required: false, doc: 'State or region' },
  destination_postal_code: { required: true, doc: 'Postal code' },
  customer_name: { required: true, doc: 'Customer name' },
  customer_email: { required: true, doc: 'Customer e-mail' },
  customer_locale: { required: false, doc: 'BCP 47 tag, e.g. de-DE; default en-US' },
  items: {
    required: true,
    doc: 'sku:quantity:unit price, separated by ;  e.g. MUG-1:2:9.95;CAP:1:15',
  },
  declared_value: { required: true, doc: 'Declared value, decimal point, e.g. 34.90' },
  currency: { required: true, doc: 'ISO 4217, e.g. EUR' },
  shipped_at: { required: true, doc: 'ISO 8601 with time zone, or a day (midnight UTC)' },
  expected_delivery_at: { required: false, doc: 'ISO 8601 with time zone, or a day' },
} as const;
export type Column = keyof typeof COLUMNS;

export interface RowError {
  /** Line of the row in the file (the header is line 1). */
  row: number;
  field: string;
  message: string;
}

export interface ImportDefaults {
  origin?: string;
  policy?: string;
}

export interface MappedRow {
  row: number;
  shipmentId: string;
  orderId: string;
  body: Record<string, unknown>;
}

const normalise = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Column positions by name; errors for unknown headers are not raised (exports carry extras). */
export function readHeader(
  header: string[],
): { ok: true; index: Map<Column, number> } | { ok: false; missing: Column[] } {
  const index = new Map<Column, number>();
  header.forEach((h, i) => {
    const name = normalise(h);
    if (name in COLUMNS && !index.has(name as Column)) index.set(name as Column, i);
  });
  const missing = (Object.keys(COLUMNS) as Column[]).filter(
    (c) => COLUMNS[c].required && !index.has(c),
  );
  return missing.length ? { ok: false, missing } : { ok: true, index };
}

/** Ids end up in workflow ids and URLs: keep what the API accepts, replace the rest. */
export function safeId(s: string): string {
  return s
    .replace(/[^A-Za-z0-9._:~-]+/g, '-')
    .replace(/~R(?=\d)/g, '-R')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 128);
}

const DECIMAL = /^\d+(\.\d+)?$/;
/** Yes/no cells as spreadsheets write them; empty is no. */
const FLAGS = new Map<string, boolean>([
  ['', false],
  ['false', false],
  ['no', false],
  ['0', false],
  ['true', true],
  ['yes', true],
  ['1', true],
]);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function instant(v: string): string | undefined {
  const iso = DAY.test(v) ? `${v}T00:00:00Z` : v;
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso) || Number.isNaN(Date.parse(iso))) return undefined;
  return new Date(iso).toISOString();
}

/** `SKU-1:2:9.95;CAP:1:15`: the last two parts are quantity and price, the rest is the sku. */
export function parseItems(v: string): { items: LineItem[] } | { error: string } {
  const parts = v
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return { error: 'must list at least one item as sku:quantity:price' };
  const items = [];
  for (const [n, part] of parts.entries()) {
    const bits = part.split(':');
    const price = bits.pop()?.trim() ?? '';
    const quantity = bits.pop()?.trim() ?? '';
    const sku = bits.join(':').trim();
    if (!sku || !/^\d+$/.test(quantity) || !DECIMAL.test(price)) {
      return {
        error: `item ${n + 1} "${part}" must be sku:quantity:price with a whole quantity and a decimal price, e.g. MUG-1:2:9.95`,
      };
    }
    items.push({ sku, quantity: Number(quantity), unitPrice: Number(price) });
  }
  return { items };
}

/** Maps one data row; either a request body or the row's errors (every field, not just the first). */
export function mapRow(
  record: CsvRecord,
  index: Map<Column, number>,
  defaults: ImportDefaults = {},
): { ok: true; row: MappedRow } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const get = (c: Column): string => {
    const i = index.get(c);
    return i === undefined ? '' : (record.fields[i] ?? '').trim();
  };
  const fail = (field: Column, message: string) =>
    errors.push({ row: record.line, field, message });
  const required = (c: Column): string => {
    const v = get(c);
    if (!v) fail(c, 'is required');
    return v;
  };
  const optional = (c: Column) => get(c) || undefined;

  const orderId = required('order_id');
  const trackingNumber = required('tracking_number');
  const carrier = required('carrier').toLowerCase();
  const unlistedText = get('carrier_unlisted').toLowerCase();
  const carrierUnlisted = FLAGS.get(unlistedText);
  if (carrierUnlisted === undefined)
    fail('carrier_unlisted', `"${unlistedText}" must be true or false (or left empty)`);
  const origin = (get('origin_country') || defaults.origin || '').toUpperCase();
  if (!origin) fail('origin_country', 'is required (or pass --origin CC for the whole file)');
  const customerName = required('customer_name');
  const itemsText = required('items');
  const parsedItems = itemsText ? parseItems(itemsText) : undefined;
  if (parsedItems && 'error' in parsedItems) fail('items', parsedItems.error);
  const valueText = required('declared_value');
  if (valueText && !DECIMAL.test(valueText))
    fail('declared_value', `"${valueText}" must be a decimal number with a point, e.g. 34.90`);
  const shippedText = required('shipped_at');
  const shippedAt = shippedText ? instant(shippedText) : undefined;
  if (shippedText && !shippedAt)
    fail(
      'shipped_at',
      `"${shippedText}" must be ISO 8601 with a time zone (2026-03-01T10:00:00Z) or a day (2026-03-01)`,
    );
  const expectedText = get('expected_delivery_at');
  const expectedDeliveryAt = expectedText ? instant(expectedText) : undefined;
  if (expectedText && !expectedDeliveryAt)
    fail('expected_delivery_at', `"${expectedText}" must be ISO 8601 with a time zone or a day`);
  const destination = {
    country: required('destination_country').toUpperCase(),
    name: get('destination_name') || customerName,
    line1: required('destination_line1'),
    line2: optional('destination_line2'),
    city: required('destination_city'),
    region: optional('destination_region'),
    postalCode: required('destination_postal_code'),
  };
  const customer = {
    name: customerName,
    email: required('customer_email'),
    locale: get('customer_locale') || 'en-US',
  };
  const currency = required('currency').toUpperCase();
  const shipmentId = safeId(get('shipment_id') || `${orderId}-${trackingNumber}`);
  if (orderId && trackingNumber && !shipmentId)
    fail('shipment_id', 'cannot make an id from the order id and tracking number');

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    row: {
      row: record.line,
      shipmentId,
      orderId,
      body: {
        shipmentId,
        orderId,
        marketplace: optional('marketplace'),
        carrier,
        // Only when the file says so: an unmarked row stays a catalogue carrier.
        carrierUnlisted: carrierUnlisted || undefined,
        trackingNumber,
        service: optional('service'),
        policy: get('policy') || defaults.policy || 'default',
        origin: { country: origin, warehouseId: optional('warehouse_id') },
        destination,
        customer,
        items: (parsedItems as { items: unknown[] }).items,
        currency,
        declaredValue: Number(valueText),
        shippedAt,
        expectedDeliveryAt,
      },
    },
  };
}

/** The CSV column behind an API field path (`destination.country` → destination_country). */
export function columnOf(path: string): string {
  const [head, sub] = path.split('.');
  switch (head) {
    case 'origin':
      return sub === 'warehouseId' ? 'warehouse_id' : 'origin_country';
    case 'destination':
      return sub === 'postalCode' ? 'destination_postal_code' : `destination_${sub ?? 'country'}`;
    case 'customer':
      return `customer_${sub ?? 'name'}`;
    case 'items':
      return 'items';
    case 'declaredValue':
      return 'declared_value';
    case 'shippedAt':
      return 'shipped_at';
    case 'expectedDeliveryAt':
      return 'expected_delivery_at';
    case 'trackingNumber':
      return 'tracking_number';
    case 'carrierUnlisted':
      return 'carrier_unlisted';
    case 'orderId':
      return 'order_id';
    case 'shipmentId':
      return 'shipment_id';
    default:
      return head ?? path;
  }
}
