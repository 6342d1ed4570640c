/**
 * The sandbox store's check of REST API keys, as WooCommerce's WC_REST_Authentication does it.
 * Over https: HTTP Basic (or consumer_key/consumer_secret in the query). Over plain http, which
 * is what the sandbox serves: OAuth 1.0a one-legged. The parameters come from the query string
 * (or an `Authorization: OAuth …` header), the signature base string is
 * `METHOD&rawurlencode(url)&<sorted, RFC 3986-encoded parameters>` and the key is
 * `<consumer secret>&`; HMAC-SHA1 and HMAC-SHA256 are accepted, the timestamp must be within 15
 * minutes and a nonce is good once. The error codes and messages are WooCommerce's.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../http/safe-equal';

export interface AuthFailure {
  status: 401;
  code: string;
  message: string;
}

export interface OAuthRequest {
  method: string;
  /** Scheme, host and path the client addressed, without the query. */
  baseUrl: string;
  /** The raw query string (after `?`), or ''. */
  rawQuery: string;
  authorization?: string;
  secure: boolean;
}

const WINDOW_SECONDS = 15 * 60;
const REQUIRED = [
  'oauth_consumer_key',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
] as const;

/** PHP's rawurlencode (RFC 3986): what WooCommerce's wc_rest_urlencode_rfc3986 does. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A query string as PHP's $_GET reads it ('+' is a space); undefined if not decodable. */
export function parseQueryString(raw: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    try {
      params.set(
        decodeURIComponent(k.replace(/\+/g, ' ')),
        decodeURIComponent(v.replace(/\+/g, ' ')),
      );
    } catch {
      return undefined;
    }
  }
  return params;
}

/** OAuth parameters of an `Authorization: OAuth k="v", …` header (WC_REST_Authentication::parse_header). */
function headerParams(header: string | undefined): Map<string, string> {
  const params = new Map<string, string>();
  const value = header?.trim() ?? '';
  if (!value.startsWith('OAuth ')) return params;
  for (const m of value.matchAll(/(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))/g)) {
    try {
      params.set(m[1]!, decodeURIComponent((m[2] ?? m[3] ?? '').replace(/\+/g, ' ')));
    } catch {
      // An undecodable value stays out; the check then names the parameter missing.
    }
  }
  return params;
}

function fail(code: string, message: string): AuthFailure {
  return { status: 401, code, message };
}

/** The OAuth 1.0a signature WooCommerce expects for these parameters. */
export function oauthSignature(
  method: string,
  baseUrl: string,
  params: Map<string, string>,
  consumerSecret: string,
  signatureMethod: 'HMAC-SHA1' | 'HMAC-SHA256',
): string {
  const pairs = [...params.entries()]
    .filter(([k]) => k !== 'oauth_signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => rfc3986(`${rfc3986(k)}=${rfc3986(v)}`));
  const base = `${method.toUpperCase()}&${rfc3986(baseUrl)}&${pairs.join('%26')}`;
  const algorithm = signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  return createHmac(algorithm, `${consumerSecret}&`).update(base).digest('base64');
}

export interface KeyChecker {
  /** Undefined when the request carries valid keys; else WooCommerce's 401. */
  check(req: OAuthRequest): AuthFailure | undefined;
}

export function createKeyChecker(opts: {
  consumerKey: string;
  consumerSecret: string;
  now?: () => number;
}): KeyChecker {
  const now = () => Math.floor((opts.now ?? Date.now)() / 1000);
  /** Nonces seen in the last window, with their timestamps. */
  const nonces = new Map<string, number>();

  function basic(req: OAuthRequest, query: Map<string, string>): AuthFailure | undefined {
    let key = query.get('consumer_key');
    let secret = query.get('consumer_secret');
    const auth = req.authorization?.trim() ?? '';
    if ((!key || !secret) && auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      key = decoded.slice(0, Math.max(0, colon));
      secret = decoded.slice(colon + 1);
    }
    if (!key || !secret) return undefined;
    if (!safeEqual(key, opts.consumerKey)) {
      return fail('woocommerce_rest_authentication_error', 'Consumer key is invalid.');
    }
    if (!safeEqual(secret, opts.consumerSecret)) {
      return fail('woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
    }
    return undefined;
  }

  return {
    check(req) {
      const query = parseQueryString(req.rawQuery) ?? new Map<string, string>();
      if (req.secure) {
        const failure = basic(req, query);
        if (failure) return failure;
        if (query.has('consumer_key') || req.authorization?.trim().startsWith('Basic ')) return;
      }
      const params = new Map([...query, ...headerParams(req.authorization)]);
      const missing = REQUIRED.filter((name) => !params.get(name));
      if (missing.length === REQUIRED.length) {
        return fail(
          'woocommerce_rest_cannot_view',
          'Sorry, you cannot list resources. (No REST API keys: over http WooCommerce takes OAuth 1.0a.)',
        );
      }
      if (missing.length > 0) {
        return fail(
          'woocommerce_rest_authentication_missing_parameter',
          `Missing OAuth parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        );
      }
      if (!safeEqual(params.get('oauth_consumer_key')!, opts.consumerKey)) {
        return fail('woocommerce_rest_authentication_error', 'Consumer key is invalid.');
      }
      const method = params.get('oauth_signature_method');
      if (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256') {
        return fail(
          'woocommerce_rest_authentication_error',
          'Invalid signature - signature method is invalid.',
        );
      }
      // PHP decoded a '+' of the signature as a space; WooCommerce puts it back.
      const given = params.get('oauth_signature')!.replace(/ /g, '+');
      const expected = oauthSignature(req.method, req.baseUrl, params, opts.consumerSecret, method);
      if (!safeEqual(given, expected)) {
        return fail(
          'woocommerce_rest_authentication_error',
          'Invalid signature - provided signature does not match.',
        );
      }
      const timestamp = Number(params.get('oauth_timestamp'));
      const t = now();
      if (!Number.isFinite(timestamp) || Math.abs(timestamp - t) > WINDOW_SECONDS) {
        return fail('woocommerce_rest_authentication_error', 'Invalid timestamp.');
      }
      for (const [n, at] of nonces) if (at < t - WINDOW_SECONDS) nonces.delete(n);
      const nonce = params.get('oauth_nonce')!;
      if (nonces.has(nonce)) {
        return fail(
          'woocommerce_rest_authentication_error',
          'Invalid nonce - nonce has already been used.',
        );
      }
      nonces.set(nonce, timestamp);
      return undefined;
    },
  };
}
