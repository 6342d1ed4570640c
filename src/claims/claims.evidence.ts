/**
 * The evidence package of a claim (notes §5.5): order, payment reference, declared value, label
 * and tracking history, carrier trace, customer messages and proof of delivery where there is one.
 * Stored as JSON on the claim; the PDF renderer prints the same package for a human to submit.
 */
import { asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { evidencePackageResponse } from './claims.schemas';
import type { ProofOfDelivery } from '../carriers/carrier';
import type { Db } from '../db/client';
import { inquiries, notifications, shipments, trackingEvents } from '../db/schema';
import type { ClaimRule, EvidenceItem } from '../../workflows/claim.rules';
import type { Location } from '../../workflows/shipment.contract';

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
}

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
    required: input.rule.evidence,
    missing: [],
  };
  if (reg) {
    pkg.order = {
      orderId: reg.orderId,
      ...(reg.marketplace ? { marketplace: reg.marketplace } : {}),
      items: reg.items,
      customer: reg.customer.name,
    };
    pkg.paymentReference = {
      orderId: reg.orderId,
      ...(reg.marketplace ? { marketplace: reg.marketplace } : {}),
      amountPaid:
        Math.round(reg.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0) * 100) / 100,
      currency: reg.currency,
    };
    pkg.declaredValue = { amount: reg.declaredValue, currency: reg.currency };
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
  if (input.proofOfDelivery) pkg.proofOfDelivery = input.proofOfDelivery;
  pkg.missing = input.rule.evidence.filter((item) => !hasItem(pkg, item));
  return pkg;
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
      return pkg.paymentReference !== undefined;
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
