import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { notifications } from '../src/db/schema';
import type { NotificationKind, NotificationRecord } from '../workflows/shipment.contract';
import type { ActivityDeps } from './deps';
import { renderTemplate, type TemplateVars } from './templates';

export interface SendInput {
  idempotencyKey: string;
  shipmentId: string;
  kind: NotificationKind;
  to: string;
  locale: string;
  vars: TemplateVars;
}

export function createNotifyActivities({
  db,
  mailer,
  opsEmail,
  messageIdDomain = 'parcelwarden.local',
}: ActivityDeps) {
  /**
   * Outbox: the message is written first under its idempotency key, then sent, then marked.
   * A retried activity or a replayed workflow finds it sent and does not send again.
   */
  async function send(input: SendInput): Promise<NotificationRecord> {
    const { subject, text } = renderTemplate(input.kind, input.vars);
    await db
      .insert(notifications)
      .values({
        idempotencyKey: input.idempotencyKey,
        shipmentId: input.shipmentId,
        kind: input.kind,
        channel: 'email',
        to: input.to,
        locale: input.locale,
        subject,
        body: text,
        vars: input.vars,
      })
      .onConflictDoNothing();
    const [row] = await db
      .select()
      .from(notifications)
      .where(eq(notifications.idempotencyKey, input.idempotencyKey));
    if (!row) throw new Error(`outbox row ${input.idempotencyKey} vanished`);
    const record = (sentAt: Date): NotificationRecord => ({
      kind: input.kind,
      channel: 'email',
      to: row.to,
      locale: row.locale,
      sentAt: sentAt.toISOString(),
    });
    if (row.status === 'sent' && row.sentAt) return record(row.sentAt);
    const messageId = `<${createHash('sha256').update(input.idempotencyKey).digest('hex').slice(0, 32)}@${messageIdDomain}>`;
    try {
      const sent = await mailer.send({
        to: row.to,
        subject: row.subject,
        text: row.body,
        messageId,
      });
      const sentAt = new Date();
      await db
        .update(notifications)
        .set({
          status: 'sent',
          sentAt,
          providerMessageId: sent.messageId,
          attempts: sql`${notifications.attempts} + 1`,
          lastError: null,
        })
        .where(eq(notifications.id, row.id));
      return record(sentAt);
    } catch (err) {
      await db
        .update(notifications)
        .set({
          status: 'failing',
          attempts: sql`${notifications.attempts} + 1`,
          lastError: (err as Error).message.slice(0, 500),
        })
        .where(eq(notifications.id, row.id));
      throw err;
    }
  }

  return {
    sendNotification: send,

    /** An alert to the ops mailbox (review SLA expired and similar), sent once per key. */
    async sendOpsAlert(input: {
      idempotencyKey: string;
      shipmentId: string;
      subject: string;
      text: string;
    }): Promise<NotificationRecord> {
      return send({
        idempotencyKey: input.idempotencyKey,
        shipmentId: input.shipmentId,
        kind: 'ops_alert',
        to: opsEmail,
        locale: 'en',
        vars: { subject: input.subject, text: input.text },
      });
    },
  };
}
