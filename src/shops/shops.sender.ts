/**
 * Who a customer mail comes from: the shop the shipment came from (its sender name and
 * reply-to address, set with PUT /v1/shops/{shopId}), else our own sender. Looked up per mail,
 * remembered for a minute: a shop renamed reaches mails within a minute.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { shipments, shops } from '../db/schema';
import type { SenderLookup } from '../messages/channels';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export function shopSenderLookup(db: Db, now: () => number = Date.now): SenderLookup {
  const cache = new Map<string, { at: number; sender: { name?: string; replyTo?: string } }>();
  return async (shipmentId) => {
    const hit = cache.get(shipmentId);
    if (hit && now() - hit.at < TTL_MS) return hit.sender;
    const [row] = await db
      .select({ name: shops.senderName, replyTo: shops.replyTo })
      .from(shipments)
      .innerJoin(shops, eq(shops.shopId, shipments.shopId))
      .where(eq(shipments.shipmentId, shipmentId));
    const sender = {
      ...(row?.name ? { name: row.name } : {}),
      ...(row?.replyTo ? { replyTo: row.replyTo } : {}),
    };
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(shipmentId, { at: now(), sender });
    return sender;
  };
}
