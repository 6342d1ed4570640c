/**
 * The customer page as server-rendered HTML: mobile first, landmarks and labels, works without
 * JavaScript (plain forms); our own small script (customer.script.ts) only makes the helper answer
 * without a reload. Every value is escaped.
 */
import { escapeHtml } from '../messages/templates';
import { canonicalLocale } from '../messages/templates';
import { DEFAULT_BRAND, textOn } from './brand';
import { isDated, type DatedDelivery } from '../estimates/estimate';
import { estimateBasisWords } from '../estimates/estimate.words';
import type { CustomerPageModel, PageEvent } from './customer.view';
import { HELP_KINDS, pageText, say, type HelpKind, type PageText } from './customer.text';

/** Our script only, from our own origin; forms post back to us; nothing else is loaded. */
export const CUSTOMER_PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; img-src https: 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const SCRIPT_PATH = '/customer-page.js';

const e = escapeHtml;

export interface Turn {
  q: string;
  a: string;
}

/** What the page's forms carry besides the customer's words. */
export interface FormContext {
  /** The link's token (forms post to /t/<token>/…). */
  token: string;
  csrf: string;
  /** A fresh value per page, so a form sent twice is one inquiry. */
  nonce: string;
  /** The helper conversation so far (encoded state) and its turns, for the no-JS page. */
  chatState: string;
  turns: Turn[];
}

function layout(opts: {
  lang: string;
  title: string;
  t: PageText;
  shop?: CustomerPageModel['shop'];
  body: string;
  script?: boolean;
}): string {
  const brand = opts.shop?.brandColor ?? DEFAULT_BRAND;
  const onBrand = textOn(brand);
  const shopName = opts.shop?.name;
  const logo = opts.shop?.logoUrl
    ? `<img src="${e(opts.shop.logoUrl)}" alt="${e(shopName ?? '')}" height="40">`
    : '';
  return `<!doctype html>
<html lang="${e(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${e(shopName ? `${opts.title} – ${shopName}` : opts.title)}</title>
<style>
  :root { --brand: ${brand}; --on-brand: ${onBrand}; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #f6f6f6; overflow-wrap: anywhere; }
  .skip { position: absolute; left: -999px; }
  .skip:focus { left: .5rem; top: .5rem; background: #fff; color: #000; padding: .5rem; z-index: 1; }
  header { background: var(--brand); color: var(--on-brand); padding: .75rem 1rem; display: flex; gap: .75rem; align-items: center; }
  header img { max-height: 40px; max-width: 40vw; background: #fff; border-radius: 4px; }
  header p { margin: 0; font-weight: 600; }
  main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
  section { background: #fff; border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
  .status { font-size: 1.25rem; font-weight: 700; margin: .25rem 0; }
  .muted { color: #4a4a4a; }
  ol.timeline { list-style: none; margin: 0; padding: 0; }
  ol.timeline li { border-left: 3px solid var(--brand); padding: 0 0 .75rem .75rem; }
  ol.timeline time { display: block; color: #4a4a4a; font-size: .9rem; }
  details { border-top: 1px solid #ddd; padding: .5rem 0; }
  summary { cursor: pointer; font-weight: 600; padding: .25rem 0; }
  label { display: block; font-weight: 600; margin: .5rem 0 .25rem; }
  textarea, input[type=text] { width: 100%; font: inherit; padding: .5rem; border: 1px solid #767676; border-radius: 4px; }
  textarea { min-height: 5rem; }
  button { font: inherit; font-weight: 600; background: var(--brand); color: var(--on-brand); border: 0; border-radius: 6px; padding: .6rem 1.2rem; margin-top: .5rem; min-height: 44px; cursor: pointer; }
  button:focus-visible, summary:focus-visible, a:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid #000; outline-offset: 2px; }
  a { color: #0b4f9c; }
  .chat-log p { margin: .25rem 0; }
  .chat-log .who { font-weight: 700; }
  .notice { border-left: 4px solid var(--brand); padding-left: .75rem; }
</style>
</head>
<body>
<a class="skip" href="#main">${e(opts.t.skip)}</a>
<header>${logo}${shopName ? `<p>${e(shopName)}</p>` : ''}</header>
<main id="main">
${opts.body}
</main>
${opts.script ? `<script src="${SCRIPT_PATH}" defer></script>\n` : ''}</body>
</html>
`;
}

