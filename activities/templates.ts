import type { NotificationKind } from '../workflows/shipment.contract';

export interface TemplateVars {
  customerName?: string;
  orderId?: string;
  carrier?: string;
  trackingNumber?: string;
  newCarrier?: string;
  newTrackingNumber?: string;
  refundAmount?: number;
  currency?: string;
  items?: string;
  subject?: string;
  text?: string;
}

/** Plain English templates for the walking skeleton; languages and overrides come later. */
const TEMPLATES: Record<NotificationKind, { subject: string; text: string }> = {
  delay_notice: {
    subject: 'Your order {orderId} is taking longer than expected',
    text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}), shipped with {carrier} under tracking number {trackingNumber}, has not moved for a while. We are checking with the carrier and will write again as soon as we know more. You do not need to do anything.\n\nThank you for your patience.',
  },
  customs_notice: {
    subject: 'Your order {orderId} is in customs',
    text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}), tracking number {trackingNumber} with {carrier}, is being held by customs. Customs checks can take several days; if duties or documents are needed, the carrier or customs office will contact you. We are watching it for you.',
  },
  reshipped: {
    subject: 'We have sent a replacement for order {orderId}',
    text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}) seems to be lost in transit, so we have sent a replacement at no cost to you.\n\nNew tracking number: {newTrackingNumber} ({newCarrier})\n\nWe are sorry for the delay.',
  },
  refunded: {
    subject: 'Your refund for order {orderId}',
    text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}) seems to be lost in transit. We have refunded {refundAmount} {currency} to your original payment method.\n\nWe are sorry for the trouble.',
  },
  inquiry_reply: {
    subject: 'About your order {orderId}',
    text: 'Hello {customerName},\n\nYour parcel {trackingNumber} with {carrier} is on its way. We are watching it for you.',
  },
  survey: {
    subject: 'How did we do with order {orderId}?',
    text: 'Hello {customerName},\n\nYour replacement has arrived. Would you tell us how we handled it?',
  },
  ops_alert: { subject: '{subject}', text: '{text}' },
};

export const TEMPLATE_PLACEHOLDER = /\{(\w+)\}/g;

export function renderTemplate(
  kind: NotificationKind,
  vars: TemplateVars,
): { subject: string; text: string } {
  const t = TEMPLATES[kind];
  const fill = (s: string) =>
    s.replace(TEMPLATE_PLACEHOLDER, (_, name: string) => {
      const v = vars[name as keyof TemplateVars];
      return v === undefined || v === null ? '' : String(v);
    });
  return { subject: fill(t.subject), text: fill(t.text) };
}
