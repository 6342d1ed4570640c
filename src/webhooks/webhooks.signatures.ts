/**
 * Webhook signature schemes, each over the raw request bytes (re-serialized JSON would not match:
 * key order, spacing and number formats change). Comparisons are constant time.
 */
import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../http/safe-equal';
import type { WebhookProvider } from './webhooks.providers';

/** The header each provider signs in (as express lower-cases it) and how it is computed. */
export const SIGNATURE_HEADERS: Record<WebhookProvider, string> = {
  aftership: 'aftership-hmac-sha256',
  '17track': 'sign',
  easypost: 'x-hmac-signature',
  sandbox: 'x-sandbox-signature',
};

const EASYPOST_PREFIX = 'hmac-sha256-hex=';

/** The signature header value a provider sends for this body and secret. */
export function signatureFor(provider: WebhookProvider, raw: Buffer, secret: string): string {
  switch (provider) {
    // base64(HMAC-SHA256(body, webhook secret)).
    case 'aftership':
      return createHmac('sha256', secret).update(raw).digest('base64');
    // hex(SHA-256(body + "/" + API key)): a plain digest of a concatenation, not an HMAC.
    case '17track':
      return createHash('sha256')
        .update(Buffer.concat([raw, Buffer.from(`/${secret}`, 'utf8')]))
        .digest('hex');
    // "hmac-sha256-hex=" + hex(HMAC-SHA256(body, NFKD-normalized secret)).
    case 'easypost':
      return (
        EASYPOST_PREFIX + createHmac('sha256', secret.normalize('NFKD')).update(raw).digest('hex')
      );
    // Our sandbox carrier: hex(HMAC-SHA256(body, SANDBOX_WEBHOOK_SECRET)).
    case 'sandbox':
      return createHmac('sha256', secret).update(raw).digest('hex');
  }
}

/** Hex digests are compared case-insensitively; base64 exactly. */
function canonical(provider: WebhookProvider, value: string): string {
  const v = value.trim();
  return provider === 'aftership' ? v : v.toLowerCase();
}

/** True when the header carries the signature of exactly these bytes. */
export function verifySignature(
  provider: WebhookProvider,
  raw: Buffer,
  header: string | undefined,
  secret: string,
): boolean {
  if (!header) return false;
  // Digests of both sides are compared in constant time (see safeEqual).
  return safeEqual(canonical(provider, header), signatureFor(provider, raw, secret));
}
