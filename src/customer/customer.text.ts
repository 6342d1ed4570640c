/**
 * The customer page's words in the seven languages we write mails in. Placeholders are `{name}`;
 * values are escaped when the page is rendered.
 */
import type { TrackingStatus } from '../../workflows/shipment.contract';
import type { BuiltinLocale, CustomerStatus } from '../messages/templates';
import { templateLocaleChain } from '../messages/templates';

/** The problems a customer can report from the page. */
export const HELP_KINDS = [
  'not_received',
  'delivered_not_received',
  'damaged',
  'refund',
  'change_address',
] as const;
export type HelpKind = (typeof HELP_KINDS)[number];

export interface PageText {
  skip: string;
  title: string;
  order: string;
  carrierTracking: string;
  whereHeading: string;
  status: Record<CustomerStatus, string>;
  expectedHeading: string;
  expectedUnknown: string;
  /** `{range}` is the date or range of dates; `{basis}` what it rests on. */
  expectedLine: string;
  timelineHeading: string;
  noScans: string;
  events: Record<TrackingStatus, string>;
  nextHeading: string;
  next: Record<CustomerStatus, string>;
  replacementHeading: string;
  replacement: string;
  helpHeading: string;
  help: Record<HelpKind, string>;
  detailsLabel: string;
  addressLabel: string;
  send: string;
  dnrHeading: string;
  dnrDelivered: string;
  dnrWhere: string;
  dnrCheck: string;
  podSigned: string;
  podNote: string;
  podPhoto: string;
  stillNotFound: string;
  ackReplied: string;
  ackOps: string;
  ackNext: Record<HelpKind, string>;
  back: string;
  chatHeading: string;
  chatLabel: string;
  chatSend: string;
  you: string;
  helper: string;
  invalidTitle: string;
  invalidText: string;
  expiredTitle: string;
  expiredText: string;
  formExpired: string;
  tooMany: string;
  unavailable: string;
}

const en: PageText = {
  skip: 'Skip to content',
  title: 'Your parcel',
  order: 'Order {order}',
  carrierTracking: '{carrier}, tracking number {tracking}',
  whereHeading: 'Where your parcel is',
  status: {
    in_transit: 'On its way',
    customs: 'In customs',
    out_for_delivery: 'Out for delivery',
    investigating: 'We are looking into it',
    replacement_sent: 'A replacement is on its way',
    refunded: 'Refunded',
    refund_pending: 'Refund on its way',
    delivered: 'Delivered',
  },
  expectedHeading: 'Expected delivery',
  expectedUnknown: 'We do not have a date yet.',
  expectedLine: '{range}',
  timelineHeading: 'History',
  noScans: 'The carrier has not scanned your parcel yet.',
  events: {
    info_received: 'The carrier has the parcel’s details',
    in_transit: 'On its way',
    customs: 'In customs',
    out_for_delivery: 'Out for delivery',
    failed_attempt: 'Delivery attempted, nobody there',
    available_for_pickup: 'Ready to pick up',
    delivered: 'Delivered',
    returning: 'On its way back to the sender',
    returned: 'Returned to the sender',
    exception: 'A problem was reported',
    lost: 'Reported lost by the carrier',
    damaged: 'Reported damaged by the carrier',
    destroyed: 'Reported destroyed by the carrier',
    unknown: 'Update from the carrier',
  },
  nextHeading: 'What happens next',
  next: {
    in_transit: 'The carrier brings it to you. We watch it and write if anything goes wrong.',
    customs: 'Customs checks can take a few days. If duties are due, the carrier contacts you.',
    out_for_delivery: 'It should arrive today. Please make sure someone can take it.',
    investigating: 'We are checking with the carrier and will write to you within a few days.',
    replacement_sent: 'Your replacement is on its way; you can follow it below.',
    refunded: 'The refund has been paid to your original payment method.',
    refund_pending:
      'The refund is being arranged; it may take a few business days before you see it.',
    delivered: 'If you cannot find it, tell us below.',
  },
  replacementHeading: 'Your replacement',
  replacement: 'We sent a replacement with {carrier}, tracking number {tracking}.',
  helpHeading: 'Need help?',
  help: {
    not_received: 'My parcel has not arrived',
    delivered_not_received: 'It says delivered, but I do not have it',
    damaged: 'My parcel arrived damaged',
    refund: 'I want a refund',
    change_address: 'Change the delivery address',
  },
  detailsLabel: 'Tell us more (optional)',
  addressLabel: 'The new delivery address',
  send: 'Send',
  dnrHeading: 'Before we look into it',
  dnrDelivered: 'The carrier says it delivered your parcel on {date}.',
  dnrWhere: 'Where: {place}',
  dnrCheck:
    'Please check with your neighbours, people in your household, your mailbox and the nearest pickup point. Parcels often turn up there.',
  podSigned: 'Signed by: {name}',
  podNote: 'Carrier’s note: {note}',
  podPhoto: 'The carrier’s photo of the delivery',
  stillNotFound: 'I checked, it is still not found',
  ackReplied: 'Thank you, we have your message. We have sent you an answer by e-mail.',
  ackOps: 'Thank you, we have your message. A colleague will answer within {hours} hours.',
  ackNext: {
    not_received: 'We are checking with the carrier where your parcel is.',
    delivered_not_received:
      'We are checking the carrier’s proof of delivery and will tell you what we decide.',
    damaged: 'Please keep the parcel and its packaging; we may ask you for a photo.',
    refund: 'A colleague looks at your request; nothing is needed from you now.',
    change_address: 'A colleague checks with the carrier whether the address can still change.',
  },
  back: 'Back to your parcel',
  chatHeading: 'Ask a question',
  chatLabel: 'Your question',
  chatSend: 'Ask',
  you: 'You',
  helper: 'Assistant',
  invalidTitle: 'Link not valid',
  invalidText: 'This link is not valid. Please use the link in the latest e-mail about your order.',
  expiredTitle: 'Link expired',
  expiredText:
    'This link has expired. If you still need help, reply to the latest e-mail about your order.',
  formExpired: 'This form has expired. Please reload the page and try again.',
  tooMany: 'Too many requests from this page. Please try again in a while.',
  unavailable: 'We could not take your message just now. Please try again in a few minutes.',
};

