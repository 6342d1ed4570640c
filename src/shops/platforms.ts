/**
 * The platform registry: which module speaks to which shop platform. Intake, sync, the receiver
 * routes and the activities ask it for a platform's webhook receiver or for a `ShopApi` bound to
 * a connected shop, and never name a platform's code themselves.
 */
import type { ShopApi, ShopConnection, ShopPlatform, ShopPlatformModule } from './platform';
import { shopifyPlatform } from './shopify';
import { wooCommercePlatform } from './woocommerce';

export interface ShopPlatforms {
  /** The module of a platform; undefined when this build has none for it. */
  module(platform: ShopPlatform): ShopPlatformModule | undefined;
  /** The platforms this registry serves. */
  platforms(): ShopPlatform[];
  /** Calls into a connected shop through its platform's module (outbound `fetch` injected). */
  shopApiFor(connection: ShopConnection, deps?: { fetch?: typeof fetch }): ShopApi;
}

export class UnsupportedPlatformError extends Error {
  constructor(platform: string) {
    super(`No shop platform module for "${platform}"`);
    this.name = 'UnsupportedPlatformError';
  }
}

/** A registry of these modules (one per platform; the last one given for a platform wins). */
export function shopPlatforms(modules: readonly ShopPlatformModule[]): ShopPlatforms {
  const byPlatform = new Map(modules.map((m) => [m.platform, m]));
  return {
    module: (platform) => byPlatform.get(platform),
    platforms: () => [...byPlatform.keys()],
    shopApiFor(connection, deps = {}) {
      const m = byPlatform.get(connection.platform);
      if (!m) throw new UnsupportedPlatformError(connection.platform);
      return m.createApi(connection, deps);
    },
  };
}

/** The platforms Parcelwarden speaks. */
export const SHOP_PLATFORM_MODULES: readonly ShopPlatformModule[] = [
  shopifyPlatform,
  wooCommercePlatform,
];

export const defaultShopPlatforms = (): ShopPlatforms => shopPlatforms(SHOP_PLATFORM_MODULES);
