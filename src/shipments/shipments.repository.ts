import { and, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { inquiries, shipments } from '../db/schema/shipments';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { validationFailed } from '../api/problems';
import { registrationHash, shipmentRow } from './shipments.rows';
import { type InquiryBody, type ListQuery } from './shipments.schemas';

export type ShipmentRow = typeof shipments.$inferSelect;

export type RegisterOutcome =
  | { kind: 'created'; row: ShipmentRow }
  | { kind: 'same'; row: ShipmentRow }
  | { kind: 'conflict'; detail: string };

/** Paging position: the last row's created_at as PostgreSQL text (microseconds kept) and id. */
interface Cursor {
  createdAt: string;
  shipmentId: string;
}
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.shipmentId])).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      PG_TIMESTAMP.test(v[0]) &&
      typeof v[1] === 'string'
    ) {
      return { createdAt: v[0], shipmentId: v[1] };
    }
  } catch {
    // fall through to the validation problem
  }
  throw validationFailed(
    [{ path: 'cursor', message: 'is not a cursor returned by this API' }],
    'query string',
  );
}

export function createShipmentRepository(db: Db) {
  return {
    async get(shipmentId: string): Promise<ShipmentRow | undefined> {
      const [row] = await db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId));
      return row;
    },

    /**
     * Inserts the read-model row once. Same id and same canonical body → `same`; another body
     * under the id, or the carrier's tracking number already used by another shipment → `conflict`.
     */
    async register(registration: ShipmentRegistration): Promise<RegisterOutcome> {
      const requestHash = registrationHash(registration);
      const [created] = await db
        .insert(shipments)
        .values(shipmentRow(registration))
        .onConflictDoNothing()
        .returning();
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

    /** Newest first, keyset-paged on (created_at, shipment_id). */
    async list(q: ListQuery): Promise<{ rows: ShipmentRow[]; nextCursor: string | null }> {
      const where: SQL[] = [];
      if (q.stage) where.push(eq(shipments.stage, q.stage));
      if (q.carrier) where.push(eq(shipments.carrier, q.carrier));
      if (q.destination) where.push(eq(shipments.destinationCountry, q.destination));
      if (q.from) where.push(gte(shipments.createdAt, new Date(q.from)));
      if (q.to) where.push(lte(shipments.createdAt, new Date(q.to)));
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        where.push(
          sql`(${shipments.createdAt}, ${shipments.shipmentId}) < (${c.createdAt}::timestamptz, ${c.shipmentId})`,
        );
      }
      const rows = await db
        .select({ row: shipments, createdAtText: sql<string>`${shipments.createdAt}::text` })
        .from(shipments)
        .where(and(...where))
        .orderBy(desc(shipments.createdAt), desc(shipments.shipmentId))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        rows: page.map((r) => r.row),
        nextCursor:
          rows.length > q.limit && last
            ? encodeCursor({ createdAt: last.createdAtText, shipmentId: last.row.shipmentId })
            : null,
      };
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
