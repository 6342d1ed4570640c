import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { claimWorkflowId, type ClaimUpdate } from '../../workflows/claim.contract';
import type { TrackingEvent } from '../../workflows/shipment.contract';
import { classifyClaimStatus } from '../claims/claims.eligibility';
import { coalesce } from '../db/coalesce';
import type { Db, Queryable } from '../db/client';
import { claimHistory, claims } from '../db/schema/claims';
import { shipments, trackingEvents } from '../db/schema/shipments';
import { webhookDeliveries, webhookUnknownReferences } from '../db/schema/webhooks';
import { eventRows } from '../tracking/tracking.repository';
import type { WebhookProvider } from './webhooks.providers';

export interface ProviderStats {
  provider: string;
  deliveries: number;
  redeliveries: number;
  events: number;
  /** Deliveries that named at least one tracking number or claim we do not know. */
  unknownDeliveries: number;
  /** Distinct unknown tracking numbers and claim ids seen. */
  unknownReferences: number;
  lastReceivedAt: string | null;
}

/** A shipment registered under one of a delivery's tracking numbers. */
export interface Candidate {
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
}

/** What a claim update did: applied (its workflow to tell), already applied, or not ours. */
export type ClaimApplied = { workflowId: string } | 'duplicate' | 'unknown';

/** The work on one claimed delivery, all inside its transaction. */
export interface DeliveryWork {
  /** Shipments under the delivery's tracking numbers, every carrier, oldest registration first. */
  candidates: Candidate[];
  /**
   * Stores the new events, the unknown references and the delivery's counts in one statement;
   * returns how many events were new.
   */
  record(
    rows: { shipmentId: string; event: TrackingEvent }[],
    source: string,
    unknown: { kind: 'tracking_number' | 'claim_id'; references: string[] },
  ): Promise<number>;
  /**
   * Applies a carrier's claim decision once (its history row is the claim on it); a claim we
   * never filed, or one `serves` says is not this provider's, is unknown.
   */
  applyClaimUpdate(
    update: ClaimUpdate,
    serves: (carrier: string) => boolean,
  ): Promise<ClaimApplied>;
}

export type Received<T> = { duplicate: true } | { duplicate: false; result: T };

/** A tracking delivery claimed outside any transaction: store, tell, then complete or release. */
export interface TrackingClaim {
  candidates: Candidate[];
  record: DeliveryWork['record'];
  /** The workflows were told: a redelivery is a duplicate from now on. */
  complete(): Promise<void>;
  /** A workflow could not be told: gives the claim back so the provider's redelivery does it all again. */
  release(): Promise<void>;
}

/**
 * How long an unfinished tracking claim belongs to the request that took it. A request that died
 * between the claim and its completion (or could not release it) leaves the claim unfinished; a
 * redelivery after this long takes it again and does the work again (stores are idempotent and
 * workflows dedupe events by id). Longer than a request's worst signal time.
 */
export const TRACKING_CLAIM_LEASE_SECONDS = 120;

type DeliveryKey = { provider: WebhookProvider; deliveryId: string; kind: string };

/**
 * The delivery's claim and the lookup of its numbers in one statement. The number lookup goes
 * through the lower-case tracking-number index (the `(carrier, tracking_number)` one cannot serve a
 * lookup by number alone), then keeps exact matches. `retake` also takes over an unfinished claim
 * whose lease ran out.
 */
