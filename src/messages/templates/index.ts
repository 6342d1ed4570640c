/**
 * Message templates: built-in texts in seven languages, seller overrides, locale fallback and
 * rendering to a subject, a plain-text part and an HTML part (values escaped).
 */
import type { LineItem, NotificationKind } from '../../../workflows/shipment.contract';
import { carrierName } from '../../carriers/catalogue';
import { de } from './de';
import { en } from './en';
import { es } from './es';
import { fr } from './fr';
import { ja } from './ja';
import { ptBR } from './pt-BR';
import { answerSentence, type InquiryAnswer } from './answers';
import type { CustomerStatus, LanguagePack, TemplateSource } from './types';
import { zhCN } from './zh-CN';

export { CUSTOMER_STATUSES, type CustomerStatus, type TemplateSource } from './types';

export const BUILTIN_LOCALES = ['en', 'zh-CN', 'es', 'de', 'fr', 'ja', 'pt-BR'] as const;
export type BuiltinLocale = (typeof BUILTIN_LOCALES)[number];

const PACKS: Record<BuiltinLocale, LanguagePack> = {
  en,
  'zh-CN': zhCN,
  es,
  de,
  fr,
  ja,
  'pt-BR': ptBR,
};

/** Where a language without a built-in pack of its own region goes before English. */
const LANGUAGE_DEFAULT: Record<string, BuiltinLocale> = {
  en: 'en',
  zh: 'zh-CN',
  es: 'es',
  de: 'de',
  fr: 'fr',
  ja: 'ja',
  pt: 'pt-BR',
};

export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/**
 * The locales tried for a customer's tag, most specific first: the tag itself (a seller may
 * override `pt-PT`), its language, the built-in pack of that language (`pt` → `pt-BR`,
 * `zh-TW` → `zh-CN`), then English.
 */
export function templateLocaleChain(tag: string | undefined): string[] {
  const chain: string[] = [];
  const add = (l: string | undefined) => {
    if (l && !chain.includes(l)) chain.push(l);
  };
  const canonical = tag ? canonicalLocale(tag) : undefined;
  if (canonical) {
    const language = new Intl.Locale(canonical).language;
    add(canonical);
    add(language);
    add(LANGUAGE_DEFAULT[language]);
  }
  add('en');
  return chain;
}

/** Placeholders every customer template may use. */
const COMMON = [
  'customerName',
  'orderId',
  'items',
  'carrier',
  'trackingNumber',
  'expectedDate',
  'couponCode',
  'gift',
  'pageLink',
] as const;
const REPLACEMENT = ['newCarrier', 'newTrackingNumber'] as const;

export const PLACEHOLDERS: Record<NotificationKind, readonly string[]> = {
  delay_notice: [
    ...COMMON,
    'stalled',
    'carrierLost',
    'firstNotice',
    'previousNoticeDate',
    'lastScanDate',
  ],
  customs_notice: COMMON,
  reshipped: [...COMMON, ...REPLACEMENT],
  refunded: [...COMMON, 'refundAmount', 'refundDone', 'refundPending'],
  inquiry_reply: [...COMMON, ...REPLACEMENT, 'statusText'],
  survey: [...COMMON, ...REPLACEMENT, 'surveyLink'],
  ops_alert: ['subject', 'text', 'shipmentId'],
};

/** Placeholders a template of the kind cannot do without. */
const REQUIRED: Partial<Record<NotificationKind, readonly string[]>> = {
  survey: ['surveyLink'],
};

