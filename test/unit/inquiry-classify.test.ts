import { describe, expect, it } from 'vitest';
import { classifyInquiry, detectLanguage } from '../../src/inquiries/classify';
import type { InquiryIntent } from '../../workflows/shipment.contract';

type Case = [message: string, intent: InquiryIntent];

/** Messages as customers write them, typos, missing accents and all. */
const CASES: Record<string, Case[]> = {
  en: [
    ['Hi, where is my order? It was supposed to be here last week.', 'where_is_it'],
    ['Any update on my package? Tracking has not changed in 10 days', 'where_is_it'],
    ['When will my parcel arrive??', 'where_is_it'],
    ['my package seems stuck in some hub, what is going on', 'where_is_it'],
    ["I still haven't received my order #4411, it's been a month.", 'not_received'],
    ['Order never arrived. Please help', 'not_received'],
    ['I think my parcel got lost', 'not_received'],
    [
      'The tracking says delivered but I never got anything. Nothing at the door, neighbours have nothing either.',
      'delivered_not_received',
    ],
    ['It shows delivered yesterday, I was home all day and no package!', 'delivered_not_received'],
    ['This is taking forever. I want a refund.', 'wants_refund'],
    ['Just give me my money back please', 'wants_refund'],
    ['Can I change the colour of the mug to blue?', 'other'],
    ['Thanks, the item is lovely!', 'other'],
  ],
  es: [
    ['Hola, ¿dónde está mi pedido?', 'where_is_it'],
    ['¿Cuándo llega mi paquete? Ya pasaron dos semanas', 'where_is_it'],
    ['El seguimiento no se actualiza desde hace días', 'where_is_it'],
    ['Mi paquete está atascado en aduanas de Madrid?', 'where_is_it'],
    ['Todavía no he recibido nada y pagué hace un mes', 'not_received'],
    ['Creo que el paquete se ha perdido', 'not_received'],
    ['Aún no me ha llegado el pedido 5521', 'not_received'],
    ['Pone entregado pero no he recibido nada en casa', 'delivered_not_received'],
    ['Aparece como entregado y nunca llego, nadie lo firmó', 'delivered_not_received'],
    ['Quiero un reembolso, ya no lo necesito', 'wants_refund'],
    ['Devuélvanme mi dinero por favor', 'wants_refund'],
    ['¿Tienen esta taza en otro color?', 'other'],
  ],
  de: [
    ['Hallo, wo ist meine Bestellung?', 'where_is_it'],
    [
      'Wann kommt mein Paket an? Die Sendungsverfolgung zeigt seit Tagen nichts Neues',
      'where_is_it',
    ],
    ['Das Paket hängt seit einer Woche im Verteilzentrum', 'where_is_it'],
    ['Können Sie mir den aktuellen Status sagen?', 'where_is_it'],
    ['Ich habe meine Bestellung noch nicht erhalten.', 'not_received'],
    ['Paket ist nie angekommen!!', 'not_received'],
    ['Ich glaube das Paket ist verloren gegangen', 'not_received'],
    ['Laut Tracking zugestellt, aber ich habe nichts bekommen.', 'delivered_not_received'],
    ['Das Paket wurde angeblich zugestellt, ist aber nicht da', 'delivered_not_received'],
    ['Ich möchte eine Rückerstattung', 'wants_refund'],
    ['Bitte Bestellung stornieren und Geld zurück', 'wants_refund'],
    ['Kann ich die Lieferadresse noch ändern?', 'other'],
  ],
  fr: [
    ['Bonjour, où est ma commande ?', 'where_is_it'],
    ['Quand vais-je recevoir mon colis ? Quand arrive-t-il ?', 'where_is_it'],
    ['Le suivi ne bouge plus depuis 8 jours', 'where_is_it'],
    ['Mon colis est bloqué à la douane ?', 'where_is_it'],
    ["Je n'ai toujours pas reçu ma commande", 'not_received'],
    ["Le colis n'est jamais arrivé", 'not_received'],
    ['Je pense que mon colis est perdu', 'not_received'],
    ['Le suivi indique livré mais je n’ai rien reçu', 'delivered_not_received'],
    ["Colis marqué comme livre alors que je n'ai jamais rien vu", 'delivered_not_received'],
    ['Je veux être remboursé', 'wants_refund'],
    ['Merci d’annuler ma commande et de me rembourser', 'wants_refund'],
    ['Est-ce que vous livrez en Belgique ?', 'other'],
  ],
  'pt-BR': [
    ['Olá, onde está meu pedido?', 'where_is_it'],
    ['Quando chega minha encomenda? O rastreio não muda', 'where_is_it'],
    ['Meu pacote está parado há 15 dias', 'where_is_it'],
    ['Podem me passar o status da entrega?', 'where_is_it'],
    ['Ainda não recebi meu pedido', 'not_received'],
    ['Minha encomenda nunca chegou', 'not_received'],
    ['Acho que o pacote foi extraviado', 'not_received'],
    ['Consta como entregue mas não recebi nada', 'delivered_not_received'],
    ['Aparece entregue e nao chegou nada aqui em casa', 'delivered_not_received'],
    ['Quero o reembolso do meu pedido', 'wants_refund'],
    ['Quero meu dinheiro de volta', 'wants_refund'],
    ['Vocês têm esse produto na cor azul?', 'other'],
  ],
  'zh-CN': [
    ['你好，我的包裹到哪了？', 'where_is_it'],
    ['请问什么时候能到？', 'where_is_it'],
    ['物流信息一直没有更新', 'where_is_it'],
    ['快递卡住好几天不动了', 'where_is_it'],
    ['我还没收到我的订单', 'not_received'],
    ['一个月了一直没收到货', 'not_received'],
    ['包裹是不是寄丢了', 'not_received'],
    ['显示已签收，但是我没有收到', 'delivered_not_received'],
    ['我没收到东西，物流却显示已送达', 'delivered_not_received'],
    ['我要退款', 'wants_refund'],
    ['请帮我取消订单', 'wants_refund'],
    ['这个杯子有蓝色的吗？', 'other'],
  ],
  ja: [
    ['注文した商品は今どこにありますか？', 'where_is_it'],
    ['いつ頃届きますか？', 'where_is_it'],
    ['追跡番号で確認しても状況が分かりません', 'where_is_it'],
    ['荷物が一週間動いていないようです', 'where_is_it'],
    ['まだ商品が届いていません', 'not_received'],
    ['注文から一ヶ月経っても届かないです', 'not_received'],
    ['荷物が紛失したのではないでしょうか', 'not_received'],
    ['配達済みになっていますが、届いていません', 'delivered_not_received'],
    ['受け取っていないのに配達完了と表示されています', 'delivered_not_received'],
    ['返金をお願いします', 'wants_refund'],
    ['注文をキャンセルしたいです', 'wants_refund'],
    ['ギフト包装はできますか？', 'other'],
  ],
};

describe('inquiry intent', () => {
  for (const [language, cases] of Object.entries(CASES)) {
    describe(`messages written in ${language}`, () => {
      it.each(cases)('"%s" is %s', (message, intent) => {
        expect(classifyInquiry(message).intent).toBe(intent);
      });
      it('are recognised as written in that language', () => {
        const wrong = cases
          .map(([m]) => [m, detectLanguage(m)])
          .filter(([, detected]) => detected !== language);
        expect(wrong).toEqual([]);
      });
    });
  }

  it('a parcel marked delivered that never came is delivered_not_received, not just not_received', () => {
    expect(classifyInquiry('Tracking shows delivered but I have not received it').intent).toBe(
      'delivered_not_received',
    );
    expect(classifyInquiry('Noch nicht zugestellt, wo ist es?').intent).toBe('not_received');
  });

  it('a message mixing languages still finds its intent', () => {
    expect(classifyInquiry('Hello, 我还没收到 my order').intent).toBe('not_received');
  });

  it('names the rule that decided', () => {
    expect(classifyInquiry('I want a refund').rule).toBe('en.wants_refund.0');
    expect(classifyInquiry('asdf qwerty')).toEqual({ intent: 'other' });
  });
});