async function claimAndLookup(
  q: Queryable,
  delivery: DeliveryKey,
  numbers: string[],
  opts: { completed: boolean; retake: boolean },
): Promise<{ deliveryRowId: number; candidates: Candidate[] } | undefined> {
  const insert = q.insert(webhookDeliveries).values({ ...delivery, completed: opts.completed });
  const claim = (
    opts.retake
      ? insert.onConflictDoUpdate({
          target: [webhookDeliveries.provider, webhookDeliveries.deliveryId],
          set: { receivedAt: sql`now()`, kind: delivery.kind },
          setWhere: sql`not ${webhookDeliveries.completed} and ${webhookDeliveries.receivedAt} < now() - make_interval(secs => ${TRACKING_CLAIM_LEASE_SECONDS})`,
        })
      : insert.onConflictDoNothing()
  ).returning({ id: webhookDeliveries.id });
  const unique = [...new Set(numbers)];
  const match = unique.length
    ? sql`lower(${shipments.trackingNumber}) in (${sql.join(
        unique.map((n) => sql`lower(${n})`),
        sql`, `,
      )}) and ${inArray(shipments.trackingNumber, unique)}`
    : sql`false`;
  // No row means another request holds the claim (or finished it).
  // (drizzle wraps an embedded query in the parentheses a WITH item needs.)
  const rows = await q.execute<{
    delivery: number;
    shipment_id: string | null;
    carrier: string | null;
    tracking_number: string | null;
  }>(sql`with claimed as ${claim}
    select claimed.id as delivery, ${shipments.shipmentId}, ${shipments.carrier},
      ${shipments.trackingNumber}
    from claimed left join ${shipments} on ${match}
    order by ${shipments.createdAt}`);
  if (rows.length === 0) return undefined;
  return {
    deliveryRowId: rows[0]!.delivery,
    candidates: rows.flatMap((r) =>
      r.shipment_id && r.carrier && r.tracking_number
        ? [{ shipmentId: r.shipment_id, carrier: r.carrier, trackingNumber: r.tracking_number }]
        : [],
    ),
  };
}

/** A redelivery of a delivery someone else claimed: counted for analysts. */
async function countRedelivery(q: Queryable, delivery: DeliveryKey): Promise<void> {
  await q
    .update(webhookDeliveries)
    .set({
      redeliveries: sql`${webhookDeliveries.redeliveries} + 1`,
      lastRedeliveredAt: new Date(),
    })
    .where(
      and(
        eq(webhookDeliveries.provider, delivery.provider),
        eq(webhookDeliveries.deliveryId, delivery.deliveryId),
      ),
    );
}

/** `DeliveryWork.record` of one claimed delivery, through `q`. */
function recorder(
  q: Queryable,
  delivery: DeliveryKey,
  deliveryRowId: number,
): DeliveryWork['record'] {
  return async (events, source, unknown) => {
    const ctes: SQL[] = [];
    if (events.length) {
      const insert = q
        .insert(trackingEvents)
        .values(eventRows(events, source))
        .onConflictDoNothing()
        .returning({ id: trackingEvents.id });
      ctes.push(sql`inserted as ${insert}`);
    }
    // Sorted, so deliveries naming the same strangers lock their rows in one order.
    const references = [...new Set(unknown.references)].sort();
    if (references.length) {
      const upsert = q
        .insert(webhookUnknownReferences)
        .values(
          references.map((reference) => ({
            provider: delivery.provider,
            kind: unknown.kind,
            reference,
          })),
        )
        .onConflictDoUpdate({
          target: [
            webhookUnknownReferences.provider,
            webhookUnknownReferences.kind,
            webhookUnknownReferences.reference,
          ],
          set: {
            deliveries: sql`${webhookUnknownReferences.deliveries} + 1`,
            lastSeenAt: sql`now()`,
          },
        });
      ctes.push(sql`unknown_references as ${upsert}`);
    }
    const stored = events.length ? sql`(select count(*) from inserted)::int` : sql`0`;
    const [counted] = await q.execute<{ events: number }>(sql`${
      ctes.length ? sql`with ${sql.join(ctes, sql`, `)} ` : sql``
    }update ${webhookDeliveries} set events = ${stored}, unknown = ${unknown.references.length}
      where id = ${deliveryRowId} returning events`);
    return counted!.events;
  };
}

