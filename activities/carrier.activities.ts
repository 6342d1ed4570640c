import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { claimHistory, claims, reshipOrders, shipments } from '../src/db/schema';
import { recordEvent } from '../src/events/events.repository';
import type { ClaimRecord } from '../workflows/claim.contract';
import type { ReshipCost, ShipmentRegistration } from '../workflows/shipment.contract';
import type { ChannelChoice } from '../src/channels/channel-choice';
import { selectClaimRule } from '../workflows/claim.eligibility';
import { buildEvidencePackage } from '../src/claims/claims.evidence';
import { CLAIM_RULES } from '../workflows/claim.rules';
import { shipmentRow } from '../src/shipments/shipments.rows';
import type { ActivityDeps } from './deps';
import { carrierCall } from './failures';
import { estimateDelivery, isDated, type LaneFigures } from '../src/estimates/estimate';
import { laneFigures } from '../src/estimates/estimates.repository';

export interface BookedReship {
  labelId: string;
  postage: number;
  registration: ShipmentRegistration;
  /** The chosen channel as `carrier/service`, and why. */
  channel: string;
  channelReason?: string;
  insured: boolean;
  cost: ReshipCost;
}

/** goods + postage + premium, rounded to cents. */
function reshipCost(
  goods: number,
  postage: number,
  insurance: number,
  currency: string,
): ReshipCost {
  const cents = (x: number) => Math.round(x * 100) / 100;
  return {
    goods: cents(goods),
    postage: cents(postage),
    insurance: cents(insurance),
    total: cents(goods + postage + insurance),
    currency,
  };
}

/**
 * The replacement's expected delivery (src/estimates): the label's own estimate when the carrier
 * gives one, otherwise our lane figures for the carrier when enough parcels were delivered, else
 * the booking time plus the chosen channel's transit days; unknown without any.
 */
export function expectedDelivery(
  bookedAt: Date,
  labelEstimate: string | undefined,
  serviceDays: number | undefined,
  lane?: LaneFigures,
): string | undefined {
  if (labelEstimate && !Number.isNaN(Date.parse(labelEstimate))) return labelEstimate;
  const est = estimateDelivery({
    shippedAt: bookedAt.toISOString(),
    lane,
    channelDays: serviceDays,
  });
  return isDated(est) ? est.date : undefined;
}

