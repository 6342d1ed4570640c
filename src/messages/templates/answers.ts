/**
 * What an inquiry reply says when the customer asked for something particular (the `{statusText}`
 * of `inquiry_reply`): a parcel marked delivered that they cannot find, a refund, a damaged parcel,
 * an address change. Placeholders as in the status sentences, plus `{latestDate}` (the end of the
 * expected range), `{deliveredWhere}`, `{podSignedBy}` and `{podPhoto}` (the carrier's proof).
 */

export const INQUIRY_ANSWERS = [
  /** First "marked delivered, not received": look around first; where the carrier left it. */
  'dnr_look',
  /** A repeated report: the investigation is open. */
  'dnr_review',
  /** A refund demand while the parcel is moving: when it comes, what if it does not. */
  'refund_moving',
  /** A refund demand otherwise: a person answers. */
  'refund_other',
  'damaged',
  'address_change',
] as const;
export type InquiryAnswer = (typeof INQUIRY_ANSWERS)[number];

type Answers = Record<InquiryAnswer, string>;

const en: Answers = {
  dnr_look:
    'The carrier reports your parcel ({carrier} {trackingNumber}) as delivered.{#deliveredWhere} It says it left it here: {deliveredWhere}.{/deliveredWhere}{#podSignedBy} Signed for by: {podSignedBy}.{/podSignedBy}{#podPhoto} Photo of the delivery: {podPhoto}{/podPhoto} Parcels marked delivered often turn up with a neighbour, someone else in the household, a reception desk or the nearest pickup point or parcel locker; please check there first. If you still cannot find it, reply to this message and we will open an investigation with the carrier.',
  dnr_review:
    'We have opened an investigation with the carrier and are checking its proof of delivery for your parcel ({carrier} {trackingNumber}). We will write to you as soon as we have decided what to do.',
  refund_moving:
    'Your parcel ({carrier} {trackingNumber}) is on its way{#expectedDate} and is expected by {expectedDate}{/expectedDate}.{#estimateBasis} {estimateBasis}{/estimateBasis} If it has not arrived{#latestDate} by {latestDate}{/latestDate}, we will send you a replacement or refund you, at no cost to you. We have passed your refund request to our team; a colleague will answer you.',
  refund_other:
    'We have passed your refund request to our team; a colleague will answer you shortly.',
  damaged:
    'We are sorry your parcel arrived damaged. Please keep the parcel and its packaging for now; photos of the damage help. Our team will look at it and write to you about a replacement or a refund.',
  address_change:
    'We have passed your new address to our team. A parcel already on its way cannot always be redirected; a colleague will write to you about what the carrier can do.',
};

const zhCN: Answers = {
  dnr_look:
    '承运商显示您的包裹（{carrier} {trackingNumber}）已送达。{#deliveredWhere}承运商称包裹放在：{deliveredWhere}。{/deliveredWhere}{#podSignedBy}签收人：{podSignedBy}。{/podSignedBy}{#podPhoto}送达照片：{podPhoto}{/podPhoto}显示已送达的包裹常常在邻居、家人、前台或附近的自提点、快递柜处，请先到这些地方找一找。如果仍然找不到，请回复此邮件，我们会向承运商发起调查。',
  dnr_review:
    '我们已向承运商发起调查，正在核实您的包裹（{carrier} {trackingNumber}）的签收证明。一有结论，我们会立即通知您。',
  refund_moving:
    '您的包裹（{carrier} {trackingNumber}）正在运输途中{#expectedDate}，预计送达日期为 {expectedDate}{/expectedDate}。{#estimateBasis}{estimateBasis}{/estimateBasis}如果{#latestDate}到 {latestDate} {/latestDate}仍未送达，我们将免费为您补发或退款。我们已将您的退款请求转交给团队，同事会尽快答复您。',
  refund_other: '我们已将您的退款请求转交给团队，同事会尽快答复您。',
  damaged:
    '很抱歉您的包裹到货时已损坏。请暂时保留包裹和包装，损坏处的照片会很有帮助。我们的团队会进行核查，并就补发或退款与您联系。',
  address_change:
    '我们已将您的新地址转交给团队。已在运输途中的包裹不一定能改派，同事会告诉您承运商能否办理。',
};

