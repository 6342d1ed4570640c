import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CODEC_SESSION_COOKIE,
  CODEC_SESSION_TTL_SECONDS,
  codecSessionSecretFromPayloadKey,
  signCodecSession,
  verifyCodecSession,
} from '../../src/codec/codec-session';
import { connectDatabase, type Database } from '../../src/db/client';
import { seed } from '../../src/db/seed';
import { generatePayloadKey } from '../../src/temporal/payload-codec';
import { uniqueId } from '../helpers/factories';
import { documentedAnswers, type OpenApiDocument } from '../helpers/openapi-documented';
import { testDataConverter, testPayloadCodec } from '../helpers/payload-key';
import { serve, type ApiUnderTest } from './harness';

const UI_ORIGIN = 'http://localhost:8233';
const SECRET = randomBytes(32);

let database: Database;
let connection: Connection;
let api: ApiUnderTest;
let behindTls: ApiUnderTest;
/** A second API replica: the same database and session secret. */
let replica: ApiUnderTest;
let doc: OpenApiDocument;
/** The codec sessions' clock of `api`: tests move it to expire a session. */
let nowMs = Date.parse('2026-03-02T08:00:00Z');

beforeAll(async () => {
  database = connectDatabase(inject('databaseUrl'), { max: 5 });
  await seed(database.db);
  connection = await Connection.connect({ address: inject('temporalAddress') });
  const deps = {
    db: database.db,
    temporal: new Client({
      connection,
      namespace: inject('temporalNamespace'),
      dataConverter: testDataConverter(),
    }),
    taskQueue: uniqueId('codec-session'),
    payloadCodec: testPayloadCodec(),
    codecCorsOrigins: [UI_ORIGIN],
  };
  api = await serve({ ...deps, codecSessionSecret: SECRET, codecSessionClock: () => nowMs });
  replica = await serve({ ...deps, codecSessionSecret: SECRET, codecSessionClock: () => nowMs });
  behindTls = await serve({ ...deps, messaging: { publicUrl: 'https://parcels.example.com' } });
  doc = (await api.call('GET', '/openapi.json')).body;
});
afterAll(async () => {
  await api?.close();
  await behindTls?.close();
  await replica?.close();
  await connection?.close();
  await database?.close();
});

const expectDocumented = documentedAnswers(() => doc);
const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v ?? new Uint8Array())]),
  ),
  data: b64(p.data ?? new Uint8Array()),
});

/** The Set-Cookie header of an answer, split into its value and attributes. */
function setCookie(res: { headers: Headers }) {
  const all = res.headers.getSetCookie();
  expect(all).toHaveLength(1);
  const [pair, ...attrs] = all[0]!.split(';').map((s) => s.trim());
  const eq = pair!.indexOf('=');
  return {
    name: pair!.slice(0, eq),
    value: pair!.slice(eq + 1),
    attrs: attrs.map((a) => a.toLowerCase()),
  };
}

/** A session cookie opened with `authorization` (an ops key unless told). */
async function openSession(on: ApiUnderTest = api, authorization = `Bearer ${api.keys.ops}`) {
  const res = await on.call('POST', '/codec/session', { headers: { authorization } });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
  return setCookie(res).value;
}

/** The claims a token carries, read without checking it (what anyone holding it can see). */
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));

/** An encrypted payload, as the Temporal UI finds it in a history. */
async function sealed(value: unknown) {
  const [p] = await testPayloadCodec().encode([defaultPayloadConverter.toPayload(value)]);
  return asJson(p!);
}

/** POST /codec/decode from the Temporal UI with only the cookie (no API key). */
async function decodeWithCookie(
  token: string,
  origin: string | undefined = UI_ORIGIN,
  on: ApiUnderTest = api,
) {
  return on.call('POST', '/codec/decode', {
    body: { payloads: [await sealed({ email: 'cookie.reader@example.com' })] },
    headers: {
      cookie: `${CODEC_SESSION_COOKIE}=${token}`,
      ...(origin ? { origin } : {}),
    },
  });
}

