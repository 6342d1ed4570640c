import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPayloadCodec, ENCRYPTED_ENCODING } from '../../src/temporal/payload-codec';
import { cancelSignal } from '../../workflows/shipment.contract';
import { aFastPolicy, uniqueId } from '../helpers/factories';
import { documentedAnswers, type OpenApiDocument } from '../helpers/openapi-documented';
import { testPayloadCodec } from '../helpers/payload-key';
import { startShipment } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { serve, type ApiUnderTest } from './harness';

const UI_ORIGIN = 'http://localhost:8233';

let stack: TestStack;
let api: ApiUnderTest;
let withoutCodec: ApiUnderTest;
let doc: OpenApiDocument;
/** What `api` logged, one JSON line each. */
const logs: string[] = [];
beforeAll(async () => {
  stack = await startTestStack();
  const deps = { db: stack.db, temporal: stack.client, taskQueue: stack.taskQueue };
  api = await serve({
    ...deps,
    payloadCodec: testPayloadCodec(),
    codecCorsOrigins: [UI_ORIGIN],
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
  });
  withoutCodec = await serve(deps);
  doc = (await api.call('GET', '/openapi.json')).body;
});
afterAll(async () => {
  await api?.close();
  await withoutCodec?.close();
  await stack?.stop();
});

const expectDocumented = documentedAnswers(() => doc);
const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

/** A payload in the codec protocol's JSON (proto3 JSON: bytes as base64). */
function asJson(p: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v ?? new Uint8Array())]),
    ),
    data: b64(p.data ?? new Uint8Array()),
  };
}

