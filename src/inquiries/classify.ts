/**
 * Intent of a customer message, by rules a person can read and a test can pin down: one list of
 * patterns per intent and language. The most specific intent wins (a parcel "marked delivered but
 * never received" is delivered_not_received, not merely not_received).
 */
import type { InquiryIntent } from '../../workflows/shipment.contract';
import type { BuiltinLocale } from '../messages/templates';

/** Lower case, Latin accents dropped (customers type "nao" as often as "não"), CJK untouched. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .replace(/[’`´]/g, "'");
}

type Rules = Partial<Record<Exclude<InquiryIntent, 'other'>, RegExp[]>>;

// Within one sentence: [^.!?。！？]
const S = '[^.!?。！？]';
const r = (src: string) => new RegExp(src.replaceAll('~', S), 'u');

const RULES: Record<BuiltinLocale, Rules> = {
  en: {
    delivered_not_received: [
      r('\\b(says|shows|showing|marked|listed|status|confirmed|claims)\\b~{0,40}\\bdelivered\\b'),
      r(
        "\\bdelivered\\b~{0,80}\\b(never|not|didn't|did not|haven't|have not|no)\\b~{0,30}\\b(receiv\\w*|get|got|arriv\\w*|find|found|here|see)\\b",
      ),
    ],
    wants_refund: [
      r('\\brefund\\w*'),
      r('\\bmoney back\\b'),
      r('\\bcharge ?back\\b'),
      r('\\breimburs\\w*'),
      r('\\bcancel\\b~{0,20}\\border\\b'),
    ],
    not_received: [
      r(
        "\\b(still|never|not yet|haven't|have not|didn't|did not|hasn't|has not)\\b~{0,30}\\b(receiv\\w*|arriv\\w*|got|get|come|came|show(n)? up|turned up)\\b",
      ),
      r('\\b(lost|missing)\\b'),
    ],
    where_is_it: [
      r('\\bwhere\\b~{0,30}\\b(order|parcel|package|item|shipment|stuff|it)\\b'),
      r('\\b(status|update|tracking)\\b'),
      r('\\bwhen\\b~{0,40}\\b(arriv\\w*|deliver\\w*|get|receive|expect)\\b'),
      r("\\b(stuck|not moving|hasn't moved|has not moved)\\b"),
    ],
  },
  es: {
    delivered_not_received: [
      r('\\b(dice|pone|aparece|figura|marca|indica|sale|consta)\\b~{0,40}\\bentregad[oa]\\b'),
      r(
        '\\bentregad[oa]\\b~{0,80}\\b(no|nunca|nada)\\b~{0,30}\\b(recibi\\w*|llego|llegado|tengo|encuentro|he recibido)\\b',
      ),
    ],
    wants_refund: [
      r('\\breembols\\w*'),
      r('\\bdevol\\w*~{0,20}\\bdinero\\b'),
      r('\\bdevuelv\\w*~{0,20}\\bdinero\\b'),
      r('\\bmi dinero\\b'),
      r('\\bcancelar\\b~{0,20}\\bpedido\\b'),
    ],
    not_received: [
      r(
        '\\b(no|nunca|todavia no|aun no)\\b~{0,30}\\b(he recibido|recibi\\w*|ha llegado|llega\\w*|llego)\\b',
      ),
      r('\\b(perdid[oa]|extraviad[oa])\\b'),
    ],
    where_is_it: [
      r('\\bdonde\\b~{0,30}\\b(esta|pedido|paquete|envio)\\b'),
      r('\\b(estado|seguimiento)\\b'),
      r('\\bcuando\\b~{0,30}\\b(llega\\w*|recib\\w*|entrega\\w*)\\b'),
      r('\\b(atascad[oa]|sin movimiento|no se mueve|parad[oa])\\b'),
    ],
  },
  de: {
    delivered_not_received: [
      r(
        '\\b(angeblich|laut|steht|zeigt|status|markiert|als)\\b~{0,40}(?<!nicht )\\b(zugestellt|geliefert)\\b',
      ),
      r(
        '(?<!nicht )\\b(zugestellt|geliefert)\\b~{0,80}\\b(nicht|nie|kein\\w*|nichts)\\b~{0,40}\\b(erhalten|bekommen|angekommen|da|gefunden)\\b',
      ),
    ],
    wants_refund: [
      r('\\b(erstattung|ruckerstattung|ruckzahlung|erstatten|stornieren|storno)\\b'),
      r('\\bgeld\\b~{0,20}\\bzuruck\\b'),
    ],
    not_received: [
      r(
        '\\b(nicht|nie|noch nicht|kein\\w*|nichts)\\b~{0,40}\\b(erhalten|bekommen|angekommen|zugestellt|geliefert|eingetroffen)\\b',
      ),
      r('\\b(verloren|verschwunden|fehlt)\\b'),
    ],
    where_is_it: [
      r('\\bwo\\b~{0,30}\\b(ist|bleibt|bestellung|paket|sendung)\\b'),
      r('\\b(status|sendungsverfolgung|tracking|sendungsstatus)\\b'),
      r('\\bwann\\b~{0,40}\\b(kommt|ankommt|geliefert|zugestellt|erhalte|bekomme)\\b'),
      r('\\b(bewegt sich nicht|keine (aktualisierung|bewegung|updates?)|hangt)\\b'),
    ],
  },
  fr: {
    delivered_not_received: [
      r(
        '\\b(indique|affiche|marque|mentionne|statut|dit|comme|noté|note)\\b~{0,40}\\blivree?s?\\b',
      ),
      r('\\blivree?s?\\b~{0,80}\\b(jamais|pas|rien)\\b~{0,30}\\b(recu|trouve|vu)\\b'),
    ],
    wants_refund: [
      r('\\brembours\\w*'),
      r('\\bmon argent\\b'),
      r('\\bannuler\\b~{0,20}\\bcommande\\b'),
    ],
    not_received: [
      r('\\b(pas|jamais|toujours pas|rien)\\b~{0,30}\\b(recu|arrive\\w*|livre\\w*)\\b'),
      r('\\b(perdu|egare)\\b'),
    ],
    where_is_it: [
      r('\\bou (est|en est|se trouve)\\b'),
      r('\\b(suivi|statut)\\b'),
      r('\\bquand\\b~{0,40}\\b(arriv\\w*|livr\\w*|recevoir|recevrai)\\b'),
      r('\\b(bloque|ne bouge (plus|pas)|des nouvelles)\\b'),
    ],
  },
  'pt-BR': {
    delivered_not_received: [
      r('\\b(consta|aparece|diz|mostra|marcado|status|indica|como)\\b~{0,40}\\bentregue\\b'),
      r('\\bentregue\\b~{0,80}\\b(nao|nunca|nada)\\b~{0,30}\\b(recebi|chegou|encontrei|veio)\\b'),
    ],
    wants_refund: [
      r('\\breembols\\w*'),
      r('\\bestorno\\b'),
      r('\\bdinheiro de volta\\b'),
      r('\\bdevol\\w*~{0,20}\\bdinheiro\\b'),
      r('\\bcancelar\\b~{0,20}\\bpedido\\b'),
    ],
    not_received: [
      r('\\b(nao|nunca|ainda nao)\\b~{0,30}\\b(recebi|chegou|chegar\\w*|veio|recebido)\\b'),
      r('\\b(extravi\\w*|perdid[oa]|sumiu)\\b'),
    ],
    where_is_it: [
      r('\\bonde\\b~{0,30}\\b(esta|pedido|encomenda|pacote)\\b'),
      r('\\b(rastre\\w*|status)\\b'),
      r('\\bquando\\b~{0,40}\\b(chega\\w*|receb\\w*|entreg\\w*)\\b'),
      r('\\b(parad[oa]|atualiza\\w*)\\b'),
    ],
  },
  'zh-CN': {
    delivered_not_received: [
      r('(已签收|已送达|已妥投|显示签收|显示送达)~{0,30}(没|未|没有)(收到|拿到|看到)'),
      r('(没|未|没有)(收到|拿到)~{0,30}(显示|却|但|可是)~{0,10}(已签收|已送达|签收|妥投|送达)'),
    ],
    wants_refund: [r('退款|退钱|取消订单|赔偿')],
    not_received: [r('(还没|没有|未|没|一直没)(收到|到货|送到|拿到)'), r('丢失|丢件|丢了|寄丢')],
    where_is_it: [
      r('在哪|到哪|哪里|什么时候|何时|多久'),
      r('物流|单号|追踪|查询|快递'),
      r('不动|没有更新|没更新|卡住'),
    ],
  },
  ja: {
    delivered_not_received: [
      r(
        '(配達済|配達完了|お届け済|配達された)~{0,40}(届いて(い)?ない|受け取って(い)?ない|届いていません|受け取っていません|見当たらない|見当たりません)',
      ),
      r(
        '(届いて(い)?ない|受け取って(い)?ない|届いていません|受け取っていません)~{0,40}(配達済|配達完了|お届け済)',
      ),
    ],
    wants_refund: [r('返金|払い戻し|キャンセル')],
    not_received: [
      r(
        '届いて(い)?ない|届いていません|届きません|まだ届|受け取っていません|受け取れていません|届かない',
      ),
      r('紛失|行方不明'),
    ],
    where_is_it: [
      r('どこ|いつ(頃|ごろ)?~{0,6}(届|到着|配達)'),
      r('追跡|配送状況|状況|ステータス'),
      r('動いていない|更新されていない|進んでいない|止まって'),
    ],
  },
};

/** The order in which intents are tried: the most specific first. */
const PRIORITY: Exclude<InquiryIntent, 'other'>[] = [
  'delivered_not_received',
  'wants_refund',
  'not_received',
  'where_is_it',
];

