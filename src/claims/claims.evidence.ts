/**
 * The evidence package of a claim (notes §5.5): the order and payment reference as the order
 * system or shop gave them, declared value and costs, label and full tracking history, the
 * carrier's verification answer, the decision with who took it and when, the carrier trace, every
 * message from and to the customer, and proof of delivery (with its photo) where there is one.
 * Stored as JSON on the claim; the PDF renderer prints the same package for a human to submit.
 */
import { and, asc, desc, eq, isNotNull } from 'drizzle-orm';
import type { z } from 'zod';
import type { evidencePackageResponse } from './claims.schemas';
import type { ProofOfDelivery } from '../carriers/carrier';
import type { Db } from '../db/client';
import {
  inboundEmails,
  inquiries,
  notifications,
  reviews,
  shipments,
  trackingEvents,
} from '../db/schema';
import { selectClaimRule } from '../../workflows/claim.eligibility';
import { CLAIM_RULES, type ClaimRule, type EvidenceItem } from '../../workflows/claim.rules';
import type { ClaimRow } from './claims.repository';
import type { Location, ReviewDecision } from '../../workflows/shipment.contract';

/** The package as GET /v1/claims/{id}/evidence answers it: a field the schema adds is missing here. */
export type EvidencePackage = z.output<typeof evidencePackageResponse>;
export type EvidenceTrackingEntry = EvidencePackage['trackingHistory'][number];

export interface EvidenceInput {
  shipmentId: string;
  filer: string;
  rule: ClaimRule;
  reason: string;
  amountClaimed: number;
  currency: string;
  trace?: EvidencePackage['carrierTrace'];
  proofOfDelivery?: ProofOfDelivery;
  preparedAt: Date;
  /** A preview before the claim is eligible or filed. */
  draft?: boolean;
}

/** Said where the order system and the shop gave no payment reference. */
export const NOT_PROVIDED = 'not provided';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

function place(l: Location | null): string | undefined {
  if (!l) return undefined;
  const parts = [l.city, l.postalCode, l.country].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

/** Reads what we hold about the shipment and assembles the package the rule asks for. */
export async function buildEvidencePackage(db: Db, input: EvidenceInput): Promise<EvidencePackage> {
  const [shipment] = await db
    .select()
    .from(shipments)
    .where(eq(shipments.shipmentId, input.shipmentId));
  const events = await db
    .select()
    .from(trackingEvents)
    .where(eq(trackingEvents.shipmentId, input.shipmentId))
    .orderBy(asc(trackingEvents.occurredAt), asc(trackingEvents.id));
  const messages = await db
    .select()
    .from(inquiries)
    .where(eq(inquiries.shipmentId, input.shipmentId))
    .orderBy(asc(inquiries.receivedAt));
  const sent = await db
    .select()
    .from(notifications)
    .where(eq(notifications.shipmentId, input.shipmentId))
    .orderBy(asc(notifications.createdAt));
  const mails = await db
    .select()
    .from(inboundEmails)
    .where(eq(inboundEmails.shipmentId, input.shipmentId))
    .orderBy(asc(inboundEmails.receivedAt));
  const [decided] = await db
    .select()
    .from(reviews)
    .where(and(eq(reviews.shipmentId, input.shipmentId), isNotNull(reviews.decision)))
    .orderBy(desc(reviews.round))
    .limit(1);

  const reg = shipment?.registration;
  const pkg: EvidencePackage = {
    claim: {
      shipmentId: input.shipmentId,
      filer: input.filer,
      party: input.rule.party,
      rule: input.rule.name,
      reason: input.reason,
      amountClaimed: input.amountClaimed,
      currency: input.currency,
      preparedAt: input.preparedAt.toISOString(),
    },
    trackingHistory: events.map((e) => ({
      at: e.occurredAt.toISOString(),
      status: e.status,
      ...(e.description ? { description: e.description } : {}),
      ...(place(e.location) ? { location: place(e.location) } : {}),
      source: e.source,
    })),
    customerMessages: messages.map((m) => ({
      at: m.receivedAt.toISOString(),
      channel: m.channel,
      message: m.message,
    })),
    notificationsSent: sent
      .filter((n) => n.kind !== 'ops_alert')
      .map((n) => ({ at: iso(n.sentAt ?? n.createdAt) ?? '', kind: n.kind })),
    messages: customerMessages(messages, mails, toCustomer, sent),
    required: input.rule.evidence,
    missing: [],
    ...(input.draft ? { draft: true } : {}),
  };
  const snapshot = shipment?.snapshot;
  if (snapshot?.verification) pkg.verification = snapshot.verification;
  const decision = decided?.decision
    ? {
        round: decided.round,
        decision: decided.decision as ReviewDecision,
        reviewer: decided.reviewer ?? 'unknown',
        decidedAt: (decided.decidedAt ?? decided.detectedAt).toISOString(),
        automatic: decided.automatic ?? false,
        ...(decided.note ? { note: decided.note } : {}),
      }
    : snapshot?.review;
  if (decision) pkg.decision = decision;
  if (reg) {
    pkg.order = {
      orderId: reg.orderId,
      ...(reg.marketplace ? { marketplace: reg.marketplace } : {}),
      items: reg.items,
      customer: reg.customer.name,
    };
    // Quoted as given, never made up from the order number.
    pkg.paymentReference = {
      reference: reg.paymentReference ?? NOT_PROVIDED,
      source: reg.paymentReference ? 'registration' : NOT_PROVIDED,
      orderId: reg.orderId,
      ...(reg.shop?.orderName ? { orderName: reg.shop.orderName } : {}),
      ...(reg.shop ? { shopOrderId: reg.shop.orderId, platform: reg.shop.platform } : {}),
      ...(reg.marketplace ? { marketplace: reg.marketplace } : {}),
    };
    pkg.declaredValue = { amount: reg.declaredValue, currency: reg.currency };
    pkg.costs = {
      goods:
        Math.round(reg.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0) * 100) / 100,
      declaredValue: reg.declaredValue,
      ...(snapshot?.reship?.cost ? { replacement: snapshot.reship.cost } : {}),
      currency: reg.currency,
    };
    pkg.label = {
      carrier: reg.carrier,
      trackingNumber: reg.trackingNumber,
      ...(reg.service ? { service: reg.service } : {}),
      shippedAt: reg.shippedAt,
      ...(reg.expectedDeliveryAt ? { expectedDeliveryAt: reg.expectedDeliveryAt } : {}),
      origin: reg.origin.country,
      destination: [
        reg.destination.name,
        reg.destination.line1,
        reg.destination.line2,
        `${reg.destination.postalCode} ${reg.destination.city}`,
        reg.destination.region,
        reg.destination.country,
      ]
        .filter(Boolean)
        .join(', '),
    };
  }
  if (input.trace) pkg.carrierTrace = input.trace;
  // What the carrier showed when a delivered-not-received report was checked, else what it holds now.
  const shown = snapshot?.suspicion?.evidence?.proofOfDelivery ?? undefined;
  if (input.proofOfDelivery ?? shown) pkg.proofOfDelivery = input.proofOfDelivery ?? shown;
  pkg.missing = input.rule.evidence.filter((item) => !hasItem(pkg, item));
  return pkg;
}

