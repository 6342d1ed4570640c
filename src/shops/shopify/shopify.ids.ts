/**
 * Shopify's two spellings of an id: the REST number (`123456`) and the GraphQL global id
 * (`gid://shopify/Order/123456`). We keep orders and variants as global ids (what the GraphQL
 * Admin API takes) and fulfillments as the number (the shipment is `shopify-<number>`).
 */

/** The Admin API version we speak, pinned (the newest the installed @shopify/shopify-api names). */
export const SHOPIFY_API_VERSION = '2026-07';

/** Tags every replacement order carries; intake skips orders tagged with it. */
export const REPLACEMENT_TAG = 'parcelwarden-replacement';

export function toGid(type: string, id: string | number): string {
  const s = String(id);
  return s.startsWith('gid://') ? s : `gid://shopify/${type}/${s}`;
}

/** The numeric tail of a global id (`gid://shopify/Fulfillment/42` → `42`), or the id as given. */
export function legacyId(id: string | number): string {
  const s = String(id);
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)/.exec(s);
  return match ? match[1]! : s;
}
