/**
 * Who a customer mail comes from: the sender name and reply-to address of the shop the shipment
 * came from (set with PUT /v1/shops/{shopId}), else those of the shipment's policy
 * (`customerCare`, current version), else our own sender (MAIL_FROM). One query per look-up,
 * remembered for a minute: a shop or policy changed reaches mails within a minute.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { policies, shipments, shops } from '../db/schema';
import type { SenderLookup } from '../messages/channels';
import { chooseSender, type MailSender } from '../messages/customer-care';
import type { CustomerCare } from '../../workflows/model/policy';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export function customerSenderLookup(db: Db, now: () => number = Date.now): SenderLookup {
  const cache = new Map<string, { at: number; sender: MailSender }>();
  return async (shipmentId) => {
    const hit = cache.get(shipmentId);
    if (hit && now() - hit.at < TTL_MS) return hit.sender;
    const [row] = await db
      .select({
        senderName: shops.senderName,
        replyTo: shops.replyTo,
        care: sql<CustomerCare | null>`${policies.body} -> 'customerCare'`,
      })
      .from(shipments)
      .leftJoin(shops, eq(shops.shopId, shipments.shopId))
      .leftJoin(policies, eq(policies.name, shipments.policy))
      .where(eq(shipments.shipmentId, shipmentId));
    const sender = chooseSender(row, row?.care);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(shipmentId, { at: now(), sender });
    return sender;
  };
}
