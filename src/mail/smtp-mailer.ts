import nodemailer from 'nodemailer';
import type { Mailer, OutgoingMail } from './mailer';

/**
 * Sends over SMTP through a small pool of open connections; the outbox's stable Message-ID lets
 * receivers spot a resent duplicate.
 * Every wait is bounded (`timeoutMs`, default 10 s): a dead server fails the attempt quickly and
 * the outbox retries later, instead of an activity hanging for nodemailer's minutes-long defaults.
 */
export function createSmtpMailer(opts: {
  url: string;
  from: string;
  timeoutMs?: number;
  /** Connections kept open to the server (default 4). */
  maxConnections?: number;
}): Mailer {
  const timeout = opts.timeoutMs ?? 10_000;
  const fromAddress = addressOf(opts.from);
  // Pooled: notices reuse open connections instead of a handshake (and TLS) per mail.
  const transport = nodemailer.createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections ?? 4,
    maxMessages: 100,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(msg: OutgoingMail): Promise<{ messageId: string }> {
      try {
        const info = await transport.sendMail({
          // The shop's name on our own address: receivers check the address, people read the name.
          from: msg.fromName ? { name: msg.fromName, address: fromAddress } : opts.from,
          ...(msg.replyTo ? { replyTo: msg.replyTo } : {}),
          to: msg.to,
          subject: msg.subject,
          text: msg.text,
          ...(msg.html !== undefined ? { html: msg.html } : {}),
          messageId: msg.messageId,
          ...(msg.headers ? { headers: msg.headers } : {}),
        });
        return { messageId: info.messageId };
      } catch (err) {
        const e = err as Error & { code?: string; responseCode?: number };
        const detail = [e.code, e.responseCode].filter(Boolean).join(' ');
        throw new Error(
          `Sending mail ${msg.messageId} to ${msg.to} failed${detail ? ` (${detail})` : ''}: ${e.message}`,
          { cause: err },
        );
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The bare address of a From setting (`Parcelwarden <noreply@example.com>` → the address). */
export function addressOf(from: string): string {
  const m = /<([^>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}
