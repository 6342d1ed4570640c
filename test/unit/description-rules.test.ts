import { describe, expect, it } from 'vitest';
import {
  DESCRIPTION_RULES,
  readDescription,
  withFinding,
  withSummaryFinding,
} from '../../src/tracking/description-rules';
import { DESCRIPTION_FINDINGS, type TrackingEvent } from '../../workflows/shipment.contract';

/** Carrier wordings, one per language and finding (the rule each must fire). */
const SAID: [string, string][] = [
  ['Package lost at sorting centre, investigation opened', 'en.lost'],
  ['Shipment cannot be located', 'en.lost'],
  ['Parcel damaged in transit', 'en.damaged'],
  ['Item disposed of by the carrier', 'en.destroyed'],
  ['Seized by customs', 'en.seized'],
  ['Returned to sender: refused by recipient', 'en.returned'],
  ['Incorrect address - unable to deliver', 'en.address_problem'],
  ['Sendung verloren gegangen', 'de.lost'],
  ['Sendung beschädigt', 'de.damaged'],
  ['Sendung wurde vernichtet', 'de.destroyed'],
  ['Vom Zoll beschlagnahmt', 'de.seized'],
  ['Rücksendung an den Absender', 'de.returned'],
  ['Empfänger unbekannt', 'de.address_problem'],
  ['Colis perdu', 'fr.lost'],
  ['Colis endommagé', 'fr.damaged'],
  ['Colis détruit', 'fr.destroyed'],
  ['Colis saisi par la douane', 'fr.seized'],
  ["Retour à l'expéditeur", 'fr.returned'],
  ['Adresse incomplète', 'fr.address_problem'],
  ['Paquete extraviado', 'es.lost'],
  ['Paquete dañado', 'es.damaged'],
  ['Envío destruido', 'es.destroyed'],
  ['Envío decomisado por aduana', 'es.seized'],
  ['Devuelto al remitente', 'es.returned'],
  ['Dirección incorrecta', 'es.address_problem'],
  ['Objeto danificado', 'pt.damaged'],
  ['Objeto destruído', 'pt.destroyed'],
  ['Objeto apreendido na fiscalização', 'pt.seized'],
  ['Objeto devolvido ao remetente', 'pt.returned'],
  ['Endereço incorreto', 'pt.address_problem'],
  ['包裹丢失', 'zh.lost'],
  ['包裹破损', 'zh.damaged'],
  ['包裹已销毁', 'zh.destroyed'],
  ['包裹被海关扣押', 'zh.seized'],
  ['包裹已退回发件人', 'zh.returned'],
  ['收件地址错误', 'zh.address_problem'],
  ['荷物紛失', 'ja.lost'],
  ['荷物が破損しました', 'ja.damaged'],
  ['廃棄されました', 'ja.destroyed'],
  ['税関で没収', 'ja.seized'],
  ['差出人に返送', 'ja.returned'],
  ['宛所不明のため配達できません', 'ja.address_problem'],
];

describe('description rules', () => {
  it.each(SAID)('"%s" fires %s', (description, rule) => {
    expect(readDescription(description)?.rule).toBe(rule);
  });

  it('every language has a rule for every finding (Portuguese shares its word for lost with Spanish)', () => {
    const languages = ['en', 'de', 'fr', 'es', 'pt', 'zh', 'ja'];
    for (const language of languages) {
      for (const finding of DESCRIPTION_FINDINGS) {
        expect(
          DESCRIPTION_RULES.some((r) => r.id === `${language}.${finding}`),
          `${language}.${finding}`,
        ).toBe(true);
      }
    }
    expect(readDescription('Objeto extraviado')?.finding).toBe('lost');
  });

  it('records the words it matched', () => {
    expect(readDescription('Exception: PACKAGE DAMAGED, contents broken')).toEqual({
      finding: 'damaged',
      rule: 'en.damaged',
      matched: 'DAMAGED',
    });
  });

  it('reads nothing into words that are negated, or part of other words', () => {
    expect(readDescription('Package not lost: delayed by weather')).toBeUndefined();
    expect(readDescription('No damage reported')).toBeUndefined();
    expect(readDescription('Sendung nicht verloren, verspätet')).toBeUndefined();
    expect(readDescription('包裹未丢失')).toBeUndefined();
    expect(readDescription('Arrived at Glostrup terminal')).toBeUndefined();
    expect(readDescription('Clearance delay, awaiting documents')).toBeUndefined();
    expect(readDescription(undefined)).toBeUndefined();
  });

  it('the graver finding wins when a description says several things', () => {
    expect(readDescription('Damaged parcel destroyed by the carrier')?.finding).toBe('destroyed');
    expect(readDescription('Damaged, returned to sender')?.finding).toBe('damaged');
  });

  const scan = (status: TrackingEvent['status'], description: string): TrackingEvent => ({
    eventId: 'e1',
    occurredAt: '2026-01-01T00:00:00.000Z',
    status,
    description,
  });

  it('reads exceptions, failed attempts and unknown scans, not scans whose status already says it', () => {
    expect(withFinding(scan('exception', 'Package lost')).finding?.finding).toBe('lost');
    expect(withFinding(scan('failed_attempt', 'Address incomplete')).finding?.finding).toBe(
      'address_problem',
    );
    expect(withFinding(scan('unknown', 'Paket verloren')).finding?.rule).toBe('de.lost');
    expect(
      withFinding(scan('in_transit', 'Lost and found office, Zurich')).finding,
    ).toBeUndefined();
    expect(withFinding(scan('delivered', 'Delivered, box damaged')).finding).toBeUndefined();
  });

  it('a finding is ours to make: one sent with the event is read again', () => {
    const sent = {
      ...scan('in_transit', 'Arrived at hub'),
      finding: { finding: 'lost' as const, rule: 'en.lost', matched: 'lost' },
    };
    expect(withFinding(sent).finding).toBeUndefined();
  });

  it("reads a provider summary's description (17TRACK's sub_status_descr) the same way", () => {
    const summary = withSummaryFinding({
      provider: '17track',
      native: 'Exception/Exception_Other',
      status: 'exception',
      description: 'Shipment lost by carrier',
    });
    expect(summary.finding?.rule).toBe('en.lost');
  });
});