/** The raw values of a message; formatting for the locale happens in `renderMessage`. */
export interface TemplateVars {
  customerName?: string;
  orderId?: string;
  /** A ready string (as the workflow sends it) or the line items, listed for the locale. */
  items?: string | LineItem[];
  carrier?: string;
  trackingNumber?: string;
  newCarrier?: string;
  newTrackingNumber?: string;
  /** ISO 8601 instant, shown as a date in the customer's locale. */
  expectedDeliveryAt?: string;
  refundAmount?: number;
  currency?: string;
  /**
   * Whether the order system confirmed the refund (`refunded`) or it is still being arranged
   * (`pending`: recorded as manual, sent, or failed). Without it the refund reads as done.
   */
  refundStatus?: 'refunded' | 'pending';
  /** The carrier itself declared the parcel lost (a delay notice then says so, not "delayed"). */
  carrierLost?: boolean;
  /** ISO 8601 instant of an earlier delay notice: this one is a follow-up to it. */
  previousNoticeAt?: string;
  /** ISO 8601 instant of the carrier's latest scan. */
  lastScanAt?: string;
  couponCode?: string;
  /** A gift offered for the trouble, as the policy describes it (shown instead of a coupon). */
  gift?: string;
  surveyLink?: string;
  /** The shipment's customer page (signed link, src/customer); every customer mail carries it. */
  pageLink?: string;
  status?: CustomerStatus;
  /** An inquiry reply's answer to what was asked (it takes the place of the status sentence). */
  answer?: InquiryAnswer;
  /** ISO 8601 instant: the end of the expected delivery range. */
  latestDeliveryAt?: string;
  /** What the expected date is based on, or why there is none, as a sentence (src/estimates). */
  estimateBasis?: string;
  /** Where the carrier says it left the parcel (the delivered scan's words and place). */
  deliveredWhere?: string;
  /** The carrier's proof of delivery: who signed, and a photo. */
  podSignedBy?: string;
  podPhotoUrl?: string;
  shipmentId?: string;
  subject?: string;
  text?: string;
}

