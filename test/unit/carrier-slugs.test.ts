import { describe, expect, it } from 'vitest';
import { carrierName, isKnownCarrier } from '../../src/carriers/slugs';

describe('carrier codes', () => {
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

  it('codes are accepted whatever their case', () => {
    expect(isKnownCarrier('DHL')).toBe(true);
    expect(carrierName('FedEx')).toBe('FedEx');
  });

  it('an unknown code is refused and shown as given', () => {
    expect(isKnownCarrier('pigeon-post')).toBe(false);
    expect(isKnownCarrier('constructor')).toBe(false);
    expect(carrierName('pigeon-post')).toBe('pigeon-post');
  });
});
