import { setTimeout as delay } from 'node:timers/promises';
import type { MessageChannel } from '../../workflows/shipment.contract';
import type { Channels } from './channels';
import type { OutboxRepository, OutboxRow } from './outbox.repository';
import type { MessagingSettings } from './settings';

/** 5 s, 10 s, 20 s … capped: a dead mail server is not hammered, a short blip costs seconds. */
export function backoffMs(attempts: number, maxMs: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), maxMs);
}

/**
 * Sends outbox messages. Used inline by the activity that records a message (one bounded attempt)
 * and by the worker's dispatcher loop (retries with backoff, and messages recorded by the API).
 */
export function createOutboxSender(deps: {
  outbox: OutboxRepository;
  channels: Channels;
  settings: MessagingSettings;
}) {
  const { outbox, channels, settings } = deps;

  /** Tells ops once that a message keeps failing (never about an alert itself: no loops). */
  async function alertIfStuck(row: OutboxRow): Promise<void> {
    if (row.kind === 'ops_alert') {
      if (row.attempts >= settings.alertAfterAttempts)
        settings.log('error', 'an ops alert keeps failing', { key: row.idempotencyKey });
      return;
    }
    if (row.attempts < settings.alertAfterAttempts || row.alertedAt) return;
    if (!(await outbox.markAlerted(row.id))) return;
    settings.log('warn', 'a message keeps failing; alerting ops', { key: row.idempotencyKey });
    await outbox.record({
      idempotencyKey: `outbox:failing:${row.idempotencyKey}`,
      shipmentId: row.shipmentId,
      kind: 'ops_alert',
      channel: 'email',
      to: settings.opsEmail,
      locale: 'en',
      subject: `Message keeps failing: ${row.kind} for shipment ${row.shipmentId}`,
      text: `The ${row.kind} message to ${row.to} (${row.channel}) for shipment ${row.shipmentId} has failed ${row.attempts} times. Last error: ${row.lastError ?? 'unknown'}. It is retried with backoff; see GET /v1/messages?status=failing.`,
    });
  }

  /**
   * Claims and sends one message. `fresh`: the recording sender's own first attempt. Returns the
   * row as it is afterwards; never throws for a channel failure (the row says `failing`).
   */
  async function deliver(row: OutboxRow, fresh: boolean): Promise<OutboxRow> {
    if (row.status === 'sent') return row;
    const claimed = await outbox.claim(row.id, settings.leaseMs, fresh);
    if (!claimed) return (await outbox.find(row.idempotencyKey)) ?? row;
    if (settings.pauseBeforeSendMs > 0) {
      settings.log('warn', 'outbox: paused between recorded and sent', {
        key: claimed.idempotencyKey,
        pauseMs: settings.pauseBeforeSendMs,
      });
      await delay(settings.pauseBeforeSendMs);
    }
    const channel = channels[claimed.channel as MessageChannel];
    let sent: { providerMessageId: string };
    try {
      if (!channel) throw new Error(`channel ${claimed.channel} is not configured`);
      sent = await channel.deliver({
        idempotencyKey: claimed.idempotencyKey,
        messageId: claimed.messageId ?? claimed.idempotencyKey,
        shipmentId: claimed.shipmentId,
        kind: claimed.kind,
        to: claimed.to,
        locale: claimed.locale,
        subject: claimed.subject,
        text: claimed.body,
        ...(claimed.html ? { html: claimed.html } : {}),
      });
    } catch (err) {
      const message = (err as Error).message;
      settings.log('warn', 'message not delivered; will retry', {
        key: claimed.idempotencyKey,
        err: message,
      });
      const failed = await outbox.markFailed(claimed.id, message, (n) =>
        backoffMs(n, settings.maxBackoffMs),
      );
      if (failed) await alertIfStuck(failed);
      return failed ?? claimed;
    }
    const done = await markSentWithinLease(claimed, sent.providerMessageId);
    return done ?? (await outbox.find(claimed.idempotencyKey)) ?? claimed;
  }

  /**
   * The message is out: record that, retrying through a database blip for as long as we hold the
   * lease. Giving up sooner (or taking the failure for a failed send) would leave the row to
   * another sender once the lease runs out, and the customer would get the message twice.
   */
  async function markSentWithinLease(
    row: OutboxRow,
    providerMessageId: string,
  ): Promise<OutboxRow | undefined> {
    const leaseEnds = row.leaseUntil?.getTime() ?? Date.now() + settings.leaseMs;
    for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 2_000)) {
      try {
        return await outbox.markSent(row.id, providerMessageId);
      } catch (err) {
        if (Date.now() + waitMs >= leaseEnds) throw err;
        settings.log('warn', 'message sent but not yet recorded as sent; retrying', {
          key: row.idempotencyKey,
          err: (err as Error).message,
        });
        await delay(waitMs);
      }
    }
  }

  return {
    deliver,
    /** One dispatcher round: every due message, one after the other. */
    async dispatchDue(limit = 20): Promise<number> {
      const due = await outbox.due(limit);
      for (const row of due) await deliver(row, false);
      return due.length;
    },
  };
}
export type OutboxSender = ReturnType<typeof createOutboxSender>;

/** The worker's loop that sends what is due; `stop` waits for the round in progress. */
export function startOutboxDispatcher(
  sender: OutboxSender,
  settings: Pick<MessagingSettings, 'pollMs' | 'log'>,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    round = sender
      .dispatchDue()
      .then(() => undefined)
      .catch((err: unknown) => {
        settings.log('error', 'outbox dispatcher round failed', { err: (err as Error).message });
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, settings.pollMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await round;
    },
  };
}