const es: PageText = {
  skip: 'Ir al contenido',
  title: 'Tu paquete',
  order: 'Pedido {order}',
  carrierTracking: '{carrier}, número de seguimiento {tracking}',
  whereHeading: 'Dónde está tu paquete',
  status: {
    in_transit: 'En camino',
    customs: 'En aduana',
    out_for_delivery: 'En reparto',
    investigating: 'Lo estamos revisando',
    replacement_sent: 'Un reemplazo está en camino',
    refunded: 'Reembolsado',
    refund_pending: 'Reembolso en curso',
    delivered: 'Entregado',
  },
  expectedHeading: 'Entrega prevista',
  expectedUnknown: 'Todavía no tenemos una fecha.',
  expectedLine: '{range}',
  timelineHeading: 'Historial',
  noScans: 'El transportista aún no ha escaneado tu paquete.',
  events: {
    info_received: 'El transportista tiene los datos del paquete',
    in_transit: 'En camino',
    customs: 'En aduana',
    out_for_delivery: 'En reparto',
    failed_attempt: 'Intento de entrega, no había nadie',
    available_for_pickup: 'Listo para recoger',
    delivered: 'Entregado',
    returning: 'Volviendo al remitente',
    returned: 'Devuelto al remitente',
    exception: 'Se informó de un problema',
    lost: 'El transportista lo declaró perdido',
    damaged: 'El transportista lo declaró dañado',
    destroyed: 'El transportista lo declaró destruido',
    unknown: 'Novedad del transportista',
  },
  nextHeading: 'Qué pasa ahora',
  next: {
    in_transit: 'El transportista te lo lleva. Lo vigilamos y te escribimos si algo va mal.',
    customs:
      'La aduana puede tardar unos días. Si hay que pagar aranceles, el transportista te contactará.',
    out_for_delivery: 'Debería llegar hoy. Procura que alguien pueda recibirlo.',
    investigating: 'Lo estamos consultando con el transportista y te escribiremos en pocos días.',
    replacement_sent: 'Tu reemplazo está en camino; puedes seguirlo abajo.',
    refunded: 'El reembolso se ha hecho a tu método de pago original.',
    refund_pending: 'Estamos tramitando el reembolso; puede tardar unos días hábiles en verse.',
    delivered: 'Si no lo encuentras, avísanos abajo.',
  },
  replacementHeading: 'Tu reemplazo',
  replacement: 'Te enviamos un reemplazo con {carrier}, número de seguimiento {tracking}.',
  helpHeading: '¿Necesitas ayuda?',
  help: {
    not_received: 'Mi paquete no ha llegado',
    delivered_not_received: 'Pone entregado, pero no lo tengo',
    damaged: 'Mi paquete llegó dañado',
    refund: 'Quiero un reembolso',
    change_address: 'Cambiar la dirección de entrega',
  },
  detailsLabel: 'Cuéntanos más (opcional)',
  addressLabel: 'La nueva dirección de entrega',
  send: 'Enviar',
  dnrHeading: 'Antes de revisarlo',
  dnrDelivered: 'El transportista dice que entregó tu paquete el {date}.',
  dnrWhere: 'Dónde: {place}',
  dnrCheck:
    'Pregunta a tus vecinos y a las personas de tu casa, y mira el buzón y el punto de recogida más cercano. Los paquetes suelen aparecer allí.',
  podSigned: 'Firmado por: {name}',
  podNote: 'Nota del transportista: {note}',
  podPhoto: 'La foto de la entrega del transportista',
  stillNotFound: 'Ya lo he comprobado y sigue sin aparecer',
  ackReplied: 'Gracias, hemos recibido tu mensaje. Te hemos enviado una respuesta por correo.',
  ackOps:
    'Gracias, hemos recibido tu mensaje. Un compañero te responderá en menos de {hours} horas.',
  ackNext: {
    not_received: 'Estamos consultando con el transportista dónde está tu paquete.',
    delivered_not_received:
      'Revisamos la prueba de entrega del transportista y te diremos qué decidimos.',
    damaged: 'Guarda el paquete y su embalaje; puede que te pidamos una foto.',
    refund: 'Un compañero revisa tu solicitud; no tienes que hacer nada ahora.',
    change_address:
      'Un compañero consulta con el transportista si todavía se puede cambiar la dirección.',
  },
  back: 'Volver a tu paquete',
  chatHeading: 'Haz una pregunta',
  chatLabel: 'Tu pregunta',
  chatSend: 'Preguntar',
  you: 'Tú',
  helper: 'Asistente',
  invalidTitle: 'Enlace no válido',
  invalidText: 'Este enlace no es válido. Usa el enlace del último correo sobre tu pedido.',
  expiredTitle: 'Enlace caducado',
  expiredText:
    'Este enlace ha caducado. Si aún necesitas ayuda, responde al último correo sobre tu pedido.',
  formExpired: 'Este formulario ha caducado. Vuelve a cargar la página e inténtalo de nuevo.',
  tooMany: 'Demasiadas solicitudes desde esta página. Inténtalo de nuevo más tarde.',
  unavailable: 'No hemos podido recibir tu mensaje ahora. Inténtalo de nuevo en unos minutos.',
};

