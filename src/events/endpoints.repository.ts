/**
 * The seller's webhook endpoints and their deliveries, as the admin routes read and change them.
 * Signing secrets are stored sealed (src/shops/secret-box.ts) and never read back here.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq, getTableColumns, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { eventDeliveries, events, webhookEndpoints } from '../db/schema/events';
import type { SecretBox } from '../shops/secret-box';
import type { EventType } from './events.types';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A signing secret as Standard Webhooks makes them: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export const newEndpointId = () => `we_${randomBytes(12).toString('hex')}`;

export interface DeliveryView {
  id: number;
  eventId: string;
  eventType: string;
  shipmentId: string | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastResponse: string | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  createdAt: Date;
}

export class NoSecretBoxError extends Error {
  constructor() {
    super('no PAYLOAD_KEY to seal signing secrets with');
    this.name = 'NoSecretBoxError';
  }
}

/** `box` seals new signing secrets; without it endpoints can be read and deleted, not made. */
export function createEndpointRepository(db: Db, box?: SecretBox) {
  const live = isNull(webhookEndpoints.deletedAt);
  const deliveryColumns = {
    id: eventDeliveries.id,
    eventId: events.eventId,
    eventType: events.type,
    shipmentId: eventDeliveries.shipmentId,
    status: eventDeliveries.status,
    attempts: eventDeliveries.attempts,
    lastStatusCode: eventDeliveries.lastStatusCode,
    lastResponse: eventDeliveries.lastResponse,
    lastError: eventDeliveries.lastError,
    lastAttemptAt: eventDeliveries.lastAttemptAt,
    nextAttemptAt: eventDeliveries.nextAttemptAt,
    deliveredAt: eventDeliveries.deliveredAt,
    createdAt: eventDeliveries.createdAt,
  };

  return {
    /** Makes the endpoint and its secret; the plain secret is returned this once. */
    async create(input: {
      url: string;
      eventTypes: EventType[];
      description?: string;
    }): Promise<{ row: EndpointRow; secret: string }> {
      if (!box) throw new NoSecretBoxError();
      const secret = newSigningSecret();
      const [row] = await db
        .insert(webhookEndpoints)
        .values({
          endpointId: newEndpointId(),
          url: input.url,
          eventTypes: input.eventTypes,
          description: input.description ?? null,
          secret: box.seal(secret),
        })
        .returning();
      return { row: row!, secret };
    },

    /** Live endpoints, newest first, after the cursor (created_at as text, endpoint id). */
    async list(opts: {
      limit: number;
      after?: { createdAt: string; id: string };
    }): Promise<(EndpointRow & { cursorAt: string })[]> {
      const { after } = opts;
      return db
        .select({
          ...getTableColumns(webhookEndpoints),
          cursorAt: sql<string>`${webhookEndpoints.createdAt}::text`,
        })
        .from(webhookEndpoints)
        .where(
          and(
            live,
            after
              ? or(
                  lt(webhookEndpoints.createdAt, sql`${after.createdAt}::timestamptz`),
                  and(
                    eq(webhookEndpoints.createdAt, sql`${after.createdAt}::timestamptz`),
                    lt(webhookEndpoints.endpointId, after.id),
                  ),
                )
              : undefined,
          ),
        )
        .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.endpointId))
        .limit(opts.limit);
    },

    async get(id: string): Promise<EndpointRow | undefined> {
      const [row] = await db
        .select()
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.endpointId, id), live));
      return row;
    },

    /**
     * Stops sending to the endpoint: it keeps its delivery history, its pending deliveries end as
     * failed, and no new event is fanned out to it.
     */
    async remove(id: string): Promise<EndpointRow | undefined> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(webhookEndpoints)
          .set({ deletedAt: new Date() })
          .where(and(eq(webhookEndpoints.endpointId, id), live))
          .returning();
        if (!row) return undefined;
        await tx
          .update(eventDeliveries)
          .set({ status: 'failed', lastError: 'the endpoint was deleted' })
          .where(and(eq(eventDeliveries.endpointId, id), eq(eventDeliveries.status, 'pending')));
        return row;
      });
    },

    /** The endpoint's deliveries, newest first, after the cursor (a delivery id). */
    async deliveries(
      endpointId: string,
      opts: { limit: number; afterId?: number; status?: DeliveryStatus },
    ): Promise<DeliveryView[]> {
      return db
        .select(deliveryColumns)
        .from(eventDeliveries)
        .innerJoin(events, eq(events.id, eventDeliveries.eventRow))
        .where(
          and(
            eq(eventDeliveries.endpointId, endpointId),
            opts.status ? eq(eventDeliveries.status, opts.status) : undefined,
            opts.afterId !== undefined ? lt(eventDeliveries.id, opts.afterId) : undefined,
          ),
        )
        .orderBy(desc(eventDeliveries.id))
        .limit(opts.limit);
    },

    /**
     * Sends a delivered or failed delivery again, now. `pending` when it is already waiting for
     * its next attempt; undefined when the endpoint has no such delivery.
     */
    async redeliver(
      endpointId: string,
      deliveryId: number,
    ): Promise<{ outcome: 'reset' | 'pending'; delivery: DeliveryView } | undefined> {
      const reset = await db
        .update(eventDeliveries)
        .set({ status: 'pending', nextAttemptAt: sql`now()`, deliveredAt: null })
        .where(
          and(
            eq(eventDeliveries.id, deliveryId),
            eq(eventDeliveries.endpointId, endpointId),
            inArray(eventDeliveries.status, ['delivered', 'failed']),
          ),
        )
        .returning({ id: eventDeliveries.id });
      const [delivery] = await db
        .select(deliveryColumns)
        .from(eventDeliveries)
        .innerJoin(events, eq(events.id, eventDeliveries.eventRow))
        .where(and(eq(eventDeliveries.id, deliveryId), eq(eventDeliveries.endpointId, endpointId)));
      if (!delivery) return undefined;
      return { outcome: reset.length > 0 ? 'reset' : 'pending', delivery };
    },
  };
}
export type EndpointRepository = ReturnType<typeof createEndpointRepository>;
