/**
 * What the API writes to its log when the database fails unexpectedly: the request's customer
 * data (name, e-mail, street) must not be in it, the SQLSTATE and constraint must. The app logs
 * through createLogger, as in production, into a stream the test reads instead of stdout.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { aRegistration } from '../helpers/factories';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { startApi, type ApiUnderTest } from './harness';

let own: OwnDatabase;
let api: ApiUnderTest;
let stdout = '';
const lines = () =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  own = await ownDatabase();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      stdout += chunk.toString();
      done();
    },
  });
  api = await startApi({
    databaseUrl: own.url,
    app: { logger: createLogger('info', 'parcelwarden-api', destination) },
  });
  // An unexpected database error on every new shipment: the check fails whatever the row holds.
  await api.db.execute(sql`alter table shipments add constraint pii_probe check (false) not valid`);
});
afterAll(async () => {
  await api?.close();
  await own?.drop();
});

describe('logs of an unexpected database error', () => {
  it('carry the SQLSTATE and the constraint, not the customer the query was given', async () => {
    const registration = aRegistration({
      customer: { name: 'Zelda Quill', email: 'zelda.quill@example.org', locale: 'en-GB' },
      destination: {
        country: 'GB',
        name: 'Zelda Quill',
        line1: '42 Wisteria Lane',
        city: 'Lowtown',
        postalCode: 'LT1 4ZQ',
      },
    });
    const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: registration });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal.error');

    const logged = lines().find((l) => l.msg === 'unhandled error');
    expect(logged, stdout).toBeDefined();
    for (const pii of ['Zelda', 'Quill', 'zelda.quill@example.org', 'Wisteria', 'LT1 4ZQ'])
      expect(stdout).not.toContain(pii);
    expect(JSON.stringify(logged)).toContain('"code":"23514"');
    expect(JSON.stringify(logged)).toContain('"constraint_name":"pii_probe"');
    expect(JSON.stringify(logged)).toContain('"table_name":"shipments"');
    expect(logged!.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('show a survey link with its token masked', async () => {
    const token = 'c3VydmV5LXRva2VuLW5vdC1yZWFs.c2lnbmF0dXJl';
    await fetch(`${api.url}/survey/${token}?key=also-secret`);
    const request = lines().find((l) =>
      (l.req as { path?: string } | undefined)?.path?.startsWith('/survey/'),
    );
    expect(request?.req).toEqual({ method: 'GET', path: '/survey/***' });
    expect(stdout).not.toContain(token);
    expect(stdout).not.toContain('also-secret');
  });

  it('never show the API key or the codec session cookie a request came with', async () => {
    const cookie = 'parcelwarden_codec=c2Vzc2lvbi1jb29raWUtdmFsdWU.c2ln';
    const res = await api.call('POST', '/codec/decode', {
      as: 'ops',
      headers: { cookie },
      body: { payloads: [{ metadata: {}, data: 'not base64 at all' }] },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(
      lines().some((l) => (l.req as { path?: string } | undefined)?.path === '/codec/decode'),
    ).toBe(true);
    expect(stdout).not.toContain(api.keys.ops);
    expect(stdout).not.toContain(api.keys.ingest);
    expect(stdout).not.toContain('c2Vzc2lvbi1jb29raWUtdmFsdWU');
  });
});
