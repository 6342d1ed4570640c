import { describe, expect, it } from 'vitest';
import { computeAdvice, type AdviceContext, type LaneFigure } from '../../src/advice/advice';
import { DEFAULT_PACKAGING_RULES, packagingAdvice } from '../../src/advice/packaging';
import { DEFAULT_CHANNEL_POLICY, type RateCardRow } from '../../src/channels/channel-choice';
import { parseRateCardCsv } from '../../src/channels/rate-card.csv';

const card: RateCardRow[] = [
  row('yunexpress', 'standard', 'CN', 'US', 9, 6),
  row('cainiao', 'standard', 'CN', '*', 10, 9.8),
  row('dhl', 'express', '*', '*', 4, 32),
];
function row(
  carrier: string,
  service: string,
  originCountry: string,
  destinationCountry: string,
  serviceDays: number,
  postage: number,
): RateCardRow {
  const r = { carrier, service, originCountry, destinationCountry, serviceDays, postage };
  return { ...r, currency: 'USD', insurable: true };
}
const fig = (carrier: string, resolved: number, lost: number, delayed = 0): LaneFigure => ({
  carrier,
  origin: 'CN',
  destination: 'US',
  resolved,
  lost,
  withEstimate: resolved,
  delayed,
});
const ctx = (figures: LaneFigure[]): AdviceContext => ({
  policy: DEFAULT_CHANNEL_POLICY,
  policyVersion: 0,
  rateCard: card,
  rateCardVersion: 0,
  figures,
  figuresAt: new Date('2026-01-01T00:00:00Z'),
  packaging: { seller: 'default', version: 0, rules: DEFAULT_PACKAGING_RULES },
});
const input = {
  origin: 'CN',
  destination: 'US',
  items: [{ category: 'apparel' as const }],
  declaredValue: 40,
  currency: 'USD',
  carrier: 'yunexpress',
};

describe('advice scoring', () => {
  it('recommends the cheapest channel while the lane has too little history', () => {
    const a = computeAdvice(input, ctx([fig('yunexpress', 5, 2)]));
    expect(a.channel.carrier).toBe('yunexpress');
    expect(a.warnings).toEqual([]);
  });

  it('avoids a carrier losing too many parcels on the lane and warns with its figures', () => {
    const a = computeAdvice(input, ctx([fig('yunexpress', 40, 6), fig('cainiao', 30, 0)]));
    expect(a.channel.carrier).toBe('cainiao');
    expect(a.channel.reason).toContain('Avoided: yunexpress/standard');
    const carrier = a.warnings.find((w) => w.scope === 'carrier' && w.carrier === 'yunexpress');
    expect(carrier).toMatchObject({ measure: 'loss', sample: 40, count: 6, rate: 0.15 });
    // 6 lost of 70 on the lane: 8.6 %, above 5 %.
    expect(a.warnings.find((w) => w.scope === 'lane')).toMatchObject({ sample: 70, count: 6 });
  });

  it('warns about late delivery above the delay threshold', () => {
    const a = computeAdvice(input, ctx([fig('yunexpress', 25, 0, 10)]));
    expect(a.warnings).toContainEqual(
      expect.objectContaining({ scope: 'carrier', measure: 'delay', sample: 25, count: 10 }),
    );
  });
});

describe('insurance advice', () => {
  it('recommends insurance with a premium for a 250-value original', () => {
    const a = computeAdvice({ ...input, declaredValue: 250 }, ctx([]));
    // ceil(250 / 100) × 1.39 = 4.17
    expect(a.insurance).toMatchObject({ recommended: true, premium: 4.17, currency: 'USD' });
  });

  it('does not recommend it at or below the threshold', () => {
    const a = computeAdvice({ ...input, declaredValue: 100 }, ctx([]));
    expect(a.insurance).toMatchObject({ recommended: false, premium: 0 });
  });
});

describe('packaging rules', () => {
  const ids = (items: Parameters<typeof packagingAdvice>[1]['items'], origin = 'CN') =>
    packagingAdvice(DEFAULT_PACKAGING_RULES, {
      origin,
      destination: 'US',
      declaredValue: 50,
      items,
    }).map((m) => m.rule);

  it('gives an electronics item with a battery the lithium battery advice, with its source', () => {
    const matches = packagingAdvice(DEFAULT_PACKAGING_RULES, {
      origin: 'CN',
      destination: 'US',
      declaredValue: 80,
      items: [{ category: 'apparel' }, { category: 'electronics', hasBattery: true }],
    });
    const lithium = matches.find((m) => m.rule === 'lithium-battery');
    expect(lithium?.items).toEqual([1]);
    expect(lithium?.source.url).toContain('iata.org');
    expect(matches.map((m) => m.rule)).toContain('electronics-cushioning');
  });

  it('gives no battery advice to electronics without one', () => {
    expect(ids([{ category: 'electronics', hasBattery: false }])).not.toContain('lithium-battery');
  });

  it('asks for declarations in English or French only when the origin writes another language', () => {
    expect(ids([{ category: 'apparel' }], 'CN')).toContain('declaration-language');
    expect(ids([{ category: 'apparel' }], 'GB')).not.toContain('declaration-language');
  });

  it('every default rule names a public source', () => {
    for (const r of DEFAULT_PACKAGING_RULES) expect(r.source.url).toMatch(/^https:\/\//);
  });
});

describe('rate card CSV', () => {
  const header =
    'carrier,service,origin_country,destination_country,service_days,postage,currency,insurable';
  it('reads rows with their values', () => {
    const p = parseRateCardCsv(`${header}\nYunExpress,standard,cn,us,9,5.50,usd,yes\n`);
    expect(p).toEqual({
      ok: true,
      rows: [
        {
          carrier: 'yunexpress',
          service: 'standard',
          originCountry: 'CN',
          destinationCountry: 'US',
          serviceDays: 9,
          postage: 5.5,
          currency: 'USD',
          insurable: true,
        },
      ],
    });
  });

  it('reports every problem with its line number', () => {
    const p = parseRateCardCsv(
      `${header}\nups,express,CN,US,x,3,USD,\n\nups,express,CN,ZZ,2,-1,USD,no\nups,express,CN,US,2,3,USD,\n`,
    );
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.errors).toEqual([
      { line: 2, field: 'service_days', message: 'must be a whole number of days' },
      { line: 4, field: 'destination_country', message: expect.any(String) },
      { line: 4, field: 'postage', message: 'must not be negative' },
    ]);
  });

  it('refuses a file without the required columns', () => {
    const p = parseRateCardCsv('carrier,service,price\nups,express,3\n');
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.errors.map((e) => `${e.line}:${e.field}`)).toContain('1:price');
  });
});
