/**
 * Shops connected from configuration rather than through the API: the one store of SHOP_URL,
 * and the sandbox stores `npm start` runs in development. Both go through the repository's
 * `put`, as PUT /v1/shops/{shopId} does, with the same checks of the body.
 */
import { ConfigError, DEV_SANDBOX_SHOPIFY_SECRET, DEV_SANDBOX_WOOCOMMERCE_SECRET } from '../config';
import { safeEqual } from '../http/safe-equal';
import type { ShopCredentials, ShopPlatform } from './platform';
import type { ShopInput, ShopRepository } from './shops.repository';
import { SHOP_ID, shopBody, toShopInput } from './shops.schemas';

export const SHOP_URL_FORMAT =
  'shopify://<access token>:<webhook secret>@<store>.myshopify.com?originCountry=CN, or woocommerce://<consumer key>:<consumer secret>@<store host>?webhookSecret=<secret>&originCountry=CN';

const PARAMETERS = ['shopId', 'originCountry', 'policy', 'url', 'senderName', 'replyTo'];

/** The shop ids of the sandbox stores. */
export const SANDBOX_SHOP_IDS = {
  shopify: 'sandbox-shopify',
  woocommerce: 'sandbox-woocommerce',
} as const satisfies Record<ShopPlatform, string>;

/** The public development secrets of the sandbox stores (see SANDBOX_*_SECRET). */
const SANDBOX_DEFAULT_SECRETS: Record<ShopPlatform, string> = {
  shopify: DEV_SANDBOX_SHOPIFY_SECRET,
  woocommerce: DEV_SANDBOX_WOOCOMMERCE_SECRET,
};

function bad(problem: string, variable: string): ConfigError {
  return new ConfigError([`${variable}: ${problem}. Expected ${SHOP_URL_FORMAT}.`]);
}

function decode(part: string, what: string, variable: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw bad(`the ${what} is not valid percent-encoding`, variable);
  }
}

/**
 * The shop SHOP_URL describes, checked as PUT /v1/shops/{shopId} checks its body. Errors name
 * the variable and the part that is wrong, never a credential.
 */
export function parseShopUrl(value: string, variable = 'SHOP_URL'): ShopInput {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw bad('is not a URL', variable);
  }
  const platform = url.protocol.replace(/:$/, '');
  if (platform !== 'shopify' && platform !== 'woocommerce')
    throw bad(`the scheme must be shopify:// or woocommerce://, not ${platform}://`, variable);
  const user = decode(url.username, 'user part', variable);
  const password = decode(url.password, 'password part', variable);
  const params = url.searchParams;
  const allowed = platform === 'woocommerce' ? [...PARAMETERS, 'webhookSecret'] : PARAMETERS;
  const unknown = [...params.keys()].filter((k) => !allowed.includes(k));
  if (unknown.length)
    throw bad(
      `unknown parameter ${unknown.join(', ')} (parameters: ${allowed.join(', ')})`,
      variable,
    );
  if (!user || !password)
    throw bad(
      platform === 'shopify'
        ? 'give the access token and the webhook secret as <token>:<secret>@'
        : 'give the consumer key and secret as <key>:<secret>@',
      variable,
    );
  const credentials: ShopCredentials =
    platform === 'shopify'
      ? { accessToken: user, webhookSecret: password }
      : {
          consumerKey: user,
          consumerSecret: password,
          webhookSecret: params.get('webhookSecret') ?? '',
        };
  if (!credentials.webhookSecret)
    throw bad('give the webhook secret as ?webhookSecret=<secret>', variable);
  const shopId = params.get('shopId') ?? 'default';
  if (!SHOP_ID.test(shopId))
    throw bad(
      `shopId "${shopId}" must be 1-64 characters: letters, digits, ".", "_" or "-"`,
      variable,
    );
  const parsed = shopBody.safeParse({
    platform,
    domain: url.host,
    credentials,
    ...Object.fromEntries(
      ['originCountry', 'policy', 'url', 'senderName', 'replyTo'].flatMap((k) => {
        const v = params.get(k);
        return v === null ? [] : [[k, v]];
      }),
    ),
  });
  if (!parsed.success) {
    const fields = parsed.error.issues
      // Credentials are never echoed: their messages name the field only.
      .map((i) => {
        const path = i.path.join('.');
        return path.startsWith('credentials') ? `${path} is not valid` : `${path}: ${i.message}`;
      })
      .join('; ');
    throw bad(fields, variable);
  }
  return toShopInput(shopId, parsed.data);
}

/** Connects (creates or updates) a shop from configuration; a refusal is a ConfigError. */
export async function connectConfiguredShop(
  shops: Pick<ShopRepository, 'put'>,
  policies: { exists(name: string): Promise<boolean> },
  input: ShopInput,
  variable: string,
): Promise<'created' | 'updated'> {
  if (!(await policies.exists(input.policy)))
    throw new ConfigError([
      `${variable}: policy "${input.policy}" does not exist; create it (PUT /v1/policies/${input.policy}) or name another one (policy=default).`,
    ]);
  const outcome = await shops.put(input);
  if (outcome.kind === 'domain_taken')
    throw new ConfigError([
      `${variable}: the ${input.platform} store ${input.domain} is already connected as shop "${outcome.holder}"; remove that shop (DELETE /v1/shops/${outcome.holder}) or set shopId=${outcome.holder}.`,
    ]);
  if (outcome.kind === 'credentials_required')
    throw new ConfigError([`${variable}: credentials are required`]);
  return outcome.kind;
}

/** The shop of a sandbox store listening at `url` (development). */
export function sandboxShopInput(
  platform: ShopPlatform,
  store: { url: string; domain: string; credentials: ShopCredentials },
): ShopInput {
  return {
    shopId: SANDBOX_SHOP_IDS[platform],
    platform,
    domain: store.domain,
    apiUrl: store.url,
    credentials: store.credentials,
    policy: 'default',
    originCountry: 'CN',
    senderName: platform === 'shopify' ? 'Sandbox Shopify store' : 'Sandbox WooCommerce store',
  };
}

/**
 * Production mode accepts no sandbox store: a sandbox shop a development run left connected with
 * its public default secret is removed, since anyone could sign its webhooks. Returns the ids
 * removed.
 */
export async function retireSandboxShops(
  shops: Pick<ShopRepository, 'connection' | 'get' | 'remove'>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const platform of Object.keys(SANDBOX_SHOP_IDS) as ShopPlatform[]) {
    const shopId = SANDBOX_SHOP_IDS[platform];
    const shop = await shops.get(shopId);
    if (!shop || shop.removedAt) continue;
    let secret: string | undefined;
    try {
      secret = (await shops.connection(shopId))?.credentials.webhookSecret;
    } catch {
      secret = undefined;
    }
    if (secret === undefined || safeEqual(secret, SANDBOX_DEFAULT_SECRETS[platform])) {
      await shops.remove(shopId);
      removed.push(shopId);
    }
  }
  return removed;
}
