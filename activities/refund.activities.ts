import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import { parseRetryAfter } from '../src/carriers/carrier';
import {
  developmentFetch,
  OutboundRedirectError,
  OutboundRefusedError,
} from '../src/http/outbound';
import { refunds, shipments } from '../src/db/schema';
import type { RefundRecord, ShipmentRegistration } from '../workflows/shipment.contract';
import type { ActivityDeps } from './deps';
import { createShopCaller } from './shops.activities';

/** Failure types of the refund activity (non-retryable ones end the attempt for good). */
export const REFUND_FAILURES = {
  rejected: 'refund.rejected',
  unavailable: 'refund.unavailable',
} as const;

/** Header carrying `sha256=<hex HMAC of the body>` when REFUND_SECRET is set. */
export const REFUND_SIGNATURE_HEADER = 'X-Parcelwarden-Signature';

export interface IssueRefundInput {
  idempotencyKey: string;
  shipmentId: string;
  amount: number;
  currency: string;
  reason: string;
}

type RefundRow = typeof refunds.$inferSelect;

const toRecord = (row: RefundRow): RefundRecord => ({
  amount: row.amount,
  currency: row.currency,
  recordedAt: row.updatedAt.toISOString(),
  status: row.status === 'manual' ? 'manual' : 'refunded',
  ...(row.externalReference ? { reference: row.externalReference } : {}),
  ...(row.shopId ? { shopId: row.shopId } : {}),
  ...(row.note ? { note: row.note } : {}),
});

/** The order system's reference in its answer, under the names such APIs commonly use. */
function referenceOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const k of ['refundId', 'reference', 'id']) {
    if (typeof b[k] === 'string' || typeof b[k] === 'number') return String(b[k]);
  }
  return undefined;
}