function formatLocale(model: CustomerPageModel, lang: string): string {
  return canonicalLocale(model.locale) ?? lang;
}

export function dateTime(iso: string, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}

export function longDate(iso: string, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(new Date(iso));
}

/** The expected delivery as a day or a range of days, in the customer's zone. */
export function expectedRange(x: DatedDelivery, locale: string, timeZone: string): string {
  const f = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
  const from = new Date(x.earliest);
  const to = new Date(x.latest);
  return f.format(from) === f.format(to) ? f.format(from) : f.formatRange(from, to);
}

function timeline(events: PageEvent[], t: PageText, locale: string, zone: string): string {
  if (!events.length) return `<p class="muted">${e(t.noScans)}</p>`;
  return `<ol class="timeline">\n${events
    .map(
      (ev) =>
        `<li><time datetime="${e(ev.at)}">${e(dateTime(ev.at, locale, zone))}</time>${e(t.events[ev.status] ?? t.events.unknown)}${ev.place ? ` <span class="muted">(${e(ev.place)})</span>` : ''}</li>`,
    )
    .join('\n')}\n</ol>`;
}

function hidden(ctx: FormContext): string {
  return `<input type="hidden" name="csrf" value="${e(ctx.csrf)}"><input type="hidden" name="nonce" value="${e(ctx.nonce)}">`;
}

function helpForm(
  kind: HelpKind,
  t: PageText,
  ctx: FormContext,
  model: CustomerPageModel,
  locale: string,
): string {
  const id = `help-${kind}`;
  const fields =
    kind === 'change_address'
      ? `<label for="${id}-address">${e(t.addressLabel)}</label><textarea id="${id}-address" name="address" required maxlength="1000" autocomplete="off"></textarea>`
      : `<label for="${id}-details">${e(t.detailsLabel)}</label><textarea id="${id}-details" name="details" maxlength="2000"></textarea>`;
  let intro = '';
  let button = t.send;
  if (kind === 'delivered_not_received' && model.delivered) {
    const d = model.delivered;
    const zone = model.timeZone;
    const proof = d.proof;
    intro = `<div class="notice"><h3>${e(t.dnrHeading)}</h3>
<p>${e(say(t.dnrDelivered, { date: dateTime(d.at, locale, zone) }))}</p>
${d.place ? `<p>${e(say(t.dnrWhere, { place: d.place }))}</p>` : ''}${proof?.signedBy ? `<p>${e(say(t.podSigned, { name: proof.signedBy }))}</p>` : ''}${proof?.note ? `<p>${e(say(t.podNote, { note: proof.note }))}</p>` : ''}${proof?.photoUrl && /^https:\/\//.test(proof.photoUrl) ? `<p><a href="${e(proof.photoUrl)}" rel="noopener noreferrer">${e(t.podPhoto)}</a></p>` : ''}
<p>${e(t.dnrCheck)}</p></div>`;
    button = t.stillNotFound;
  }
  return `<details id="${id}"><summary>${e(t.help[kind])}</summary>
${intro}<form method="post" action="/t/${e(ctx.token)}/help">${hidden(ctx)}<input type="hidden" name="kind" value="${kind}">
${fields}
<button type="submit">${e(button)}</button>
</form></details>`;
}

function chatSection(t: PageText, ctx: FormContext): string {
  const log = ctx.turns
    .map(
      (turn) =>
        `<p><span class="who">${e(t.you)}:</span> ${e(turn.q)}</p><p><span class="who">${e(t.helper)}:</span> ${e(turn.a)}</p>`,
    )
    .join('\n');
  return `<section id="chat" aria-labelledby="chat-h"><h2 id="chat-h">${e(t.chatHeading)}</h2>
<div class="chat-log" id="chat-log" aria-live="polite">${log}</div>
<form method="post" action="/t/${e(ctx.token)}/chat#chat" id="chat-form" data-you="${e(t.you)}" data-helper="${e(t.helper)}">${hidden(ctx)}<input type="hidden" name="state" value="${e(ctx.chatState)}">
<label for="chat-q">${e(t.chatLabel)}</label><input type="text" id="chat-q" name="q" required maxlength="500" autocomplete="off">
<button type="submit">${e(t.chatSend)}</button>
</form></section>`;
}

