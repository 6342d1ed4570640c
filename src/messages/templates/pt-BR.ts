import type { LanguagePack } from './types';

export const ptBR: LanguagePack = {
  templates: {
    delay_notice: {
      subject: 'Seu pedido {orderId} está demorando mais do que o previsto',
      text: 'Olá, {customerName},\n\nSeu pacote do pedido {orderId} ({items}), enviado pela {carrier} com o código de rastreio {trackingNumber}, está parado há algum tempo.{#expectedDate} A entrega estava prevista para {expectedDate}.{/expectedDate} Estamos verificando com a transportadora e escreveremos assim que soubermos mais. Você não precisa fazer nada.{#couponCode}\n\nComo desculpas pela espera, aqui está um cupom para sua próxima compra: {couponCode}{/couponCode}\n\nObrigado pela paciência.',
    },
    customs_notice: {
      subject: 'Seu pedido {orderId} está na alfândega',
      text: 'Olá, {customerName},\n\nSeu pacote do pedido {orderId} ({items}), código de rastreio {trackingNumber} na {carrier}, está retido na alfândega. A fiscalização pode levar alguns dias; se forem necessários impostos ou documentos, a transportadora ou a alfândega entrará em contato com você. Estamos acompanhando para você.',
    },
    reshipped: {
      subject: 'Enviamos um novo pacote para o pedido {orderId}',
      text: 'Olá, {customerName},\n\nSeu pacote do pedido {orderId} ({items}) parece ter se extraviado no transporte, então enviamos um novo, sem custo para você.\n\nNovo código de rastreio: {newTrackingNumber} ({newCarrier}){#expectedDate}\nEntrega prevista: {expectedDate}{/expectedDate}{#couponCode}\n\nComo desculpas, aqui está um cupom para sua próxima compra: {couponCode}{/couponCode}\n\nPedimos desculpas pelo atraso.',
    },
    refunded: {
      subject: 'Reembolso do pedido {orderId}',
      text: 'Olá, {customerName},\n\nSeu pacote do pedido {orderId} ({items}) parece ter se extraviado no transporte. Reembolsamos {refundAmount} na sua forma de pagamento original.{#couponCode}\n\nComo desculpas, aqui está um cupom para sua próxima compra: {couponCode}{/couponCode}\n\nPedimos desculpas pelo transtorno.',
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
    in_transit: 'Seu pacote ({carrier} {trackingNumber}) está a caminho.',
    customs: 'Seu pacote ({carrier} {trackingNumber}) está passando pela alfândega.',
    out_for_delivery: 'Seu pacote ({carrier} {trackingNumber}) saiu para entrega.',
    investigating:
      'Seu pacote ({carrier} {trackingNumber}) está parado há algum tempo; estamos investigando com a transportadora.',
    replacement_sent:
      'Enviamos um novo pacote para você: código de rastreio {newTrackingNumber} ({newCarrier}).',
    refunded: 'Reembolsamos o seu pedido.',
    delivered:
      'A transportadora informa que seu pacote ({carrier} {trackingNumber}) foi entregue. Se você não o encontrou, estamos verificando o comprovante de entrega.',
  },
};
