import type { LanguagePack } from './types';

export const ptBR: LanguagePack = {
  templates: {
    delay_notice: {
      subject:
        '{#stalled}{#firstNotice}Seu pedido {orderId} está demorando mais do que o previsto{/firstNotice}{#previousNoticeDate}Novidades do seu pedido {orderId}: ainda sem movimentação{/previousNoticeDate}{/stalled}{#carrierLost}A transportadora informou que o pacote do pedido {orderId} foi extraviado{/carrierLost}',
      text: 'Olá, {customerName},\n\n{#stalled}{#firstNotice}Seu pacote do pedido {orderId} ({items}), enviado pela {carrier} com o código de rastreio {trackingNumber}, está parado há algum tempo.{#expectedDate} A entrega estava prevista para {expectedDate}.{/expectedDate} Estamos verificando com a transportadora e escreveremos assim que soubermos mais. Você não precisa fazer nada.{/firstNotice}{#previousNoticeDate}Escrevemos em {previousNoticeDate} que seu pacote do pedido {orderId} ({items}), enviado pela {carrier} com o código de rastreio {trackingNumber}, estava parado. Ele parou de novo.{#lastScanDate} A última leitura da transportadora é de {lastScanDate}; desde então não houve nada.{/lastScanDate} Estamos verificando de novo com a transportadora e escreveremos assim que ele se mover ou decidirmos o que fazer. Você não precisa fazer nada.{/previousNoticeDate}{/stalled}{#carrierLost}A {carrier} informou que seu pacote do pedido {orderId} ({items}), com o código de rastreio {trackingNumber}, foi extraviado. Agora estamos decidindo se enviamos um novo pacote ou fazemos o reembolso, sem custo para você, e escreveremos assim que estiver providenciado. Você não precisa entrar em contato com a transportadora.{/carrierLost}{#couponCode}\n\nComo desculpas pela espera, aqui está um cupom para sua próxima compra: {couponCode}{/couponCode}{#gift}\n\nComo desculpas pela espera, vamos enviar um presente para você: {gift}{/gift}\n\nObrigado pela paciência.',
    },
    customs_notice: {
      subject: 'Seu pedido {orderId} está na alfândega',
      text: 'Olá, {customerName},\n\nSeu pacote do pedido {orderId} ({items}), código de rastreio {trackingNumber} na {carrier}, está retido na alfândega. A fiscalização pode levar alguns dias; se forem necessários impostos ou documentos, a transportadora ou a alfândega entrará em contato com você. Estamos acompanhando para você.',
    },
    reshipped: {
      subject: 'Enviamos um novo pacote para o pedido {orderId}',
      text: 'Olá, {customerName},\n\nSeu pacote do pedido {orderId} ({items}) parece ter se extraviado no transporte, então enviamos um novo, sem custo para você.\n\nNovo código de rastreio: {newTrackingNumber} ({newCarrier}){#expectedDate}\nEntrega prevista: {expectedDate}{/expectedDate}{#couponCode}\n\nComo desculpas, aqui está um cupom para sua próxima compra: {couponCode}{/couponCode}{#gift}\n\nComo desculpas, vamos enviar um presente para você: {gift}{/gift}\n\nPedimos desculpas pelo atraso.',
    },
    refunded: {
      subject: 'Reembolso do pedido {orderId}',
      text: 'Olá, {customerName},\n\nSeu pacote do pedido {orderId} ({items}) parece ter se extraviado no transporte. {#refundDone}Reembolsamos {refundAmount} na sua forma de pagamento original.{/refundDone}{#refundPending}Estamos providenciando um reembolso de {refundAmount} na sua forma de pagamento original. Ele ainda não foi efetuado; pode levar alguns dias úteis até aparecer para você.{/refundPending}{#couponCode}\n\nComo desculpas, aqui está um cupom para sua próxima compra: {couponCode}{/couponCode}{#gift}\n\nComo desculpas, vamos enviar um presente para você: {gift}{/gift}\n\nPedimos desculpas pelo transtorno.',
    },
    inquiry_reply: {
      subject: 'Sobre o seu pedido {orderId}',
      text: 'Olá, {customerName},\n\nObrigado pela sua mensagem sobre o pedido {orderId}. {statusText}\n\nEstamos acompanhando seu pacote e avisaremos assim que houver qualquer novidade.',
    },
    survey: {
      subject: 'Como foi o nosso atendimento no pedido {orderId}?',
      text: 'Olá, {customerName},\n\nO novo pacote do pedido {orderId} chegou. Você pode nos contar o que achou do nosso atendimento? É só um clique:\n\n{surveyLink}\n\nObrigado!',
    },
  },
  statuses: {
    in_transit:
      'Seu pacote ({carrier} {trackingNumber}) está a caminho.{#expectedDate} A entrega está prevista para {expectedDate}.{/expectedDate}',
    customs: 'Seu pacote ({carrier} {trackingNumber}) está passando pela alfândega.',
    out_for_delivery: 'Seu pacote ({carrier} {trackingNumber}) saiu para entrega.',
    investigating:
      'Seu pacote ({carrier} {trackingNumber}) está parado há algum tempo; estamos investigando com a transportadora.',
    replacement_sent:
      'Enviamos um novo pacote para você: código de rastreio {newTrackingNumber} ({newCarrier}).{#expectedDate} A entrega está prevista para {expectedDate}.{/expectedDate}',
    refunded: 'Reembolsamos o seu pedido.',
    refund_pending: 'Estamos providenciando o reembolso do seu pedido; ele ainda não foi efetuado.',
    delivered:
      'A transportadora informa que seu pacote ({carrier} {trackingNumber}) foi entregue. Se você não o encontrou, estamos verificando o comprovante de entrega.',
  },
};
