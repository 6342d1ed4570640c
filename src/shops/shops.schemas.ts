/**
 * The shapes of the shop routes: what PUT /v1/shops/{shopId} takes (credentials per platform, so
 * the OpenAPI document shows each platform's), what the shop routes answer (never credentials),
 * and the backfill's page.
 */
import { HEX_COLOUR } from '../customer/brand';
import { z } from 'zod';
import { timestamp } from '../../workflows/model/scalars';
import { named } from '../http/route';
import { policyName } from '../policies/policies.schemas';
import { country, instant } from '../shipments/shipments.schemas';
import { SHOP_PLATFORMS } from './platform';
import type { ShopInput } from './shops.repository';

/** Shop ids end up in shipment registrations and URLs: short and printable. */
export const SHOP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const shopId = z
  .string()
  .regex(SHOP_ID, 'must be 1-64 characters: letters, digits, ".", "_" or "-"');
export const shopParams = z.object({ shopId });

const HOST =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

/** A store's host, as its webhooks name it; any case (stored lower-case). */
export const storeDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(HOST, 'must be a host name such as example.myshopify.com (give a full URL as url)')
  .describe('The store’s host as its webhooks name it, e.g. example.myshopify.com; any case');

/** The store's base URL (its API lives under it); http or https, no query or fragment. */
export const storeUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http or https URL of the store' })
  .max(500)
  .transform((u) => {
    const url = new URL(u);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  })
  .describe(
    'Base URL of the store, its API under it (scheme, host and path, e.g. the https URL of shop.example.com); default: https on the domain',
  );

const secret = (what: string) =>
  z.string().trim().min(1, 'must not be empty').max(500).describe(what);

export const shopifyCredentials = z
  .strictObject({
    accessToken: secret('Admin API access token of the store’s custom app (shpat_…)'),
    webhookSecret: secret(
      'The app’s API secret key: Shopify signs webhooks with it (X-Shopify-Hmac-Sha256)',
    ),
  })
  .describe('Shopify credentials');

export const wooCommerceCredentials = z
  .strictObject({
    consumerKey: secret('REST API consumer key (ck_…)'),
    consumerSecret: secret('REST API consumer secret (cs_…)'),
    webhookSecret: secret('The secret set on the store’s webhooks (X-WC-Webhook-Signature)'),
  })
  .describe('WooCommerce credentials');

const KEEP =
  'Sealed at rest and never returned. Leave out to keep the stored ones (a PUT without credentials changes everything else and keeps them); required for a new shop or a change of platform.';

/** The fields both platforms take: fresh schemas per platform, so the document spells out each. */
const common = () => ({
  domain: storeDomain.optional(),
  url: storeUrl.optional(),
  policy: policyName.default('default').describe('Policy new shipments of this shop get'),
  originCountry: country.describe(
    'Country the shop’s parcels leave from (ISO 3166-1 alpha-2, e.g. CN)',
  ),
  senderName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('The name customers see as the sender of our mails'),
  replyTo: z
    .email('must be an e-mail address')
    .max(320)
    .optional()
    .describe('Where customers’ answers to our mails go'),
  logoUrl: z
    .url({ protocol: /^https$/, message: 'must be an https URL' })
    .max(2000)
    .optional()
    .describe('The shop’s logo on the customer tracking page (https)'),
  brandColor: z
    .string()
    .regex(HEX_COLOUR, 'must be a colour as #rrggbb')
    .optional()
    .describe(
      'The shop’s colour on the customer tracking page (#rrggbb); its text is black or white, whichever reads better (WCAG AA)',
    ),
});

export const shopBody = z
  .discriminatedUnion('platform', [
    z.strictObject({
      platform: z.literal('shopify'),
      credentials: shopifyCredentials.optional().describe(KEEP),
      ...common(),
    }),
    z.strictObject({
      platform: z.literal('woocommerce'),
      credentials: wooCommerceCredentials.optional().describe(KEEP),
      ...common(),
    }),
  ])
  .refine((b) => b.domain !== undefined || b.url !== undefined, {
    path: ['domain'],
    message: 'give the store’s domain or its url',
  });
export type ShopBody = z.output<typeof shopBody>;

export const shopResponse = named(
  'Shop',
  z.object({
    shopId: z.string(),
    platform: z.enum(SHOP_PLATFORMS),
    domain: z.string(),
    apiUrl: z.string(),
    policy: z.string(),
    originCountry: z.string(),
    senderName: z.string().nullable(),
    replyTo: z.string().nullable(),
    logoUrl: z.string().nullable(),
    brandColor: z.string().nullable(),
    credentials: z
      .record(z.string(), z.literal('set'))
      .describe('Which credential fields are stored, e.g. {accessToken: "set"}; never the values'),
    credentialsFailingSince: timestamp
      .nullable()
      .describe(
        'Since when the shop refuses its credentials (one ops alert per outage); null when they work',
      ),
    lastSyncedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    removedAt: timestamp
      .nullable()
      .describe('Set by DELETE: intake stopped; running shipments go on'),
  }),
);
export const shopListResponse = named('ShopList', z.object({ items: z.array(shopResponse) }));

export const syncBody = z.strictObject({
  since: instant.describe('Orders created or updated since this instant'),
  cursor: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .describe('nextCursor of the previous page; leave out for the first page'),
});

export const syncResponse = named(
  'ShopSyncPage',
  z.object({
    orders: z.number().int().describe('Orders on this page'),
    imported: z.number().int().describe('Fulfillments registered as new shipments'),
    updated: z.number().int().describe('Shipments whose tracking number or carrier changed'),
    cancelled: z.number().int().describe('Shipments cancelled (fulfillment or order cancelled)'),
    unchanged: z.number().int().describe('Fulfillments already registered with the same data'),
    skipped: z.number().int().describe('Fulfillments not watched (see notes)'),
    notes: z
      .array(z.string())
      .describe('Why fulfillments were skipped, unlisted carriers kept as given (at most 20)'),
    nextCursor: z.string().nullable().describe('Cursor of the next page; null on the last page'),
    total: z.number().int().optional().describe('Orders in the whole period, when the shop says'),
  }),
);

export const shopWebhookResponse = named(
  'ShopWebhookReceipt',
  z.object({
    duplicate: z
      .boolean()
      .describe('True when this delivery id was taken before (nothing changed)'),
    outcome: z.string().describe('registered, updated, cancelled, unchanged, skipped or ignored'),
    detail: z.string().nullable(),
  }),
);

/** The shop to store from a PUT body (or the environment shortcut): domain and API URL settled. */
export function toShopInput(shopIdValue: string, body: ShopBody): ShopInput {
  const domain = body.domain ?? new URL(body.url!).host.toLowerCase();
  return {
    shopId: shopIdValue,
    platform: body.platform,
    domain,
    apiUrl: body.url ?? `https://${domain}`,
    ...(body.credentials ? { credentials: body.credentials } : {}),
    policy: body.policy,
    originCountry: body.originCountry,
    ...(body.senderName ? { senderName: body.senderName } : {}),
    ...(body.replyTo ? { replyTo: body.replyTo } : {}),
    ...(body.logoUrl ? { logoUrl: body.logoUrl } : {}),
    ...(body.brandColor ? { brandColor: body.brandColor.toLowerCase() } : {}),
  };
}
