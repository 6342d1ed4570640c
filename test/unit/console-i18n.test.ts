/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import type { Strings } from '../../src/console/app/src/i18n/types';
import { isoSpan, money, span } from '../../src/console/app/src/lib/format';

// Every namespace of the console's strings, as the app itself collects them.
const files = import.meta.glob<{ default: Strings }>(
  '../../src/console/app/src/i18n/strings/*.ts',
  { eager: true },
);

/** Every key path of a strings object, with its interpolation variables. */
function keys(o: Record<string, unknown>, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(o)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') {
      out.set(path, [...v.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort());
    } else {
      for (const [kk, vv] of keys(v as Record<string, unknown>, path)) out.set(kk, vv);
    }
  }
  return out;
}

describe('the console’s languages', () => {
  it('has string files to check', () => {
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(3);
  });

  for (const [file, { default: strings }] of Object.entries(files)) {
    const ns = file.split('/').pop();
    it(`${ns}: Chinese has every English string with the same placeholders, and nothing else`, () => {
      const en = keys(strings.en);
      const zh = keys(strings.zh);
      expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
      for (const [k, vars] of en) expect(zh.get(k), `${ns} ${k}`).toEqual(vars);
    });
  }
});

describe('numbers, money and durations through Intl', () => {
  it('formats money in the reader’s locale and keeps a currency Intl does not know', () => {
    expect(money(120, 'EUR', 'en-GB')).toBe('€120.00');
    expect(money(120, 'CNY', 'zh-CN')).toBe('¥120.00');
    expect(money(5, 'XYZW', 'en-GB')).toBe('XYZW 5');
  });

  it('shows a span by its two largest units', () => {
    expect(span(29 * 60 + 5, 'en-GB')).toBe('29m 5s');
    expect(span(3600 + 120, 'en-GB')).toBe('1h 2m');
    expect(span(2 * 86_400 + 3 * 3600 + 59, 'en-GB')).toBe('2d 3h');
    expect(span(3600 + 1, 'en-GB')).toBe('1h');
    expect(span(0, 'en-GB')).toBe('0s');
    expect(span(90, 'zh-CN')).toBe('1分钟 30秒');
  });

  it('shows a claim guide’s ISO 8601 durations as spans, and other forms as written', () => {
    expect(isoSpan('P7D', 'en-GB')).toBe('7d');
    expect(isoSpan('P1W2D', 'en-GB')).toBe('9d');
    expect(isoSpan('PT48H', 'en-GB')).toBe('2d');
    expect(isoSpan('P1DT12H', 'en-GB')).toBe('1d 12h');
    expect(isoSpan('P2M', 'en-GB')).toBe('P2M');
    expect(isoSpan('P', 'en-GB')).toBe('P');
  });
});