describe('a codec session lets the Temporal UI decode payloads without our API key', () => {
  it('opens for an ops key: an HttpOnly, SameSite=Strict cookie for /codec, 8 hours, naming the key by id only', async () => {
    const res = await api.call('POST', '/codec/session', { as: 'ops' });
    expect(res.status).toBe(204);
    expect(doc.paths['/codec/session']?.post?.responses['204']).toBeDefined();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const cookie = setCookie(res);
    expect(cookie.name).toBe('parcelwarden_codec');
    expect(cookie.attrs).toEqual(
      expect.arrayContaining(['httponly', 'samesite=strict', 'path=/codec', 'max-age=28800']),
    );
    expect(cookie.attrs).not.toContain('secure');
    expect(cookie.value).not.toContain(api.keys.ops);
    const claims = claimsOf(cookie.value);
    expect(claims.k).toMatch(/^key_/);
    expect(claims.s).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(claims.exp).toBe(Math.floor(nowMs / 1000) + CODEC_SESSION_TTL_SECONDS);
    expect(JSON.stringify(claims)).not.toContain(api.keys.ops);
  });

  it('marks the cookie Secure when PUBLIC_URL is https (TLS ends at a proxy)', async () => {
    const res = await behindTls.call('POST', '/codec/session', { as: 'analyst' });
    expect(res.status).toBe(204);
    expect(setCookie(res).attrs).toEqual(expect.arrayContaining(['secure', 'httponly']));
  });

  it('decodes with only the cookie from the Temporal UI origin, readable there through CORS', async () => {
    const token = await openSession();
    const res = await decodeWithCookie(token);
    expectDocumented('POST', '/codec/decode', res, 200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const plain = JSON.parse(Buffer.from(res.body.payloads[0].data, 'base64').toString('utf8'));
    expect(plain).toEqual({ email: 'cookie.reader@example.com' });

    // Encoding is for roles that may configure: an ops session may not, an admin's may.
    const encode = (session: string) =>
      api.call('POST', '/codec/encode', {
        body: { payloads: [asJson(defaultPayloadConverter.toPayload('x'))] },
        headers: { cookie: `${CODEC_SESSION_COOKIE}=${session}`, origin: UI_ORIGIN },
      });
    const byOps = await encode(token);
    expect(byOps.status).toBe(403);
    expect(byOps.body.code).toBe('auth.forbidden');
    expect((await encode(await openSession(api, `Bearer ${api.keys.admin}`))).status).toBe(200);
    // A command line sends no Origin: `curl -b` works too.
    expect((await decodeWithCookie(token, undefined)).status).toBe(200);
  });

  it('answers 401 without a cookie, and 403 to the cookie from an origin not on the list', async () => {
    const none = await api.call('POST', '/codec/decode', {
      body: { payloads: [] },
      headers: { origin: UI_ORIGIN },
    });
    expectDocumented('POST', '/codec/decode', none, 401);
    expect(none.body.code).toBe('auth.missing_key');
    expect(none.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);

    const elsewhere = await decodeWithCookie(await openSession(), 'http://localhost:5173');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.code).toBe('codec.origin_not_allowed');
  });

  it('refuses a tampered, expired or foreign-signed cookie with 401', async () => {
    const token = await openSession();
    const [body, signature] = token.split('.') as [string, string];
    const claims = claimsOf(token);
    const other = (c: object) => Buffer.from(JSON.stringify(c)).toString('base64url');
    const refused = [
      // a later expiry under the old signature
      `${other({ ...claims, exp: claims.exp + 86_400 })}.${signature}`,
      // the signature altered
      `${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
      // the right claims signed with another server's secret
      signCodecSession(randomBytes(32), {
        keyId: claims.k,
        sessionId: claims.s,
        expiresAt: claims.exp,
      }),
      // a token from before sessions could be ended: no session id
      signCodecSession(SECRET, { keyId: claims.k, expiresAt: claims.exp } as never),
      body,
      'not-a-token',
      '',
    ];
    for (const bad of refused) {
      const res = await decodeWithCookie(bad);
      expect(res.status, bad).toBe(401);
      expect(res.body.code).toBe('auth.invalid_session');
    }
    // The same claims signed with this server's secret pass: the secret is what failed above.
    const resigned = signCodecSession(SECRET, {
      keyId: claims.k,
      sessionId: claims.s,
      expiresAt: claims.exp,
    });
    expect((await decodeWithCookie(resigned)).status).toBe(200);

    const opened = nowMs;
    try {
      nowMs = opened + CODEC_SESSION_TTL_SECONDS * 1000 - 1000;
      expect((await decodeWithCookie(token)).status).toBe(200);
      nowMs = opened + CODEC_SESSION_TTL_SECONDS * 1000;
      const expired = await decodeWithCookie(token);
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('auth.invalid_session');
    } finally {
      nowMs = opened;
    }
  });

  it('ends at once when its API key is revoked', async () => {
    const created = await api.call('POST', '/v1/api-keys', {
      as: 'admin',
      body: { role: 'ops', name: uniqueId('codec-session-ops') },
    });
    expect(created.status).toBe(201);
    const token = await openSession(api, `Bearer ${created.body.key}`);
    expect(claimsOf(token).k).toBe(created.body.id);
    expect((await decodeWithCookie(token)).status).toBe(200);

    const revoked = await api.call('DELETE', `/v1/api-keys/${created.body.id}`, { as: 'admin' });
    expect(revoked.status).toBe(200);
    const res = await decodeWithCookie(token);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.invalid_session');
  });

  it('is not given to an ingest key, nor to a request without a key', async () => {
    const ingest = await api.call('POST', '/codec/session', { as: 'ingest' });
    expect(ingest.status).toBe(403);
    expect(ingest.body.code).toBe('auth.forbidden');
    expect(ingest.headers.getSetCookie()).toEqual([]);
    expect((await api.call('POST', '/codec/session')).status).toBe(401);
  });

  it('is accepted by decode and encode only: not by the read API, nor to open a new session', async () => {
    const cookie = `${CODEC_SESSION_COOKIE}=${await openSession()}`;
    for (const [method, path] of [
      ['GET', '/v1/shipments'],
      ['GET', '/v1/reviews'],
      ['POST', '/codec/session'],
    ] as const) {
      const res = await api.call(method, path, { headers: { cookie, origin: UI_ORIGIN } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.code).toBe('auth.missing_key');
    }
  });

  it('judges the API key when one is sent, not the cookie', async () => {
    const res = await api.call('POST', '/codec/decode', {
      body: { payloads: [] },
      headers: {
        cookie: `${CODEC_SESSION_COOKIE}=${await openSession()}`,
        authorization: 'Bearer not-a-key',
      },
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.invalid_key');
  });

  it('DELETE /codec/session ends the session on every replica, not only in this browser', async () => {
    const ended = await openSession();
    const other = await openSession();
    expect((await decodeWithCookie(ended)).status).toBe(200);
    expect((await decodeWithCookie(ended, UI_ORIGIN, replica)).status).toBe(200);

    const res = await api.call('DELETE', '/codec/session', {
      as: 'ops',
      headers: { cookie: `${CODEC_SESSION_COOKIE}=${ended}` },
    });
    expect(res.status).toBe(204);
    expect(setCookie(res).value).toBe('');

    // Someone who copied the cookie before it was cleared gets nothing, from any replica.
    for (const on of [api, replica]) {
      const after = await decodeWithCookie(ended, UI_ORIGIN, on);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('auth.invalid_session');
    }
    // Another session of the same key is its own: it goes on.
    expect((await decodeWithCookie(other, UI_ORIGIN, replica)).status).toBe(200);
  });

  it('DELETE /codec/session clears the cookie', async () => {
    const res = await api.call('DELETE', '/codec/session', { as: 'analyst' });
    expect(res.status).toBe(204);
    expect(doc.paths['/codec/session']?.delete?.responses['204']).toBeDefined();
    const cookie = setCookie(res);
    expect(cookie.name).toBe(CODEC_SESSION_COOKIE);
    expect(cookie.value).toBe('');
    expect(cookie.attrs).toEqual(expect.arrayContaining(['max-age=0', 'path=/codec']));
    expect((await api.call('DELETE', '/codec/session')).status).toBe(401);
  });
});

describe('the session secret derived from PAYLOAD_KEY', () => {
  it('is the same for every replica with the same encrypting key, and changes with it', () => {
    const current = generatePayloadKey('k2');
    const old = generatePayloadKey('k1');
    const replicaA = codecSessionSecretFromPayloadKey(`${current},${old}`);
    const replicaB = codecSessionSecretFromPayloadKey(current);
    expect(replicaA.equals(replicaB)).toBe(true);
    expect(replicaA).toHaveLength(32);
    expect(replicaA.equals(codecSessionSecretFromPayloadKey(old))).toBe(false);
    // Not the key itself: the secret is derived.
    expect(replicaA.equals(Buffer.from(current.slice(3), 'base64'))).toBe(false);

    const claims = {
      keyId: 'key_1',
      sessionId: 'AAAAAAAAAAAAAAAAAAAAAA',
      expiresAt: 2_000_000_000,
    };
    const token = signCodecSession(replicaA, claims);
    expect(verifyCodecSession(replicaB, token, 0)).toEqual(claims);
    expect(verifyCodecSession(codecSessionSecretFromPayloadKey(old), token, 0)).toBeUndefined();
  });
});
