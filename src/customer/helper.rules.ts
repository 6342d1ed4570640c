/**
 * The helper on the customer page: rules a person can read and a test can pin down, no model.
 * A message gets an intent (the inquiry classifier's, plus the few questions only the page is
 * asked: when, why no update, what are my options, a person please), and the intent an answer
 * from the table below, in the customer's language, filled from the shipment's live state.
 * What the rules cannot help with goes to a person, with an acknowledgement.
 */
import { classifyInquiry, detectLanguage, normalize } from '../inquiries/classify';
import type { BuiltinLocale, CustomerStatus } from '../messages/templates';
import type { InquiryIntent } from '../../workflows/shipment.contract';

export const HELPER_INTENTS = [
  'person',
  'delivered_not_received',
  'wants_refund',
  'options',
  'when_arrive',
  'why_no_update',
  'where_is_it',
  'not_received',
  'other',
] as const;
export type HelperIntent = (typeof HELPER_INTENTS)[number];

type PageOnly = 'person' | 'options' | 'when_arrive' | 'why_no_update';

/** Questions the page is asked that the inquiry classifier does not tell apart, per language. */
const RULES: Record<BuiltinLocale, Record<PageOnly, RegExp[]>> = {
  en: {
    person: [
      /\b(human|person|agent|representative|colleague|real people|staff)\b/u,
      /\b(talk|speak|chat)\b.{0,20}\b(to|with)\b/u,
    ],
    options: [
      /\b(options?|what can i do|what should i do|alternatives?|choices?)\b/u,
      /\bwhat now\b/u,
    ],
    when_arrive: [/\bwhen\b/u, /\bhow long\b/u, /\b(eta|arrival date|delivery date)\b/u],
    why_no_update: [
      /\bwhy\b.{0,40}\b(no|not|nothing|without)\b/u,
      /\b(no|any) (update|news|movement|scan)s?\b/u,
      /\b(stuck|not moving|hasn'?t moved|has not moved)\b/u,
    ],
  },
  es: {
    person: [/\b(persona|humano|agente|companer[oa]|representante)\b/u, /\bhablar con\b/u],
    options: [/\b(opciones|alternativas|que puedo hacer|que hago|que debo hacer)\b/u],
    when_arrive: [/\bcuando\b/u, /\bcuanto tarda\b/u, /\bfecha de entrega\b/u],
    why_no_update: [
      /\bpor que\b.{0,40}\b(no|sin|nada)\b/u,
      /\b(novedad(es)?|actualizacion(es)?|movimiento)\b/u,
      /\b(atascad[oa]|parad[oa]|no se mueve)\b/u,
    ],
  },
  de: {
    person: [
      /\b(mensch\w*|person|mitarbeiter\w*|kolleg\w*|berater\w*)\b/u,
      /\b(sprechen|reden)\b/u,
    ],
    options: [/\b(optionen|moglichkeiten|was kann ich tun|was soll ich tun|alternativen)\b/u],
    when_arrive: [/\bwann\b/u, /\bwie lange\b/u, /\bliefertermin\b/u],
    why_no_update: [
      /\bwarum\b.{0,40}\b(kein\w*|nicht|nichts)\b/u,
      /\b(keine (aktualisierung|bewegung|neuigkeiten|updates?))\b/u,
      /\b(bewegt sich nicht|hangt|steckt fest)\b/u,
    ],
  },
  fr: {
    person: [
      /\b(humain|un agent|conseiller\w*|une personne|un collegue)\b/u,
      /\b(parler|discuter) (a|avec)\b/u,
    ],
    options: [/\b(options?|que puis-je faire|que faire|quelles solutions|alternatives?)\b/u],
    when_arrive: [/\bquand\b/u, /\bcombien de temps\b/u, /\bdate de livraison\b/u],
    why_no_update: [
      /\bpourquoi\b.{0,40}\b(pas|aucun\w*|rien)\b/u,
      /\b(pas de nouvelles|aucune mise a jour|ne bouge (plus|pas)|bloque)\b/u,
    ],
  },
  'pt-BR': {
    person: [/\b(pessoa|humano|atendente|colega|agente)\b/u, /\b(falar|conversar) com\b/u],
    options: [/\b(opcoes|alternativas|o que posso fazer|o que eu faco|o que fazer)\b/u],
    when_arrive: [/\bquando\b/u, /\bquanto tempo\b/u, /\bdata de entrega\b/u],
    why_no_update: [
      /\bpor que\b.{0,40}\b(nao|sem|nada)\b/u,
      /\b(sem atualiza\w*|nenhuma atualiza\w*|parad[oa]|nao se mexe)\b/u,
    ],
  },
  'zh-CN': {
    person: [/人工|客服|真人|转人工|工作人员|找人/u],
    options: [/怎么办|有什么办法|选择|选项|我能做什么/u],
    when_arrive: [/什么时候|何时|多久|哪天|几天/u],
    why_no_update: [/为什么.{0,10}(没|不)|没有更新|没更新|不动|卡住/u],
  },
  ja: {
    person: [/担当者|人間|オペレーター|スタッフ|人と話/u],
    options: [/どうすれば|どうしたら|選択肢|方法はありますか|何ができ/u],
    when_arrive: [/いつ|何日|どのくらい|到着予定/u],
    why_no_update: [/なぜ.{0,10}(ない|ません)|更新されて(い)?ない|動いていない|止まって/u],
  },
};

const PAGE_ONLY_ORDER: PageOnly[] = ['person', 'options', 'when_arrive', 'why_no_update'];

/**
 * The intent of a helper message. A person asked for wins; then the classifier's most specific
 * findings (delivered but not received, a refund); then the page's own questions; then the
 * classifier's broader ones.
 */
export function helperIntent(message: string): { intent: HelperIntent; language?: BuiltinLocale } {
  const text = normalize(message);
  const language = detectLanguage(message);
  const order = [
    ...(language ? [language] : []),
    ...(Object.keys(RULES) as BuiltinLocale[]).filter((l) => l !== language),
  ];
  const lang = language ? { language } : {};
  const pageOnly = (which: PageOnly) =>
    order.some((l) => RULES[l][which].some((r) => r.test(text)));
  if (pageOnly('person')) return { intent: 'person', ...lang };
  const c = classifyInquiry(message);
  if (c.intent === 'delivered_not_received' || c.intent === 'wants_refund')
    return { intent: c.intent, ...lang };
  for (const which of PAGE_ONLY_ORDER.slice(1))
    if (pageOnly(which)) return { intent: which, ...lang };
  // The classifier's form-only intents (damaged, address_change) are not guessed from text.
  const broad = c.intent === 'where_is_it' || c.intent === 'not_received' ? c.intent : 'other';
  return { intent: broad, ...lang };
}

/** What the helper knows of the shipment, already worded for the customer's language. */
export interface HelperFacts {
  status: CustomerStatus;
  /** The status in a few words ("On its way"). */
  statusWords: string;
  carrier: string;
  tracking: string;
  /** The expected delivery as a date or a range of dates. */
  expected?: string;
  /** What the date is based on, or why there is no reliable date (src/estimates). */
  expectedBasis?: string;
  /** The carrier's last scan: when, and what it said in plain words. */
  lastScanDate?: string;
  lastScanWords?: string;
  /** Whole days since the last scan. */
  daysSinceScan?: number;
  deliveredDate?: string;
  replacementTracking?: string;
  supportHours: number;
}

/** The conversation so far, kept by the page (a hidden field or the script), not by the server. */
export interface HelperState {
  /** Messages the rules did not understand in a row. */
  misses: number;
}

export interface HelperReply {
  intent: HelperIntent;
  language: BuiltinLocale;
  answer: string;
  /** The conversation goes to a person (an inquiry is created by the caller). */
  handover: boolean;
  /** The intent the inquiry carries when handed over. */
  inquiryIntent?: InquiryIntent;
  state: HelperState;
}

interface Answers {
  where: string;
  whereNoScan: string;
  whereDelivered: string;
  whereReplacement: string;
  whenExpected: string;
  whenUnknown: string;
  whenDelivered: string;
  quietNormal: string;
  quietLong: string;
  quietInvestigating: string;
  noScanYet: string;
  options: string;
  dnr: string;
  handover: string;
  notUnderstood: string;
}

/** The answers, per language: one row per situation, `{name}` filled from HelperFacts. */
export const ANSWERS: Record<BuiltinLocale, Answers> = {
  en: {
    where:
      'Your parcel ({carrier} {tracking}): {statusWords}. The carrier’s latest scan, on {lastScanDate}: {lastScanWords}.',
    whereNoScan:
      'Your parcel ({carrier} {tracking}): {statusWords}. The carrier has not scanned it yet.',
    whereDelivered:
      'The carrier reports your parcel ({carrier} {tracking}) delivered on {deliveredDate}.',
    whereReplacement:
      'We sent you a replacement: tracking number {replacementTracking}. You can follow it on this page.',
    whenExpected: 'We expect it {expected}.',
    whenUnknown: 'We do not have a delivery date yet; we will write to you as soon as we do.',
    whenDelivered: 'The carrier reports it delivered on {deliveredDate}.',
    quietNormal:
      'The carrier’s latest scan is from {lastScanDate}. Parcels often go a few days without a scan, for example between countries; this is normal.',
    quietLong:
      'The carrier’s latest scan is from {lastScanDate}, {daysSinceScan} days ago. That is longer than usual, so we are watching it closely and will ask the carrier if it stays quiet.',
    quietInvestigating:
      'The carrier’s latest scan is from {lastScanDate}. That is too long, so we are already checking with the carrier; we will write to you within a few days.',
    noScanYet:
      'The carrier has not scanned your parcel yet. That happens in the first days; we are watching it.',
    options:
      'You can wait for the carrier (we watch the parcel for you), or tell us about a problem with the forms on this page: not received, delivered but not there, damaged, a refund or a new address. You can also ask for a person here.',
    dnr: 'The carrier says it delivered your parcel on {deliveredDate}. Please check with neighbours, your household and the nearest pickup point. If it is still not there, choose “It says delivered, but I do not have it” below.',
    handover:
      'I have passed our conversation to a colleague, who will answer you by e-mail within {supportHours} hours.',
    notUnderstood:
      'Sorry, I did not understand. You can ask: where is it, why is there no update, when will it arrive, what are my options — or ask for a person.',
  },
  es: {
    where:
      'Tu paquete ({carrier} {tracking}): {statusWords}. Último escaneo del transportista, el {lastScanDate}: {lastScanWords}.',
    whereNoScan:
      'Tu paquete ({carrier} {tracking}): {statusWords}. El transportista aún no lo ha escaneado.',
    whereDelivered:
      'El transportista indica que tu paquete ({carrier} {tracking}) se entregó el {deliveredDate}.',
    whereReplacement:
      'Te enviamos un reemplazo: número de seguimiento {replacementTracking}. Puedes seguirlo en esta página.',
    whenExpected: 'Lo esperamos {expected}.',
    whenUnknown: 'Todavía no tenemos fecha de entrega; te escribiremos en cuanto la tengamos.',
    whenDelivered: 'El transportista indica que se entregó el {deliveredDate}.',
    quietNormal:
      'El último escaneo del transportista es del {lastScanDate}. Es normal que un paquete pase unos días sin escaneos, por ejemplo entre países.',
    quietLong:
      'El último escaneo del transportista es del {lastScanDate}, hace {daysSinceScan} días. Es más de lo habitual, así que lo vigilamos de cerca y preguntaremos al transportista si sigue sin moverse.',
    quietInvestigating:
      'El último escaneo del transportista es del {lastScanDate}. Es demasiado tiempo, así que ya lo estamos consultando con el transportista; te escribiremos en pocos días.',
    noScanYet:
      'El transportista aún no ha escaneado tu paquete. Pasa en los primeros días; lo estamos vigilando.',
    options:
      'Puedes esperar al transportista (vigilamos el paquete por ti) o contarnos un problema con los formularios de esta página: no recibido, entregado pero no está, dañado, un reembolso o una nueva dirección. También puedes pedir hablar con una persona aquí.',
    dnr: 'El transportista dice que entregó tu paquete el {deliveredDate}. Pregunta a tus vecinos, a tu familia y en el punto de recogida más cercano. Si sigue sin aparecer, elige «Pone entregado, pero no lo tengo» abajo.',
    handover:
      'He pasado nuestra conversación a un compañero, que te responderá por correo en menos de {supportHours} horas.',
    notUnderstood:
      'Perdona, no lo he entendido. Puedes preguntar: dónde está, por qué no hay novedades, cuándo llegará, qué opciones tengo, o pedir hablar con una persona.',
  },
  de: {
    where:
      'Ihr Paket ({carrier} {tracking}): {statusWords}. Letzte Erfassung des Zustellers am {lastScanDate}: {lastScanWords}.',
    whereNoScan:
      'Ihr Paket ({carrier} {tracking}): {statusWords}. Der Zusteller hat es noch nicht erfasst.',
    whereDelivered:
      'Laut Zusteller wurde Ihr Paket ({carrier} {tracking}) am {deliveredDate} zugestellt.',
    whereReplacement:
      'Wir haben Ihnen einen Ersatz geschickt: Sendungsnummer {replacementTracking}. Sie können ihn auf dieser Seite verfolgen.',
    whenExpected: 'Wir erwarten es {expected}.',
    whenUnknown: 'Wir haben noch kein Lieferdatum; wir schreiben Ihnen, sobald wir eins haben.',
    whenDelivered: 'Laut Zusteller wurde es am {deliveredDate} zugestellt.',
    quietNormal:
      'Die letzte Erfassung des Zustellers ist vom {lastScanDate}. Pakete sind oft ein paar Tage ohne Erfassung unterwegs, etwa zwischen Ländern; das ist normal.',
    quietLong:
      'Die letzte Erfassung des Zustellers ist vom {lastScanDate}, vor {daysSinceScan} Tagen. Das ist länger als üblich; wir behalten es genau im Blick und fragen beim Zusteller nach, wenn es so bleibt.',
    quietInvestigating:
      'Die letzte Erfassung des Zustellers ist vom {lastScanDate}. Das ist zu lange, deshalb klären wir es bereits mit dem Zusteller; wir schreiben Ihnen in wenigen Tagen.',
    noScanYet:
      'Der Zusteller hat Ihr Paket noch nicht erfasst. Das kommt in den ersten Tagen vor; wir behalten es im Blick.',
    options:
      'Sie können auf den Zusteller warten (wir behalten das Paket für Sie im Blick) oder uns mit den Formularen auf dieser Seite ein Problem melden: nicht angekommen, zugestellt aber nicht da, beschädigt, Erstattung oder neue Adresse. Sie können hier auch nach einem Menschen fragen.',
    dnr: 'Laut Zusteller wurde Ihr Paket am {deliveredDate} zugestellt. Bitte fragen Sie Nachbarn und Mitbewohner und sehen Sie in der nächsten Abholstelle nach. Ist es immer noch nicht da, wählen Sie unten „Es steht ‚zugestellt‘, aber ich habe es nicht“.',
    handover:
      'Ich habe unser Gespräch an eine Kollegin oder einen Kollegen weitergegeben; Sie bekommen innerhalb von {supportHours} Stunden eine Antwort per E-Mail.',
    notUnderstood:
      'Entschuldigung, das habe ich nicht verstanden. Sie können fragen: Wo ist es, warum gibt es keine Neuigkeiten, wann kommt es, welche Möglichkeiten habe ich – oder nach einem Menschen fragen.',
  },
  fr: {
    where:
      'Votre colis ({carrier} {tracking}) : {statusWords}. Dernier scan du transporteur, le {lastScanDate} : {lastScanWords}.',
    whereNoScan:
      'Votre colis ({carrier} {tracking}) : {statusWords}. Le transporteur ne l’a pas encore scanné.',
    whereDelivered:
      'Le transporteur indique avoir livré votre colis ({carrier} {tracking}) le {deliveredDate}.',
    whereReplacement:
      'Nous vous avons envoyé un remplacement : numéro de suivi {replacementTracking}. Vous pouvez le suivre sur cette page.',
    whenExpected: 'Nous l’attendons {expected}.',
    whenUnknown:
      'Nous n’avons pas encore de date de livraison ; nous vous écrirons dès que nous l’aurons.',
    whenDelivered: 'Le transporteur indique l’avoir livré le {deliveredDate}.',
    quietNormal:
      'Le dernier scan du transporteur date du {lastScanDate}. Un colis passe souvent quelques jours sans scan, par exemple entre deux pays ; c’est normal.',
    quietLong:
      'Le dernier scan du transporteur date du {lastScanDate}, il y a {daysSinceScan} jours. C’est plus long que d’habitude : nous le surveillons de près et interrogerons le transporteur si rien ne bouge.',
    quietInvestigating:
      'Le dernier scan du transporteur date du {lastScanDate}. C’est trop long, nous vérifions donc déjà avec le transporteur ; nous vous écrirons d’ici quelques jours.',
    noScanYet:
      'Le transporteur n’a pas encore scanné votre colis. Cela arrive les premiers jours ; nous le surveillons.',
    options:
      'Vous pouvez attendre le transporteur (nous surveillons le colis pour vous) ou nous signaler un problème avec les formulaires de cette page : non reçu, livré mais absent, endommagé, remboursement ou nouvelle adresse. Vous pouvez aussi demander à parler à quelqu’un ici.',
    dnr: 'Le transporteur indique avoir livré votre colis le {deliveredDate}. Demandez à vos voisins, à votre foyer et au point relais le plus proche. S’il reste introuvable, choisissez « Il est indiqué livré, mais je ne l’ai pas » ci-dessous.',
    handover:
      'J’ai transmis notre conversation à un collègue, qui vous répondra par e-mail sous {supportHours} heures.',
    notUnderstood:
      'Désolé, je n’ai pas compris. Vous pouvez demander : où est-il, pourquoi pas de nouvelles, quand arrivera-t-il, quelles sont mes options — ou demander à parler à quelqu’un.',
  },
  'pt-BR': {
    where:
      'Seu pacote ({carrier} {tracking}): {statusWords}. Último registro da transportadora, em {lastScanDate}: {lastScanWords}.',
    whereNoScan:
      'Seu pacote ({carrier} {tracking}): {statusWords}. A transportadora ainda não o registrou.',
    whereDelivered:
      'A transportadora informa que seu pacote ({carrier} {tracking}) foi entregue em {deliveredDate}.',
    whereReplacement:
      'Enviamos um substituto: código de rastreio {replacementTracking}. Você pode acompanhá-lo nesta página.',
    whenExpected: 'Esperamos que chegue {expected}.',
    whenUnknown: 'Ainda não temos uma data de entrega; escreveremos assim que tivermos.',
    whenDelivered: 'A transportadora informa que foi entregue em {deliveredDate}.',
    quietNormal:
      'O último registro da transportadora é de {lastScanDate}. É comum um pacote passar alguns dias sem registro, por exemplo entre países.',
    quietLong:
      'O último registro da transportadora é de {lastScanDate}, há {daysSinceScan} dias. É mais do que o normal; estamos acompanhando de perto e perguntaremos à transportadora se continuar parado.',
    quietInvestigating:
      'O último registro da transportadora é de {lastScanDate}. É tempo demais, então já estamos verificando com a transportadora; escreveremos em poucos dias.',
    noScanYet:
      'A transportadora ainda não registrou seu pacote. Isso acontece nos primeiros dias; estamos acompanhando.',
    options:
      'Você pode esperar a transportadora (acompanhamos o pacote para você) ou nos contar um problema pelos formulários desta página: não recebido, entregue mas não está aí, danificado, reembolso ou novo endereço. Também pode pedir para falar com uma pessoa aqui.',
    dnr: 'A transportadora diz que entregou seu pacote em {deliveredDate}. Pergunte aos vizinhos, às pessoas da sua casa e no ponto de retirada mais próximo. Se continuar sem aparecer, escolha “Consta como entregue, mas não recebi” abaixo.',
    handover:
      'Passei nossa conversa para um colega, que responderá por e-mail em até {supportHours} horas.',
    notUnderstood:
      'Desculpe, não entendi. Você pode perguntar: onde está, por que não há atualização, quando chega, quais são minhas opções — ou pedir para falar com uma pessoa.',
  },
  'zh-CN': {
    where:
      '您的包裹（{carrier} {tracking}）：{statusWords}。承运商最近一次扫描在 {lastScanDate}：{lastScanWords}。',
    whereNoScan: '您的包裹（{carrier} {tracking}）：{statusWords}。承运商还没有扫描。',
    whereDelivered: '承运商显示您的包裹（{carrier} {tracking}）已于 {deliveredDate} 送达。',
    whereReplacement: '我们已为您补发：运单号 {replacementTracking}，可在本页跟踪。',
    whenExpected: '预计送达：{expected}。',
    whenUnknown: '目前还没有预计送达日期，一有消息我们就会写信告诉您。',
    whenDelivered: '承运商显示已于 {deliveredDate} 送达。',
    quietNormal: '承运商最近一次扫描在 {lastScanDate}。包裹在国家之间运输时几天没有扫描是正常的。',
    quietLong:
      '承运商最近一次扫描在 {lastScanDate}，已经 {daysSinceScan} 天了。这比平时长，我们正在密切关注，如仍无动静会联系承运商。',
    quietInvestigating:
      '承运商最近一次扫描在 {lastScanDate}，时间太久了，我们已在与承运商核查，几天内会给您回复。',
    noScanYet: '承运商还没有扫描您的包裹。最初几天常有这种情况，我们正在关注。',
    options:
      '您可以等待承运商派送（我们会替您跟踪），也可以用本页的表单告诉我们问题：未收到、显示签收但没收到、损坏、退款或新地址。您也可以在这里要求人工客服。',
    dnr: '承运商显示包裹已于 {deliveredDate} 送达。请问问邻居和家人，并到附近的取件点看看。如果仍然没有，请在下方选择“显示已签收，但我没有收到”。',
    handover: '我已把我们的对话转给同事，他们会在 {supportHours} 小时内通过邮件回复您。',
    notUnderstood:
      '抱歉，我没有理解。您可以问：包裹在哪里、为什么没有更新、什么时候到、我有哪些选择，或者要求人工客服。',
  },
  ja: {
    where:
      'お荷物（{carrier} {tracking}）：{statusWords}。配送業者の最新スキャン（{lastScanDate}）：{lastScanWords}。',
    whereNoScan:
      'お荷物（{carrier} {tracking}）：{statusWords}。配送業者はまだスキャンしていません。',
    whereDelivered:
      '配送業者によると、お荷物（{carrier} {tracking}）は {deliveredDate} に配達されました。',
    whereReplacement:
      '代替品を発送しました。追跡番号 {replacementTracking}。このページで追跡できます。',
    whenExpected: 'お届け予定は {expected} です。',
    whenUnknown: 'まだお届け予定日がわかりません。わかり次第ご連絡します。',
    whenDelivered: '配送業者によると、{deliveredDate} に配達されました。',
    quietNormal:
      '配送業者の最新スキャンは {lastScanDate} です。国と国の間など、数日スキャンがないのはよくあることです。',
    quietLong:
      '配送業者の最新スキャンは {lastScanDate}（{daysSinceScan} 日前）です。通常より長いため注意して見守り、動きがなければ配送業者に確認します。',
    quietInvestigating:
      '配送業者の最新スキャンは {lastScanDate} です。期間が長すぎるため、すでに配送業者に確認中です。数日以内にご連絡します。',
    noScanYet:
      '配送業者はまだお荷物をスキャンしていません。最初の数日はよくあることです。見守っています。',
    options:
      '配送業者のお届けを待つ（私たちが見守ります）か、このページのフォームで問題をお知らせください：未着、配達済みだが無い、破損、返金、お届け先変更。ここで担当者との対応を希望することもできます。',
    dnr: '配送業者によると、お荷物は {deliveredDate} に配達されました。ご近所の方、ご家族、最寄りの受取場所にご確認ください。それでも見つからない場合は、下の「配達済みですが受け取っていません」を選んでください。',
    handover: '会話を担当者に引き継ぎました。{supportHours} 時間以内にメールでご返信します。',
    notUnderstood:
      '申し訳ありません、理解できませんでした。「どこにありますか」「なぜ更新がないのですか」「いつ届きますか」「どうすればいいですか」とお尋ねいただくか、担当者をご希望ください。',
  },
};

/** After this many messages in a row the rules did not understand, a person takes over. */
export const MISSES_BEFORE_HANDOVER = 2;

/** A quiet spell longer than this (days) is worth saying we watch it closely. */
const QUIET_DAYS = 5;

function fill(template: string, facts: HelperFacts): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = (facts as unknown as Record<string, unknown>)[k];
    return v === undefined ? m : String(v);
  });
}

