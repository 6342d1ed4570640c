import type { LanguagePack } from './types';

export const es: LanguagePack = {
  templates: {
    delay_notice: {
      subject:
        '{#stalled}{#firstNotice}Tu pedido {orderId} está tardando más de lo previsto{/firstNotice}{#previousNoticeDate}Novedades de tu pedido {orderId}: sigue sin moverse{/previousNoticeDate}{/stalled}{#carrierLost}El transportista ha declarado perdido tu paquete del pedido {orderId}{/carrierLost}',
      text: 'Hola, {customerName}:\n\n{#stalled}{#firstNotice}Tu paquete del pedido {orderId} ({items}), enviado con {carrier} con el número de seguimiento {trackingNumber}, lleva un tiempo sin moverse.{#expectedDate} Estaba previsto para el {expectedDate}.{/expectedDate} Lo estamos consultando con el transportista y te escribiremos en cuanto sepamos algo. No tienes que hacer nada.{/firstNotice}{#previousNoticeDate}Te escribimos el {previousNoticeDate} que tu paquete del pedido {orderId} ({items}), enviado con {carrier} con el número de seguimiento {trackingNumber}, se había detenido. Se ha vuelto a detener.{#lastScanDate} El último escaneo del transportista es del {lastScanDate}; desde entonces no ha habido nada.{/lastScanDate} Lo estamos revisando de nuevo con el transportista y te escribiremos en cuanto se mueva o hayamos decidido qué hacer. No tienes que hacer nada.{/previousNoticeDate}{/stalled}{#carrierLost}El transportista ha declarado perdido tu paquete del pedido {orderId} ({items}), enviado con {carrier} con el número de seguimiento {trackingNumber}. Ahora estamos decidiendo si te enviamos un reemplazo o te hacemos un reembolso, sin coste para ti, y te escribiremos en cuanto esté en marcha. No tienes que contactar con el transportista.{/carrierLost}{#couponCode}\n\nPara compensar la espera, aquí tienes un cupón para tu próximo pedido: {couponCode}{/couponCode}{#gift}\n\nPara compensar la espera, te enviamos un regalo: {gift}{/gift}\n\nGracias por tu paciencia.',
    },
    customs_notice: {
      subject: 'Tu pedido {orderId} está en aduanas',
      text: 'Hola, {customerName}:\n\nTu paquete del pedido {orderId} ({items}), número de seguimiento {trackingNumber} con {carrier}, está retenido en aduanas. Los controles aduaneros pueden tardar varios días; si hacen falta aranceles o documentos, el transportista o la aduana se pondrán en contacto contigo. Lo seguimos vigilando por ti.',
    },
    reshipped: {
      subject: 'Hemos enviado un reemplazo de tu pedido {orderId}',
      text: 'Hola, {customerName}:\n\nParece que tu paquete del pedido {orderId} ({items}) se ha perdido en tránsito, así que te hemos enviado un reemplazo sin coste para ti.\n\nNuevo número de seguimiento: {newTrackingNumber} ({newCarrier}){#expectedDate}\nEntrega prevista: {expectedDate}{/expectedDate}{#couponCode}\n\nComo disculpa, aquí tienes un cupón para tu próximo pedido: {couponCode}{/couponCode}{#gift}\n\nComo disculpa, te enviamos un regalo: {gift}{/gift}\n\nSentimos el retraso.',
    },
    refunded: {
      subject: 'Reembolso de tu pedido {orderId}',
      text: 'Hola, {customerName}:\n\nParece que tu paquete del pedido {orderId} ({items}) se ha perdido en tránsito. {#refundDone}Te hemos reembolsado {refundAmount} en tu método de pago original.{/refundDone}{#refundPending}Estamos tramitando un reembolso de {refundAmount} en tu método de pago original. Aún no se ha realizado; puede tardar algunos días hábiles en aparecer.{/refundPending}{#couponCode}\n\nComo disculpa, aquí tienes un cupón para tu próximo pedido: {couponCode}{/couponCode}{#gift}\n\nComo disculpa, te enviamos un regalo: {gift}{/gift}\n\nSentimos las molestias.',
    },
    inquiry_reply: {
      subject: 'Sobre tu pedido {orderId}',
      text: 'Hola, {customerName}:\n\nGracias por tu mensaje sobre el pedido {orderId}. {statusText}\n\nSeguimos tu paquete y te escribiremos en cuanto haya cualquier novedad.',
    },
    survey: {
      subject: '¿Qué tal lo hicimos con tu pedido {orderId}?',
      text: 'Hola, {customerName}:\n\nTu reemplazo del pedido {orderId} ya ha llegado. ¿Nos cuentas qué te ha parecido nuestra gestión? Solo es un clic:\n\n{surveyLink}\n\n¡Gracias!',
    },
  },
  statuses: {
    in_transit:
      'Tu paquete ({carrier} {trackingNumber}) está en camino.{#expectedDate} Está previsto para el {expectedDate}.{/expectedDate}',
    customs: 'Tu paquete ({carrier} {trackingNumber}) está pasando por aduanas.',
    out_for_delivery: 'Tu paquete ({carrier} {trackingNumber}) está en reparto.',
    investigating:
      'Tu paquete ({carrier} {trackingNumber}) lleva un tiempo sin moverse; lo estamos investigando con el transportista.',
    replacement_sent:
      'Te hemos enviado un reemplazo: número de seguimiento {newTrackingNumber} ({newCarrier}).{#expectedDate} Está previsto para el {expectedDate}.{/expectedDate}',
    refunded: 'Hemos reembolsado tu pedido.',
    refund_pending: 'Estamos tramitando el reembolso de tu pedido; aún no se ha realizado.',
    delivered:
      'El transportista indica que tu paquete ({carrier} {trackingNumber}) fue entregado. Si no lo encuentras, estamos revisando la prueba de entrega.',
  },
};
