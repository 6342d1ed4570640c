/** Shopify behind the platform interface: webhook receiver and GraphQL Admin API calls. */
import type { ShopPlatformModule } from '../platform';
import { createShopifyApi } from './shopify.api';
import { shopifyReceiver } from './shopify.receiver';

export const shopifyPlatform: ShopPlatformModule = {
  platform: 'shopify',
  receiver: shopifyReceiver,
  createApi: (connection, deps) => createShopifyApi(connection, { fetch: deps.fetch }),
};

export { SHOPIFY_WEBHOOK_TOPICS } from './shopify.receiver';
export { REPLACEMENT_TAG, SHOPIFY_API_VERSION } from './shopify.ids';