const de: PageText = {
  skip: 'Zum Inhalt springen',
  title: 'Ihr Paket',
  order: 'Bestellung {order}',
  carrierTracking: '{carrier}, Sendungsnummer {tracking}',
  whereHeading: 'Wo Ihr Paket ist',
  status: {
    in_transit: 'Unterwegs',
    customs: 'Beim Zoll',
    out_for_delivery: 'In Zustellung',
    investigating: 'Wir gehen der Sache nach',
    replacement_sent: 'Ein Ersatz ist unterwegs',
    refunded: 'Erstattet',
    refund_pending: 'Erstattung in Arbeit',
    delivered: 'Zugestellt',
  },
  expectedHeading: 'Voraussichtliche Zustellung',
  expectedUnknown: 'Wir haben noch kein Datum.',
  expectedLine: '{range}',
  timelineHeading: 'Verlauf',
  noScans: 'Der Zusteller hat Ihr Paket noch nicht erfasst.',
  events: {
    info_received: 'Der Zusteller hat die Paketdaten',
    in_transit: 'Unterwegs',
    customs: 'Beim Zoll',
    out_for_delivery: 'In Zustellung',
    failed_attempt: 'Zustellversuch, niemand angetroffen',
    available_for_pickup: 'Zur Abholung bereit',
    delivered: 'Zugestellt',
    returning: 'Auf dem Rückweg zum Absender',
    returned: 'An den Absender zurückgegangen',
    exception: 'Ein Problem wurde gemeldet',
    lost: 'Vom Zusteller als verloren gemeldet',
    damaged: 'Vom Zusteller als beschädigt gemeldet',
    destroyed: 'Vom Zusteller als zerstört gemeldet',
    unknown: 'Meldung des Zustellers',
  },
  nextHeading: 'Wie es weitergeht',
  next: {
    in_transit:
      'Der Zusteller bringt es Ihnen. Wir behalten es im Blick und schreiben, wenn etwas schiefgeht.',
    customs:
      'Die Zollprüfung kann einige Tage dauern. Fallen Abgaben an, meldet sich der Zusteller.',
    out_for_delivery: 'Es sollte heute ankommen. Bitte sorgen Sie dafür, dass jemand da ist.',
    investigating: 'Wir klären es mit dem Zusteller und schreiben Ihnen in wenigen Tagen.',
    replacement_sent: 'Ihr Ersatz ist unterwegs; Sie können ihn unten verfolgen.',
    refunded: 'Die Erstattung ging auf Ihr ursprüngliches Zahlungsmittel.',
    refund_pending:
      'Die Erstattung wird veranlasst; es kann einige Werktage dauern, bis Sie sie sehen.',
    delivered: 'Wenn Sie es nicht finden, sagen Sie es uns unten.',
  },
  replacementHeading: 'Ihr Ersatz',
  replacement: 'Wir haben einen Ersatz mit {carrier} geschickt, Sendungsnummer {tracking}.',
  helpHeading: 'Brauchen Sie Hilfe?',
  help: {
    not_received: 'Mein Paket ist nicht angekommen',
    delivered_not_received: 'Es steht „zugestellt“, aber ich habe es nicht',
    damaged: 'Mein Paket kam beschädigt an',
    refund: 'Ich möchte eine Erstattung',
    change_address: 'Lieferadresse ändern',
  },
  detailsLabel: 'Erzählen Sie uns mehr (optional)',
  addressLabel: 'Die neue Lieferadresse',
  send: 'Senden',
  dnrHeading: 'Bevor wir nachforschen',
  dnrDelivered: 'Laut Zusteller wurde Ihr Paket am {date} zugestellt.',
  dnrWhere: 'Wo: {place}',
  dnrCheck:
    'Bitte fragen Sie Ihre Nachbarn und Mitbewohner und sehen Sie im Briefkasten und in der nächsten Abholstelle nach. Dort tauchen Pakete oft auf.',
  podSigned: 'Unterschrieben von: {name}',
  podNote: 'Hinweis des Zustellers: {note}',
  podPhoto: 'Das Zustellfoto des Zustellers',
  stillNotFound: 'Ich habe nachgesehen, es ist immer noch nicht da',
  ackReplied: 'Danke, Ihre Nachricht ist da. Wir haben Ihnen per E-Mail geantwortet.',
  ackOps:
    'Danke, Ihre Nachricht ist da. Eine Kollegin oder ein Kollege antwortet innerhalb von {hours} Stunden.',
  ackNext: {
    not_received: 'Wir klären mit dem Zusteller, wo Ihr Paket ist.',
    delivered_not_received:
      'Wir prüfen den Zustellnachweis des Zustellers und sagen Ihnen, wie wir entscheiden.',
    damaged: 'Bitte bewahren Sie Paket und Verpackung auf; eventuell bitten wir um ein Foto.',
    refund: 'Jemand aus unserem Team prüft Ihre Anfrage; Sie müssen jetzt nichts tun.',
    change_address: 'Wir klären mit dem Zusteller, ob sich die Adresse noch ändern lässt.',
  },
  back: 'Zurück zu Ihrem Paket',
  chatHeading: 'Eine Frage stellen',
  chatLabel: 'Ihre Frage',
  chatSend: 'Fragen',
  you: 'Sie',
  helper: 'Assistent',
  invalidTitle: 'Link ungültig',
  invalidText:
    'Dieser Link ist ungültig. Bitte nutzen Sie den Link aus der letzten E-Mail zu Ihrer Bestellung.',
  expiredTitle: 'Link abgelaufen',
  expiredText:
    'Dieser Link ist abgelaufen. Wenn Sie noch Hilfe brauchen, antworten Sie auf die letzte E-Mail zu Ihrer Bestellung.',
  formExpired: 'Dieses Formular ist abgelaufen. Bitte laden Sie die Seite neu.',
  tooMany: 'Zu viele Anfragen von dieser Seite. Bitte versuchen Sie es später noch einmal.',
  unavailable:
    'Wir konnten Ihre Nachricht gerade nicht annehmen. Bitte versuchen Sie es in einigen Minuten.',
};