export function createWebhookRepository(db: Db) {
  // Completions of concurrent deliveries go out together, one statement for many.
  const completeMany = coalesce(async (ids: number[]) => {
    await db
      .update(webhookDeliveries)
      .set({ completed: true })
      .where(inArray(webhookDeliveries.id, ids));
    return ids.map(() => undefined);
  });

  return {
    /**
     * Claims a tracking delivery and stores its events without holding a connection while its
     * workflows are told (a signal takes longer than both statements together, and a pooled
     * connection held across it caps the deliveries worked on at once at the pool's size). The
     * claim is the insert of the delivery row, unfinished: identical deliveries sent meanwhile
     * are duplicates. The caller completes it once the workflows were told, or releases it.
     */
    async claimTracking(
      delivery: DeliveryKey,
      numbers: string[],
    ): Promise<{ duplicate: true } | { duplicate: false; claim: TrackingClaim }> {
      const claimed = await claimAndLookup(db, delivery, numbers, {
        completed: false,
        retake: true,
      });
      if (!claimed) {
        await countRedelivery(db, delivery);
        return { duplicate: true };
      }
      const { deliveryRowId, candidates } = claimed;
      return {
        duplicate: false,
        claim: {
          candidates,
          record: recorder(db, delivery, deliveryRowId),
          complete: () => completeMany(deliveryRowId),
          async release() {
            await db.delete(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryRowId));
          },
        },
      };
    },

    /**
     * Claims a delivery and does its work in one transaction (claim decisions: their history row
     * is written with the claim, so a failed signal must roll both back). Of identical deliveries
     * sent at once exactly one inserts the claim, the others wait on its unique key until that
     * transaction ends and are then duplicates (or, when it failed and rolled back, the next one
     * does the work). `work` throwing rolls everything back, so a redelivery does it again.
     */
    async receive<T>(
      delivery: DeliveryKey,
      numbers: string[],
      work: (w: DeliveryWork) => Promise<T>,
    ): Promise<Received<T>> {
      return db.transaction(async (tx) => {
        const claimed = await claimAndLookup(tx, delivery, numbers, {
          completed: true,
          retake: false,
        });
        if (!claimed) {
          await countRedelivery(tx, delivery);
          return { duplicate: true };
        }
        const { deliveryRowId, candidates } = claimed;
        const result = await work({
          candidates,
          record: recorder(tx, delivery, deliveryRowId),
          async applyClaimUpdate(update, serves) {
            const [row] = await tx
              .select({
                id: claims.id,
                shipmentId: claims.shipmentId,
                workflowId: claims.workflowId,
                carrier: claims.carrier,
                amount: claims.amount,
              })
              .from(claims)
              .where(eq(claims.claimId, update.claimId))
              .for('update');
            if (!row || !serves(row.carrier)) return 'unknown';
            const status = classifyClaimStatus(update.status, row.amount, update.amountApproved);
            const inserted = await tx
              .insert(claimHistory)
              .values({
                claimRowId: row.id,
                status,
                detail: update.detail ?? null,
                at: new Date(update.at),
              })
              .onConflictDoNothing()
              .returning({ id: claimHistory.id });
            if (inserted.length === 0) return 'duplicate';
            await tx
              .update(claims)
              .set({
                status,
                ...(update.amountApproved !== undefined
                  ? { amountRecovered: update.amountApproved }
                  : {}),
                updatedAt: new Date(),
              })
              .where(eq(claims.id, row.id));
            return { workflowId: row.workflowId ?? claimWorkflowId(row.shipmentId) };
          },
        });
        return { duplicate: false, result };
      });
    },

    async stats(): Promise<ProviderStats[]> {
      const deliveries = await db
        .select({
          provider: webhookDeliveries.provider,
          deliveries: sql<number>`count(*)::int`,
          redeliveries: sql<number>`coalesce(sum(${webhookDeliveries.redeliveries}), 0)::int`,
          events: sql<number>`coalesce(sum(${webhookDeliveries.events}), 0)::int`,
          unknownDeliveries: sql<number>`(count(*) filter (where ${webhookDeliveries.unknown} > 0))::int`,
          lastReceivedAt: sql<Date | null>`max(${webhookDeliveries.receivedAt})`,
        })
        .from(webhookDeliveries)
        .groupBy(webhookDeliveries.provider);
      const unknown = await db
        .select({
          provider: webhookUnknownReferences.provider,
          references: sql<number>`count(*)::int`,
        })
        .from(webhookUnknownReferences)
        .groupBy(webhookUnknownReferences.provider);
      const unknownBy = new Map(unknown.map((u) => [u.provider, u.references]));
      return deliveries
        .map((d) => ({
          provider: d.provider,
          deliveries: d.deliveries,
          redeliveries: d.redeliveries,
          events: d.events,
          unknownDeliveries: d.unknownDeliveries,
          unknownReferences: unknownBy.get(d.provider) ?? 0,
          lastReceivedAt: d.lastReceivedAt ? new Date(d.lastReceivedAt).toISOString() : null,
        }))
        .sort((a, b) => a.provider.localeCompare(b.provider));
    },
  };
}
export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
