import { and, desc, eq, getTableColumns, gte, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { claims } from '../db/schema/claims';
import {
  inquiries,
  searchCustomerName,
  searchEmail,
  searchOrderName,
  shipments,
} from '../db/schema/shipments';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import type { ShipmentAdviceRecord } from '../advice/advice.types';
import { eventsRecorded, registeredEventsSql } from '../events/events.repository';
import { registrationHash, shipmentRow } from './shipments.rows';
import { type InquiryBody, type ListQuery } from './shipments.schemas';

export type ShipmentRow = typeof shipments.$inferSelect;

export type RegisterOutcome =
  | { kind: 'created'; row: ShipmentRow }
  | { kind: 'same'; row: ShipmentRow }
  | { kind: 'conflict'; detail: string };

export function createShipmentRepository(db: Db) {
  /**
   * Inserts the rows that are new, and the `shipment.registered` event of each row created, in one
   * statement: a row exists exactly when its event does, at no extra round trip.
   */
  async function insertWithEvents(rows: (typeof shipments.$inferInsert)[]): Promise<ShipmentRow[]> {
    const created = db
      .$with('created')
      .as(db.insert(shipments).values(rows).onConflictDoNothing().returning());
    const registered = db
      .$with('registered_events', { id: sql<number>`id` })
      .as(registeredEventsSql('created'));
    const inserted = await db.with(created, registered).select().from(created);
    if (inserted.length > 0) eventsRecorded();
    return inserted;
  }

  return {
    /**
     * The live state of the shipment's claim: the workflow only knows the status at hand-over to
     * the claim workflow, which keeps this row current.
     */
    async claimOf(shipmentId: string) {
      const [row] = await db
        .select({
          id: claims.id,
          claimId: claims.claimId,
          workflowId: claims.workflowId,
          status: claims.status,
          filer: claims.filer,
          amount: claims.amount,
          amountRecovered: claims.amountRecovered,
          currency: claims.currency,
          filedAt: claims.filedAt,
          windowClosesAt: claims.windowClosesAt,
          decidedAt: claims.decidedAt,
        })
        .from(claims)
        .where(eq(claims.shipmentId, shipmentId))
        .orderBy(desc(claims.createdAt))
        .limit(1);
      return row;
    },

    async get(shipmentId: string): Promise<ShipmentRow | undefined> {
      const [row] = await db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId));
      return row;
    },

    /**
     * Inserts the read-model row once. Same id and same canonical body → `same`; another body
     * under the id, or the carrier's tracking number already used by another shipment → `conflict`.
     */
    async register(
      registration: ShipmentRegistration,
      advice?: ShipmentAdviceRecord,
    ): Promise<RegisterOutcome> {
      const requestHash = registrationHash(registration);
      const [created] = await insertWithEvents([{ ...shipmentRow(registration), advice }]);
      if (created) return { kind: 'created', row: created };

      const existing = await this.get(registration.shipmentId);
      if (existing) {
        return existing.requestHash === requestHash
          ? { kind: 'same', row: existing }
          : {
              kind: 'conflict',
              detail: `Shipment "${registration.shipmentId}" is already registered with a different body.`,
            };
      }
      const [holder] = await db
        .select({ shipmentId: shipments.shipmentId })
        .from(shipments)
        .where(
          and(
            eq(shipments.carrier, registration.carrier),
            eq(shipments.trackingNumber, registration.trackingNumber),
          ),
        );
      return {
        kind: 'conflict',
        detail: holder
          ? `Tracking number "${registration.trackingNumber}" of carrier "${registration.carrier}" already belongs to shipment "${holder.shipmentId}".`
          : `Shipment "${registration.shipmentId}" conflicts with an existing shipment.`,
      };
    },

    /**
     * `register` for many registrations in three round trips at most: one multi-row insert that
     * skips conflicts, one read of the rows already there, one look-up of tracking numbers held
     * by other shipments. The outcomes are those `register` would give, one by one in order: a
     * later item repeating an earlier one's id is `same` or `conflict` against it.
     */
    async registerMany(
      registrations: readonly ShipmentRegistration[],
      advice?: readonly (ShipmentAdviceRecord | undefined)[],
    ): Promise<RegisterOutcome[]> {
      if (registrations.length === 0) return [];
      const rows = registrations.map((r, i) => ({ ...shipmentRow(r), advice: advice?.[i] }));
      const created = await insertWithEvents(rows);
      const createdById = new Map(created.map((r) => [r.shipmentId, r]));

      // The first item with a created row's body created it (PostgreSQL inserts in VALUES order);
      // every other item meets a row that was already there.
      const creator = new Map<string, number>();
      const rest: number[] = [];
      rows.forEach((row, i) => {
        const id = row.shipmentId;
        if (!creator.has(id) && createdById.get(id)?.requestHash === row.requestHash)
          creator.set(id, i);
        else rest.push(i);
      });
      const restIds = [
        ...new Set(
          rest.map((i) => registrations[i]!.shipmentId).filter((id) => !createdById.has(id)),
        ),
      ];
      const existing = new Map<string, ShipmentRow>();
      if (restIds.length > 0) {
        const found = await db
          .select()
          .from(shipments)
          .where(inArray(shipments.shipmentId, restIds));
        for (const r of found) existing.set(r.shipmentId, r);
      }
      // Items that found no row under their id at their turn: the insert skipped them for another
      // unique key (the tracking number), as `register` would find.
      const before = (i: number) => {
        const id = registrations[i]!.shipmentId;
        if (existing.has(id)) return existing.get(id);
        const c = creator.get(id);
        return c !== undefined && c < i ? createdById.get(id) : undefined;
      };
      const missing = rest.filter((i) => !before(i));
      const holders = new Map<string, string>();
      if (missing.length > 0) {
        const found = await db
          .select({
            shipmentId: shipments.shipmentId,
            carrier: shipments.carrier,
            trackingNumber: shipments.trackingNumber,
          })
          .from(shipments)
          .where(
            or(
              ...missing.map((i) =>
                and(
                  eq(shipments.carrier, registrations[i]!.carrier),
                  eq(shipments.trackingNumber, registrations[i]!.trackingNumber),
                ),
              ),
            ),
          );
        for (const h of found) holders.set(trackingKey(h.carrier, h.trackingNumber), h.shipmentId);
      }

      return registrations.map((registration, i): RegisterOutcome => {
        const id = registration.shipmentId;
        const row = createdById.get(id);
        if (row && creator.get(id) === i) return { kind: 'created', row };
        const stored = before(i);
        if (stored) {
          return stored.requestHash === rows[i]!.requestHash
            ? { kind: 'same', row: stored }
            : {
                kind: 'conflict',
                detail: `Shipment "${id}" is already registered with a different body.`,
              };
        }
        const holder = holders.get(trackingKey(registration.carrier, registration.trackingNumber));
        return {
          kind: 'conflict',
          detail: holder
            ? `Tracking number "${registration.trackingNumber}" of carrier "${registration.carrier}" already belongs to shipment "${holder}".`
            : `Shipment "${id}" conflicts with an existing shipment.`,
        };
      });
    },

    /**
     * Newest first, keyset-paged on (created_at, shipment_id) after `after`; `createdAtText` is
     * the cursor key (PostgreSQL text keeps the microseconds a Date would lose).
     */
    async list(
      q: Omit<ListQuery, 'cursor'> & { after?: readonly [createdAt: string, shipmentId: string] },
    ): Promise<(ShipmentRow & { createdAtText: string })[]> {
      const where: SQL[] = [];
      if (q.stage) where.push(eq(shipments.stage, q.stage));
      if (q.carrier) where.push(eq(shipments.carrier, q.carrier));
      if (q.destination) where.push(eq(shipments.destinationCountry, q.destination));
      if (q.from) where.push(gte(shipments.createdAt, new Date(q.from)));
      if (q.to) where.push(lte(shipments.createdAt, new Date(q.to)));
      if (q.orderId) where.push(exactly(shipments.orderId, q.orderId));
      if (q.trackingNumber) where.push(exactly(shipments.trackingNumber, q.trackingNumber));
      if (q.email)
        where.push(sql`${searchEmail(shipments.registration)} = ${q.email.toLowerCase()}`);
      if (q.shop) where.push(eq(shipments.shopId, q.shop));
      if (q.q) where.push(inArray(shipments.shipmentId, searchHits(q.q)));
      if (q.after) {
        where.push(
          sql`(${shipments.createdAt}, ${shipments.shipmentId}) < (${q.after[0]}::timestamptz, ${q.after[1]})`,
        );
      }
      return db
        .select({
          ...getTableColumns(shipments),
          createdAtText: sql<string>`${shipments.createdAt}::text`,
        })
        .from(shipments)
        .where(and(...where))
        .orderBy(desc(shipments.createdAt), desc(shipments.shipmentId))
        .limit(q.limit);
    },

    /** Stores an inquiry once per (shipment, inquiryId); tells whether it was new. */
    async addInquiry(shipmentId: string, inquiry: InquiryBody): Promise<{ duplicate: boolean }> {
      const inserted = await db
        .insert(inquiries)
        .values({
          shipmentId,
          inquiryId: inquiry.inquiryId,
          channel: inquiry.channel,
          message: inquiry.message,
          locale: inquiry.locale ?? null,
          receivedAt: new Date(inquiry.receivedAt),
        })
        .onConflictDoNothing()
        .returning({ id: inquiries.id });
      return { duplicate: inserted.length === 0 };
    },
  };
}
export type ShipmentRepository = ReturnType<typeof createShipmentRepository>;

