import { and, eq, sql } from 'drizzle-orm';
import { claimWorkflowId, type ClaimUpdate } from '../../workflows/claim.contract';
import { classifyClaimStatus } from '../claims/claims.eligibility';
import type { Db } from '../db/client';
import { claimHistory, claims } from '../db/schema/claims';
import { webhookDeliveries, webhookUnknownReferences } from '../db/schema/webhooks';
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

export function createWebhookRepository(db: Db) {
  return {
    /** True (and the redelivery counted) when this delivery was processed before. */
    async seenBefore(provider: WebhookProvider, deliveryId: string): Promise<boolean> {
      const rows = await db
        .update(webhookDeliveries)
        .set({
          redeliveries: sql`${webhookDeliveries.redeliveries} + 1`,
          lastRedeliveredAt: new Date(),
        })
        .where(
          and(
            eq(webhookDeliveries.provider, provider),
            eq(webhookDeliveries.deliveryId, deliveryId),
          ),
        )
        .returning({ id: webhookDeliveries.id });
      return rows.length > 0;
    },

    /** Marks a delivery processed (after its effects are stored); a concurrent twin is a no-op. */
    async recordDelivery(d: {
      provider: WebhookProvider;
      deliveryId: string;
      kind: string;
      events: number;
      unknown: number;
    }): Promise<void> {
      await db.insert(webhookDeliveries).values(d).onConflictDoNothing();
    },

    async recordUnknown(
      provider: WebhookProvider,
      kind: 'tracking_number' | 'claim_id',
      references: string[],
    ): Promise<void> {
      if (references.length === 0) return;
      const now = new Date();
      await db
        .insert(webhookUnknownReferences)
        .values([...new Set(references)].map((reference) => ({ provider, kind, reference })))
        .onConflictDoUpdate({
          target: [
            webhookUnknownReferences.provider,
            webhookUnknownReferences.kind,
            webhookUnknownReferences.reference,
          ],
          set: {
            deliveries: sql`${webhookUnknownReferences.deliveries} + 1`,
            lastSeenAt: now,
          },
        });
    },

    /**
     * Applies a carrier's claim decision to our claim (by the carrier's claim id) and its history.
     * Returns the workflow following the claim; undefined for a claim we never filed.
     */
    async applyClaimUpdate(update: ClaimUpdate): Promise<{ workflowId: string } | undefined> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .select({
            id: claims.id,
            shipmentId: claims.shipmentId,
            workflowId: claims.workflowId,
            amount: claims.amount,
          })
          .from(claims)
          .where(eq(claims.claimId, update.claimId))
          .for('update');
        if (!row) return undefined;
        const status = classifyClaimStatus(update.status, row.amount, update.amountApproved);
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
        await tx.insert(claimHistory).values({
          claimRowId: row.id,
          status,
          detail: update.detail ?? null,
          at: new Date(update.at),
        });
        return { workflowId: row.workflowId ?? claimWorkflowId(row.shipmentId) };
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
