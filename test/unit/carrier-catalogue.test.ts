import { describe, expect, it } from 'vitest';
import {
  CARRIER_CATALOGUE,
  CARRIER_CODES,
  carrierCode,
  carrierFromName,
  carrierName,
  fromAfterShipSlug,
  fromEasyPostCarrier,
  fromTrack17Key,
  indexCatalogue,
  isKnownCarrier,
  suggestCarriers,
  toAfterShipSlug,
  toEasyPostCarrier,
  toTrack17Key,
} from '../../src/carriers/catalogue';
import { DEFAULT_CHANNEL_RATES } from '../../src/channels/rates';

describe('the carrier catalogue', () => {
  it.each([
    ['usps', 'USPS'],
    ['china-post', 'China Post'],
    ['china-ems', 'China EMS (ePacket)'],
    ['yanwen', 'Yanwen'],
    ['yunexpress', 'YunExpress'],
    ['4px', '4PX'],
    ['sf-express', 'SF Express'],
    ['cainiao', 'Cainiao'],
    ['sandbox', 'Sandbox carrier'],
  ])('%s is accepted and shown as %s', (code, name) => {
    expect(isKnownCarrier(code)).toBe(true);
    expect(carrierName(code)).toBe(name);
  });

  it('codes are accepted whatever their case, and written as the catalogue writes them', () => {
    expect(isKnownCarrier('DHL')).toBe(true);
    expect(carrierCode('DHL')).toBe('dhl');
    expect(carrierName('FedEx')).toBe('FedEx');
  });

  it('an unknown code is refused and shown as given', () => {
    expect(isKnownCarrier('pigeon-post')).toBe(false);
    expect(isKnownCarrier('constructor')).toBe(false);
    expect(carrierCode('yanwn')).toBeUndefined();
    expect(carrierName('pigeon-post')).toBe('pigeon-post');
  });

  it('knows every carrier of the demo rate table, so reships go out with a code it knows', () => {
    const unknown = DEFAULT_CHANNEL_RATES.map((r) => r.carrier).filter((c) => !isKnownCarrier(c));
    expect(unknown).toEqual([]);
  });

  it('lists every carrier once, with a name, and keeps the sandbox for development', () => {
    expect(new Set(CARRIER_CODES).size).toBe(CARRIER_CODES.length);
    expect(CARRIER_CODES).toContain('sandbox');
    expect(CARRIER_CATALOGUE.find((c) => c.code === 'sandbox')?.aftership).toBeUndefined();
    for (const c of CARRIER_CATALOGUE) expect(c.name).not.toBe('');
  });
});

describe('translating carrier codes', () => {
  it.each([
    ['usps', 21051],
    ['ups', 100002],
    ['fedex', 100003],
    ['dhl', 100001],
    ['china-post', 3011],
    ['yanwen', 190012],
  ])('%s is 17TRACK key %i, and back', (code, key) => {
    expect(toTrack17Key(code)).toBe(key);
    expect(fromTrack17Key(key)).toBe(code);
  });

  it('leaves carriers without a known 17TRACK key to detection', () => {
    expect(toTrack17Key('yunexpress')).toBeUndefined();
    expect(fromTrack17Key(999_999)).toBeUndefined();
  });

  it.each([
    ['usps', 'USPS'],
    ['ups', 'UPS'],
    ['fedex', 'FedEx'],
    ['dhl', 'DHLExpress'],
    ['canada-post', 'CanadaPost'],
    ['royal-mail', 'RoyalMail'],
    ['australia-post', 'AustraliaPost'],
  ])('%s is EasyPost carrier %s, and back whatever the case', (code, name) => {
    expect(toEasyPostCarrier(code)).toBe(name);
    expect(fromEasyPostCarrier(name)).toBe(code);
    expect(fromEasyPostCarrier(name.toUpperCase())).toBe(code);
  });

  it('has no EasyPost name for carriers EasyPost does not carry', () => {
    expect(toEasyPostCarrier('yanwen')).toBeUndefined();
    expect(fromEasyPostCarrier('PigeonPost')).toBeUndefined();
  });

  it('uses the AfterShip slug as our code', () => {
    expect(toAfterShipSlug('deutsch-post')).toBe('deutsch-post');
    expect(fromAfterShipSlug('Royal-Mail')).toBe('royal-mail');
    expect(toAfterShipSlug('sandbox')).toBeUndefined();
  });

  it.each([
    ['USPS', 'usps'],
    ['FedEx', 'fedex'],
    ['DHL Express', 'dhl'],
    ['DHL eCommerce', 'dhl-global-mail'],
    ['China Post', 'china-post'],
    ['Yanwen', 'yanwen'],
    ['YunExpress', 'yunexpress'],
    ['royal mail', 'royal-mail'],
    ['Colissimo', 'la-poste-colissimo'],
    ['DHLExpress', 'dhl'],
  ])('a shop naming the carrier "%s" means %s', (name, code) => {
    expect(carrierFromName(name)).toBe(code);
  });

  it('refuses a catalogue where two carriers share a provider code', () => {
    const a = { code: 'a', name: 'A', track17: 1, aliases: [] };
    const b = { code: 'b', name: 'B', track17: 1, aliases: [] };
    expect(() => indexCatalogue([a, b], (c) => [c.track17])).toThrow(/names both a and b/);
  });
});

describe('suggestions for an unknown carrier', () => {
  it.each([
    ['yanwn', ['yanwen']],
    ['fedx', ['fedex']],
    ['usp', ['usps']],
    ['Royal Mail', ['royal-mail']],
    ['yun-express', ['yunexpress']],
    ['DHL Express', ['dhl']],
  ])('"%s" suggests %j', (input, expected) => {
    expect(suggestCarriers(input)).toEqual(expected);
  });

  it('suggests nothing for what is far from every carrier', () => {
    expect(suggestCarriers('pigeon-post')).toEqual([]);
    expect(suggestCarriers('c')).toEqual([]);
    expect(suggestCarriers('---')).toEqual([]);
  });

  it('suggests at most three, closest first', () => {
    const many = suggestCarriers('post', 3);
    expect(many.length).toBeLessThanOrEqual(3);
    expect(suggestCarriers('dhl-', 1)).toEqual(['dhl']);
  });
});
