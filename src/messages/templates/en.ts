import type { LanguagePack } from './types';

export const en: LanguagePack = {
  templates: {
    delay_notice: {
      subject:
        '{#stalled}{#firstNotice}Your order {orderId} is taking longer than expected{/firstNotice}{#previousNoticeDate}Update on your order {orderId}: still no movement{/previousNoticeDate}{/stalled}{#carrierLost}The carrier has reported your parcel for order {orderId} lost{/carrierLost}',
      text: "Hello {customerName},\n\n{#stalled}{#firstNotice}Your parcel for order {orderId} ({items}), shipped with {carrier} under tracking number {trackingNumber}, has not moved for a while.{#expectedDate} It was expected by {expectedDate}.{/expectedDate} We are checking with the carrier and will write again as soon as we know more. You do not need to do anything.{/firstNotice}{#previousNoticeDate}We wrote to you on {previousNoticeDate} that your parcel for order {orderId} ({items}), shipped with {carrier} under tracking number {trackingNumber}, had stopped moving. It has stopped again.{#lastScanDate} The carrier's latest scan is from {lastScanDate}; nothing has come since.{/lastScanDate} We are looking at it again with the carrier and will write to you as soon as it moves or we have decided what to do. You do not need to do anything.{/previousNoticeDate}{/stalled}{#carrierLost}Your parcel for order {orderId} ({items}), shipped with {carrier} under tracking number {trackingNumber}, has been reported lost by the carrier. We are now deciding whether to send you a replacement or refund you, at no cost to you, and will write to you as soon as it is arranged. You do not need to contact the carrier.{/carrierLost}{#couponCode}\n\nAs an apology for the wait, here is a coupon for your next order: {couponCode}{/couponCode}{#gift}\n\nAs an apology for the wait, we are sending you a gift: {gift}{/gift}\n\nThank you for your patience.",
    },
    customs_notice: {
      subject: 'Your order {orderId} is in customs',
      text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}), tracking number {trackingNumber} with {carrier}, is being held by customs. Customs checks can take several days; if duties or documents are needed, the carrier or the customs office will contact you. We are watching it for you.',
    },
    reshipped: {
      subject: 'We have sent a replacement for order {orderId}',
      text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}) seems to be lost in transit, so we have sent a replacement at no cost to you.\n\nNew tracking number: {newTrackingNumber} ({newCarrier}){#expectedDate}\nExpected delivery: {expectedDate}{/expectedDate}{#couponCode}\n\nAs an apology, here is a coupon for your next order: {couponCode}{/couponCode}{#gift}\n\nAs an apology, we are sending you a gift: {gift}{/gift}\n\nWe are sorry for the delay.',
    },
    refunded: {
      subject: 'Your refund for order {orderId}',
      text: 'Hello {customerName},\n\nYour parcel for order {orderId} ({items}) seems to be lost in transit. {#refundDone}We have refunded {refundAmount} to your original payment method.{/refundDone}{#refundPending}We are arranging a refund of {refundAmount} to your original payment method. It has not been paid yet; it may take a few business days before you see it.{/refundPending}{#couponCode}\n\nAs an apology, here is a coupon for your next order: {couponCode}{/couponCode}{#gift}\n\nAs an apology, we are sending you a gift: {gift}{/gift}\n\nWe are sorry for the trouble.',
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
    in_transit:
      'Your parcel ({carrier} {trackingNumber}) is on its way.{#expectedDate} It is expected by {expectedDate}.{/expectedDate}',
    customs: 'Your parcel ({carrier} {trackingNumber}) is going through customs.',
    out_for_delivery: 'Your parcel ({carrier} {trackingNumber}) is out for delivery.',
    investigating:
      'Your parcel ({carrier} {trackingNumber}) has not moved for a while; we are investigating with the carrier.',
    replacement_sent:
      'We have sent you a replacement: tracking number {newTrackingNumber} ({newCarrier}).{#expectedDate} It is expected by {expectedDate}.{/expectedDate}',
    refunded: 'We have refunded your order.',
    refund_pending: 'We are arranging the refund of your order; it has not been paid yet.',
    delivered:
      'The carrier reports your parcel ({carrier} {trackingNumber}) as delivered. If you cannot find it, we are checking the proof of delivery.',
  },
};
