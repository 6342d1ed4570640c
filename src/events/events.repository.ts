/**
 * Events as rows: `recordEvent` writes one fact once (its dedupe key), in the caller's statement
 * or transaction where it can, so an event exists exactly when the fact it tells was written.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import type { EventData, EventType } from './events.types';

/** One event to record, its `data` typed by its `type`. */
export type EventInput = { [T in EventType]: EventInputOf<T> }[EventType];

export interface EventInputOf<T extends EventType> {
  type: T;
  /** One fact, one key: a retried activity or a replayed snapshot finds its event already there. */
  dedupeKey: string;
  shipmentId: string;
  /** `data` without `orderId` unless the caller knows it: it is read from the shipment's row. */
  data: Omit<EventData<T>, 'orderId'> & { orderId?: string | null };
  /** When it happened (default: now). */
  occurredAt?: Date | string;
}

/** A new public event id: `evt_` and 32 hex digits, made by PostgreSQL in the insert itself. */
export const NEW_EVENT_ID = sql`'evt_' || replace(gen_random_uuid()::text, '-', '')`;

/** ISO 8601 in UTC with milliseconds, as JavaScript prints dates. */
export const isoText = (column: SQL) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

function payloadSql(input: EventInput, occurredAt: string): SQL {
  const payload = JSON.stringify({ type: input.type, timestamp: occurredAt, data: input.data });
  if (input.data.orderId !== undefined) return sql`${payload}::jsonb`;
  // The order id from the read model, in the same statement: no extra round trip.
  return sql`jsonb_set(${payload}::jsonb, '{data,orderId}', coalesce((select to_jsonb(s.order_id) from shipments s where s.shipment_id = ${input.shipmentId}), 'null'::jsonb))`;
}

/**
 * `INSERT … ON CONFLICT (dedupe_key) DO NOTHING` of these events, to run alone or after a CTE
 * that writes the fact; `when` (SQL over that CTE) makes the events conditional on the write.
 */
export function insertEventsSql(inputs: readonly EventInput[], when?: SQL): SQL {
  const rows = inputs.map((input) => {
    const at = new Date(input.occurredAt ?? Date.now()).toISOString();
    return sql`(${NEW_EVENT_ID}, ${input.dedupeKey}::text, ${input.type}::text, ${input.shipmentId}::text, ${payloadSql(input, at)}, ${at}::timestamptz)`;
  });
  return sql`insert into events (event_id, dedupe_key, type, shipment_id, payload, occurred_at)
    select * from (values ${sql.join(rows, sql`, `)}) as v ${when ? sql`where ${when}` : sql``}
    on conflict (dedupe_key) do nothing`;
}

/** Tells this process's dispatcher (if any) that events are waiting, so it need not wait its poll. */
const listeners = new Set<() => void>();
export function onEventsRecorded(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
export function eventsRecorded(): void {
  for (const l of listeners) l();
}

/**
 * Records events once each: one statement, `ON CONFLICT (dedupe_key) DO NOTHING`, so calling it
 * again (a retried activity) makes no second event. Runs on the database or a transaction.
 */
export async function recordEvent(
  db: Queryable,
  input: EventInput | readonly EventInput[],
): Promise<void> {
  const inputs = Array.isArray(input) ? input : [input as EventInput];
  if (inputs.length === 0) return;
  await db.execute(insertEventsSql(inputs));
  eventsRecorded();
}

/**
 * Runs `write` (an INSERT/UPDATE … RETURNING) and records `inputs` in the same statement: with
 * `onlyIfWritten`, only when `write` returned a row. One round trip.
 */
export async function withEvents(
  db: Queryable,
  write: SQL | { getSQL(): SQL },
  inputs: readonly EventInput[],
  opts: { onlyIfWritten?: boolean } = {},
): Promise<void> {
  const when = opts.onlyIfWritten ? sql`exists (select 1 from fact_write)` : undefined;
  // The statement's own SQL: a query builder put in a template would be wrapped in parentheses.
  const statement = 'getSQL' in write ? write.getSQL() : write;
  await db.execute(sql`with fact_write as (${statement}) ${insertEventsSql(inputs, when)}`);
  eventsRecorded();
}

/**
 * The `shipment.registered` events of the rows a CTE named `created` inserted into shipments
 * (registration), as a statement to put in the same WITH.
 */
export function registeredEventsSql(created: string): SQL {
  const c = sql.identifier(created);
  return sql`insert into events (event_id, dedupe_key, type, shipment_id, payload, occurred_at)
    select ${NEW_EVENT_ID}, 'shipment.registered:' || c.shipment_id, 'shipment.registered', c.shipment_id,
      jsonb_build_object(
        'type', 'shipment.registered',
        'timestamp', ${isoText(sql`c.created_at`)},
        'data', jsonb_strip_nulls(jsonb_build_object(
          'shipmentId', c.shipment_id,
          'orderId', c.order_id,
          'carrier', c.carrier,
          'trackingNumber', c.tracking_number,
          'policy', c.policy,
          'destinationCountry', c.destination_country,
          'replacementOf', c.registration->'replacementOf',
          'shop', c.registration->'shop'
        ))
      ),
      c.created_at
    from ${c} as c
    on conflict (dedupe_key) do nothing
    returning id`;
}