const fr: PageText = {
  skip: 'Aller au contenu',
  title: 'Votre colis',
  order: 'Commande {order}',
  carrierTracking: '{carrier}, numéro de suivi {tracking}',
  whereHeading: 'Où est votre colis',
  status: {
    in_transit: 'En route',
    customs: 'En douane',
    out_for_delivery: 'En cours de livraison',
    investigating: 'Nous nous en occupons',
    replacement_sent: 'Un remplacement est en route',
    refunded: 'Remboursé',
    refund_pending: 'Remboursement en cours',
    delivered: 'Livré',
  },
  expectedHeading: 'Livraison prévue',
  expectedUnknown: 'Nous n’avons pas encore de date.',
  expectedLine: '{range}',
  timelineHeading: 'Historique',
  noScans: 'Le transporteur n’a pas encore scanné votre colis.',
  events: {
    info_received: 'Le transporteur a les informations du colis',
    in_transit: 'En route',
    customs: 'En douane',
    out_for_delivery: 'En cours de livraison',
    failed_attempt: 'Tentative de livraison, personne n’était là',
    available_for_pickup: 'Prêt à être retiré',
    delivered: 'Livré',
    returning: 'En retour vers l’expéditeur',
    returned: 'Renvoyé à l’expéditeur',
    exception: 'Un problème a été signalé',
    lost: 'Déclaré perdu par le transporteur',
    damaged: 'Déclaré endommagé par le transporteur',
    destroyed: 'Déclaré détruit par le transporteur',
    unknown: 'Information du transporteur',
  },
  nextHeading: 'La suite',
  next: {
    in_transit:
      'Le transporteur vous l’apporte. Nous le suivons et vous écrivons en cas de problème.',
    customs:
      'Le contrôle douanier peut prendre quelques jours. Si des droits sont dus, le transporteur vous contactera.',
    out_for_delivery:
      'Il devrait arriver aujourd’hui. Veillez à ce que quelqu’un puisse le recevoir.',
    investigating: 'Nous vérifions avec le transporteur et vous écrirons d’ici quelques jours.',
    replacement_sent: 'Votre remplacement est en route ; vous pouvez le suivre ci-dessous.',
    refunded: 'Le remboursement a été versé sur votre moyen de paiement d’origine.',
    refund_pending:
      'Le remboursement est en préparation ; il peut falloir quelques jours ouvrés pour le voir.',
    delivered: 'Si vous ne le trouvez pas, dites-le-nous ci-dessous.',
  },
  replacementHeading: 'Votre remplacement',
  replacement: 'Nous avons envoyé un remplacement avec {carrier}, numéro de suivi {tracking}.',
  helpHeading: 'Besoin d’aide ?',
  help: {
    not_received: 'Mon colis n’est pas arrivé',
    delivered_not_received: 'Il est indiqué livré, mais je ne l’ai pas',
    damaged: 'Mon colis est arrivé endommagé',
    refund: 'Je veux être remboursé',
    change_address: 'Changer l’adresse de livraison',
  },
  detailsLabel: 'Dites-nous en plus (facultatif)',
  addressLabel: 'La nouvelle adresse de livraison',
  send: 'Envoyer',
  dnrHeading: 'Avant de chercher',
  dnrDelivered: 'Le transporteur indique avoir livré votre colis le {date}.',
  dnrWhere: 'Où : {place}',
  dnrCheck:
    'Demandez à vos voisins et aux personnes de votre foyer, et regardez dans votre boîte aux lettres et au point relais le plus proche. Les colis y réapparaissent souvent.',
  podSigned: 'Signé par : {name}',
  podNote: 'Note du transporteur : {note}',
  podPhoto: 'La photo de livraison du transporteur',
  stillNotFound: 'J’ai vérifié, il est toujours introuvable',
  ackReplied: 'Merci, nous avons reçu votre message. Nous vous avons répondu par e-mail.',
  ackOps: 'Merci, nous avons reçu votre message. Un collègue vous répondra sous {hours} heures.',
  ackNext: {
    not_received: 'Nous vérifions avec le transporteur où se trouve votre colis.',
    delivered_not_received:
      'Nous examinons la preuve de livraison du transporteur et vous dirons ce que nous décidons.',
    damaged: 'Gardez le colis et son emballage ; nous pourrions vous demander une photo.',
    refund: 'Un collègue examine votre demande ; vous n’avez rien à faire pour l’instant.',
    change_address:
      'Un collègue vérifie avec le transporteur si l’adresse peut encore être changée.',
  },
  back: 'Retour à votre colis',
  chatHeading: 'Poser une question',
  chatLabel: 'Votre question',
  chatSend: 'Demander',
  you: 'Vous',
  helper: 'Assistant',
  invalidTitle: 'Lien non valide',
  invalidText:
    'Ce lien n’est pas valide. Utilisez le lien du dernier e-mail concernant votre commande.',
  expiredTitle: 'Lien expiré',
  expiredText:
    'Ce lien a expiré. Si vous avez encore besoin d’aide, répondez au dernier e-mail concernant votre commande.',
  formExpired: 'Ce formulaire a expiré. Rechargez la page et réessayez.',
  tooMany: 'Trop de demandes depuis cette page. Réessayez plus tard.',
  unavailable: 'Nous n’avons pas pu prendre votre message. Réessayez dans quelques minutes.',
};