const es: Answers = {
  dnr_look:
    'El transportista indica que tu paquete ({carrier} {trackingNumber}) fue entregado.{#deliveredWhere} Dice que lo dejó aquí: {deliveredWhere}.{/deliveredWhere}{#podSignedBy} Firmado por: {podSignedBy}.{/podSignedBy}{#podPhoto} Foto de la entrega: {podPhoto}{/podPhoto} Los paquetes marcados como entregados suelen aparecer con un vecino, otra persona del hogar, la recepción o el punto de recogida o taquilla más cercano; compruébalo allí primero. Si aun así no lo encuentras, responde a este mensaje y abriremos una investigación con el transportista.',
  dnr_review:
    'Hemos abierto una investigación con el transportista y estamos revisando su prueba de entrega de tu paquete ({carrier} {trackingNumber}). Te escribiremos en cuanto hayamos decidido qué hacer.',
  refund_moving:
    'Tu paquete ({carrier} {trackingNumber}) está en camino{#expectedDate} y se espera para el {expectedDate}{/expectedDate}.{#estimateBasis} {estimateBasis}{/estimateBasis} Si no ha llegado{#latestDate} para el {latestDate}{/latestDate}, te enviaremos un reemplazo o te reembolsaremos, sin coste para ti. Hemos pasado tu solicitud de reembolso a nuestro equipo; un compañero te responderá.',
  refund_other:
    'Hemos pasado tu solicitud de reembolso a nuestro equipo; un compañero te responderá en breve.',
  damaged:
    'Sentimos que tu paquete haya llegado dañado. Por favor, conserva el paquete y el embalaje por ahora; las fotos de los daños ayudan. Nuestro equipo lo revisará y te escribirá sobre un reemplazo o un reembolso.',
  address_change:
    'Hemos pasado tu nueva dirección a nuestro equipo. Un paquete que ya está en camino no siempre se puede desviar; un compañero te escribirá sobre lo que puede hacer el transportista.',
};

const de: Answers = {
  dnr_look:
    'Laut Zusteller wurde Ihr Paket ({carrier} {trackingNumber}) zugestellt.{#deliveredWhere} Er gibt an, es hier abgelegt zu haben: {deliveredWhere}.{/deliveredWhere}{#podSignedBy} Unterschrieben von: {podSignedBy}.{/podSignedBy}{#podPhoto} Foto der Zustellung: {podPhoto}{/podPhoto} Als zugestellt gemeldete Pakete finden sich oft bei Nachbarn, bei jemand anderem im Haushalt, an einem Empfang oder in der nächsten Paketstation oder Filiale; bitte sehen Sie dort zuerst nach. Wenn Sie es dann noch nicht finden, antworten Sie auf diese Nachricht, und wir leiten eine Nachforschung beim Zusteller ein.',
  dnr_review:
    'Wir haben eine Nachforschung beim Zusteller eingeleitet und prüfen seinen Zustellnachweis für Ihr Paket ({carrier} {trackingNumber}). Wir schreiben Ihnen, sobald wir entschieden haben, wie es weitergeht.',
  refund_moving:
    'Ihr Paket ({carrier} {trackingNumber}) ist unterwegs{#expectedDate} und wird bis {expectedDate} erwartet{/expectedDate}.{#estimateBasis} {estimateBasis}{/estimateBasis} Falls es{#latestDate} bis {latestDate}{/latestDate} nicht angekommen ist, senden wir Ihnen kostenlos Ersatz oder erstatten den Betrag. Wir haben Ihren Erstattungswunsch an unser Team weitergegeben; eine Kollegin oder ein Kollege antwortet Ihnen.',
  refund_other:
    'Wir haben Ihren Erstattungswunsch an unser Team weitergegeben; eine Kollegin oder ein Kollege antwortet Ihnen in Kürze.',
  damaged:
    'Es tut uns leid, dass Ihr Paket beschädigt angekommen ist. Bitte bewahren Sie Paket und Verpackung vorerst auf; Fotos des Schadens helfen. Unser Team sieht sich das an und schreibt Ihnen wegen Ersatz oder Erstattung.',
  address_change:
    'Wir haben Ihre neue Adresse an unser Team weitergegeben. Ein Paket, das schon unterwegs ist, lässt sich nicht immer umleiten; eine Kollegin oder ein Kollege schreibt Ihnen, was der Zusteller tun kann.',
};

const fr: Answers = {
  dnr_look:
    'Le transporteur indique que votre colis ({carrier} {trackingNumber}) a été livré.{#deliveredWhere} Il dit l’avoir laissé ici : {deliveredWhere}.{/deliveredWhere}{#podSignedBy} Signé par : {podSignedBy}.{/podSignedBy}{#podPhoto} Photo de la livraison : {podPhoto}{/podPhoto} Les colis marqués livrés se retrouvent souvent chez un voisin, une autre personne du foyer, à l’accueil ou au point relais ou à la consigne le plus proche ; vérifiez d’abord là. Si vous ne le trouvez toujours pas, répondez à ce message et nous ouvrirons une enquête auprès du transporteur.',
  dnr_review:
    'Nous avons ouvert une enquête auprès du transporteur et vérifions sa preuve de livraison pour votre colis ({carrier} {trackingNumber}). Nous vous écrirons dès que nous aurons décidé de la suite.',
  refund_moving:
    'Votre colis ({carrier} {trackingNumber}) est en route{#expectedDate} et attendu pour le {expectedDate}{/expectedDate}.{#estimateBasis} {estimateBasis}{/estimateBasis} S’il n’est pas arrivé{#latestDate} le {latestDate}{/latestDate}, nous vous enverrons un remplacement ou vous rembourserons, sans frais pour vous. Nous avons transmis votre demande de remboursement à notre équipe ; un collègue vous répondra.',
  refund_other:
    'Nous avons transmis votre demande de remboursement à notre équipe ; un collègue vous répondra rapidement.',
  damaged:
    'Nous sommes désolés que votre colis soit arrivé endommagé. Gardez le colis et son emballage pour le moment ; des photos des dégâts nous aident. Notre équipe va l’examiner et vous écrira au sujet d’un remplacement ou d’un remboursement.',
  address_change:
    'Nous avons transmis votre nouvelle adresse à notre équipe. Un colis déjà en route ne peut pas toujours être redirigé ; un collègue vous écrira sur ce que le transporteur peut faire.',
};

