/**
 * Who a customer mail comes from and what it offers for the trouble: the shop's and the
 * registration's own word first, then the shipment's policy's `customerCare`, then our defaults.
 * Pure decisions; the sender lookup and the mail composition read the rows and call these.
 */
import {
  COMPENSATION_SITUATIONS,
  type CompensationOffer,
  type CompensationSituation,
  type CustomerCare,
} from '../../workflows/model/policy';
import type { NotificationKind } from '../../workflows/shipment.contract';

export interface MailSender {
  name?: string;
  replyTo?: string;
}

/**
 * Each of name and reply-to from the shop when it sets one, else from the policy; neither set
 * leaves it out, so the mailer's configured sender (MAIL_FROM) is used.
 */
export function chooseSender(
  shop: { senderName?: string | null; replyTo?: string | null } | undefined,
  care: CustomerCare | null | undefined,
): MailSender {
  const name = shop?.senderName || care?.senderName;
  const replyTo = shop?.replyTo || care?.replyTo;
  return { ...(name ? { name } : {}), ...(replyTo ? { replyTo } : {}) };
}

/** The situation a customer mail is written in, as a policy grants compensation for it. */
export function mailSituation(
  kind: NotificationKind,
  carrierLost: boolean,
): CompensationSituation | undefined {
  if (kind === 'delay_notice') return carrierLost ? 'carrier_lost' : 'delay_notice';
  return (COMPENSATION_SITUATIONS as readonly string[]).includes(kind)
    ? (kind as CompensationSituation)
    : undefined;
}

/** The compensation line's values: a coupon's code or a gift's description, or neither. */
export interface CompensationVars {
  couponCode?: string;
  gift?: string;
}

/**
 * The registration's coupon wherever the mail's text places one (as always); without it, the
 * policy's coupon or gift, and only in the situations the policy grants it for (by default every
 * loss-related one).
 */
export function chooseCompensation(
  registration: { couponCode?: string } | undefined,
  care: CustomerCare | null | undefined,
  situation: CompensationSituation | undefined,
): CompensationVars {
  if (registration?.couponCode) return { couponCode: registration.couponCode };
  const offer: CompensationOffer | undefined = care?.compensation;
  if (!offer || !situation) return {};
  const granted = care?.compensationFor ?? COMPENSATION_SITUATIONS;
  if (!granted.includes(situation)) return {};
  return offer.kind === 'coupon' ? { couponCode: offer.code } : { gift: offer.description };
}
