/**
 * Codec sessions: how the Temporal Web UI decodes payloads without our API key. A browser page
 * cannot add `Authorization: Bearer` to the UI's codec calls, but the UI can send cookies
 * ("Include cross-origin credentials" in its Data Encoder settings). So a holder of an ops,
 * analyst or admin key calls `POST /codec/session` (the ops console does it for the reviewer) and
 * gets a signed cookie that /codec/decode and /codec/encode accept in place of the key.
 *
 * The token is `base64url({k: keyId, s: sessionId, exp}).base64url(HMAC-SHA256)`: it names the
 * API key by its id and never holds the key. Every call looks that id up in the key store, so
 * revoking the key (or changing its role) ends its sessions at once, as it ends the key's Bearer
 * use. `DELETE /codec/session` ends the one session in its cookie for every replica: its random
 * session id goes into `codec_session_revocations`, which every call checks.
 *
 * CSRF: the cookie is SameSite=Strict and scoped to /codec, so no cross-site page makes a browser
 * send it, and no other route of the API accepts it. A same-site page on another port could still
 * make the browser post to /codec/decode with it, but decoding changes nothing and its answer is
 * readable only by a script of an origin the CORS allowlist names (the Temporal UI's); encoding
 * hands out ciphertext only. A request whose Origin is not on that list is refused outright.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { KeyStore } from '../api-keys/api-keys.repository';
import type { CodecSessionRevocations } from './codec-session.repository';
import { CODEC_PATHS } from './codec.routes';
import { parsePayloadKeys } from '../temporal/payload-codec';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { safeEqual } from '../http/safe-equal';

export const CODEC_SESSION_COOKIE = 'parcelwarden_codec';
export const CODEC_SESSION_PATH = '/codec/session';
/** A working day: long enough for a shift in the UI, short enough that a lost cookie expires. */
export const CODEC_SESSION_TTL_SECONDS = 8 * 60 * 60;
const COOKIE_PATH = '/codec';
/** Far above a real token (about 120 characters): a longer cookie is refused before any HMAC. */
const MAX_TOKEN_LENGTH = 512;
const SIGNATURE_CONTEXT = 'parcelwarden codec session v1';

export interface CodecSessionClaims {
  /** api_keys.id of the key that opened the session. */
  keyId: string;
  /** Random id of this session, what DELETE /codec/session revokes. */
  sessionId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const claimsJson = z.object({
  k: z.string().min(1).max(100),
  // Tokens from before sessions could be ended carry none: refused, the console opens a new one.
  s: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  exp: z.number().int().positive(),
});

const sign = (secret: Uint8Array, body: string) =>
  createHmac('sha256', secret).update(`${SIGNATURE_CONTEXT}.${body}`).digest('base64url');

export function signCodecSession(secret: Uint8Array, claims: CodecSessionClaims): string {
  const body = Buffer.from(
    JSON.stringify({ k: claims.keyId, s: claims.sessionId, exp: claims.expiresAt }),
  ).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** The claims of a token signed with `secret` and not expired at `nowMs`, else undefined. */
export function verifyCodecSession(
  secret: Uint8Array,
  token: string,
  nowMs: number,
): CodecSessionClaims | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 2) return undefined;
  const [body, signature] = parts as [string, string];
  if (!safeEqual(signature, sign(secret, body))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const claims = claimsJson.safeParse(parsed);
  if (!claims.success || claims.data.exp * 1000 <= nowMs) return undefined;
  return { keyId: claims.data.k, sessionId: claims.data.s, expiresAt: claims.data.exp };
}

/**
 * The session secret of a PAYLOAD_KEY (HKDF-SHA256 of its encrypting key): every API replica
 * with the same PAYLOAD_KEY accepts the others' sessions, and rotating the key ends them.
 */
export function codecSessionSecretFromPayloadKey(payloadKey: string): Buffer {
  const [current] = parsePayloadKeys(payloadKey);
  return Buffer.from(hkdfSync('sha256', current!.key, Buffer.alloc(0), SIGNATURE_CONTEXT, 32));
}

/** A secret for this process only: sessions end when it restarts. */
export const randomCodecSessionSecret = (): Buffer => randomBytes(32);

const newSessionId = () => randomBytes(16).toString('base64url');

/** Every value of cookie `name` in a Cookie header (a browser may send several, by path). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
}

export interface CodecSessionDeps {
  keys: KeyStore;
  revocations: CodecSessionRevocations;
  secret: Uint8Array;
  /** Milliseconds since the epoch; tests inject one. */
  now: () => number;
  /** The origins allowed to call /codec/* cross-origin (the Temporal UI's). */
  origins: readonly string[];
  /** Mark the cookie Secure even on a plain-HTTP connection (PUBLIC_URL is https: a TLS proxy). */
  secure: boolean;
}

