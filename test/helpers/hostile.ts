/**
 * Hostile input for property tests: values a careless or malicious client sends, and valid bodies
 * with one field changed to one of them.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonPath = (string | number)[];

/** Nested `depth` levels deep, built without recursion limits getting in the way. */
function nested(depth: number, kind: 'array' | 'object'): Json {
  let v: Json = 'bottom';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** Prototype-pollution attempts: own properties named like Object.prototype's internals. */
export const POLLUTION: Json[] = [
  JSON.parse('{"__proto__":{"polluted":"yes"}}') as Json,
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as Json,
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

export const SQL_INJECTION = [
  "' OR '1'='1",
  "'; DROP TABLE shipments; --",
  "x'); DELETE FROM policies; --",
  '1; SELECT pg_sleep(0)',
  "' UNION SELECT key_hash FROM api_keys --",
  "\\'; TRUNCATE tracking_events; --",
  '%27%20OR%201%3D1',
  '$1',
  '"; drop database test; --',
];

/** One hostile JSON value: wrong types, extreme numbers, odd strings, deep nesting, pollution. */
export function hostileValue(): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.constantFrom<Json>(
      null,
      true,
      false,
      0,
      -1,
      -0.5,
      1.5,
      -1e308,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      -Number.MAX_SAFE_INTEGER - 2,
      2 ** 31,
      'NaN',
      'Infinity',
      '-Infinity',
      '1e400',
      '-0',
      '0x10',
      '',
      ' ',
      '\u0000',
      '\uFFFD\uD800',
      'null',
      'undefined',
      'true',
      '2026-02-30T25:61:61Z',
      '9999-12-31T23:59:59Z',
      '0000-01-01T00:00:00Z',
      'x'.repeat(100_000),
      '💥'.repeat(5_000),
      'e\u0301'.repeat(1_000),
      '\u202Eevil\u202C',
      '<script>alert(1)</script>',
      '../../etc/passwd',
      [],
      {},
      [null],
      nested(2_000, 'array'),
      nested(500, 'object'),
    ),
    // Each on its own: a lookup table indexed with `constructor` is a classic, so try them often.
    fc.constantFrom<Json>(...POLLUTION),
    fc.constantFrom<Json>(...SQL_INJECTION),
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.integer(),
    fc.double(),
    fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  );
}

/** Every path to a value inside `value` (the root excluded). */
export function pathsOf(value: Json, prefix: JsonPath = []): JsonPath[] {
  if (Array.isArray(value))
    return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [
      [...prefix, k],
      ...pathsOf(v, [...prefix, k]),
    ]);
  return [];
}

function clone(value: Json): Json {
  // JSON round trip: keeps own `__proto__` keys as data (structuredClone would too, but this is
  // what goes over the wire anyway).
  return JSON.parse(JSON.stringify(value)) as Json;
}

function define(target: Record<string, Json> | Json[], key: string | number, v: Json): void {
  // defineProperty, not assignment: `o.__proto__ = x` would set the prototype, not a field.
  Object.defineProperty(target, key, {
    value: v,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export type Mutation =
  | { kind: 'set'; path: JsonPath; value: Json }
  | { kind: 'delete'; path: JsonPath }
  | { kind: 'add'; path: JsonPath; key: string; value: Json };

/** `value` with one mutation applied (a copy). */
export function mutate(value: Json, m: Mutation): Json {
  const copy = clone(value);
  if (m.path.length === 0) {
    if (m.kind === 'set') return m.value;
    if (m.kind === 'add' && copy !== null && typeof copy === 'object' && !Array.isArray(copy))
      define(copy, m.key, m.value);
    return copy;
  }
  let parent = copy as Record<string, Json> | Json[];
  for (const key of m.path.slice(0, -1)) parent = (parent as Record<string, Json>)[key] as never;
  const last = m.path[m.path.length - 1]!;
  if (m.kind === 'set') define(parent, last, m.value);
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Record<string, Json>)[last];
  } else {
    const target = (parent as Record<string, Json>)[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target))
      define(target, m.key, m.value);
  }
  return copy;
}

/** A mutation of one field of `valid`: replaced by a hostile value, removed, or a key added. */
export function mutationOf(valid: Json): fc.Arbitrary<Mutation> {
  const paths = pathsOf(valid);
  const add = fc.record({
    kind: fc.constant('add' as const),
    path: fc.constantFrom<JsonPath>([], ...paths),
    key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', '$where'),
    value: hostileValue(),
  });
  // An empty body has no field to change: replace it whole, or add one.
  if (paths.length === 0)
    return fc.oneof<fc.Arbitrary<Mutation>[]>(
      fc.record({
        kind: fc.constant('set' as const),
        path: fc.constant([]),
        value: hostileValue(),
      }),
      add,
    );
  const path = fc.constantFrom(...paths);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant('set' as const), path, value: hostileValue() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), path }) },
    { weight: 1, arbitrary: add },
  );
}

/** True when an error path (`items.0.sku`, or the root name) is about the mutated field. */
export function namesField(errorPath: string, mutated: JsonPath, roots = ['body']): boolean {
  if (roots.includes(errorPath)) return true;
  const e = errorPath.split('.');
  const m = mutated.map(String);
  const n = Math.min(e.length, m.length);
  return e.slice(0, n).join('.') === m.slice(0, n).join('.');
}

/** Whether a run polluted Object.prototype (a parser that merged `__proto__` into an object). */
export function prototypePolluted(): boolean {
  return 'polluted' in Object.prototype || 'polluted' in ({} as object);
}
