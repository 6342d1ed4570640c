import { Writable } from 'node:stream';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createLogger, safeUrl, scrubError, serializeError } from '../../src/logger';
import { scrubActivityFailures } from '../../src/worker';

const PII = ['Ada Buyer', 'ada@example.com', '1 Market St'];

/** What postgres.js raises for a failed insert, as drizzle hands it on. */
function failedInsert(opts: { debug?: boolean } = {}): DrizzleQueryError {
  const pg = new postgres.PostgresError({
    message: 'new row for relation "shipments" violates check constraint "shipments_probe"',
    severity: 'ERROR',
    code: '23514',
    detail: `Failing row contains (SHP-1, ${PII.join(', ')}).`,
    schema_name: 'public',
    table_name: 'shipments',
    constraint_name: 'shipments_probe',
    routine: 'ExecConstraints',
  } as never);
  // The driver adds these, enumerable only with its `debug` option.
  Object.defineProperties(pg, {
    query: { value: 'insert into "shipments" values ($1, $2, $3)', enumerable: !!opts.debug },
    parameters: { value: PII, enumerable: !!opts.debug },
    args: { value: PII, enumerable: !!opts.debug },
  });
  return new DrizzleQueryError('insert into "shipments" values ($1, $2, $3)', PII, pg);
}

function captured(): {
  lines: () => Record<string, unknown>[];
  text: () => string;
  dest: Writable;
} {
  let text = '';
  const dest = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    dest,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('the error serializer', () => {
  it('keeps the SQLSTATE, constraint and table of a nested database error, not its parameters', () => {
    for (const debug of [false, true]) {
      const out = captured();
      createLogger('info', 'test', out.dest).error({ err: failedInsert({ debug }) }, 'unhandled');
      for (const value of PII) expect(out.text()).not.toContain(value);
      expect(out.text()).not.toContain('insert into');
      const [line] = out.lines();
      expect(line!.err).toMatchObject({
        type: 'DrizzleQueryError',
        message: 'Failed query (SQL and parameters not logged)',
        cause: {
          type: 'PostgresError',
          code: '23514',
          constraint_name: 'shipments_probe',
          table_name: 'shipments',
          message: 'new row for relation "shipments" violates check constraint "shipments_probe"',
        },
      });
      expect((line!.err as { stack: string }).stack).toMatch(/^DrizzleQueryError: Failed query/);
    }
  });

  it('masks the value PostgreSQL quotes in a data exception', () => {
    const err = Object.assign(new Error('invalid input syntax for type uuid: "ada@example.com"'), {
      code: '22P02',
    });
    expect(serializeError(err)).toMatchObject({
      code: '22P02',
      message: 'invalid input syntax for type uuid: "***"',
    });
  });

  it('follows causes and aggregate errors, drops nested objects, and stops at a cycle', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      port: 5432,
      config: { password: 'hunter2' },
    });
    const outer = new Error('outer', { cause: new AggregateError([inner], 'all failed') });
    (inner as { cause?: unknown }).cause = outer;
    const text = JSON.stringify(serializeError(outer));
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('5432');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('cause chain cut here');
  });
});

describe('an activity failure', () => {
  it('leaves the worker without the parameters of a failed query, its type and causes kept', async () => {
    const next = () => Promise.reject(failedInsert());
    const err = (await scrubActivityFailures.execute!({} as never, next).catch(
      (e: unknown) => e,
    )) as Error & { cause: Error & { code: string } };
    expect(err.constructor.name).toBe('DrizzleQueryError');
    expect(err.message).toBe('Failed query (SQL and parameters not logged)');
    expect(err.cause.code).toBe('23514');
    const text = `${err.message}\n${err.stack}\n${JSON.stringify(err)}\n${err.cause.stack}`;
    for (const value of PII) expect(text).not.toContain(value);
  });

  it('is left alone when it holds no query', () => {
    const err = new Error('carrier said 503');
    expect(scrubError(err).message).toBe('carrier said 503');
  });
});

describe('request URLs in logs', () => {
  it('mask survey tokens and secret query parameters', () => {
    expect(safeUrl('/survey/eyJhbGciOi.abc?x=1')).toBe('/survey/***');
    expect(safeUrl('/survey/tok123/answer')).toBe('/survey/***/answer');
    expect(safeUrl('/v1/shipments/SHP-1?email=ada@example.com')).toBe('/v1/shipments/SHP-1');
    expect(safeUrl('/x?token=abc&key=def&limit=5', { keepQuery: true })).toBe(
      '/x?token=***&key=***&limit=5',
    );
  });
});
