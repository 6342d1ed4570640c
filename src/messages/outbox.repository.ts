import { createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notifications, type OutboxStatus } from '../db/schema/messages';

export type OutboxRow = typeof notifications.$inferSelect;

export interface NewMessage {
  idempotencyKey: string;
  shipmentId: string;
  kind: string;
  channel: string;
  to: string;
  locale: string;
  subject: string;
  text: string;
  html?: string;
  vars?: unknown;
  /** Not before this moment for the dispatcher (the recording sender tries first). */
  notBefore?: Date;
}

/** The same Message-ID on every attempt: receivers can recognise a resend after a crash. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

const ms = (n: number) => sql`(now() + ${n} * interval '1 millisecond')`;

/** Waiting and due now: never tried, or failing and its backoff is over. */
const dueNow = () =>
  and(
    inArray(notifications.status, ['pending', 'failing']),
    lte(notifications.nextAttemptAt, sql`now()`),
  );

/** Claimed by a sender whose lease ran out (it died or hangs): free to take over. */
const leaseExpired = () =>
  and(eq(notifications.status, 'sending'), lt(notifications.leaseUntil, sql`now()`));

export function createOutboxRepository(db: Db, opts: { messageIdDomain: string }) {
  return {
    async find(idempotencyKey: string): Promise<OutboxRow | undefined> {
      const [row] = await db
        .select()
        .from(notifications)
        .where(eq(notifications.idempotencyKey, idempotencyKey));
      return row;
    },

    /** Writes the message once under its key; the first write wins, later ones get it back. */
    async record(m: NewMessage): Promise<{ row: OutboxRow; created: boolean }> {
      const [created] = await db
        .insert(notifications)
        .values({
          idempotencyKey: m.idempotencyKey,
          shipmentId: m.shipmentId,
          kind: m.kind,
          channel: m.channel,
          to: m.to,
          locale: m.locale,
          subject: m.subject,
          body: m.text,
          html: m.html ?? null,
          vars: m.vars ?? null,
          messageId: messageIdFor(m.idempotencyKey, opts.messageIdDomain),
          ...(m.notBefore ? { nextAttemptAt: m.notBefore } : {}),
        })
        .onConflictDoNothing()
        .returning();
      if (created) return { row: created, created: true };
      const row = await this.find(m.idempotencyKey);
      if (!row) throw new Error(`outbox row ${m.idempotencyKey} vanished`);
      return { row, created: false };
    },

    /**
     * Takes a message for sending, for `leaseMs`. `fresh`: only a never-tried one (the recording
     * sender's first attempt); otherwise any that is due. A lease that ran out counts as free.
     */
    async claim(id: number, leaseMs: number, fresh: boolean): Promise<OutboxRow | undefined> {
      const free = fresh ? eq(notifications.status, 'pending') : dueNow();
      const [row] = await db
        .update(notifications)
        .set({ status: 'sending', leaseUntil: ms(leaseMs) })
        .where(and(eq(notifications.id, id), or(free, leaseExpired())))
        .returning();
      return row;
    },

    async markSent(id: number, providerMessageId: string): Promise<OutboxRow | undefined> {
      const [row] = await db
        .update(notifications)
        .set({
          status: 'sent',
          sentAt: sql`now()`,
          leaseUntil: null,
          providerMessageId,
          attempts: sql`${notifications.attempts} + 1`,
          lastError: null,
        })
        .where(and(eq(notifications.id, id), eq(notifications.status, 'sending')))
        .returning();
      return row;
    },

    /** Records a failed attempt and when to try again (exponential, capped). */
    async markFailed(
      id: number,
      error: string,
      backoff: (attempts: number) => number,
    ): Promise<OutboxRow | undefined> {
      const [current] = await db
        .select({ attempts: notifications.attempts })
        .from(notifications)
        .where(eq(notifications.id, id));
      const attempts = (current?.attempts ?? 0) + 1;
      const [row] = await db
        .update(notifications)
        .set({
          status: 'failing',
          attempts,
          lastError: error.slice(0, 500),
          leaseUntil: null,
          nextAttemptAt: ms(backoff(attempts)),
        })
        .where(and(eq(notifications.id, id), eq(notifications.status, 'sending')))
        .returning();
      return row;
    },

    /** Marks the message as reported to ops; true only for the one caller that did it. */
    async markAlerted(id: number): Promise<boolean> {
      const rows = await db
        .update(notifications)
        .set({ alertedAt: sql`now()` })
        .where(and(eq(notifications.id, id), isNull(notifications.alertedAt)))
        .returning({ id: notifications.id });
      return rows.length > 0;
    },

    /** Messages a dispatcher may take now, oldest due first. */
    async due(limit: number): Promise<OutboxRow[]> {
      return db
        .select()
        .from(notifications)
        .where(or(dueNow(), leaseExpired()))
        .orderBy(asc(notifications.nextAttemptAt))
        .limit(limit);
    },

    async list(q: {
      status?: OutboxStatus;
      shipmentId?: string;
      kind?: string;
      limit: number;
      beforeId?: number;
    }): Promise<OutboxRow[]> {
      const where: SQL[] = [];
      if (q.status) where.push(eq(notifications.status, q.status));
      if (q.shipmentId) where.push(eq(notifications.shipmentId, q.shipmentId));
      if (q.kind) where.push(eq(notifications.kind, q.kind));
      if (q.beforeId !== undefined) where.push(lt(notifications.id, q.beforeId));
      return db
        .select()
        .from(notifications)
        .where(and(...where))
        .orderBy(desc(notifications.id))
        .limit(q.limit);
    },

    async forShipment(shipmentId: string): Promise<OutboxRow[]> {
      return db
        .select()
        .from(notifications)
        .where(eq(notifications.shipmentId, shipmentId))
        .orderBy(asc(notifications.createdAt), asc(notifications.id));
    },
  };
}
export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
