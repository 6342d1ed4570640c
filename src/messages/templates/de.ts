import type { LanguagePack } from './types';

export const de: LanguagePack = {
  templates: {
    delay_notice: {
      subject:
        '{#stalled}{#firstNotice}Ihre Bestellung {orderId} braucht länger als erwartet{/firstNotice}{#previousNoticeDate}Neuigkeiten zu Ihrer Bestellung {orderId}: weiterhin keine Bewegung{/previousNoticeDate}{/stalled}{#carrierLost}Der Versanddienstleister meldet Ihr Paket zur Bestellung {orderId} als verloren{/carrierLost}',
      text: 'Hallo {customerName},\n\n{#stalled}{#firstNotice}Ihr Paket zur Bestellung {orderId} ({items}), versendet mit {carrier} unter der Sendungsnummer {trackingNumber}, hat sich seit einiger Zeit nicht bewegt.{#expectedDate} Erwartet war es bis zum {expectedDate}.{/expectedDate} Wir klären das mit dem Versanddienstleister und melden uns, sobald wir mehr wissen. Sie müssen nichts tun.{/firstNotice}{#previousNoticeDate}Wir haben Ihnen am {previousNoticeDate} geschrieben, dass sich Ihr Paket zur Bestellung {orderId} ({items}), versendet mit {carrier} unter der Sendungsnummer {trackingNumber}, nicht mehr bewegt. Es steht erneut still.{#lastScanDate} Der letzte Scan des Versanddienstleisters stammt vom {lastScanDate}; seitdem kam nichts mehr.{/lastScanDate} Wir prüfen es erneut mit dem Versanddienstleister und melden uns, sobald es sich bewegt oder wir entschieden haben, wie es weitergeht. Sie müssen nichts tun.{/previousNoticeDate}{/stalled}{#carrierLost}Ihr Paket zur Bestellung {orderId} ({items}), versendet mit {carrier} unter der Sendungsnummer {trackingNumber}, wurde vom Versanddienstleister als verloren gemeldet. Wir entscheiden jetzt, ob wir Ihnen kostenlos Ersatz schicken oder den Betrag erstatten, und schreiben Ihnen, sobald das veranlasst ist. Sie müssen sich nicht an den Versanddienstleister wenden.{/carrierLost}{#couponCode}\n\nAls Entschuldigung für die Wartezeit erhalten Sie einen Gutschein für Ihre nächste Bestellung: {couponCode}{/couponCode}{#gift}\n\nAls Entschuldigung für die Wartezeit schicken wir Ihnen ein Geschenk: {gift}{/gift}\n\nVielen Dank für Ihre Geduld.',
    },
    customs_notice: {
      subject: 'Ihre Bestellung {orderId} ist beim Zoll',
      text: 'Hallo {customerName},\n\nIhr Paket zur Bestellung {orderId} ({items}), Sendungsnummer {trackingNumber} bei {carrier}, wird derzeit vom Zoll geprüft. Die Zollabfertigung kann einige Tage dauern; falls Abgaben oder Unterlagen nötig sind, meldet sich der Versanddienstleister oder das Zollamt bei Ihnen. Wir behalten es für Sie im Blick.',
    },
    reshipped: {
      subject: 'Wir haben Ersatz für Ihre Bestellung {orderId} verschickt',
      text: 'Hallo {customerName},\n\nIhr Paket zur Bestellung {orderId} ({items}) ist offenbar auf dem Transportweg verloren gegangen. Deshalb haben wir Ihnen kostenlos Ersatz geschickt.\n\nNeue Sendungsnummer: {newTrackingNumber} ({newCarrier}){#expectedDate}\nVoraussichtliche Zustellung: {expectedDate}{/expectedDate}{#couponCode}\n\nAls Entschuldigung erhalten Sie einen Gutschein für Ihre nächste Bestellung: {couponCode}{/couponCode}{#gift}\n\nAls Entschuldigung schicken wir Ihnen ein Geschenk: {gift}{/gift}\n\nBitte entschuldigen Sie die Verzögerung.',
    },
    refunded: {
      subject: 'Ihre Erstattung zur Bestellung {orderId}',
      text: 'Hallo {customerName},\n\nIhr Paket zur Bestellung {orderId} ({items}) ist offenbar auf dem Transportweg verloren gegangen. {#refundDone}Wir haben Ihnen {refundAmount} auf Ihre ursprüngliche Zahlungsart erstattet.{/refundDone}{#refundPending}Wir veranlassen eine Erstattung von {refundAmount} auf Ihre ursprüngliche Zahlungsart. Sie ist noch nicht ausgezahlt; es kann einige Werktage dauern, bis Sie sie sehen.{/refundPending}{#couponCode}\n\nAls Entschuldigung erhalten Sie einen Gutschein für Ihre nächste Bestellung: {couponCode}{/couponCode}{#gift}\n\nAls Entschuldigung schicken wir Ihnen ein Geschenk: {gift}{/gift}\n\nBitte entschuldigen Sie die Unannehmlichkeiten.',
    },
    inquiry_reply: {
      subject: 'Zu Ihrer Bestellung {orderId}',
      text: 'Hallo {customerName},\n\nvielen Dank für Ihre Nachricht zur Bestellung {orderId}. {statusText}\n\nWir behalten Ihr Paket im Blick und melden uns, sobald sich etwas ändert.',
    },
    survey: {
      subject: 'Wie zufrieden waren Sie mit uns bei Bestellung {orderId}?',
      text: 'Hallo {customerName},\n\nIhre Ersatzlieferung zur Bestellung {orderId} ist angekommen. Verraten Sie uns, wie zufrieden Sie mit unserer Abwicklung waren? Ein Klick genügt:\n\n{surveyLink}\n\nVielen Dank!',
    },
  },
  statuses: {
    in_transit:
      'Ihr Paket ({carrier} {trackingNumber}) ist unterwegs.{#expectedDate} Es wird bis zum {expectedDate} erwartet.{/expectedDate}',
    customs: 'Ihr Paket ({carrier} {trackingNumber}) befindet sich in der Zollabfertigung.',
    out_for_delivery: 'Ihr Paket ({carrier} {trackingNumber}) ist in der Zustellung.',
    investigating:
      'Ihr Paket ({carrier} {trackingNumber}) hat sich seit einiger Zeit nicht bewegt; wir klären das mit dem Versanddienstleister.',
    replacement_sent:
      'Wir haben Ihnen Ersatz geschickt: Sendungsnummer {newTrackingNumber} ({newCarrier}).{#expectedDate} Es wird bis zum {expectedDate} erwartet.{/expectedDate}',
    refunded: 'Wir haben Ihre Bestellung erstattet.',
    refund_pending:
      'Wir veranlassen die Erstattung Ihrer Bestellung; sie ist noch nicht ausgezahlt.',
    delivered:
      'Laut Versanddienstleister wurde Ihr Paket ({carrier} {trackingNumber}) zugestellt. Falls Sie es nicht finden, prüfen wir gerade den Zustellnachweis.',
  },
};
