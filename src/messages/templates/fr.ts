import type { LanguagePack } from './types';

export const fr: LanguagePack = {
  templates: {
    delay_notice: {
      subject:
        '{#stalled}{#firstNotice}Votre commande {orderId} prend plus de temps que prévu{/firstNotice}{#previousNoticeDate}Point sur votre commande {orderId} : toujours aucun mouvement{/previousNoticeDate}{/stalled}{#carrierLost}Le transporteur a déclaré perdu votre colis de la commande {orderId}{/carrierLost}',
      text: 'Bonjour {customerName},\n\n{#stalled}{#firstNotice}Votre colis de la commande {orderId} ({items}), expédié avec {carrier} sous le numéro de suivi {trackingNumber}, n’a pas bougé depuis un moment.{#expectedDate} Il était attendu pour le {expectedDate}.{/expectedDate} Nous vérifions auprès du transporteur et vous écrirons dès que nous en saurons plus. Vous n’avez rien à faire.{/firstNotice}{#previousNoticeDate}Nous vous avons écrit le {previousNoticeDate} que votre colis de la commande {orderId} ({items}), expédié avec {carrier} sous le numéro de suivi {trackingNumber}, ne bougeait plus. Il est de nouveau à l’arrêt.{#lastScanDate} Le dernier scan du transporteur date du {lastScanDate} ; rien depuis.{/lastScanDate} Nous réexaminons la situation avec le transporteur et vous écrirons dès qu’il bougera ou que nous aurons décidé de la suite. Vous n’avez rien à faire.{/previousNoticeDate}{/stalled}{#carrierLost}Le transporteur a déclaré perdu votre colis de la commande {orderId} ({items}), expédié avec {carrier} sous le numéro de suivi {trackingNumber}. Nous décidons maintenant de vous envoyer un colis de remplacement ou de vous rembourser, sans frais pour vous, et vous écrirons dès que ce sera fait. Vous n’avez pas à contacter le transporteur.{/carrierLost}{#couponCode}\n\nPour nous excuser de l’attente, voici un code de réduction pour votre prochaine commande : {couponCode}{/couponCode}{#gift}\n\nPour nous excuser de l’attente, nous vous offrons un cadeau : {gift}{/gift}\n\nMerci de votre patience.',
    },
    customs_notice: {
      subject: 'Votre commande {orderId} est en douane',
      text: 'Bonjour {customerName},\n\nVotre colis de la commande {orderId} ({items}), numéro de suivi {trackingNumber} chez {carrier}, est retenu en douane. Le dédouanement peut prendre plusieurs jours ; si des droits ou des documents sont nécessaires, le transporteur ou le bureau de douane vous contactera. Nous le surveillons pour vous.',
    },
    reshipped: {
      subject: 'Nous avons renvoyé votre commande {orderId}',
      text: 'Bonjour {customerName},\n\nVotre colis de la commande {orderId} ({items}) semble avoir été perdu en cours d’acheminement : nous vous avons envoyé un remplacement, sans frais pour vous.\n\nNouveau numéro de suivi : {newTrackingNumber} ({newCarrier}){#expectedDate}\nLivraison prévue : {expectedDate}{/expectedDate}{#couponCode}\n\nPour nous excuser, voici un code de réduction pour votre prochaine commande : {couponCode}{/couponCode}{#gift}\n\nPour nous excuser, nous vous offrons un cadeau : {gift}{/gift}\n\nNous sommes désolés pour ce retard.',
    },
    refunded: {
      subject: 'Remboursement de votre commande {orderId}',
      text: 'Bonjour {customerName},\n\nVotre colis de la commande {orderId} ({items}) semble avoir été perdu en cours d’acheminement. {#refundDone}Nous vous avons remboursé {refundAmount} sur votre moyen de paiement d’origine.{/refundDone}{#refundPending}Nous préparons un remboursement de {refundAmount} sur votre moyen de paiement d’origine. Il n’a pas encore été effectué ; il peut s’écouler quelques jours ouvrés avant que vous le voyiez.{/refundPending}{#couponCode}\n\nPour nous excuser, voici un code de réduction pour votre prochaine commande : {couponCode}{/couponCode}{#gift}\n\nPour nous excuser, nous vous offrons un cadeau : {gift}{/gift}\n\nNous sommes désolés pour ce désagrément.',
    },
    inquiry_reply: {
      subject: 'À propos de votre commande {orderId}',
      text: 'Bonjour {customerName},\n\nMerci pour votre message concernant la commande {orderId}. {statusText}\n\nNous suivons votre colis et vous écrirons dès qu’il y aura du nouveau.',
    },
    survey: {
      subject: 'Êtes-vous satisfait de notre service pour la commande {orderId} ?',
      text: 'Bonjour {customerName},\n\nVotre colis de remplacement pour la commande {orderId} est arrivé. Pouvez-vous nous dire ce que vous avez pensé de notre prise en charge ? Un clic suffit :\n\n{surveyLink}\n\nMerci !',
    },
  },
  statuses: {
    in_transit:
      'Votre colis ({carrier} {trackingNumber}) est en route.{#expectedDate} Il est attendu pour le {expectedDate}.{/expectedDate}',
    customs: 'Votre colis ({carrier} {trackingNumber}) est en cours de dédouanement.',
    out_for_delivery: 'Votre colis ({carrier} {trackingNumber}) est en cours de livraison.',
    investigating:
      'Votre colis ({carrier} {trackingNumber}) n’a pas bougé depuis un moment ; nous enquêtons auprès du transporteur.',
    replacement_sent:
      'Nous vous avons envoyé un remplacement : numéro de suivi {newTrackingNumber} ({newCarrier}).{#expectedDate} Il est attendu pour le {expectedDate}.{/expectedDate}',
    refunded: 'Nous avons remboursé votre commande.',
    refund_pending:
      'Nous préparons le remboursement de votre commande ; il n’a pas encore été effectué.',
    delivered:
      'Le transporteur indique que votre colis ({carrier} {trackingNumber}) a été livré. Si vous ne le trouvez pas, nous vérifions la preuve de livraison.',
  },
};
