import { describe, expect, it } from 'vitest';
import { unstorableTextErrors } from '../../src/http/validate';

describe('text PostgreSQL cannot store is found with its field path', () => {
  it('names NUL characters and unpaired surrogates in values and keys, at any depth', () => {
    const body = JSON.parse(
      '{"a":"ok \\ud83d\\ude00","b":[{"c":"x\\u0000y"}],"d":"\\ud800","e\\u0000":1,"f":"\\udc00z"}',
    ) as unknown;
    expect(unstorableTextErrors(body).sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: 'b.0.c', message: 'must not contain the NUL character (U+0000)' },
      { path: 'd', message: 'must be valid Unicode (holds an unpaired surrogate)' },
      { path: 'e\\u0000', message: 'must not contain the NUL character (U+0000)' },
      { path: 'f', message: 'must be valid Unicode (holds an unpaired surrogate)' },
    ]);
  });

  it('names the root when the body itself is such a string, and passes clean bodies', () => {
    expect(unstorableTextErrors('\u0000')).toEqual([
      { path: 'body', message: 'must not contain the NUL character (U+0000)' },
    ]);
    expect(unstorableTextErrors({ a: ['é', '😀', 1, null, { b: true }] })).toEqual([]);
  });

  it('walks a body nested 100,000 levels deep without overflowing the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const [error] = unstorableTextErrors(deep);
    expect(error!.path.split('.')).toHaveLength(100_000);
  });
});