export function createRefundActivities(deps: ActivityDeps) {
  const { db, refund = {}, clock = () => new Date() } = deps;
  const timeoutMs = refund.timeoutMs ?? 10_000;
  const callShop = createShopCaller(deps);

  async function mark(id: number, set: Partial<typeof refunds.$inferInsert>): Promise<RefundRow> {
    const [row] = await db
      .update(refunds)
      .set({ ...set, updatedAt: clock() })
      .where(eq(refunds.id, id))
      .returning();
    return row!;
  }

  /** The refund through the shop the order came from; its refusal is the order system's. */
  async function refundThroughShop(
    row: RefundRow,
    shop: NonNullable<ShipmentRegistration['shop']>,
  ): Promise<RefundRow> {
    await db
      .update(refunds)
      .set({ attempts: sql`${refunds.attempts} + 1`, shopId: shop.shopId })
      .where(eq(refunds.id, row.id));
    try {
      const done = await callShop(shop.shopId, row.shipmentId, 'refund the customer', (api) =>
        api.refund({
          idempotencyKey: row.idempotencyKey,
          orderId: shop.orderId,
          amount: row.amount,
          currency: row.currency,
          reason: row.reason,
        }),
      );
      return await mark(row.id, {
        status: 'refunded',
        externalReference: done.reference,
        lastError: null,
      });
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        await mark(row.id, {
          status: 'failed',
          lastError: message,
          note: 'The shop refused the refund; refund it by hand in the shop, or fix the order and decide again.',
        });
        throw ApplicationFailure.nonRetryable(message, REFUND_FAILURES.rejected);
      }
      await mark(row.id, { lastError: message });
      throw err;
    }
  }

  return {
    /**
     * Refunds the customer, exactly once per key: the row is written first and a row already
     * refunded (or manual) is answered from the database without calling again.
     * A shipment of a connected shop is refunded through the shop (the platform finds a refund
     * already made with the key before making one); `refunded` only once the shop confirmed it.
     * Otherwise through REFUND_URL: the POST carries the same Idempotency-Key on every attempt.
     * 4xx → non-retryable `refund.rejected`; 5xx, 408, 429, timeouts → retried.
     * With neither, the refund is recorded as `manual` with a note for ops.
     */
    async issueRefund(input: IssueRefundInput): Promise<RefundRecord> {
      await db
        .insert(refunds)
        .values({
          idempotencyKey: input.idempotencyKey,
          shipmentId: input.shipmentId,
          amount: input.amount,
          currency: input.currency,
          reason: input.reason,
        })
        .onConflictDoNothing();
      const [row] = await db
        .select()
        .from(refunds)
        .where(eq(refunds.idempotencyKey, input.idempotencyKey));
      if (!row) throw new Error(`refund row ${input.idempotencyKey} vanished`);
      if (row.status === 'refunded' || row.status === 'manual') return toRecord(row);
      if (row.status === 'failed') {
        throw ApplicationFailure.nonRetryable(
          row.lastError ?? 'the order system refused this refund',
          REFUND_FAILURES.rejected,
        );
      }

      const [shipment] = await db
        .select({ orderId: shipments.orderId, registration: shipments.registration })
        .from(shipments)
        .where(eq(shipments.shipmentId, row.shipmentId));
      const shop = shipment?.registration.shop;
      if (shop && deps.shops) return toRecord(await refundThroughShop(row, shop));

      if (!refund.url) {
        return toRecord(
          await mark(row.id, {
            status: 'manual',
            note: `REFUND_URL is not set: refund ${row.amount.toFixed(2)} ${row.currency} for shipment ${row.shipmentId} by hand in the order system (reason: ${row.reason}).`,
          }),
        );
      }

      // Built from the stored row, so every attempt sends the very same request.
      const body = JSON.stringify({
        idempotencyKey: row.idempotencyKey,
        shipmentId: row.shipmentId,
        orderId: shipment?.orderId,
        amount: row.amount,
        currency: row.currency,
        reason: row.reason,
      });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': row.idempotencyKey,
      };
      if (refund.secret) {
        headers[REFUND_SIGNATURE_HEADER] =
          `sha256=${createHmac('sha256', refund.secret).update(body).digest('hex')}`;
      }
      await db
        .update(refunds)
        .set({ attempts: sql`${refunds.attempts} + 1` })
        .where(eq(refunds.id, row.id));

      let res: Response;
      try {
        res = await (refund.fetch ?? developmentFetch)(refund.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        // Not a passing fault: the signed request went nowhere else, and retrying changes nothing.
        if (err instanceof OutboundRedirectError || err instanceof OutboundRefusedError) {
          const message = `REFUND_URL not called: ${err.message}`;
          await mark(row.id, {
            status: 'failed',
            lastError: message,
            note: 'Fix REFUND_URL (or OUTBOUND_ALLOWED_HOSTS), or pay the refund by hand.',
          });
          throw ApplicationFailure.nonRetryable(message, REFUND_FAILURES.rejected);
        }
        const message = `order system unreachable: ${(err as Error).message}`;
        await mark(row.id, { lastError: message });
        throw ApplicationFailure.retryable(message, REFUND_FAILURES.unavailable);
      }
      const text = await res.text();
      if (res.ok) {
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        return toRecord(
          await mark(row.id, {
            status: 'refunded',
            externalReference: referenceOf(parsed) ?? null,
            lastError: null,
          }),
        );
      }
      const message = `order system answered ${res.status}: ${text.slice(0, 300)}`;
      const transient = res.status >= 500 || res.status === 408 || res.status === 429;
      if (!transient) {
        await mark(row.id, {
          status: 'failed',
          lastError: message,
          note: 'The order system refused the refund; pay it by hand or fix the order and retry.',
        });
        throw ApplicationFailure.nonRetryable(message, REFUND_FAILURES.rejected);
      }
      await mark(row.id, { lastError: message });
      throw ApplicationFailure.create({
        message,
        type: REFUND_FAILURES.unavailable,
        nonRetryable: false,
        nextRetryDelay: parseRetryAfter(res.headers.get('retry-after')),
      });
    },
  };
}
