/**
 * The codec endpoint of the Temporal Web UI and CLI (Temporal's codec server protocol): they post
 * the encrypted payloads of a history here and show what comes back. Both directions carry
 * proto3 JSON, `{payloads: [{metadata: {key: base64}, data: base64}]}`. The UI adds an
 * `X-Namespace` header; one PAYLOAD_KEY serves every namespace, so it only goes to the log.
 *
 * Decoding hands out customer data, so it needs an ops, analyst or admin key like the rest of the
 * read API. Encoding makes payloads the worker will trust as ours, so it needs a role that may
 * configure (admin). The UI runs on another origin: the CORS preflight (which carries no key) is answered
 * here, before authentication, for the configured Temporal UI origins only.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ProblemError } from '../http/problems';
import { named, route, type RouteSpec } from '../http/route';

/** A proto3-JSON bytes field: standard or URL-safe base64. */
const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64')
  .max(4 * 1024 * 1024);

export const codecPayload = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});

export const codecPayloadsBody = z.object({
  payloads: z.array(codecPayload).max(1000),
});

/** What both routes answer: every payload with its metadata and data (base64). */
export const codecPayloadsAnswer = named(
  'CodecPayloads',
  z.object({
    payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })),
  }),
);

type JsonPayload = z.infer<typeof codecPayload>;

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

export const CODEC_PATHS = ['/codec/encode', '/codec/decode'];

/**
 * CORS for the codec routes, mounted before authentication: preflights from an allowed origin
 * get 204 with Authorization allowed; answers to that origin carry Access-Control-Allow-Origin
 * (401s included, so the UI can tell a missing key from a network failure).
 */
export function codecCors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    if (!CODEC_PATHS.includes(req.path.replace(/\/+$/, '').toLowerCase())) {
      next();
      return;
    }
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.vary('Origin');
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
        res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
        res.set('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

export interface CodecRoutesDeps {
  /** The PAYLOAD_KEY codec; without one both routes answer 503. */
  codec?: PayloadCodec;
  logger: Logger;
}

const SESSION_OR_KEY =
  'Authorization: an API key, or the codec session cookie of POST /codec/session (from an allowed Temporal UI origin or none)';

export function codecRoutes(deps: CodecRoutesDeps): RouteSpec[] {
  const run = async (
    direction: 'encode' | 'decode',
    req: Request,
    payloads: JsonPayload[],
  ): Promise<z.input<typeof codecPayloadsAnswer>> => {
    const codec = deps.codec;
    if (!codec)
      throw new ProblemError(
        503,
        'codec.not_configured',
        'Codec not configured',
        'This API runs without PAYLOAD_KEY, so it cannot encode or decode payloads.',
      );
    let out: Payload[];
    try {
      out = await codec[direction](payloads.map(fromJson));
    } catch (err) {
      // The codec's messages name the configured key ids: they go to our log, not to the caller.
      deps.logger.warn(
        { err, count: payloads.length, keyId: req.keyId },
        `codec ${direction} failed`,
      );
      throw new ProblemError(
        422,
        `codec.${direction}_failed`,
        `Payloads could not be ${direction}d`,
        `At least one payload could not be ${direction}d with this server's payload keys.`,
      );
    }
    deps.logger.info(
      { count: out.length, namespace: req.get('x-namespace'), keyId: req.keyId },
      `codec ${direction}`,
    );
    return { payloads: out.map(toJson) };
  };

  const decode = route({
    method: 'post',
    path: '/codec/decode',
    access: 'read',
    operationId: 'decodePayloads',
    tag: 'Codec',
    summary: `Decrypt Temporal payloads (the Temporal UI / CLI codec server protocol; proto3 JSON, bytes as base64); payloads not encrypted by us come back unchanged. Optional X-Namespace header. ${SESSION_OR_KEY}`,
    body: codecPayloadsBody,
    answer: {
      description: '{payloads: [{metadata, data}]} decoded, same order',
      schema: codecPayloadsAnswer,
    },
    responses: {
      '422': 'A payload could not be decrypted (unknown key id, altered data)',
      '503': 'The API runs without PAYLOAD_KEY',
    },
    handler: async ({ req, res, body }) => {
      const decoded = await run('decode', req, body.payloads);
      // Decoded payloads hold customer data: no cache may keep them.
      res.set('Cache-Control', 'no-store');
      return decoded;
    },
  });

  const encode = route({
    method: 'post',
    path: '/codec/encode',
    access: 'configure',
    operationId: 'encodePayloads',
    tag: 'Codec',
    summary: `Encrypt Temporal payloads with the current PAYLOAD_KEY (the Temporal UI / CLI codec server protocol); only for roles that may configure (admin), since the worker trusts what it makes. Optional X-Namespace header. ${SESSION_OR_KEY}`,
    body: codecPayloadsBody,
    answer: {
      description: '{payloads: [{metadata, data}]} encrypted, same order',
      schema: codecPayloadsAnswer,
    },
    responses: {
      '422': 'The payloads could not be encrypted',
      '503': 'The API runs without PAYLOAD_KEY',
    },
    handler: async ({ req, res, body }) => {
      const encoded = await run('encode', req, body.payloads);
      res.set('Cache-Control', 'no-store');
      return encoded;
    },
  });

  return [decode, encode];
}