const isCodecCall = (method: string, path: string) =>
  method === 'POST' && CODEC_PATHS.includes(path.replace(/\/+$/, '').toLowerCase());

/**
 * Authenticates /codec/decode and /codec/encode by the session cookie when no Authorization
 * header is sent. Mounted before the general `authenticate`, which passes over a request this
 * one authenticated; no other route looks at the cookie.
 */
export function codecSessionAuth(deps: CodecSessionDeps): RequestHandler {
  const allowed = new Set(deps.origins);
  return async (req, _res, next) => {
    const tokens = cookieValues(req.headers.cookie, CODEC_SESSION_COOKIE);
    if (
      !isCodecCall(req.method, req.path) ||
      req.headers.authorization !== undefined ||
      tokens.length === 0
    ) {
      next();
      return;
    }
    const origin = req.get('origin');
    if (origin !== undefined && !allowed.has(origin)) {
      throw new ProblemError(
        403,
        'codec.origin_not_allowed',
        'Origin not allowed',
        'The codec session cookie is accepted only from the Temporal UI origins (or without an Origin, from a command line).',
      );
    }
    const now = deps.now();
    for (const token of tokens) {
      const claims = verifyCodecSession(deps.secret, token, now);
      if (!claims || (await deps.revocations.isRevoked(claims.sessionId))) continue;
      const principal = await deps.keys.byId(claims.keyId);
      if (principal) {
        req.role = principal.role;
        req.keyId = principal.id;
        next();
        return;
      }
    }
    throw new ProblemError(
      401,
      'auth.invalid_session',
      'Invalid codec session',
      'The codec session is expired, ended, altered, or its API key was revoked: open a new one with POST /codec/session and an API key (the ops console does this).',
      { headers: { 'WWW-Authenticate': 'Bearer realm="parcelwarden"' } },
    );
  };
}

function cookie(value: string, maxAge: number, secure: boolean): string {
  return [
    `${CODEC_SESSION_COOKIE}=${value}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${maxAge}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * POST /codec/session opens a session for the calling key; DELETE ends the session of the cookie
 * sent with it on every replica (not just in this browser) and clears the cookie.
 */
export function codecSessionRoutes(deps: CodecSessionDeps): RouteSpec[] {
  const open = route({
    method: 'post',
    path: CODEC_SESSION_PATH,
    access: 'read',
    operationId: 'openCodecSession',
    tag: 'Codec',
    summary:
      'Open a codec session for the Temporal UI, which cannot send an API key: a signed cookie (HttpOnly, SameSite=Strict, Path=/codec, 8 h) that /codec/decode and /codec/encode accept instead of the key while the key stays valid. Turn on "Include cross-origin credentials" in the UI’s Data Encoder settings',
    answer: {
      status: 204,
      description: 'Session opened',
      headers: {
        'Set-Cookie': {
          description:
            'parcelwarden_codec=<token>; Path=/codec; Max-Age=28800; HttpOnly; SameSite=Strict (and Secure over https)',
          schema: { type: 'string' },
        },
      },
    },
    handler: ({ req, res }) => {
      // Only keys that may read get here; the key id comes from `authenticate`.
      const keyId = req.keyId!;
      const expiresAt = Math.floor(deps.now() / 1000) + CODEC_SESSION_TTL_SECONDS;
      const token = signCodecSession(deps.secret, { keyId, sessionId: newSessionId(), expiresAt });
      req.log?.info({ keyId }, 'codec session opened');
      res
        .set('Cache-Control', 'no-store')
        .set('Set-Cookie', cookie(token, CODEC_SESSION_TTL_SECONDS, deps.secure || req.secure))
        .status(204)
        .end();
    },
  });

  const close = route({
    method: 'delete',
    path: CODEC_SESSION_PATH,
    access: 'read',
    operationId: 'closeCodecSession',
    tag: 'Codec',
    summary:
      'End the codec session of the cookie sent with it, on every replica (its cookie stops working anywhere), and clear the cookie',
    answer: {
      status: 204,
      description: 'Session ended, cookie cleared',
      headers: {
        'Set-Cookie': {
          description: 'parcelwarden_codec=; Max-Age=0',
          schema: { type: 'string' },
        },
      },
    },
    handler: async ({ req, res }) => {
      const now = deps.now();
      for (const token of cookieValues(req.headers.cookie, CODEC_SESSION_COOKIE)) {
        // Only a genuine, live token names a session worth ending; anything else is ignored.
        const claims = verifyCodecSession(deps.secret, token, now);
        if (!claims) continue;
        await deps.revocations.revoke(
          claims.sessionId,
          new Date(claims.expiresAt * 1000),
          new Date(now),
        );
        req.log?.info({ keyId: claims.keyId }, 'codec session ended');
      }
      res
        .set('Cache-Control', 'no-store')
        .set('Set-Cookie', cookie('', 0, deps.secure || req.secure))
        .status(204)
        .end();
    },
  });

  return [open, close];
}
