/**
 * The signed, expiring link to a shipment's customer page (`/t/<token>`), mailed in every customer
 * message. The link is the credential: whoever holds it sees that shipment's page, nothing else.
 *
 * Keys come from PAYLOAD_KEY (HKDF-SHA256 of each of its keys, own context), like the secret box:
 * no new setting, and while a rotated-out key is still listed in PAYLOAD_KEY the links signed
 * with it keep working.
 *
 * Token: `<base64url shipmentId>.<expires, unix seconds>.<base64url HMAC-SHA256>`.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { safeEqual } from '../http/safe-equal';
import { parsePayloadKeys } from '../temporal/payload-codec';

const CONTEXT = Buffer.from('parcelwarden customer page link v1');

/** The link keys of a PAYLOAD_KEY value, the signing one first (base64url). */
export function customerLinkKeysFromPayloadKey(payloadKey: string): string[] {
  return parsePayloadKeys(payloadKey).map(({ key }) =>
    Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), CONTEXT, 32)).toString('base64url'),
  );
}

const mac = (key: string, message: string) =>
  createHmac('sha256', Buffer.from(key, 'base64url')).update(message).digest('base64url');

const signed = (encodedId: string, exp: number) => `customer-page:v1:${encodedId}.${exp}`;

export function signCustomerLink(shipmentId: string, keys: readonly string[], expiresAt: Date) {
  const key = keys[0];
  if (!key) throw new Error('no customer link key');
  const id = Buffer.from(shipmentId, 'utf8').toString('base64url');
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return `${id}.${exp}.${mac(key, signed(id, exp))}`;
}

export type LinkCheck =
  | { ok: true; shipmentId: string; expiresAt: Date }
  /** Genuine but past its expiry: the page says so (410) without showing the shipment. */
  | { ok: false; reason: 'expired' }
  /** Altered, malformed or signed with a key we do not hold (404). */
  | { ok: false; reason: 'invalid' };

const TOKEN = /^([A-Za-z0-9_-]{1,400})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function verifyCustomerLink(token: string, keys: readonly string[], now: Date): LinkCheck {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'invalid' };
  const [, id, expText, given] = m as unknown as [string, string, string, string];
  const exp = Number(expText);
  // Every listed key is tried (all of them, so timing does not tell which one signed).
  const genuine = keys
    .map((k) => safeEqual(given, mac(k, signed(id, exp))))
    .reduce((a, b) => a || b, false);
  if (!genuine) return { ok: false, reason: 'invalid' };
  if (exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    shipmentId: Buffer.from(id, 'base64url').toString('utf8'),
    expiresAt: new Date(exp * 1000),
  };
}

export function customerPageUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/t/${token}`;
}

/**
 * A per-link secret for the page's forms (CSRF): only a page served for this link carries it, and
 * it is worthless for any other link. No session or cookie is needed, so forms work without JS.
 */
export function formToken(token: string, keys: readonly string[]): string {
  return mac(keys[0]!, `customer-page-form:v1:${token}`);
}

export function checkFormToken(token: string, given: unknown, keys: readonly string[]): boolean {
  if (typeof given !== 'string') return false;
  return keys
    .map((k) => safeEqual(given, mac(k, `customer-page-form:v1:${token}`)))
    .reduce((a, b) => a || b, false);
}

/** The longest a link works while its parcel is still on the way (the page then checks delivery). */
export const LINK_MAX_AGE_MS = 365 * 86_400_000;

/** When a shipment's page stops working: a set time after delivery or close; undefined while open. */
export function pageEndsAt(
  row: { stage: string; deliveredAt: Date | null; updatedAt: Date },
  afterCloseMs: number,
): Date | undefined {
  const ended = row.deliveredAt ?? (row.stage === 'closed' ? row.updatedAt : undefined);
  return ended ? new Date(ended.getTime() + afterCloseMs) : undefined;
}

/** The link to mail for a shipment now: until its page ends, at most LINK_MAX_AGE_MS. */
export function customerLinkFor(
  row: { shipmentId: string; stage: string; deliveredAt: Date | null; updatedAt: Date },
  settings: {
    publicUrl: string;
    customerLinkKeys: readonly string[];
    customerPageAfterCloseMs: number;
  },
  now: Date,
): string {
  const cap = new Date(now.getTime() + LINK_MAX_AGE_MS);
  const ends = pageEndsAt(row, settings.customerPageAfterCloseMs);
  const expiresAt = ends && ends < cap ? ends : cap;
  return customerPageUrl(
    settings.publicUrl,
    signCustomerLink(row.shipmentId, settings.customerLinkKeys, expiresAt),
  );
}
