import type { LanguagePack } from './types';

export const en: LanguagePack = {
  templates: {
    delay_notice: {
      subject: 'Your order {orderId} is taking longer than expected',
      text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}), shipped with {carrier} under tracking number {trackingNumber}, has not moved for a while.{#expectedDate} It was expected by {expectedDate}.{/expectedDate} We are checking with the carrier and will write again as soon as we know more. You do not need to do anything.{#couponCode}\n\nAs an apology for the wait, here is a coupon for your next order: {couponCode}{/couponCode}\n\nThank you for your patience.',
    },
    customs_notice: {
      subject: 'Your order {orderId} is in customs',
      text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}), tracking number {trackingNumber} with {carrier}, is being held by customs. Customs checks can take several days; if duties or documents are needed, the carrier or the customs office will contact you. We are watching it for you.',
    },
    reshipped: {
      subject: 'We have sent a replacement for order {orderId}',
      text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}) seems to be lost in transit, so we have sent a replacement at no cost to you.\n\nNew tracking number: {newTrackingNumber} ({newCarrier}){#expectedDate}\nExpected delivery: {expectedDate}{/expectedDate}{#couponCode}\n\nAs an apology, here is a coupon for your next order: {couponCode}{/couponCode}\n\nWe are sorry for the delay.',
    },
    refunded: {
      subject: 'Your refund for order {orderId}',
      text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}) seems to be lost in transit. We have refunded {refundAmount} to your original payment method.{#couponCode}\n\nAs an apology, here is a coupon for your next order: {couponCode}{/couponCode}\n\nWe are sorry for the trouble.',
    },
    inquiry_reply: {
      subject: 'About your order {orderId}',
      text: 'Hello {customerName},\n\nThank you for your message about order {orderId}. {statusText}\n\nWe are watching your parcel and will write to you as soon as anything changes.',
    },
    survey: {
      subject: 'How did we do with order {orderId}?',
      text: 'Hello {customerName},\n\nYour replacement for order {orderId} has arrived. Would you tell us how we handled it? It takes one click:\n\n{surveyLink}\n\nThank you!',
    },
    ops_alert: { subject: '{subject}', text: '{text}' },
  },
  statuses: {
    in_transit: 'Your parcel ({carrier} {trackingNumber}) is on its way.',
    customs: 'Your parcel ({carrier} {trackingNumber}) is going through customs.',
    out_for_delivery: 'Your parcel ({carrier} {trackingNumber}) is out for delivery.',
    investigating:
      'Your parcel ({carrier} {trackingNumber}) has not moved for a while; we are investigating with the carrier.',
    replacement_sent:
      'We have sent you a replacement: tracking number {newTrackingNumber} ({newCarrier}).',
    refunded: 'We have refunded your order.',
    delivered:
      'The carrier reports your parcel ({carrier} {trackingNumber}) as delivered. If you cannot find it, we are checking the proof of delivery.',
  },
};
