/**
 * Credentials that stop working raise one ops alert per outage, whichever path met the refusal
 * first (a webhook that needed the order, a backfill, an activity): the shop is marked failing,
 * and only the call that marked it alerts. A success clears the mark (the next outage alerts).
 */
import type { OutboxRepository } from '../messages/outbox.repository';
import { recordOpsAlert } from '../messages/compose';
import type { ShopApiError, ShopConnection } from './platform';
import type { ShopRepository } from './shops.repository';

export type CredentialsFailing = (
  shop: Pick<ShopConnection, 'shopId' | 'platform' | 'domain'>,
  what: string,
  err: ShopApiError,
) => Promise<void>;

/** The ops alert's words: which store refused, during what, and how to fix it. */
export function credentialsAlert(
  shop: Pick<ShopConnection, 'shopId' | 'platform' | 'domain'>,
  what: string,
  err: Pick<ShopApiError, 'message'>,
): { subject: string; text: string } {
  return {
    subject: `Shop ${shop.shopId}: its credentials stopped working`,
    text:
      `${shop.platform} store ${shop.domain} refused our credentials (${err.message}) while we tried to ${what}. ` +
      `Calls to this shop wait until they work again: renew the access token and send it with PUT /v1/shops/${shop.shopId} ` +
      `(or \`parcelwarden shops add ${shop.shopId} …\`). This alert is sent once per outage.`,
  };
}

export function credentialsFailingAlert(
  shops: Pick<ShopRepository, 'markCredentialsFailing'>,
  outbox: OutboxRepository,
  opsEmail: string,
): CredentialsFailing {
  return async (shop, what, err) => {
    if (!(await shops.markCredentialsFailing(shop.shopId))) return;
    await recordOpsAlert(outbox, opsEmail, {
      idempotencyKey: `shop-credentials:${shop.shopId}:${Date.now()}`,
      // Not about one shipment: the alert is filed under the shop.
      shipmentId: `shop-${shop.shopId}`,
      vars: { ...credentialsAlert(shop, what, err), shipmentId: `shop-${shop.shopId}` },
    });
  };
}