/** Short, frequent words that tell the Latin-script languages apart. */
const STOPWORDS: Record<'en' | 'es' | 'de' | 'fr' | 'pt-BR', string> = {
  en: 'the is my and it i you have not order where when package parcel hi hello still was but please any',
  es: 'el la los las mi es de que pedido paquete donde cuando hola gracias todavia aun pero me y lo he llegado recibido una por favor nada otro tienen',
  de: 'der die das den dem ist mein meine nicht und ich bestellung paket wo wann noch hallo habe aber es wurde bitte sie mir kann konnen seit ein eine',
  fr: "le la les mon ma est pas je et commande colis quand bonjour merci toujours mais il n'est j'ai vous rien",
  'pt-BR':
    'o meu minha nao eu pedido encomenda onde quando ola obrigado obrigada esta ainda chegou mas voce voces ja ha foi quero acho podem do da um uma com em tem pacote recebi entregue rastreio',
};

/** The language a message is written in, among ours; undefined when nothing tells. */
export function detectLanguage(text: string): BuiltinLocale | undefined {
  if (/[\u3040-\u30ff]/u.test(text)) return 'ja';
  if (/\p{Script=Han}/u.test(text)) return 'zh-CN';
  // Only Spanish opens questions and exclamations upside down.
  if (/[¿¡]/u.test(text)) return 'es';
  const words = normalize(text)
    .split(/[^\p{L}']+/u)
    .filter(Boolean);
  let best: BuiltinLocale | undefined;
  let bestScore = 0;
  for (const [lang, list] of Object.entries(STOPWORDS) as [keyof typeof STOPWORDS, string][]) {
    const set = new Set(list.split(' '));
    const score = words.filter((w) => set.has(w)).length;
    if (score > bestScore) {
      best = lang;
      bestScore = score;
    }
  }
  return best;
}

export interface Classification {
  intent: InquiryIntent;
  /** The language the message seems to be written in. */
  language?: BuiltinLocale;
  /** Which rule decided, for people checking a surprising answer. */
  rule?: string;
}

/**
 * Classifies a message. The rules of the detected language are tried first, then every other
 * language's (customers mix languages, and short messages fool any detector).
 */
export function classifyInquiry(message: string): Classification {
  const text = normalize(message);
  const language = detectLanguage(message);
  const order = [
    ...(language ? [language] : []),
    ...(Object.keys(RULES) as BuiltinLocale[]).filter((l) => l !== language),
  ];
  for (const intent of PRIORITY) {
    for (const lang of order) {
      const rules = RULES[lang][intent] ?? [];
      const i = rules.findIndex((rule) => rule.test(text));
      if (i >= 0)
        return { intent, ...(language ? { language } : {}), rule: `${lang}.${intent}.${i}` };
    }
  }
  return { intent: 'other', ...(language ? { language } : {}) };
}