const ptBR: PageText = {
  skip: 'Ir para o conteúdo',
  title: 'Seu pacote',
  order: 'Pedido {order}',
  carrierTracking: '{carrier}, código de rastreio {tracking}',
  whereHeading: 'Onde está seu pacote',
  status: {
    in_transit: 'A caminho',
    customs: 'Na alfândega',
    out_for_delivery: 'Saiu para entrega',
    investigating: 'Estamos verificando',
    replacement_sent: 'Um substituto está a caminho',
    refunded: 'Reembolsado',
    refund_pending: 'Reembolso em andamento',
    delivered: 'Entregue',
  },
  expectedHeading: 'Entrega prevista',
  expectedUnknown: 'Ainda não temos uma data.',
  expectedLine: '{range}',
  timelineHeading: 'Histórico',
  noScans: 'A transportadora ainda não registrou seu pacote.',
  events: {
    info_received: 'A transportadora recebeu os dados do pacote',
    in_transit: 'A caminho',
    customs: 'Na alfândega',
    out_for_delivery: 'Saiu para entrega',
    failed_attempt: 'Tentativa de entrega, ninguém estava lá',
    available_for_pickup: 'Pronto para retirada',
    delivered: 'Entregue',
    returning: 'Voltando ao remetente',
    returned: 'Devolvido ao remetente',
    exception: 'Um problema foi informado',
    lost: 'Declarado extraviado pela transportadora',
    damaged: 'Declarado danificado pela transportadora',
    destroyed: 'Declarado destruído pela transportadora',
    unknown: 'Atualização da transportadora',
  },
  nextHeading: 'O que acontece agora',
  next: {
    in_transit: 'A transportadora leva até você. Acompanhamos e escrevemos se algo der errado.',
    customs:
      'A alfândega pode levar alguns dias. Se houver impostos, a transportadora entrará em contato.',
    out_for_delivery: 'Deve chegar hoje. Garanta que alguém possa receber.',
    investigating: 'Estamos verificando com a transportadora e escreveremos em poucos dias.',
    replacement_sent: 'Seu substituto está a caminho; acompanhe abaixo.',
    refunded: 'O reembolso foi feito no seu meio de pagamento original.',
    refund_pending:
      'O reembolso está sendo providenciado; pode levar alguns dias úteis para aparecer.',
    delivered: 'Se não encontrar, conte para nós abaixo.',
  },
  replacementHeading: 'Seu substituto',
  replacement: 'Enviamos um substituto com {carrier}, código de rastreio {tracking}.',
  helpHeading: 'Precisa de ajuda?',
  help: {
    not_received: 'Meu pacote não chegou',
    delivered_not_received: 'Consta como entregue, mas não recebi',
    damaged: 'Meu pacote chegou danificado',
    refund: 'Quero um reembolso',
    change_address: 'Mudar o endereço de entrega',
  },
  detailsLabel: 'Conte mais (opcional)',
  addressLabel: 'O novo endereço de entrega',
  send: 'Enviar',
  dnrHeading: 'Antes de investigarmos',
  dnrDelivered: 'A transportadora diz que entregou seu pacote em {date}.',
  dnrWhere: 'Onde: {place}',
  dnrCheck:
    'Pergunte aos vizinhos e às pessoas da sua casa, e veja a caixa de correio e o ponto de retirada mais próximo. Pacotes costumam aparecer ali.',
  podSigned: 'Assinado por: {name}',
  podNote: 'Observação da transportadora: {note}',
  podPhoto: 'A foto da entrega feita pela transportadora',
  stillNotFound: 'Já verifiquei e continuo sem encontrar',
  ackReplied: 'Obrigado, recebemos sua mensagem. Enviamos uma resposta por e-mail.',
  ackOps: 'Obrigado, recebemos sua mensagem. Um colega responderá em até {hours} horas.',
  ackNext: {
    not_received: 'Estamos verificando com a transportadora onde está seu pacote.',
    delivered_not_received:
      'Vamos analisar a prova de entrega da transportadora e avisaremos o que decidirmos.',
    damaged: 'Guarde o pacote e a embalagem; podemos pedir uma foto.',
    refund: 'Um colega analisa seu pedido; você não precisa fazer nada agora.',
    change_address: 'Um colega verifica com a transportadora se o endereço ainda pode mudar.',
  },
  back: 'Voltar ao seu pacote',
  chatHeading: 'Faça uma pergunta',
  chatLabel: 'Sua pergunta',
  chatSend: 'Perguntar',
  you: 'Você',
  helper: 'Assistente',
  invalidTitle: 'Link inválido',
  invalidText: 'Este link não é válido. Use o link do último e-mail sobre seu pedido.',
  expiredTitle: 'Link expirado',
  expiredText:
    'Este link expirou. Se ainda precisar de ajuda, responda ao último e-mail sobre seu pedido.',
  formExpired: 'Este formulário expirou. Recarregue a página e tente de novo.',
  tooMany: 'Muitas solicitações a partir desta página. Tente novamente mais tarde.',
  unavailable: 'Não conseguimos receber sua mensagem agora. Tente de novo em alguns minutos.',
};