/** Exact, through the lower-cased search index (the lower() match narrows, the `=` decides). */
function exactly(column: AnyPgColumn, value: string): SQL {
  return sql`(lower(${column}) = ${value.toLowerCase()} and ${column} = ${value})`;
}

/** `text` as a LIKE pattern that matches only itself. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Ids of the shipments a search term finds: an id, order number (ours or the shop's order name,
 * with or without '#'), tracking number or customer e-mail that equals or starts with the term,
 * a customer name that contains it (all ignoring case), and the shipment a replacement whose
 * tracking number matches replaces. Each branch is served by a search index (migration 0009).
 */
function searchHits(term: string): SQL {
  const lower = term.trim().toLowerCase();
  const prefix = `${likeLiteral(lower)}%`;
  const orderName = `${likeLiteral(lower.replace(/^#+/, '') || lower)}%`;
  const contains = `%${likeLiteral(lower)}%`;
  const s = shipments;
  return sql`(select ${s.shipmentId} from ${s} where lower(${s.shipmentId}) like ${prefix}
      or lower(${s.orderId}) like ${prefix}
      or lower(${s.trackingNumber}) like ${prefix}
      or ${searchOrderName(s.registration)} like ${orderName}
      or ${searchEmail(s.registration)} like ${prefix}
      or ${searchCustomerName(s.registration)} like ${contains}
    union
    select ${s.replacesShipmentId} from ${s}
      where lower(${s.trackingNumber}) like ${prefix} and ${s.replacesShipmentId} is not null)`;
}

function trackingKey(carrier: string, trackingNumber: string): string {
  return `${carrier}\u0000${trackingNumber}`;
}
