/**
 * What an expected delivery is based on, in the customer's language: how many of our deliveries
 * on the route it comes from, and, for a parcel already under way for some days, that they are the
 * parcels still on the way after as many days. A parcel past almost all of them gets no date, and
 * a sentence saying why. The customer page, its helper and inquiry replies use these words.
 */
import { templateLocaleChain, type BuiltinLocale } from '../messages/templates';
import type { ExpectedDelivery } from './estimate';

interface BasisWords {
  /** `{count}` delivered parcels on the lane. */
  lane: string;
  /** The same, of those still on the way after `{days}` days (by plural category of days). */
  laneAfter: { one: string; other: string };
  /** No reliable date: only `{count}` of `{total}` took longer than `{days}` days. */
  overdue: string;
}

const WORDS: Record<BuiltinLocale, BasisWords> = {
  en: {
    lane: 'Based on {count} recent deliveries on this route.',
    laneAfter: {
      one: 'Based on {count} recent deliveries on this route, of parcels still on the way after {days} day.',
      other:
        'Based on {count} recent deliveries on this route, of parcels still on the way after {days} days.',
    },
    overdue:
      'Your parcel has been on the way for {days} days, longer than almost all parcels on this route (only {count} of {total} recent deliveries took longer), so we cannot give a reliable date. We are watching it.',
  },
  es: {
    lane: 'Según {count} entregas recientes en esta ruta.',
    laneAfter: {
      one: 'Según {count} entregas recientes en esta ruta, de paquetes que seguían en camino después de {days} día.',
      other:
        'Según {count} entregas recientes en esta ruta, de paquetes que seguían en camino después de {days} días.',
    },
    overdue:
      'Tu paquete lleva {days} días en camino, más que casi todos los paquetes de esta ruta (solo {count} de {total} entregas recientes tardaron más), así que no podemos darte una fecha fiable. Lo estamos vigilando.',
  },
  de: {
    lane: 'Nach {count} kürzlichen Zustellungen auf dieser Strecke.',
    laneAfter: {
      one: 'Nach {count} kürzlichen Zustellungen auf dieser Strecke, von Paketen, die nach {days} Tag noch unterwegs waren.',
      other:
        'Nach {count} kürzlichen Zustellungen auf dieser Strecke, von Paketen, die nach {days} Tagen noch unterwegs waren.',
    },
    overdue:
      'Ihr Paket ist seit {days} Tagen unterwegs, länger als fast alle Pakete auf dieser Strecke (nur {count} von {total} kürzlichen Zustellungen dauerten länger); ein verlässliches Datum können wir deshalb nicht nennen. Wir behalten es im Blick.',
  },
  fr: {
    lane: 'D’après {count} livraisons récentes sur ce trajet.',
    laneAfter: {
      one: 'D’après {count} livraisons récentes sur ce trajet, de colis encore en route après {days} jour.',
      other:
        'D’après {count} livraisons récentes sur ce trajet, de colis encore en route après {days} jours.',
    },
    overdue:
      'Votre colis est en route depuis {days} jours, plus longtemps que presque tous les colis sur ce trajet (seules {count} des {total} livraisons récentes ont pris plus de temps) : nous ne pouvons donc pas donner de date fiable. Nous le surveillons.',
  },
  'pt-BR': {
    lane: 'Com base em {count} entregas recentes nesta rota.',
    laneAfter: {
      one: 'Com base em {count} entregas recentes nesta rota, de pacotes que ainda estavam a caminho após {days} dia.',
      other:
        'Com base em {count} entregas recentes nesta rota, de pacotes que ainda estavam a caminho após {days} dias.',
    },
    overdue:
      'Seu pacote está a caminho há {days} dias, mais do que quase todos os pacotes nesta rota (só {count} de {total} entregas recentes demoraram mais), então não podemos dar uma data confiável. Estamos acompanhando.',
  },
  'zh-CN': {
    lane: '依据该线路最近 {count} 件已送达包裹。',
    laneAfter: {
      one: '依据该线路最近 {count} 件已送达包裹中在途超过 {days} 天的包裹。',
      other: '依据该线路最近 {count} 件已送达包裹中在途超过 {days} 天的包裹。',
    },
    overdue:
      '您的包裹已在途 {days} 天，比该线路几乎所有包裹都久（最近 {total} 件已送达包裹中只有 {count} 件用时更长），因此我们无法给出可靠的送达日期。我们正在密切关注。',
  },
  ja: {
    lane: 'この区間の最近の配達 {count} 件に基づきます。',
    laneAfter: {
      one: 'この区間で {days} 日を過ぎても配送中だったお荷物の、最近の配達 {count} 件に基づきます。',
      other:
        'この区間で {days} 日を過ぎても配送中だったお荷物の、最近の配達 {count} 件に基づきます。',
    },
    overdue:
      'お荷物は発送から {days} 日が経ち、この区間のほぼすべてのお荷物より時間がかかっています（最近の配達 {total} 件のうち、これより長くかかったのは {count} 件のみ）。そのため確かなお届け日をお伝えできません。引き続き見守っています。',
  },
};

const fill = (t: string, v: Record<string, number>) =>
  t.replace(/\{(\w+)\}/g, (m, k: string) => (v[k] === undefined ? m : String(v[k])));

/**
 * The basis of an estimate in a sentence: lane figures (with the days under way they are
 * conditioned on) and a missing reliable date. The carrier's and the channel's dates need none.
 */
export function estimateBasisWords(
  x: ExpectedDelivery | undefined,
  lang: BuiltinLocale,
): string | undefined {
  const w = WORDS[lang];
  if (x?.basis === 'overdue')
    return fill(w.overdue, { days: x.afterDays, count: x.sampleSize, total: x.laneSampleSize });
  if (x?.basis !== 'lane' || !x.sampleSize) return undefined;
  if (!x.afterDays) return fill(w.lane, { count: x.sampleSize });
  const plural = new Intl.PluralRules(lang).select(x.afterDays) === 'one' ? 'one' : 'other';
  return fill(w.laneAfter[plural], { count: x.sampleSize, days: x.afterDays });
}

/** The same, for a customer's locale (its nearest language we write in, else English). */
export function estimateBasisIn(
  x: ExpectedDelivery | undefined,
  locale: string | undefined,
): string | undefined {
  const lang = templateLocaleChain(locale).find((l): l is BuiltinLocale => l in WORDS) ?? 'en';
  return estimateBasisWords(x, lang);
}
