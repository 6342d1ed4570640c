/**
 * Carrier descriptions read for what a status alone does not say. Carriers and aggregators report
 * a lost, damaged or seized parcel as a generic `exception` (or a status we cannot map) and put the
 * news in free text: "Package lost at sorting centre", "Sendung beschädigt", "包裹丢失". A rule per
 * language and finding turns such words into a finding on the event; the workflow suspects at
 * once and records the rule that fired.
 *
 * The rules run in the API and the activities, never in the workflow: changing them changes what
 * new events say, not how a recorded history replays.
 */
import type {
  DescriptionFinding,
  DescriptionFindingRecord,
  TrackingEvent,
  TrackingStatus,
  TrackingSummary,
} from '../../workflows/shipment.contract';

export interface DescriptionRule {
  /** `<language>.<finding>`, recorded on the shipment when it fires. */
  id: string;
  language: string;
  finding: DescriptionFinding;
  /** The words, as regular-expression fragments (for people: the doc lists them). */
  words: readonly string[];
  pattern: RegExp;
}

/** Statuses whose description is read: the ones that do not already say what happened. */
export const DESCRIPTION_STATUSES = ['exception', 'unknown', 'failed_attempt', 'expired'] as const;
const READ_STATUSES = new Set<string>(DESCRIPTION_STATUSES);

/** Findings in the order they win when one description says several things. */
const PRIORITY: DescriptionFinding[] = [
  'destroyed',
  'seized',
  'lost',
  'damaged',
  'returned',
  'address_problem',
];

type Words = Partial<Record<DescriptionFinding, string[]>>;

/**
 * The words carriers use, per language (regular-expression fragments, matched case-insensitively).
 * Words in scripts with spaces must stand as whole words; CJK words match anywhere.
 */
const WORDS: Record<string, { spaced: boolean; words: Words }> = {
  en: {
    spaced: true,
    words: {
      destroyed: ['destroyed', 'disposed( of)?', 'discarded', 'incinerated'],
      lost: [
        'lost',
        'cannot be located',
        'could not be located',
        'unable to locate',
        '(parcel|package|shipment|item) (is )?missing',
        'missing (parcel|package|shipment|item)',
      ],
      seized: ['seized', 'confiscated', 'forfeited'],
      damaged: ['damaged?', 'broken', 'crushed'],
      returned: ['return(ed|ing)? to (sender|shipper|origin)', 'being returned', 'returned', 'rts'],
      address_problem: [
        '(incorrect|incomplete|wrong|invalid|insufficient|bad|unknown|illegible) address',
        'address (not found|unknown|incorrect|incomplete|insufficient|invalid)',
        'undeliverable as addressed',
        '(addressee|recipient|consignee) (unknown|moved)',
        'no such (address|number|street)',
      ],
    },
  },
  de: {
    spaced: true,
    words: {
      destroyed: ['vernichtet', 'zerstört', 'entsorgt'],
      lost: ['verloren', 'verschollen', 'abhandengekommen', 'nicht auffindbar'],
      seized: ['beschlagnahmt', 'konfisziert'],
      damaged: ['beschädigt', 'beschädigung', 'defekt'],
      returned: [
        'rücksendung an den absender',
        'zurück an (den )?absender',
        'an den absender zurück\\w*',
        'retoure',
        'zurückgesendet',
        'zurückgeschickt',
      ],
      address_problem: [
        'adresse (ist )?(unvollständig|falsch|unbekannt|fehlerhaft|unzureichend)',
        'anschrift (ist )?(unvollständig|falsch|unbekannt|fehlerhaft|unzureichend)',
        '(unvollständige|falsche|fehlerhafte|unbekannte|unzureichende) (adresse|anschrift)',
        'empfänger (ist )?unbekannt',
      ],
    },
  },
  fr: {
    spaced: true,
    words: {
      destroyed: ['détruite?s?', 'mise? au rebut'],
      lost: ['perdue?s?', 'égarée?s?', 'introuvables?'],
      seized: ['saisie?s?', 'confisquée?s?'],
      damaged: ['endommagée?s?', 'abîmée?s?', 'détériorée?s?', 'avariée?s?'],
      returned: [
        "(retour|retournée?|renvoyée?) à l['’]expéditeur",
        "en retour vers l['’]expéditeur",
      ],
      address_problem: [
        'adresse (incomplète|incorrecte|erronée|inconnue|insuffisante|inexacte)',
        'destinataire inconnu',
      ],
    },
  },
  es: {
    spaced: true,
    words: {
      destroyed: ['destruid[oa]s?'],
      lost: ['perdid[oa]s?', 'extraviad[oa]s?'],
      seized: ['decomisad[oa]s?', 'incautad[oa]s?', 'confiscad[oa]s?'],
      damaged: ['dañad[oa]s?', 'averiad[oa]s?', 'deteriorad[oa]s?'],
      returned: [
        'devuelt[oa] al (remitente|origen)',
        'devolución al (remitente|origen)',
        'en devolución',
      ],
      address_problem: [
        'dirección (incorrecta|incompleta|errónea|desconocida|insuficiente)',
        'destinatario desconocido',
      ],
    },
  },
  pt: {
    spaced: true,
    words: {
      destroyed: ['destruíd[oa]s?'],
      lost: ['extraviad[oa]s?', 'perdid[oa]s?'],
      seized: ['apreendid[oa]s?', 'confiscad[oa]s?'],
      damaged: ['danificad[oa]s?', 'avariad[oa]s?'],
      returned: [
        'devolvid[oa] ao remetente',
        'devolução ao remetente',
        'em devolução',
        'devolvid[oa] à origem',
      ],
      address_problem: [
        'endereço (incorreto|incompleto|insuficiente|desconhecido|inexistente)',
        'destinatário desconhecido',
      ],
    },
  },
  zh: {
    spaced: false,
    words: {
      destroyed: ['销毁', '銷毀'],
      lost: ['丢失', '遗失', '丟失', '遺失', '丢件', '丟件', '下落不明'],
      seized: ['没收', '沒收', '扣押', '查扣'],
      damaged: ['破损', '破損', '损坏', '損壞', '损毁', '損毀'],
      returned: ['退回', '退件', '退还', '退還', '退运', '退運'],
      address_problem: [
        '地址(错误|錯誤|不详|不詳|不正确|不正確|不全|有误|有誤|不明)',
        '查无此人',
        '查無此人',
      ],
    },
  },
  ja: {
    spaced: false,
    words: {
      destroyed: ['廃棄', '破棄'],
      lost: ['紛失', '行方不明', '亡失'],
      seized: ['没収', '差し押さえ', '差押'],
      damaged: ['破損', '損傷', '毀損'],
      returned: ['返送', '返還', '差出人(に|へ)(返送|返還)'],
      address_problem: ['住所不明', '宛所不明', '宛先不明', '住所不備', '宛所に尋ねあたり'],
    },
  },
};

