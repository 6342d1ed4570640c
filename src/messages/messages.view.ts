import type { OutboxRow } from './outbox.repository';

/** An outbox message as the API shows it (bodies only in the per-shipment log). */
export function messageView(row: OutboxRow) {
  return {
    id: row.id,
    idempotencyKey: row.idempotencyKey,
    shipmentId: row.shipmentId || null,
    kind: row.kind,
    channel: row.channel,
    to: row.to,
    locale: row.locale,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    ...(row.lastError ? { lastError: row.lastError } : {}),
    ...(row.messageId ? { messageId: row.messageId } : {}),
    createdAt: row.createdAt.toISOString(),
    ...(row.sentAt ? { sentAt: row.sentAt.toISOString() } : {}),
    ...(row.status !== 'sent' ? { nextAttemptAt: row.nextAttemptAt.toISOString() } : {}),
    ...(row.alertedAt ? { opsAlertedAt: row.alertedAt.toISOString() } : {}),
  };
}

/** An outbox message with the text it was sent with, as the per-shipment log shows it. */
export function messageWithText(row: OutboxRow) {
  return { ...messageView(row), text: row.body };
}