const zhCN: PageText = {
  skip: '跳到正文',
  title: '您的包裹',
  order: '订单 {order}',
  carrierTracking: '{carrier}，运单号 {tracking}',
  whereHeading: '包裹在哪里',
  status: {
    in_transit: '运输中',
    customs: '清关中',
    out_for_delivery: '派送中',
    investigating: '我们正在核查',
    replacement_sent: '补发包裹已寄出',
    refunded: '已退款',
    refund_pending: '退款处理中',
    delivered: '已送达',
  },
  expectedHeading: '预计送达',
  expectedUnknown: '暂时还没有日期。',
  expectedLine: '{range}',
  timelineHeading: '物流记录',
  noScans: '承运商还没有扫描您的包裹。',
  events: {
    info_received: '承运商已收到包裹信息',
    in_transit: '运输中',
    customs: '清关中',
    out_for_delivery: '派送中',
    failed_attempt: '尝试派送，无人签收',
    available_for_pickup: '可以取件',
    delivered: '已送达',
    returning: '正在退回寄件人',
    returned: '已退回寄件人',
    exception: '承运商报告了问题',
    lost: '承运商报告包裹丢失',
    damaged: '承运商报告包裹损坏',
    destroyed: '承运商报告包裹已销毁',
    unknown: '承运商更新',
  },
  nextHeading: '接下来',
  next: {
    in_transit: '承运商会把包裹送到您手中。我们会一直跟踪，有问题会通知您。',
    customs: '清关可能需要几天。如需缴税，承运商会联系您。',
    out_for_delivery: '包裹今天应该送到，请确保有人签收。',
    investigating: '我们正在与承运商核查，几天内会给您回复。',
    replacement_sent: '补发包裹已在路上，可以在下方跟踪。',
    refunded: '退款已退回您的原支付方式。',
    refund_pending: '退款正在处理，可能需要几个工作日才能到账。',
    delivered: '如果找不到包裹，请在下方告诉我们。',
  },
  replacementHeading: '补发包裹',
  replacement: '我们已通过 {carrier} 补发，运单号 {tracking}。',
  helpHeading: '需要帮助？',
  help: {
    not_received: '我的包裹还没到',
    delivered_not_received: '显示已签收，但我没有收到',
    damaged: '包裹到货时已损坏',
    refund: '我要退款',
    change_address: '修改收货地址',
  },
  detailsLabel: '补充说明（可选）',
  addressLabel: '新的收货地址',
  send: '提交',
  dnrHeading: '在我们调查之前',
  dnrDelivered: '承运商显示包裹已于 {date} 送达。',
  dnrWhere: '地点：{place}',
  dnrCheck: '请问问邻居和家人，并查看信箱和附近的取件点。包裹常常会在那里找到。',
  podSigned: '签收人：{name}',
  podNote: '承运商备注：{note}',
  podPhoto: '承运商的签收照片',
  stillNotFound: '我已经找过了，还是没有找到',
  ackReplied: '谢谢，我们已收到您的消息，并已通过邮件回复您。',
  ackOps: '谢谢，我们已收到您的消息。同事会在 {hours} 小时内回复您。',
  ackNext: {
    not_received: '我们正在与承运商核查包裹的位置。',
    delivered_not_received: '我们会核查承运商的签收证明，并告诉您处理结果。',
    damaged: '请保留包裹和包装，我们可能会请您拍照。',
    refund: '同事会处理您的请求，您现在无需做任何事。',
    change_address: '同事会与承运商确认地址是否还能修改。',
  },
  back: '返回包裹页面',
  chatHeading: '提问',
  chatLabel: '您的问题',
  chatSend: '提问',
  you: '您',
  helper: '助手',
  invalidTitle: '链接无效',
  invalidText: '此链接无效。请使用关于您订单的最新邮件中的链接。',
  expiredTitle: '链接已过期',
  expiredText: '此链接已过期。如仍需帮助，请回复关于您订单的最新邮件。',
  formExpired: '此表单已过期，请刷新页面后重试。',
  tooMany: '此页面的请求过多，请稍后再试。',
  unavailable: '暂时无法接收您的消息，请几分钟后再试。',
};

