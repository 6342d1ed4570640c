import type { LanguagePack } from './types';

export const ja: LanguagePack = {
  templates: {
    delay_notice: {
      subject:
        '{#stalled}{#firstNotice}ご注文 {orderId} のお届けが遅れております{/firstNotice}{#previousNoticeDate}ご注文 {orderId} の続報：引き続き動きがありません{/previousNoticeDate}{/stalled}{#carrierLost}ご注文 {orderId} のお荷物が配送業者により紛失と報告されました{/carrierLost}',
      text: '{customerName} 様\n\n{#stalled}{#firstNotice}ご注文 {orderId}（{items}）のお荷物（{carrier}、追跡番号 {trackingNumber}）は、しばらく配送状況が更新されていません。{#expectedDate}お届け予定日は {expectedDate} でした。{/expectedDate}現在、配送業者に確認しており、状況が分かり次第あらためてご連絡いたします。お客様の側で必要な手続きはございません。{/firstNotice}{#previousNoticeDate}{previousNoticeDate} に、ご注文 {orderId}（{items}）のお荷物（{carrier}、追跡番号 {trackingNumber}）の配送状況が止まっているとお知らせしました。お荷物は再び動きが止まっています。{#lastScanDate}配送業者の最新のスキャンは {lastScanDate} で、それ以降の更新はありません。{/lastScanDate}現在、配送業者とあらためて確認しており、動きがあるか対応が決まり次第ご連絡いたします。お客様の側で必要な手続きはございません。{/previousNoticeDate}{/stalled}{#carrierLost}ご注文 {orderId}（{items}）のお荷物（{carrier}、追跡番号 {trackingNumber}）について、配送業者から紛失したとの報告がありました。現在、代替品を無償でお送りするか返金するかを決定しており、手配が済み次第ご連絡いたします。お客様から配送業者へご連絡いただく必要はございません。{/carrierLost}{#couponCode}\n\nお待たせしているお詫びとして、次回のご注文にご利用いただけるクーポンをお送りします：{couponCode}{/couponCode}{#gift}\n\nお待たせしているお詫びとして、プレゼントをお送りします：{gift}{/gift}\n\nご理解のほどよろしくお願いいたします。',
    },
    customs_notice: {
      subject: 'ご注文 {orderId} は税関で手続き中です',
      text: '{customerName} 様\n\nご注文 {orderId}（{items}）のお荷物（{carrier}、追跡番号 {trackingNumber}）は、現在税関で留め置かれています。通関には数日かかる場合があります。関税や書類が必要な場合は、配送業者または税関からご連絡があります。引き続き私どもで状況を確認いたします。',
    },
    reshipped: {
      subject: 'ご注文 {orderId} の代替品を発送しました',
      text: '{customerName} 様\n\nご注文 {orderId}（{items}）のお荷物が配送中に紛失したとみられるため、代替品を無償で発送いたしました。\n\n新しい追跡番号：{newTrackingNumber}（{newCarrier}）{#expectedDate}\nお届け予定日：{expectedDate}{/expectedDate}{#couponCode}\n\nお詫びとして、次回のご注文にご利用いただけるクーポンをお送りします：{couponCode}{/couponCode}{#gift}\n\nお詫びとして、プレゼントをお送りします：{gift}{/gift}\n\nご迷惑をおかけし申し訳ございません。',
    },
    refunded: {
      subject: 'ご注文 {orderId} の返金について',
      text: '{customerName} 様\n\nご注文 {orderId}（{items}）のお荷物が配送中に紛失したとみられます。{#refundDone}{refundAmount} を元のお支払い方法に返金いたしました。{/refundDone}{#refundPending}{refundAmount} を元のお支払い方法に返金する手続きを進めております。まだ返金は完了しておらず、反映までに数営業日かかる場合があります。{/refundPending}{#couponCode}\n\nお詫びとして、次回のご注文にご利用いただけるクーポンをお送りします：{couponCode}{/couponCode}{#gift}\n\nお詫びとして、プレゼントをお送りします：{gift}{/gift}\n\nご迷惑をおかけし申し訳ございません。',
    },
    inquiry_reply: {
      subject: 'ご注文 {orderId} について',
      text: '{customerName} 様\n\nご注文 {orderId} についてお問い合わせいただきありがとうございます。{statusText}\n\n引き続きお荷物の状況を確認し、変化があり次第ご連絡いたします。',
    },
    survey: {
      subject: 'ご注文 {orderId} の対応はいかがでしたか？',
      text: '{customerName} 様\n\nご注文 {orderId} の代替品がお手元に届きました。今回の対応についてご評価いただけますか？ワンクリックで完了します：\n\n{surveyLink}\n\nありがとうございます。',
    },
  },
  statuses: {
    in_transit:
      'お荷物（{carrier} {trackingNumber}）は現在配送中です。{#expectedDate}お届け予定日は {expectedDate} です。{/expectedDate}',
    customs: 'お荷物（{carrier} {trackingNumber}）は現在通関手続き中です。',
    out_for_delivery: 'お荷物（{carrier} {trackingNumber}）は本日配達予定です。',
    investigating:
      'お荷物（{carrier} {trackingNumber}）はしばらく動きがないため、配送業者に調査を依頼しています。',
    replacement_sent:
      '代替品を発送しました。追跡番号：{newTrackingNumber}（{newCarrier}）。{#expectedDate}お届け予定日は {expectedDate} です。{/expectedDate}',
    refunded: 'ご注文の返金手続きが完了しております。',
    refund_pending: 'ご注文の返金手続きを進めております。まだ返金は完了しておりません。',
    delivered:
      '配送業者の記録では、お荷物（{carrier} {trackingNumber}）は配達済みとなっています。見当たらない場合は、配達証明を確認いたします。',
  },
};