export function createCarrierActivities({ db, carriers, clock = () => new Date() }: ActivityDeps) {
  return {
    /**
     * Books the replacement's label once per key, with the channel `chooseReshipChannel` chose
     * (or the original carrier and service without one): the carrier dedupes on the same key, and
     * the reship order row (unique key) records channel, reason, insurance and cost
     * (goods + postage + premium), linked to the original and the replacement shipment.
     */
    async bookReshipLabel(input: {
      idempotencyKey: string;
      original: ShipmentRegistration;
      replacementShipmentId: string;
      warehouseId: string;
      warehouseCountry: string;
      channel?: ChannelChoice;
    }): Promise<BookedReship> {
      const [done] = await db
        .select({ order: reshipOrders, registration: shipments.registration })
        .from(reshipOrders)
        .innerJoin(shipments, eq(shipments.shipmentId, reshipOrders.replacementShipmentId))
        .where(eq(reshipOrders.idempotencyKey, input.idempotencyKey));
      if (done) {
        const o = done.order;
        return {
          labelId: o.labelId,
          postage: o.postage,
          registration: done.registration,
          channel: o.channel ?? `${o.carrier}/${o.service ?? ''}`,
          ...(o.channelReason ? { channelReason: o.channelReason } : {}),
          insured: o.insured,
          cost: reshipCost(o.goodsCost, o.postage, o.insurancePremium, o.currency),
        };
      }

      const orig = input.original;
      const carrierCode = input.channel?.carrier ?? orig.carrier;
      const service = input.channel?.service ?? orig.service;
      const label = await carrierCall(() =>
        carriers.get(carrierCode).bookLabel({
          idempotencyKey: input.idempotencyKey,
          carrier: carrierCode,
          service,
          reference: input.replacementShipmentId,
          from: { country: input.warehouseCountry, warehouseId: input.warehouseId },
          to: orig.destination,
          items: orig.items,
          declaredValue: orig.declaredValue,
          currency: orig.currency,
        }),
      );
      const now = clock();
      const booked: ShipmentRegistration = {
        ...orig,
        shipmentId: input.replacementShipmentId,
        carrier: label.carrier,
        trackingNumber: label.trackingNumber,
        service: label.service,
        origin: { country: input.warehouseCountry, warehouseId: input.warehouseId },
        shippedAt: now.toISOString(),
        expectedDeliveryAt: expectedDelivery(
          now,
          label.expectedDeliveryAt,
          input.channel?.serviceDays,
          label.expectedDeliveryAt
            ? undefined
            : await laneFigures(db, {
                carrier: label.carrier,
                originCountry: input.warehouseCountry,
                destinationCountry: orig.destination.country,
              }),
        ),
        replacementOf: orig.shipmentId,
      };
      const goodsCost = orig.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0);
      const insured = input.channel?.insured ?? false;
      const premium = insured ? (input.channel?.insurancePremium ?? 0) : 0;
      const cost = reshipCost(goodsCost, label.postage, premium, label.currency);
      const channel = `${carrierCode}/${label.service}`;
      const registration = await db.transaction(async (tx) => {
        const inserted = await tx
          .insert(shipments)
          .values(shipmentRow(booked, { replacesShipmentId: orig.shipmentId }))
          .onConflictDoNothing()
          .returning({ registration: shipments.registration });
        // A retried booking answers with the replacement as first stored (its shipping time and
        // expected delivery were computed then), so the workflow and the read model agree.
        const [stored] = inserted.length
          ? inserted
          : await tx
              .select({ registration: shipments.registration })
              .from(shipments)
              .where(eq(shipments.shipmentId, booked.shipmentId));
        await tx
          .insert(reshipOrders)
          .values({
            idempotencyKey: input.idempotencyKey,
            originalShipmentId: orig.shipmentId,
            replacementShipmentId: booked.shipmentId,
            warehouseId: input.warehouseId,
            carrier: label.carrier,
            service: label.service,
            trackingNumber: label.trackingNumber,
            labelId: label.labelId,
            postage: cost.postage,
            goodsCost: cost.goods,
            insurancePremium: cost.insurance,
            insured,
            totalCost: cost.total,
            currency: label.currency,
            channel,
            channelReason: input.channel?.reason ?? null,
            channelAlternatives: input.channel?.alternatives ?? null,
          })
          .onConflictDoNothing();
        return stored?.registration ?? booked;
      });
      return {
        labelId: label.labelId,
        postage: label.postage,
        registration,
        channel,
        ...(input.channel ? { channelReason: input.channel.reason } : {}),
        insured,
        cost,
      };
    },

    /**
     * Files the claim once per key with the evidence stored on its row, and records it. The claim
     * workflow passes the row it opened (evidence built); without one, the row is opened here.
     */
    async fileClaim(input: {
      idempotencyKey: string;
      shipmentId: string;
      carrier: string;
      trackingNumber: string;
      reason: 'lost' | 'damaged';
      amount: number;
      currency: string;
      /** The row opened by the claim workflow (`openClaim`). */
      claimRowId?: number;
      /** Who the claim goes to when it is not the carrier (an insurer). */
      filer?: string;
    }): Promise<ClaimRecord> {
      const filer = input.filer ?? input.carrier;
      const row =
        input.claimRowId !== undefined
          ? await claimRowBy(eq(claims.id, input.claimRowId))
          : await openClaimRow(input);
      if (row.claimId && row.filedAt) {
        return {
          claimId: row.claimId,
          status: row.status,
          amount: row.amount,
          currency: row.currency,
          filedAt: row.filedAt.toISOString(),
        };
      }
      const filed = await carrierCall(() =>
        carriers.get(filer).fileClaim({
          idempotencyKey: input.idempotencyKey,
          trackingNumber: input.trackingNumber,
          reason: input.reason,
          amount: row.amount,
          currency: row.currency,
          description: `Parcel ${input.trackingNumber} (shipment ${input.shipmentId}) ${input.reason}; claimed ${row.amount} ${row.currency}.`,
          // The evidence stored before the first attempt: a retry sends the very same request.
          evidence: row.evidence as Record<string, unknown>,
        }),
      );
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(claims)
          .set({
            claimId: filed.claimId,
            status: 'filed',
            filedAt: new Date(filed.filedAt),
            updatedAt: clock(),
          })
          .where(and(eq(claims.id, row.id), isNull(claims.claimId)))
          .returning({ id: claims.id });
        if (updated.length === 0) return;
        await tx.insert(claimHistory).values({
          claimRowId: row.id,
          status: 'filed',
          detail: `${filer} claim ${filed.claimId} (${filed.status})`,
        });
        // Told in the same transaction that records the filing: once per claim.
        await recordEvent(tx, {
          type: 'claim.filed',
          dedupeKey: `claim.filed:${row.id}`,
          shipmentId: row.shipmentId,
          occurredAt: filed.filedAt,
          data: {
            shipmentId: row.shipmentId,
            claimId: filed.claimId,
            filer,
            amount: row.amount,
            currency: row.currency,
            filedAt: filed.filedAt,
          },
        });
      });
      return {
        claimId: filed.claimId,
        status: 'filed',
        amount: filed.amount,
        currency: filed.currency,
        filedAt: filed.filedAt,
      };
    },
  };

  async function claimRowBy(where: SQL) {
    const [row] = await db.select().from(claims).where(where);
    if (!row) throw new Error('claim row vanished');
    return row;
  }

  /** A claim filed without the claim workflow: its row and evidence under the rule of its carrier. */
  async function openClaimRow(input: {
    idempotencyKey: string;
    shipmentId: string;
    carrier: string;
    trackingNumber: string;
    reason: 'lost' | 'damaged';
    amount: number;
    currency: string;
  }) {
    const [shipment] = await db
      .select({ registration: shipments.registration })
      .from(shipments)
      .where(eq(shipments.shipmentId, input.shipmentId));
    const domestic = shipment
      ? shipment.registration.origin.country === shipment.registration.destination.country
      : false;
    const rule = selectClaimRule(CLAIM_RULES, input.carrier, domestic);
    const evidence = await buildEvidencePackage(db, {
      shipmentId: input.shipmentId,
      filer: input.carrier,
      rule,
      reason: input.reason,
      amountClaimed: input.amount,
      currency: input.currency,
      preparedAt: clock(),
    });
    await db
      .insert(claims)
      .values({
        idempotencyKey: input.idempotencyKey,
        shipmentId: input.shipmentId,
        carrier: input.carrier,
        filer: input.carrier,
        ruleName: rule.name,
        trackingNumber: input.trackingNumber,
        reason: input.reason,
        status: 'pending_eligibility',
        amount: input.amount,
        currency: input.currency,
        evidence,
      })
      .onConflictDoNothing();
    return claimRowBy(eq(claims.idempotencyKey, input.idempotencyKey));
  }
}