const ja: PageText = {
  skip: '本文へ移動',
  title: 'お荷物',
  order: 'ご注文 {order}',
  carrierTracking: '{carrier}、追跡番号 {tracking}',
  whereHeading: 'お荷物の現在地',
  status: {
    in_transit: '配送中',
    customs: '通関中',
    out_for_delivery: '配達中',
    investigating: '確認中です',
    replacement_sent: '代替品を発送しました',
    refunded: '返金済み',
    refund_pending: '返金手続き中',
    delivered: '配達済み',
  },
  expectedHeading: 'お届け予定',
  expectedUnknown: 'まだ日付がわかりません。',
  expectedLine: '{range}',
  timelineHeading: '履歴',
  noScans: '配送業者はまだお荷物をスキャンしていません。',
  events: {
    info_received: '配送業者がお荷物の情報を受け取りました',
    in_transit: '配送中',
    customs: '通関中',
    out_for_delivery: '配達中',
    failed_attempt: '配達しましたがご不在でした',
    available_for_pickup: '受け取り可能です',
    delivered: '配達済み',
    returning: '差出人へ返送中',
    returned: '差出人へ返送されました',
    exception: '問題が報告されました',
    lost: '配送業者が紛失を報告しました',
    damaged: '配送業者が破損を報告しました',
    destroyed: '配送業者が廃棄を報告しました',
    unknown: '配送業者からのお知らせ',
  },
  nextHeading: 'この後の流れ',
  next: {
    in_transit: '配送業者がお届けします。私たちも見守り、問題があればご連絡します。',
    customs: '通関には数日かかることがあります。関税が必要な場合は配送業者から連絡があります。',
    out_for_delivery: '本日到着の予定です。受け取れるようにお願いします。',
    investigating: '配送業者に確認中です。数日以内にご連絡します。',
    replacement_sent: '代替品は配送中です。下で追跡できます。',
    refunded: '元のお支払い方法に返金しました。',
    refund_pending: '返金を手続き中です。反映まで数営業日かかることがあります。',
    delivered: '見つからない場合は、下からお知らせください。',
  },
  replacementHeading: '代替品',
  replacement: '{carrier} で代替品を発送しました。追跡番号 {tracking}。',
  helpHeading: 'お困りですか？',
  help: {
    not_received: 'お荷物が届きません',
    delivered_not_received: '配達済みですが受け取っていません',
    damaged: 'お荷物が破損して届きました',
    refund: '返金を希望します',
    change_address: 'お届け先を変更したい',
  },
  detailsLabel: '詳細（任意）',
  addressLabel: '新しいお届け先',
  send: '送信',
  dnrHeading: '調査の前に',
  dnrDelivered: '配送業者によると、お荷物は {date} に配達されました。',
  dnrWhere: '場所：{place}',
  dnrCheck:
    'ご近所の方やご家族に確認し、郵便受けや最寄りの受取場所もご覧ください。そこで見つかることがよくあります。',
  podSigned: '受領者：{name}',
  podNote: '配送業者のメモ：{note}',
  podPhoto: '配送業者の配達写真',
  stillNotFound: '確認しましたが、まだ見つかりません',
  ackReplied: 'ありがとうございます。メッセージを受け付け、メールでご返信しました。',
  ackOps:
    'ありがとうございます。メッセージを受け付けました。{hours} 時間以内に担当者がご返信します。',
  ackNext: {
    not_received: 'お荷物の所在を配送業者に確認しています。',
    delivered_not_received: '配送業者の配達証明を確認し、結果をお知らせします。',
    damaged: 'お荷物と梱包材を保管してください。写真をお願いすることがあります。',
    refund: '担当者がご依頼を確認します。今は何もしていただく必要はありません。',
    change_address: 'お届け先を変更できるか、担当者が配送業者に確認します。',
  },
  back: 'お荷物のページに戻る',
  chatHeading: '質問する',
  chatLabel: 'ご質問',
  chatSend: '質問',
  you: 'あなた',
  helper: 'アシスタント',
  invalidTitle: '無効なリンク',
  invalidText: 'このリンクは無効です。ご注文に関する最新のメールのリンクをお使いください。',
  expiredTitle: 'リンクの有効期限切れ',
  expiredText:
    'このリンクは有効期限が切れています。お困りの場合は、ご注文に関する最新のメールにご返信ください。',
  formExpired: 'このフォームは期限切れです。ページを再読み込みしてください。',
  tooMany: 'このページからのリクエストが多すぎます。しばらくしてからお試しください。',
  unavailable: '現在メッセージを受け付けられませんでした。数分後にお試しください。',
};

const TEXTS: Record<BuiltinLocale, PageText> = {
  en,
  'zh-CN': zhCN,
  es,
  de,
  fr,
  ja,
  'pt-BR': ptBR,
};

/** The page's words for a customer's locale (the mails' fallback chain: `pt-PT` → `pt-BR` → en). */
export function pageText(locale: string | undefined): { lang: BuiltinLocale; t: PageText } {
  for (const l of templateLocaleChain(locale)) {
    const t = (TEXTS as Record<string, PageText | undefined>)[l];
    if (t) return { lang: l as BuiltinLocale, t };
  }
  return { lang: 'en', t: en };
}

/** Fills `{name}` placeholders with plain values (escaping happens when the page is built). */
export function say(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) =>
    values[k] === undefined ? m : String(values[k]),
  );
}