const TOKEN = /\{([#/]?)([A-Za-z]\w*)\}/g;

export interface TemplateIssue {
  path: string;
  message: string;
}

/** Checks a seller's template: known placeholders only, balanced sections, required ones present. */
export function validateTemplate(kind: NotificationKind, t: TemplateSource): TemplateIssue[] {
  const allowed = new Set(PLACEHOLDERS[kind]);
  const issues: TemplateIssue[] = [];
  const used = new Set<string>();
  for (const field of ['subject', 'text', 'html'] as const) {
    const src = t[field];
    if (src === undefined) continue;
    const open: string[] = [];
    for (const m of src.matchAll(TOKEN)) {
      const [, sigil, name] = m as unknown as [string, string, string];
      if (!allowed.has(name)) {
        issues.push({
          path: field,
          message: `unknown placeholder {${sigil}${name}}; ${kind} templates may use ${[...allowed].map((p) => `{${p}}`).join(', ')}`,
        });
        continue;
      }
      used.add(name);
      if (sigil === '#') open.push(name);
      else if (sigil === '/') {
        if (open.pop() !== name)
          issues.push({ path: field, message: `{/${name}} closes a section that is not open` });
      }
    }
    for (const name of open) issues.push({ path: field, message: `{#${name}} is never closed` });
  }
  for (const name of REQUIRED[kind] ?? []) {
    if (!used.has(name))
      issues.push({ path: 'text', message: `a ${kind} template must contain {${name}}` });
  }
  return issues;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  /** The locale of the template used (after fallback). */
  templateLocale: string;
  /** True when a seller override was used. */
  overridden: boolean;
}

/** Seller overrides by `kind/locale`. */
export type OverrideLookup = (kind: NotificationKind, locale: string) => TemplateSource | undefined;

export function builtinTemplate(
  kind: NotificationKind,
  locale: string,
): TemplateSource | undefined {
  return (PACKS as Record<string, LanguagePack | undefined>)[locale]?.templates[kind];
}

/** Picks the template for a customer's locale: for each locale of the chain, override then built-in. */
export function chooseTemplate(
  kind: NotificationKind,
  locale: string | undefined,
  overrides: OverrideLookup = () => undefined,
): { template: TemplateSource; locale: string; overridden: boolean } {
  for (const l of templateLocaleChain(locale)) {
    const o = overrides(kind, l);
    if (o) return { template: o, locale: l, overridden: true };
    const b = builtinTemplate(kind, l);
    if (b) return { template: b, locale: l, overridden: false };
  }
  // English has every kind; reaching here means a kind without an English text.
  throw new Error(`no template for ${kind}`);
}

function statusSentence(status: CustomerStatus, locale: string): string {
  for (const l of templateLocaleChain(locale)) {
    const pack = (PACKS as Record<string, LanguagePack | undefined>)[l];
    if (pack) return pack.statuses[status];
  }
  return en.statuses[status];
}

/** An ISO 8601 instant as a date in the locale ("March 5, 2026", "2026年3月5日"). */
function longDate(iso: string | undefined, loc: string): string | undefined {
  if (!iso || Number.isNaN(Date.parse(iso))) return undefined;
  return new Intl.DateTimeFormat(loc, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
}

/** Values as the customer reads them: dates, money and lists in their locale. */
export function formatValues(vars: TemplateVars, locale: string): Record<string, string> {
  const loc = canonicalLocale(locale) ?? 'en';
  const out: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') out[k] = v;
  };
  put('customerName', vars.customerName);
  put('orderId', vars.orderId);
  // Carriers by their display name ("yunexpress" → YunExpress); a code we do not know as given.
  put('carrier', vars.carrier && carrierName(vars.carrier));
  put('trackingNumber', vars.trackingNumber);
  put('newCarrier', vars.newCarrier && carrierName(vars.newCarrier));
  put('newTrackingNumber', vars.newTrackingNumber);
  put('couponCode', vars.couponCode);
  put('gift', vars.gift);
  put('surveyLink', vars.surveyLink);
  put('pageLink', vars.pageLink);
  put('shipmentId', vars.shipmentId);
  put('subject', vars.subject);
  put('text', vars.text);
  if (typeof vars.items === 'string') put('items', vars.items);
  else if (vars.items?.length) {
    const list = new Intl.ListFormat(loc, { type: 'conjunction' });
    // Products by the shop's title when known; the SKU only without one.
    put('items', list.format(vars.items.map((i) => `${i.quantity} × ${i.title?.trim() || i.sku}`)));
  }
  // Section switches: a refund is announced as done only when it is; a declared loss is no delay.
  const flag = (k: string, on: boolean) => {
    if (on) out[k] = '✓';
  };
  flag('refundPending', vars.refundStatus === 'pending');
  flag('refundDone', vars.refundStatus !== 'pending');
  flag('carrierLost', vars.carrierLost === true);
  flag('stalled', vars.carrierLost !== true);
  put('expectedDate', longDate(vars.expectedDeliveryAt, loc));
  put('previousNoticeDate', longDate(vars.previousNoticeAt, loc));
  put('lastScanDate', longDate(vars.lastScanAt, loc));
  flag('firstNotice', out.previousNoticeDate === undefined);
  if (vars.refundAmount !== undefined && vars.refundAmount !== null) {
    put(
      'refundAmount',
      vars.currency
        ? new Intl.NumberFormat(loc, { style: 'currency', currency: vars.currency }).format(
            vars.refundAmount,
          )
        : new Intl.NumberFormat(loc).format(vars.refundAmount),
    );
  }
  put('latestDate', longDate(vars.latestDeliveryAt, loc));
  put('estimateBasis', vars.estimateBasis);
  put('deliveredWhere', vars.deliveredWhere);
  put('podSignedBy', vars.podSignedBy);
  put('podPhoto', vars.podPhotoUrl);
  if (vars.answer)
    put(
      'statusText',
      fill(answerSentence(vars.answer, templateLocaleChain(loc)), out, (s) => s),
    );
  else if (vars.status)
    put(
      'statusText',
      fill(statusSentence(vars.status, loc), out, (s) => s),
    );
  return out;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const SECTION = /\{#([A-Za-z]\w*)\}([\s\S]*?)\{\/\1\}/g;
const PLACEHOLDER = /\{([A-Za-z]\w*)\}/g;

/**
 * Fills a template: sections first (kept only when their value is set), then placeholders.
 * `literal` maps the template's own text, `value` a filled-in value (both identity for text).
 */
function fill(
  src: string,
  values: Record<string, string>,
  literal: (s: string) => string,
  value: (s: string, name: string) => string = (s) => s,
): string {
  const withSections = (s: string): string =>
    s.replace(SECTION, (_, name: string, body: string) =>
      values[name] !== undefined ? withSections(body) : '',
    );
  const src2 = withSections(src);
  let out = '';
  let last = 0;
  for (const m of src2.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    out += literal(src2.slice(last, m.index));
    const v = values[name];
    out += v === undefined ? '' : value(v, name);
    last = m.index + m[0].length;
  }
  return out + literal(src2.slice(last));
}

/** Plain text → a small, self-contained HTML document; every value escaped, links clickable. */
function htmlFromText(src: string, values: Record<string, string>, lang: string): string {
  const body = fill(src, values, escapeHtml, (v, name) =>
    name === 'surveyLink' || name === 'pageLink'
      ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>`
      : escapeHtml(v),
  )
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
  return htmlDocument(body, lang);
}

function htmlDocument(body: string, lang: string): string {
  return `<!doctype html>\n<html lang="${escapeHtml(lang)}">\n<head><meta charset="utf-8"></head>\n<body style="font-family: system-ui, sans-serif; line-height: 1.5">\n${body}\n</body>\n</html>\n`;
}

/**
 * A seller's text that cannot tell this situation truly is passed over for the built-in one: a
 * refund text without a `{#refundPending}` section would announce an unpaid refund as paid, a
 * delay text without `{#carrierLost}` would call a declared loss a delay.
 */
function fitsSituation(kind: NotificationKind, t: TemplateSource, vars: TemplateVars): boolean {
  const all = `${t.subject}\n${t.text}\n${t.html ?? ''}`;
  if (kind === 'refunded' && vars.refundStatus === 'pending')
    return all.includes('{#refundPending}');
  if (kind === 'delay_notice' && vars.carrierLost === true) return all.includes('{#carrierLost}');
  return true;
}

/** The line that gives the customer page's link, for a text that does not place `{pageLink}`. */
const PAGE_LINK_LINE: Record<BuiltinLocale, string> = {
  en: 'Follow your parcel and get help here: {pageLink}',
  'zh-CN': '在此查看包裹状态并获取帮助：{pageLink}',
  es: 'Sigue tu paquete y pide ayuda aquí: {pageLink}',
  de: 'Hier verfolgen Sie Ihr Paket und erhalten Hilfe: {pageLink}',
  fr: 'Suivez votre colis et obtenez de l’aide ici : {pageLink}',
  ja: 'お荷物の状況確認とお問い合わせはこちら：{pageLink}',
  'pt-BR': 'Acompanhe seu pacote e peça ajuda aqui: {pageLink}',
};

/**
 * Every customer mail carries the link to its page: a text (built-in or the seller's) that does
 * not place `{pageLink}` itself gets the line at its end, in the text's language.
 */
function withPageLink(
  kind: NotificationKind,
  t: TemplateSource,
  locale: string,
  values: Record<string, string>,
): TemplateSource {
  if (kind === 'ops_alert' || values.pageLink === undefined) return t;
  if (`${t.text}${t.html ?? ''}`.includes('{pageLink}')) return t;
  const line =
    PAGE_LINK_LINE[
      (templateLocaleChain(locale).find((l) => l in PAGE_LINK_LINE) ?? 'en') as BuiltinLocale
    ];
  return {
    ...t,
    text: `${t.text}\n\n${line}`,
    ...(t.html !== undefined
      ? {
          html: `${t.html}\n<p>${escapeHtml(line).replace('{pageLink}', '<a href="{pageLink}">{pageLink}</a>')}</p>`,
        }
      : {}),
  };
}

/** Renders a message for a customer's locale (template chosen with fallback, values formatted). */
export function renderMessage(
  kind: NotificationKind,
  locale: string | undefined,
  vars: TemplateVars,
  overrides?: OverrideLookup,
): RenderedMessage {
  const fitting: OverrideLookup | undefined =
    overrides &&
    ((k, l) => {
      const t = overrides(k, l);
      return t && fitsSituation(k, t, vars) ? t : undefined;
    });
  const chosen = chooseTemplate(kind, locale, fitting);
  // Values are formatted for the customer's own locale (pt-PT dates in a pt-BR text are right).
  const formatLocale = (locale && canonicalLocale(locale)) ?? chosen.locale;
  const values = formatValues(vars, formatLocale);
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  const t = withPageLink(kind, chosen.template, chosen.locale, values);
  return {
    subject: oneLine(fill(t.subject, values, (s) => s)),
    text: fill(t.text, values, (s) => s),
    html:
      t.html !== undefined
        ? fill(t.html, values, (s) => s, escapeHtml)
        : htmlFromText(t.text, values, chosen.locale),
    templateLocale: chosen.locale,
    overridden: chosen.overridden,
  };
}
