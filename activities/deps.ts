import type { CarrierRegistry } from '../src/carriers/carrier';
import type { ChannelPolicy } from '../src/channels/channel-choice';
import type { Db } from '../src/db/client';
import type { Mailer } from '../src/mail/mailer';
import type { MessagingSettings } from '../src/messages/settings';
import type { ShopApi, ShopConnection } from '../src/shops/platform';

export interface ActivityDeps {
  db: Db;
  carriers: CarrierRegistry;
  mailer: Mailer;
  opsEmail: string;
  /** Domain for Message-IDs derived from idempotency keys. */
  messageIdDomain?: string;
  clock?: () => Date;
  /** Reship channel rules, loss-rate and insurance thresholds (default DEFAULT_CHANNEL_POLICY). */
  channelPolicy?: ChannelPolicy;
  /** The seller's order system refund endpoint; without `url` refunds are recorded as manual. */
  /** `fetch`: the outbound fetch of the configuration (src/http/outbound.ts). */
  refund?: { url?: string; secret?: string; timeoutMs?: number; fetch?: typeof fetch };
  /** Connected shops (replacement orders, refunds through the shop); none: no shop calls. */
  shops?: ShopAccess;
  /** Survey links, the on-site channel and outbox pacing (defaults: DEFAULT_MESSAGING). */
  messaging?: Partial<MessagingSettings>;
}

/** What the activities need of connected shops (built by the worker from the shops table). */
export interface ShopAccess {
  /** The shop with its credentials opened (also a removed shop: running shipments go on). */
  connection(shopId: string): Promise<ShopConnection | undefined>;
  api(connection: ShopConnection): ShopApi;
  /** True only for the first failure of an outage: one ops alert per outage, not per shipment. */
  markCredentialsFailing(shopId: string): Promise<boolean>;
  markCredentialsWorking(shopId: string): Promise<void>;
}