const ja: Answers = {
  dnr_look:
    '配送業者によると、お荷物（{carrier} {trackingNumber}）は配達済みです。{#deliveredWhere}配送業者は次の場所に置いたとしています：{deliveredWhere}。{/deliveredWhere}{#podSignedBy}受領者：{podSignedBy}。{/podSignedBy}{#podPhoto}配達時の写真：{podPhoto}{/podPhoto}配達済みのお荷物は、ご近所の方、ご家族、受付、最寄りの受取拠点や宅配ロッカーで見つかることがよくあります。まずそちらをご確認ください。それでも見つからない場合は、このメッセージにご返信ください。配送業者に調査を依頼します。',
  dnr_review:
    '配送業者に調査を依頼し、お荷物（{carrier} {trackingNumber}）の配達証明を確認しています。対応が決まり次第ご連絡します。',
  refund_moving:
    'お荷物（{carrier} {trackingNumber}）は配送中です{#expectedDate}。{expectedDate}までにお届けの予定です{/expectedDate}。{#estimateBasis}{estimateBasis}{/estimateBasis}{#latestDate}{latestDate}までに{/latestDate}届かない場合は、無料で代替品をお送りするか返金いたします。返金のご希望は担当チームに伝えました。担当者よりご連絡します。',
  refund_other: '返金のご希望は担当チームに伝えました。担当者より追ってご連絡します。',
  damaged:
    'お荷物が破損した状態で届き、申し訳ございません。お荷物と梱包材はしばらく保管してください。破損箇所の写真があると助かります。担当チームが確認し、代替品の発送または返金についてご連絡します。',
  address_change:
    '新しいご住所を担当チームに伝えました。配送中のお荷物は転送できない場合があります。配送業者で可能な対応について、担当者よりご連絡します。',
};

const ptBR: Answers = {
  dnr_look:
    'A transportadora informa que sua encomenda ({carrier} {trackingNumber}) foi entregue.{#deliveredWhere} Ela diz que a deixou aqui: {deliveredWhere}.{/deliveredWhere}{#podSignedBy} Assinado por: {podSignedBy}.{/podSignedBy}{#podPhoto} Foto da entrega: {podPhoto}{/podPhoto} Encomendas marcadas como entregues costumam aparecer com um vizinho, outra pessoa da casa, na portaria ou no ponto de retirada ou armário mais próximo; verifique lá primeiro. Se ainda assim não a encontrar, responda a esta mensagem e abriremos uma investigação com a transportadora.',
  dnr_review:
    'Abrimos uma investigação com a transportadora e estamos verificando o comprovante de entrega da sua encomenda ({carrier} {trackingNumber}). Escreveremos assim que decidirmos o que fazer.',
  refund_moving:
    'Sua encomenda ({carrier} {trackingNumber}) está a caminho{#expectedDate} e deve chegar até {expectedDate}{/expectedDate}.{#estimateBasis} {estimateBasis}{/estimateBasis} Se não tiver chegado{#latestDate} até {latestDate}{/latestDate}, enviaremos uma reposição ou faremos o reembolso, sem custo para você. Passamos seu pedido de reembolso à nossa equipe; um colega vai responder.',
  refund_other:
    'Passamos seu pedido de reembolso à nossa equipe; um colega vai responder em breve.',
  damaged:
    'Lamentamos que sua encomenda tenha chegado danificada. Guarde a encomenda e a embalagem por enquanto; fotos do dano ajudam. Nossa equipe vai analisar e escrever sobre uma reposição ou um reembolso.',
  address_change:
    'Passamos seu novo endereço à nossa equipe. Uma encomenda já a caminho nem sempre pode ser redirecionada; um colega vai escrever sobre o que a transportadora pode fazer.',
};

const ANSWERS: Record<string, Answers> = { en, 'zh-CN': zhCN, es, de, fr, ja, 'pt-BR': ptBR };

/** The answer sentence in the first locale of the chain that has one (English last). */
export function answerSentence(answer: InquiryAnswer, chain: readonly string[]): string {
  for (const l of chain) {
    const pack = ANSWERS[l];
    if (pack) return pack[answer];
  }
  return en[answer];
}