describe('the codec endpoint for the Temporal UI', () => {
  it('decodes for roles that may read shipments, and encodes only for roles that may configure', async () => {
    const body = { payloads: [asJson(defaultPayloadConverter.toPayload('x'))] };
    const allowed = {
      '/codec/decode': ['ops', 'analyst', 'admin'],
      // Encoding makes payloads the worker trusts as ours: not something a reader needs.
      '/codec/encode': ['admin'],
    };
    for (const [path, roles] of Object.entries(allowed)) {
      expect((await api.call('POST', path, { body })).status).toBe(401);
      for (const role of ['ingest', 'ops', 'analyst', 'admin'] as const) {
        const res = await api.call('POST', path, { as: role, body });
        if (roles.includes(role)) expect(res.status, `${path} as ${role}`).toBe(200);
        else {
          expect(res.status, `${path} as ${role}`).toBe(403);
          expect(res.body.code).toBe('auth.forbidden');
        }
      }
    }
  });

  it('encodes and decodes back: the round trip gives the original payloads, in order', async () => {
    const originals = [
      defaultPayloadConverter.toPayload({ email: 'round.trip@example.com' }),
      defaultPayloadConverter.toPayload(42),
    ].map(asJson);
    const encoded = await api.call('POST', '/codec/encode', {
      as: 'admin',
      body: { payloads: originals },
      headers: { 'x-namespace': 'default' },
    });
    expectDocumented('POST', '/codec/encode', encoded, 200);
    expect(encoded.body.payloads).toHaveLength(2);
    for (const p of encoded.body.payloads) {
      expect(text(p.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata['encryption-key-id'])).toBe(testPayloadCodec().encryptingKeyId);
      expect(text(p.data)).not.toContain('round.trip');
    }
    const decoded = await api.call('POST', '/codec/decode', {
      as: 'analyst',
      body: { payloads: encoded.body.payloads },
    });
    expectDocumented('POST', '/codec/decode', decoded, 200);
    expect(decoded.body).toEqual({ payloads: originals });
    expect(decoded.headers.get('cache-control')).toBe('no-store');
  });

  it('decodes a payload taken from a real shipment history to the plaintext registration', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('codec')));
    try {
      // fetchHistory hands out the events as stored: the payloads are still encrypted.
      const history = await handle.fetchHistory();
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input
        ?.payloads?.[0] as Payload;
      const stored = asJson(input);
      expect(text(stored.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(stored.data)).not.toContain(reg.customer.email);

      const res = await api.call('POST', '/codec/decode', {
        as: 'ops',
        body: { payloads: [stored] },
        headers: { 'x-namespace': stack.namespace },
      });
      expect(res.status).toBe(200);
      const [plain] = res.body.payloads;
      expect(text(plain.metadata.encoding)).toBe('json/plain');
      const args = JSON.parse(text(plain.data));
      expect(args.registration.customer).toEqual(reg.customer);
      expect(args.registration.destination.line1).toBe(reg.destination.line1);
    } finally {
      await handle.signal(cancelSignal, { reason: 'test over' });
    }
  });

  it('the Temporal CLI shows a history decrypted through it (temporal workflow show --codec-endpoint)', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('codec-cli')));
    const show = async (...codec: string[]) => {
      const { stdout } = await promisify(execFile)(inject('temporalCliPath'), [
        'workflow',
        'show',
        '--address',
        inject('temporalAddress'),
        '--namespace',
        stack.namespace,
        '--workflow-id',
        handle.workflowId,
        '--output',
        'json',
        ...codec,
      ]);
      return stdout;
    };
    try {
      // `-o json` prints payloads as the protocol does (bytes in base64): read the started input.
      const input = (out: string) =>
        JSON.parse(out).events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
      const opened = input(
        await show(
          '--codec-endpoint',
          `${api.url}/codec`,
          '--codec-auth',
          `Bearer ${api.keys.analyst}`,
        ),
      );
      expect(text(opened.metadata.encoding)).toBe('json/plain');
      expect(JSON.parse(text(opened.data)).registration.customer.email).toBe(reg.customer.email);
      const sealed = input(await show());
      expect(text(sealed.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(sealed.data)).not.toContain(reg.customer.email);
    } finally {
      await handle.signal(cancelSignal, { reason: 'test over' });
    }
  });

  it('passes payloads that are not ours through, and refuses one it cannot decrypt naming no key id', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload('not encrypted'));
    const through = await api.call('POST', '/codec/decode', {
      as: 'ops',
      body: { payloads: [plain] },
    });
    expect(through.body).toEqual({ payloads: [plain] });

    const foreign = createPayloadCodec(`elsewhere:${randomBytes(32).toString('base64')}`);
    const [sealed] = await foreign.encode([defaultPayloadConverter.toPayload('secret')]);
    const res = await api.call('POST', '/codec/decode', {
      as: 'ops',
      body: { payloads: [asJson(sealed!)] },
    });
    expectDocumented('POST', '/codec/decode', res, 422);
    expect(res.body.code).toBe('codec.decode_failed');
    // Neither the payload's key id nor the ones this server holds: the caller learns nothing.
    const answer = JSON.stringify(res.body);
    expect(answer).not.toContain('elsewhere');
    expect(answer).not.toContain(testPayloadCodec().encryptingKeyId);
    expect(res.body.detail).toBe(
      "At least one payload could not be decoded with this server's payload keys.",
    );
    // Ops find the reason in the log.
    expect(logs.some((l) => l.includes('codec decode failed') && l.includes('elsewhere'))).toBe(
      true,
    );
  });

  it('rejects a body that is not the codec protocol with the field at fault', async () => {
    const res = await api.call('POST', '/codec/decode', {
      as: 'ops',
      body: { payloads: [{ metadata: { encoding: 'not base64!' }, data: '' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: 'payloads.0.metadata.encoding' }),
    ]);
    const missing = await api.call('POST', '/codec/encode', { as: 'admin', body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe('payloads');
  });

  it('answers 503 when the API runs without PAYLOAD_KEY', async () => {
    const res = await withoutCodec.call('POST', '/codec/decode', {
      as: 'ops',
      body: { payloads: [] },
    });
    expectDocumented('POST', '/codec/decode', res, 503);
    expect(res.body.code).toBe('codec.not_configured');
  });

  it('answers the Temporal UI’s CORS preflight with Authorization allowed, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const ok = await preflight(UI_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = ok.headers.get('access-control-allow-headers')!.toLowerCase();
    for (const h of ['authorization', 'content-type', 'x-namespace']) expect(allowed).toContain(h);

    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    // The UI's real request: the answer is readable by the UI, a 401 included.
    const unauthorised = await api.call('POST', '/codec/decode', {
      body: { payloads: [] },
      headers: { origin: UI_ORIGIN },
    });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  });
});