/** Words just before a match that turn it around ("not damaged", "nicht verloren", "未丢失"). */
const NEGATIONS =
  /(\bnot|\bno|\bnever|\bnicht|\bkein\w*|\bpas|\bnon|\bnão|\bnao|未|没有|沒有|无|無)\s*$/iu;

function compile(language: string, finding: DescriptionFinding, words: string[], spaced: boolean) {
  const body = words.join('|');
  // Whole words in spaced scripts: no letter may stand right before or after the match.
  const source = spaced ? `(?<!\\p{L})(?:${body})(?!\\p{L})` : `(?:${body})`;
  return {
    id: `${language}.${finding}`,
    language,
    finding,
    words,
    // Global, for matchAll (which works on a copy, so the shared pattern keeps no state).
    pattern: new RegExp(source, 'giu'),
  };
}

/** Every rule, in the order they are tried: by finding priority, then language. */
export const DESCRIPTION_RULES: DescriptionRule[] = PRIORITY.flatMap((finding) =>
  Object.entries(WORDS).flatMap(([language, { spaced, words }]) =>
    words[finding] ? [compile(language, finding, words[finding], spaced)] : [],
  ),
);

/** Kana mark Japanese: its rules go before Chinese ones where both share a word (破損). */
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** The same rules with Japanese first within each finding (the sort is stable). */
const JAPANESE_FIRST: DescriptionRule[] = [...DESCRIPTION_RULES].sort(
  (a, b) =>
    PRIORITY.indexOf(a.finding) - PRIORITY.indexOf(b.finding) ||
    Number(b.language === 'ja') - Number(a.language === 'ja'),
);

/** What a description says happened, with the rule that read it; undefined when nothing fires. */
export function readDescription(
  description: string | undefined,
): DescriptionFindingRecord | undefined {
  if (!description) return undefined;
  const rules = KANA.test(description) ? JAPANESE_FIRST : DESCRIPTION_RULES;
  for (const rule of rules) {
    for (const m of description.matchAll(rule.pattern)) {
      const before = description.slice(Math.max(0, m.index - 12), m.index);
      if (NEGATIONS.test(before)) continue;
      return { finding: rule.finding, rule: rule.id, matched: m[0] };
    }
  }
  return undefined;
}

/** An event with its description's finding, where its status does not already say it. */
export function withFinding(event: TrackingEvent): TrackingEvent {
  // A finding is ours to make: whatever came with the event is read again.
  const { finding: _given, ...rest } = event;
  const finding = READ_STATUSES.has(event.status) ? readDescription(event.description) : undefined;
  return finding ? { ...rest, finding } : rest;
}

export function withFindings(events: TrackingEvent[]): TrackingEvent[] {
  return events.map(withFinding);
}

/** A provider summary with its description's finding (e.g. 17TRACK's `sub_status_descr`). */
export function withSummaryFinding(summary: TrackingSummary): TrackingSummary {
  const { finding: _given, ...rest } = summary;
  const finding = READ_STATUSES.has(summary.status)
    ? readDescription(summary.description)
    : undefined;
  return finding ? { ...rest, finding } : rest;
}

/** Is a status one whose description the rules read? */
export function descriptionIsRead(status: TrackingStatus | 'expired'): boolean {
  return READ_STATUSES.has(status);
}
