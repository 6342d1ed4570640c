/**
 * Calls back into the seller's shop: the replacement order of a reship. (Refunds through the shop
 * are in refund.activities.ts, beside the other ways a refund is paid.) Every call is idempotent:
 * a row per key is written before the shop is called, and the platform code finds an order or a
 * refund already made with the key before making one.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import { carrierName } from '../src/carriers/catalogue';
import { shopOrders } from '../src/db/schema';
import { credentialsAlert } from '../src/shops/shops.alerts';
import { ShopApiError, type ShopApi, type ShopConnection } from '../src/shops/platform';
import type { ShipmentRegistration } from '../workflows/shipment.contract';
import type { ActivityDeps } from './deps';
import { createNotifyActivities } from './notify.activities';

export const SHOP_FAILURES = {
  rejected: 'shop.rejected',
  unavailable: 'shop.unavailable',
  unauthorized: 'shop.unauthorized',
  unknown: 'shop.unknown',
} as const;

/** How long a shop whose credentials stopped working is left before the next try. */
const UNAUTHORIZED_RETRY = '15 minutes';

export interface ShopOrderRecord {
  shopId: string;
  orderId: string;
  orderName?: string;
}

/**
 * Runs one call into a shop and turns its failure into what Temporal should do: retried after
 * Retry-After (429), with backoff (5xx, network), after a pause with one ops alert per outage
 * (credentials revoked), or not at all (the shop refused: `shop.rejected`).
 */
export function createShopCaller(deps: ActivityDeps) {
  const { sendOpsAlert } = createNotifyActivities(deps);
  return async function callShop<T>(
    shopId: string,
    shipmentId: string,
    what: string,
    fn: (api: ShopApi, connection: ShopConnection) => Promise<T>,
  ): Promise<T> {
    const access = deps.shops;
    const connection = access ? await access.connection(shopId) : undefined;
    if (!access || !connection)
      throw ApplicationFailure.nonRetryable(
        `shop ${shopId} is not connected: connect it again (PUT /v1/shops/${shopId}) or ${what} by hand`,
        SHOP_FAILURES.unknown,
      );
    try {
      const result = await fn(access.api(connection), connection);
      await access.markCredentialsWorking(shopId);
      return result;
    } catch (err) {
      if (!(err instanceof ShopApiError)) throw err;
      const message = `shop ${shopId} (${connection.platform} ${connection.domain}): ${err.message}`;
      switch (err.kind) {
        case 'rate_limited':
          throw ApplicationFailure.create({
            message,
            type: SHOP_FAILURES.unavailable,
            nonRetryable: false,
            nextRetryDelay: err.retryAfterMs ?? 2_000,
          });
        case 'unavailable':
          throw ApplicationFailure.retryable(message, SHOP_FAILURES.unavailable);
        case 'unauthorized': {
          if (await access.markCredentialsFailing(shopId)) {
            await sendOpsAlert({
              idempotencyKey: `shop-credentials:${shopId}:${shipmentId}`,
              shipmentId,
              ...credentialsAlert(connection, what, err),
            });
          }
          throw ApplicationFailure.create({
            message,
            type: SHOP_FAILURES.unauthorized,
            nonRetryable: false,
            nextRetryDelay: UNAUTHORIZED_RETRY,
          });
        }
        case 'rejected':
          throw ApplicationFailure.nonRetryable(message, SHOP_FAILURES.rejected);
      }
    }
  };
}

export function createShopActivities(deps: ActivityDeps) {
  const { db, clock = () => new Date() } = deps;
  const callShop = createShopCaller(deps);
  const { sendOpsAlert } = createNotifyActivities(deps);

  return {
    /**
     * The reship's replacement order in the shop: at no charge, tagged and linked to the
     * original, fulfilled with the replacement's tracking number. Exactly one per key, also when
     * the worker dies mid-call (the platform finds the order by its key before making one).
     * A refusal alerts ops and fails for good (`shop.rejected`); the replacement parcel is
     * watched all the same.
     */
    async createShopReplacementOrder(input: {
      idempotencyKey: string;
      original: ShipmentRegistration;
      replacementShipmentId: string;
      carrier: string;
      trackingNumber: string;
    }): Promise<ShopOrderRecord> {
      const ref = input.original.shop;
      if (!ref)
        throw ApplicationFailure.nonRetryable(
          'the shipment is not a shop order',
          SHOP_FAILURES.unknown,
        );
      await db
        .insert(shopOrders)
        .values({
          idempotencyKey: input.idempotencyKey,
          shopId: ref.shopId,
          shipmentId: input.original.shipmentId,
          replacementShipmentId: input.replacementShipmentId,
        })
        .onConflictDoNothing();
      const [row] = await db
        .select()
        .from(shopOrders)
        .where(eq(shopOrders.idempotencyKey, input.idempotencyKey));
      if (!row) throw new Error(`shop order row ${input.idempotencyKey} vanished`);
      if (row.status === 'created' && row.shopOrderId)
        return {
          shopId: row.shopId,
          orderId: row.shopOrderId,
          ...(row.shopOrderName ? { orderName: row.shopOrderName } : {}),
        };
      await db
        .update(shopOrders)
        .set({ attempts: sql`${shopOrders.attempts} + 1`, updatedAt: clock() })
        .where(eq(shopOrders.id, row.id));
      try {
        const order = await callShop(
          ref.shopId,
          input.original.shipmentId,
          'create the replacement order',
          (api) =>
            api.createReplacementOrder({
              idempotencyKey: input.idempotencyKey,
              original: input.original,
              replacementShipmentId: input.replacementShipmentId,
              carrier: input.carrier,
              carrierName: carrierName(input.carrier),
              trackingNumber: input.trackingNumber,
              earlierAttempt: row.attempts > 0,
            }),
        );
        await db
          .update(shopOrders)
          .set({
            status: 'created',
            shopOrderId: order.orderId,
            shopOrderName: order.orderName ?? null,
            shopFulfillmentId: order.fulfillmentId ?? null,
            lastError: null,
            updatedAt: clock(),
          })
          .where(eq(shopOrders.id, row.id));
        return {
          shopId: ref.shopId,
          orderId: order.orderId,
          ...(order.orderName ? { orderName: order.orderName } : {}),
        };
      } catch (err) {
        const message = (err as Error).message;
        const refused =
          err instanceof ApplicationFailure &&
          (err.type === SHOP_FAILURES.rejected || err.type === SHOP_FAILURES.unknown);
        await db
          .update(shopOrders)
          .set({ lastError: message, ...(refused ? { status: 'failed' } : {}), updatedAt: clock() })
          .where(eq(shopOrders.id, row.id));
        if (refused)
          await sendOpsAlert({
            idempotencyKey: `${input.idempotencyKey}:refused`,
            shipmentId: input.original.shipmentId,
            subject: `Replacement order for ${input.original.shipmentId} not created in the shop`,
            text:
              `The replacement ${input.replacementShipmentId} (${input.carrier} ${input.trackingNumber}) is on its way and watched, ` +
              `but shop ${ref.shopId} refused its order: ${message}. Create the order by hand (no charge, linked to order ${ref.orderName ?? ref.orderId}).`,
          });
        throw err;
      }
    },
  };
}
