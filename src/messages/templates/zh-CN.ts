import type { LanguagePack } from './types';

export const zhCN: LanguagePack = {
  templates: {
    delay_notice: {
      subject:
        '{#stalled}{#firstNotice}您的订单 {orderId} 配送时间比预期更长{/firstNotice}{#previousNoticeDate}订单 {orderId} 最新进展：包裹仍无更新{/previousNoticeDate}{/stalled}{#carrierLost}承运商已报告您订单 {orderId} 的包裹丢失{/carrierLost}',
      text: '{customerName}，您好：\n\n{#stalled}{#firstNotice}您订单 {orderId}（{items}）的包裹由 {carrier} 承运，运单号 {trackingNumber}，已有一段时间没有物流更新。{#expectedDate}原预计送达日期为 {expectedDate}。{/expectedDate}我们正在与承运商核实情况，一有消息会立即通知您，您无需进行任何操作。{/firstNotice}{#previousNoticeDate}我们曾于 {previousNoticeDate} 告知您，订单 {orderId}（{items}）的包裹（{carrier}，运单号 {trackingNumber}）物流停滞。现在包裹再次停滞。{#lastScanDate}承运商最近一次扫描是在 {lastScanDate}，此后再无更新。{/lastScanDate}我们正在与承运商重新核查，一旦包裹有动静或我们决定了处理方式，会立即通知您。您无需进行任何操作。{/previousNoticeDate}{/stalled}{#carrierLost}您订单 {orderId}（{items}）的包裹由 {carrier} 承运，运单号 {trackingNumber}，承运商已报告该包裹丢失。我们正在决定为您免费补发还是退款，安排好后会立即通知您。您无需联系承运商。{/carrierLost}{#couponCode}\n\n为表歉意，送您一张下次购物可用的优惠券：{couponCode}{/couponCode}{#gift}\n\n为表歉意，我们将送您一份礼物：{gift}{/gift}\n\n感谢您的耐心等待。',
    },
    customs_notice: {
      subject: '您的订单 {orderId} 正在清关',
      text: '{customerName}，您好：\n\n您订单 {orderId}（{items}）的包裹（{carrier}，运单号 {trackingNumber}）目前正在海关清关。清关可能需要几天时间；如需缴纳税费或提供文件，承运商或海关会与您联系。我们会持续为您跟踪。',
    },
    reshipped: {
      subject: '我们已为订单 {orderId} 补发商品',
      text: '{customerName}，您好：\n\n您订单 {orderId}（{items}）的包裹疑似在运输途中丢失，我们已免费为您补发。\n\n新运单号：{newTrackingNumber}（{newCarrier}）{#expectedDate}\n预计送达：{expectedDate}{/expectedDate}{#couponCode}\n\n为表歉意，送您一张下次购物可用的优惠券：{couponCode}{/couponCode}{#gift}\n\n为表歉意，我们将送您一份礼物：{gift}{/gift}\n\n给您带来不便，我们深表歉意。',
    },
    refunded: {
      subject: '订单 {orderId} 的退款通知',
      text: '{customerName}，您好：\n\n您订单 {orderId}（{items}）的包裹疑似在运输途中丢失。{#refundDone}我们已将 {refundAmount} 退回您的原支付方式。{/refundDone}{#refundPending}我们正在为您办理 {refundAmount} 的退款，将退回您的原支付方式。款项尚未退出，可能需要几个工作日才能到账。{/refundPending}{#couponCode}\n\n为表歉意，送您一张下次购物可用的优惠券：{couponCode}{/couponCode}{#gift}\n\n为表歉意，我们将送您一份礼物：{gift}{/gift}\n\n给您带来不便，我们深表歉意。',
    },
    inquiry_reply: {
      subject: '关于您的订单 {orderId}',
      text: '{customerName}，您好：\n\n感谢您关于订单 {orderId} 的来信。{statusText}\n\n我们会持续跟踪您的包裹，如有任何变化会第一时间通知您。',
    },
    survey: {
      subject: '订单 {orderId} 的处理您满意吗？',
      text: '{customerName}，您好：\n\n您订单 {orderId} 的补发包裹已送达。能否告诉我们您对这次处理的评价？只需点击一下：\n\n{surveyLink}\n\n谢谢！',
    },
  },
  statuses: {
    in_transit:
      '您的包裹（{carrier} {trackingNumber}）正在运输途中。{#expectedDate}预计送达日期为 {expectedDate}。{/expectedDate}',
    customs: '您的包裹（{carrier} {trackingNumber}）正在清关。',
    out_for_delivery: '您的包裹（{carrier} {trackingNumber}）正在派送中。',
    investigating:
      '您的包裹（{carrier} {trackingNumber}）已有一段时间没有更新，我们正在与承运商调查。',
    replacement_sent:
      '我们已为您补发商品，新运单号：{newTrackingNumber}（{newCarrier}）。{#expectedDate}预计送达日期为 {expectedDate}。{/expectedDate}',
    refunded: '我们已为您的订单办理退款。',
    refund_pending: '我们正在为您的订单办理退款，款项尚未退出。',
    delivered:
      '承运商显示您的包裹（{carrier} {trackingNumber}）已签收。如果您没有收到，我们正在核查签收凭证。',
  },
};
