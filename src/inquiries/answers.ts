/**
 * What an inquiry reply answers beyond where the parcel stands: the right next step for what the
 * customer asked, with the facts it needs (where the carrier left the parcel, the expected range).
 */
import { and, count, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { inquiryOutcomes } from '../db/schema/messages';
import type { ShipmentReadRow } from '../messages/compose';
import type { TemplateVars } from '../messages/templates';
import type { InquiryAnswer } from '../messages/templates/answers';
import { isDated } from '../estimates/estimate';
import { estimateSubjectOf, type Estimator } from '../estimates/estimates.repository';
import { estimateBasisIn } from '../estimates/estimate.words';
import type { InquiryIntent, ShipmentState } from '../../workflows/shipment.contract';

const NOT_RECEIVED: InquiryIntent[] = ['not_received', 'delivered_not_received'];
/** Where a refund demand is answered with "it is coming, and if it does not…". */
const MOVING = new Set(['info_received', 'in_transit', 'customs', 'out_for_delivery']);

function isDelivered(row: ShipmentReadRow, state: Partial<ShipmentState>): boolean {
  return (
    row.stage === 'delivered' || (row.stage !== 'closed' && state.lastEvent?.status === 'delivered')
  );
}

/** The delivered scan's words and place, as the carrier gave them. */
function deliveredWhere(state: Partial<ShipmentState>): string | undefined {
  const e = state.lastEvent?.status === 'delivered' ? state.lastEvent : undefined;
  const pod = state.carrierSummary?.proofOfDelivery;
  const place = e?.location
    ? [e.location.postalCode, e.location.city, e.location.country].filter(Boolean).join(' ')
    : '';
  const words = [pod?.note, e?.description].find((w) => w?.trim());
  const parts = [words?.trim(), place].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * A not-received report on a delivered parcel is answered each time (first: look around; then:
 * the investigation is open), not by the reply to the previous report.
 */
export function answersAfresh(row: ShipmentReadRow, intent: InquiryIntent): boolean {
  return NOT_RECEIVED.includes(intent) && isDelivered(row, row.snapshot ?? {});
}

/** Which answer an intent gets, in the shipment's situation. */
export async function answerFor(
  db: Db,
  row: ShipmentReadRow,
  intent: InquiryIntent,
): Promise<InquiryAnswer | undefined> {
  const state: Partial<ShipmentState> = row.snapshot ?? {};
  switch (intent) {
    case 'damaged':
      return 'damaged';
    case 'address_change':
      return 'address_change';
    case 'wants_refund': {
      const moving =
        row.stage === 'monitoring' &&
        !state.reship &&
        MOVING.has(state.lastEvent?.status ?? 'info_received');
      return moving ? 'refund_moving' : 'refund_other';
    }
    case 'not_received':
    case 'delivered_not_received': {
      if (!isDelivered(row, state)) return undefined;
      const since = row.deliveredAt ?? new Date(state.lastEvent?.occurredAt ?? 0);
      // Reports already answered since the delivery: the first one asks the customer to look.
      const [earlier] = await db
        .select({ n: count() })
        .from(inquiryOutcomes)
        .where(
          and(
            eq(inquiryOutcomes.shipmentId, row.shipmentId),
            inArray(inquiryOutcomes.intent, NOT_RECEIVED),
            gt(inquiryOutcomes.createdAt, since),
          ),
        );
      return (earlier?.n ?? 0) === 0 ? 'dnr_look' : 'dnr_review';
    }
    default:
      return undefined;
  }
}

/** The reply's values for the answer: proof of delivery, and the expected range while under way. */
export async function answerVars(
  db: Db,
  row: ShipmentReadRow,
  intent: InquiryIntent,
  estimates: Estimator | undefined,
): Promise<Partial<TemplateVars>> {
  const state: Partial<ShipmentState> = row.snapshot ?? {};
  const answer = await answerFor(db, row, intent);
  const out: Partial<TemplateVars> = answer ? { answer } : {};
  if (answer === 'dnr_look') {
    const pod = state.carrierSummary?.proofOfDelivery;
    Object.assign(out, {
      deliveredWhere: deliveredWhere(state),
      podSignedBy: pod?.signedBy,
      podPhotoUrl: pod?.photoUrl,
    });
  }
  // A replacement's own date comes from its row (varsFromReadModel); otherwise our estimate.
  if (estimates && !state.reship && !isDelivered(row, state)) {
    const est = await estimates.estimate(estimateSubjectOf(row, state));
    if (isDated(est)) {
      out.expectedDeliveryAt = est.date;
      if (est.latest !== est.date) out.latestDeliveryAt = est.latest;
    }
    // The lane figures behind the date, or why there is no reliable date.
    out.estimateBasis = estimateBasisIn(est, row.registration.customer.locale);
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
