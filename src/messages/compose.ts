import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notifications } from '../db/schema/messages';
import { policies } from '../db/schema/policies';
import { refunds } from '../db/schema/refunds';
import { shipments } from '../db/schema/shipments';
import type {
  MessageChannel,
  NotificationKind,
  ShipmentState,
} from '../../workflows/shipment.contract';
import { chooseCompensation, mailSituation } from './customer-care';
import type { OutboxRepository } from './outbox.repository';
import type { MessagingSettings } from './settings';
import { renderMessage, type CustomerStatus, type TemplateVars } from './templates';

export type ShipmentReadRow = typeof shipments.$inferSelect;

/** Where the parcel stands, in the words we use with customers. */
export function customerStatusOf(
  row: Pick<ShipmentReadRow, 'stage' | 'resolution' | 'snapshot'>,
): CustomerStatus {
  const state: Partial<ShipmentState> = row.snapshot ?? {};
  if (state.reship) return 'replacement_sent';
  if (state.refund?.status === 'manual') return 'refund_pending';
  if (state.refund || row.resolution === 'refunded') return 'refunded';
  if (row.stage === 'delivered' || row.resolution === 'delivered') return 'delivered';
  if (row.stage === 'verifying' || row.stage === 'awaiting_review') return 'investigating';
  switch (state.lastEvent?.status) {
    case 'customs':
      return 'customs';
    case 'out_for_delivery':
    case 'available_for_pickup':
      return 'out_for_delivery';
    case 'delivered':
      return 'delivered';
    default:
      return 'in_transit';
  }
}

/** Drops undefined and null so they never hide a value from another source. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<T>;
}

/**
 * What the read model knows for a customer message of this kind: customer, order, line items,
 * carrier, expected date, compensation, the replacement and the refund.
 */
export async function varsFromReadModel(
  db: Db,
  row: ShipmentReadRow,
  kind: NotificationKind,
): Promise<TemplateVars> {
  const reg = row.registration;
  const state: Partial<ShipmentState> = row.snapshot ?? {};
  // The workflow's latest estimate (revised as scans come in) before the last scan's and the
  // registration's own.
  let expectedDeliveryAt =
    state.expectedDeliveryAt ?? state.lastEvent?.expectedDeliveryAt ?? reg.expectedDeliveryAt;
  let newCarrier = state.reship?.carrier;
  let newTrackingNumber = state.reship?.trackingNumber;
  if (kind === 'reshipped' || kind === 'inquiry_reply') {
    // The replacement's own row knows its carrier, number and estimate before the snapshot does.
    const [replacement] = await db
      .select()
      .from(shipments)
      .where(eq(shipments.replacesShipmentId, row.shipmentId))
      .orderBy(desc(shipments.createdAt))
      .limit(1);
    if (replacement) {
      newCarrier = replacement.carrier;
      newTrackingNumber = replacement.trackingNumber;
      expectedDeliveryAt = replacement.registration.expectedDeliveryAt ?? undefined;
    }
  }
  let refundStatus: TemplateVars['refundStatus'];
  let refundAmount = state.refund?.amount;
  let refundCurrency = state.refund?.currency;
  if (kind === 'refunded') {
    // The refunds table is the truth: paid only once the order system confirmed it.
    const [refund] = await db
      .select()
      .from(refunds)
      .where(eq(refunds.shipmentId, row.shipmentId))
      .orderBy(desc(refunds.createdAt), desc(refunds.id))
      .limit(1);
    refundStatus = refund?.status === 'refunded' ? 'refunded' : 'pending';
    refundAmount = refund?.amount ?? refundAmount;
    refundCurrency = refund?.currency ?? refundCurrency;
  }
  const carrierLost =
    kind === 'delay_notice' &&
    (row.suspicionReason === 'carrier_lost' ||
      state.suspicion?.reason === 'carrier_lost' ||
      state.lastEvent?.status === 'lost');
  let previousNoticeAt: string | undefined;
  if (kind === 'delay_notice') {
    // A delay notice after an earlier one is a follow-up: it says when we wrote and what changed.
    const [earlier] = await db
      .select({ createdAt: notifications.createdAt })
      .from(notifications)
      .where(
        and(eq(notifications.shipmentId, row.shipmentId), eq(notifications.kind, 'delay_notice')),
      )
      .orderBy(asc(notifications.createdAt))
      .limit(1);
    previousNoticeAt = earlier?.createdAt.toISOString();
  }
  // The registration's coupon first; else the policy's compensation where it grants one (the
  // policy is only read for a mail that may carry it).
  const situation = mailSituation(kind, carrierLost);
  const care =
    situation && !reg.compensation?.couponCode
      ? await policyCustomerCare(db, row.policy)
      : undefined;
  const compensation = chooseCompensation(reg.compensation, care, situation);
  return defined({
    customerName: reg.customer.name,
    orderId: reg.orderId,
    items: reg.items,
    carrier: reg.carrier,
    trackingNumber: reg.trackingNumber,
    newCarrier,
    newTrackingNumber,
    expectedDeliveryAt,
    refundAmount,
    currency: refundCurrency ?? reg.currency,
    refundStatus,
    carrierLost: carrierLost || undefined,
    previousNoticeAt,
    lastScanAt: kind === 'delay_notice' ? state.lastEvent?.occurredAt : undefined,
    ...compensation,
    status: customerStatusOf(row),
    shipmentId: row.shipmentId,
  });
}

/** The customer care part of a policy's current version (sender and compensation of its mails). */
async function policyCustomerCare(db: Db, name: string) {
  const [row] = await db
    .select({ body: policies.body })
    .from(policies)
    .where(eq(policies.name, name));
  return row?.body.customerCare;
}

/** Read-model values first, then what the caller passed (the workflow knows the latest). */
export function mergeVars(
  base: TemplateVars,
  given: Partial<TemplateVars> | undefined,
): TemplateVars {
  const merged: TemplateVars = { ...base, ...defined(given ?? {}) };
  // Line items from the registration are listed in the customer's language; a caller's
  // preformatted string is only the fallback.
  if (Array.isArray(base.items)) merged.items = base.items;
  return merged;
}

export async function shipmentReadRow(
  db: Db,
  shipmentId: string,
): Promise<ShipmentReadRow | undefined> {
  const [row] = await db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId));
  return row;
}

/** Writes an alert for the ops mailbox (English, by e-mail) to the outbox; the dispatcher sends it. */
export async function recordOpsAlert(
  outbox: OutboxRepository,
  opsEmail: string,
  alert: { idempotencyKey: string; shipmentId: string; vars: TemplateVars },
): Promise<void> {
  const m = renderMessage('ops_alert', 'en', alert.vars);
  await outbox.record({
    idempotencyKey: alert.idempotencyKey,
    shipmentId: alert.shipmentId,
    kind: 'ops_alert',
    channel: 'email',
    to: opsEmail,
    locale: 'en',
    subject: m.subject,
    text: m.text,
    html: m.html,
  });
}

/** The customer's channel: on-site when they prefer it and the seller's endpoint is set up. */
export function customerChannel(
  row: ShipmentReadRow | undefined,
  settings: Pick<MessagingSettings, 'onsite'>,
): MessageChannel {
  return row?.registration.preferredChannel === 'onsite' && settings.onsite ? 'onsite' : 'email';
}
