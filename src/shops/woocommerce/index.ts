/**
 * WooCommerce behind the platform interface: webhooks read by the receiver, calls into the store
 * through the REST client. See woocommerce.receiver.ts and woocommerce.api.ts.
 */
import type { ShopPlatformModule } from '../platform';
import { createWooCommerceApi } from './woocommerce.api';
import { wooCommerceReceiver } from './woocommerce.receiver';

export const wooCommercePlatform: ShopPlatformModule = {
  platform: 'woocommerce',
  receiver: wooCommerceReceiver,
  createApi: (connection, deps) => createWooCommerceApi(connection, { fetch: deps.fetch }),
};

export { isWooCommercePing, wooCommerceDomain, wooCommerceSignature } from './woocommerce.receiver';