/** The page of a shipment: where it is, when it comes, what next, help and the helper. */
export function customerPage(model: CustomerPageModel, ctx: FormContext): string {
  const { lang, t } = pageText(model.locale);
  const locale = formatLocale(model, lang);
  const zone = model.timeZone;
  const expected = model.replacement?.expected ?? model.expected;
  // What the date is based on; for a parcel past almost all of its lane's, why there is none.
  const basis = estimateBasisWords(expected, lang);
  const expectedHtml =
    model.status === 'delivered' || model.status === 'refunded' || model.status === 'refund_pending'
      ? ''
      : `<section aria-labelledby="eta-h"><h2 id="eta-h">${e(t.expectedHeading)}</h2>
${
  isDated(expected)
    ? `<p class="status" id="eta">${e(expectedRange(expected, locale, zone))}</p>${basis ? `<p class="muted" id="eta-basis">${e(basis)}</p>` : ''}`
    : `<p id="eta">${e(basis ?? t.expectedUnknown)}</p>`
}</section>`;
  const replacement = model.replacement
    ? `<section aria-labelledby="rep-h"><h2 id="rep-h">${e(t.replacementHeading)}</h2>
<p>${e(say(t.replacement, { carrier: model.replacement.carrier, tracking: model.replacement.trackingNumber }))}</p>
${model.replacement.events.length ? timeline(model.replacement.events, t, locale, zone) : ''}</section>`
    : '';
  const kinds = HELP_KINDS.filter((k) => k !== 'delivered_not_received' || model.delivered);
  const body = `<section aria-labelledby="where-h">
<h1 id="where-h">${e(t.whereHeading)}</h1>
<p class="muted">${e(say(t.order, { order: model.order }))} · ${e(say(t.carrierTracking, { carrier: model.carrier, tracking: model.trackingNumber }))}</p>
<p class="status" id="status">${e(t.status[model.status])}</p>
</section>
${expectedHtml}
${replacement}
<section aria-labelledby="next-h"><h2 id="next-h">${e(t.nextHeading)}</h2><p>${e(t.next[model.status])}</p></section>
<section aria-labelledby="tl-h"><h2 id="tl-h">${e(t.timelineHeading)}</h2>
${timeline(model.events, t, locale, zone)}
</section>
<section id="help" aria-labelledby="help-h"><h2 id="help-h">${e(t.helpHeading)}</h2>
${kinds.map((k) => helpForm(k, t, ctx, model, locale)).join('\n')}
</section>
${chatSection(t, ctx)}`;
  return layout({ lang, title: t.title, t, shop: model.shop, body, script: true });
}

/** The answer to a help form: acknowledgement and the next step. */
export function acknowledgementPage(
  model: CustomerPageModel,
  token: string,
  kind: HelpKind,
  action: 'replied' | 'routed_to_ops',
  supportHours: number,
): string {
  const { lang, t } = pageText(model.locale);
  const ack = action === 'replied' ? t.ackReplied : say(t.ackOps, { hours: supportHours });
  const body = `<section aria-labelledby="ack-h" role="status">
<h1 id="ack-h">${e(t.help[kind])}</h1>
<p id="ack">${e(ack)}</p>
<p id="next">${e(t.ackNext[kind])}</p>
<p><a href="/t/${e(token)}">${e(t.back)}</a></p>
</section>`;
  return layout({ lang, title: t.title, t, shop: model.shop, body });
}

/** A page that reveals nothing about any shipment: invalid or expired link, limits, errors. */
export function messagePage(
  locale: string | undefined,
  which: 'invalid' | 'expired' | 'formExpired' | 'tooMany' | 'unavailable',
  shop?: CustomerPageModel['shop'],
): string {
  const { lang, t } = pageText(locale);
  const [title, text] =
    which === 'invalid'
      ? [t.invalidTitle, t.invalidText]
      : which === 'expired'
        ? [t.expiredTitle, t.expiredText]
        : [t.title, t[which]];
  return layout({
    lang,
    title,
    t,
    ...(shop ? { shop } : {}),
    body: `<section><h1>${e(title)}</h1><p>${e(text)}</p></section>`,
  });
}
