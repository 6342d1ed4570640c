import nodemailer from 'nodemailer';
import type { Mailer, OutgoingMail } from './mailer';

/** Sends over SMTP; the outbox's stable Message-ID lets receivers spot a resent duplicate. */
export function createSmtpMailer(opts: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(opts.url);
  return {
    async send(msg: OutgoingMail): Promise<{ messageId: string }> {
      try {
        const info = await transport.sendMail({
          from: opts.from,
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