/** The helper's answer to one message, given the shipment's facts and the conversation so far. */
export function helperReply(
  message: string,
  facts: HelperFacts,
  state: HelperState,
  pageLanguage: BuiltinLocale,
): HelperReply {
  const { intent, language: detected } = helperIntent(message);
  const language = detected ?? pageLanguage;
  const a = ANSWERS[language];
  const say = (t: string) => fill(t, facts);
  const answer = (text: string, misses = 0): HelperReply => ({
    intent,
    language,
    answer: text,
    handover: false,
    state: { misses },
  });
  const handover = (inquiryIntent: InquiryIntent): HelperReply => ({
    intent,
    language,
    answer: say(a.handover),
    handover: true,
    inquiryIntent,
    state: { misses: 0 },
  });
  const delivered = facts.deliveredDate !== undefined;
  const where = () => {
    if (facts.replacementTracking) return say(a.whereReplacement);
    if (delivered) return say(a.whereDelivered);
    return say(facts.lastScanDate ? a.where : a.whereNoScan);
  };
  switch (intent) {
    case 'person':
      return handover('other');
    case 'wants_refund':
      // Money is decided by a person.
      return handover('wants_refund');
    case 'delivered_not_received':
      return delivered ? answer(say(a.dnr)) : answer(where());
    case 'options':
      return answer(say(a.options));
    case 'when_arrive':
      if (delivered && !facts.replacementTracking) return answer(say(a.whenDelivered));
      if (facts.expected)
        return answer([say(a.whenExpected), facts.expectedBasis].filter(Boolean).join(' '));
      // No reliable date: the basis says why (the parcel is past almost all on its route).
      return answer(facts.expectedBasis ?? say(a.whenUnknown));
    case 'why_no_update':
      if (delivered || facts.replacementTracking) return answer(where());
      if (!facts.lastScanDate) return answer(say(a.noScanYet));
      if (facts.status === 'investigating') return answer(say(a.quietInvestigating));
      return answer(say((facts.daysSinceScan ?? 0) > QUIET_DAYS ? a.quietLong : a.quietNormal));
    case 'where_is_it':
    case 'not_received':
      return answer(where());
    case 'other': {
      const misses = state.misses + 1;
      if (misses >= MISSES_BEFORE_HANDOVER) return handover('other');
      return answer(say(a.notUnderstood), misses);
    }
  }
}
