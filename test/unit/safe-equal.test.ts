import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeEqual } from '../../src/http/safe-equal';

describe('safeEqual', () => {
  it('is true for equal secrets, as strings or bytes', () => {
    expect(safeEqual('s3cret-token', 's3cret-token')).toBe(true);
    expect(safeEqual(Buffer.from('abc'), 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
  });

  it('is false for different secrets of the same length', () => {
    expect(safeEqual('s3cret-token', 's3cret-tokem')).toBe(false);
    expect(safeEqual('a'.repeat(64), `${'a'.repeat(63)}b`)).toBe(false);
  });

  it('is false (and does not throw) for different lengths, prefixes included', () => {
    expect(safeEqual('s3cret', 's3cret-token')).toBe(false);
    expect(safeEqual('s3cret-token', 's3cret')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
    expect(safeEqual(Buffer.alloc(1000), Buffer.alloc(1001))).toBe(false);
  });
});

const ROOT = join(import.meta.dirname, '../..');
/**
 * Names of things that are, or are derived from, secrets; `expected`/`given` is how a hand-written
 * check names the two sides.
 */
const SECRETISH =
  /(signature|digest|token|secret|api_?key|hmac|\bmac\b|password|credential|\bexpected|\bgiven\b)/i;
/** Operands that are never secrets themselves: compared against them, nothing leaks. */
const HARMLESS = /^(undefined|null|true|false|\d+|typeof\b.*|'[^']*'|"[^"]*"|`[^`]*`)$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The operand next to `===`/`!==`: a chain of identifiers, calls, indexes and property access. */
function leftOperand(before: string): string {
  const m = /(typeof\s+)?[\w$.?![\]()'"`-]+\s*$/.exec(before);
  return (m?.[0] ?? '').trim().replace(/^[(!]+/, '');
}
function rightOperand(after: string): string {
  const m = /^\s*(typeof\s+)?[\w$.?![\]()'"`-]+/.exec(after);
  return (m?.[0] ?? '').trim().replace(/[);]+$/, '');
}

/** `file:line` of each `===`/`!==` with a secret-like operand on either side. */
function secretComparisons(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const line = raw.replace(/\/\/.*$/, '');
      if (/^\s*(\*|\/\*)/.test(line)) return;
      for (const m of line.matchAll(/[!=]==/g)) {
        const left = leftOperand(line.slice(0, m.index));
        const right = rightOperand(line.slice(m.index + 3));
        if (HARMLESS.test(left) || HARMLESS.test(right)) continue;
        if (SECRETISH.test(left) || SECRETISH.test(right))
          found.push(`${relative(ROOT, file)}:${i + 1}: ${left} ${m[0]} ${right}`);
      }
    });
  }
  return found;
}

describe('secrets are compared with safeEqual', () => {
  it('no === or !== in src/ compares a signature, digest, token, secret or key', () => {
    expect(secretComparisons(sources(join(ROOT, 'src')))).toEqual([]);
  });

  it('the scan finds such a comparison (and lets `=== undefined` through)', () => {
    const probe = join(import.meta.dirname, 'safe-equal.probe.txt');
    expect(secretComparisons([probe])).toEqual([
      'test/unit/safe-equal.probe.txt:2: given === expectedSignature',
      'test/unit/safe-equal.probe.txt:3: digest.length !== other.length',
      'test/unit/safe-equal.probe.txt:4: req.headers.token === apiKey',
      'test/unit/safe-equal.probe.txt:5: expected.length === actual.length',
    ]);
  });
});