/**
 * The package as it would be built now, marked `draft`: ops prepare it before the claim is
 * eligible (the stored package is built at eligibility and is what gets filed).
 */
export async function previewEvidencePackage(
  db: Db,
  row: ClaimRow,
  now = new Date(),
): Promise<EvidencePackage> {
  const [shipment] = await db
    .select({ registration: shipments.registration })
    .from(shipments)
    .where(eq(shipments.shipmentId, row.shipmentId));
  const reg = shipment?.registration;
  const filer = row.filer ?? row.carrier;
  const domestic = reg ? reg.origin.country === reg.destination.country : false;
  return buildEvidencePackage(db, {
    shipmentId: row.shipmentId,
    filer,
    rule: selectClaimRule(CLAIM_RULES, filer, domestic),
    reason: row.reason,
    amountClaimed: row.amount,
    currency: row.currency,
    ...(row.trace ? { trace: { ...row.trace } } : {}),
    preparedAt: now,
    draft: true,
  });
}

/** Proof of delivery matters when the rule asks for it or a scan says the parcel was delivered. */
export function needsProofOfDelivery(pkg: EvidencePackage): boolean {
  return (
    pkg.required.includes('proof_of_delivery') ||
    pkg.trackingHistory.some((e) => e.status === 'delivered')
  );
}

export function withProofOfDelivery(
  pkg: EvidencePackage,
  proofOfDelivery: ProofOfDelivery,
): EvidencePackage {
  const next = { ...pkg, proofOfDelivery };
  return { ...next, missing: next.required.filter((item) => !hasItem(next, item)) };
}

function hasItem(pkg: EvidencePackage, item: EvidenceItem): boolean {
  switch (item) {
    case 'order':
      return pkg.order !== undefined;
    case 'payment_reference':
      return pkg.paymentReference !== undefined && pkg.paymentReference.source !== NOT_PROVIDED;
    case 'declared_value':
      return pkg.declaredValue !== undefined;
    case 'label':
      return pkg.label !== undefined;
    case 'tracking_history':
      return pkg.trackingHistory.length > 0;
    case 'carrier_trace':
      return pkg.carrierTrace !== undefined;
    case 'customer_messages':
      return pkg.customerMessages.length > 0;
    case 'proof_of_delivery':
      return pkg.proofOfDelivery !== undefined;
  }
}

type InquiryRow = typeof inquiries.$inferSelect;
type NotificationRow = typeof notifications.$inferSelect;
type InboundRow = typeof inboundEmails.$inferSelect;

/** Messages to the customer: everything in the outbox but ops alerts, sent or not yet. */
const toCustomer = (n: NotificationRow) => n.kind !== 'ops_alert';

/**
 * Every message from and to the customer, oldest first: inquiries (the API and matched e-mails
 * that became one) and unmatched inbound mails from the customer, and what we sent them.
 */
function customerMessages(
  asked: InquiryRow[],
  inbound: InboundRow[],
  sent: (n: NotificationRow) => boolean,
  notes: NotificationRow[] = [],
): NonNullable<EvidencePackage['messages']> {
  const fromInquiries = new Set(asked.map((m) => m.inquiryId));
  return [
    ...asked.map((m) => ({
      at: m.receivedAt.toISOString(),
      direction: 'from_customer' as const,
      channel: m.channel,
      text: m.message,
    })),
    ...inbound
      .filter((m) => !m.inquiryId || !fromInquiries.has(m.inquiryId))
      .map((m) => ({
        at: m.receivedAt.toISOString(),
        direction: 'from_customer' as const,
        channel: 'email',
        subject: m.subject,
        text: m.text,
      })),
    ...notes.filter(sent).map((n) => ({
      at: (n.sentAt ?? n.createdAt).toISOString(),
      direction: 'to_customer' as const,
      channel: n.channel,
      kind: n.kind,
      subject: n.subject,
      text: n.body,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
}
