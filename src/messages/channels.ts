import { developmentFetch } from '../http/outbound';
import { createHmac } from 'node:crypto';
import type { Mailer } from '../mail/mailer';
import type { MessageChannel } from '../../workflows/shipment.contract';

/** One outbox message as a channel sends it. */
export interface OutgoingMessage {
  idempotencyKey: string;
  /** Stable Message-ID derived from the idempotency key. */
  messageId: string;
  shipmentId: string;
  kind: string;
  to: string;
  locale: string;
  subject: string;
  text: string;
  html?: string;
}

/** Delivers a message; throws when it was not accepted (the outbox retries). */
export interface Channel {
  deliver(m: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export type Channels = Partial<Record<MessageChannel, Channel>>;

/** The name and reply-to address a shipment's customer mail goes out with (its shop's, else its policy's). */
export type SenderLookup = (
  shipmentId: string,
) => Promise<{ name?: string; replyTo?: string } | undefined>;

/** Mail that speaks for us, not for the shop: ops alerts and reports keep our own sender. */
const OWN_SENDER_KINDS = new Set(['ops_alert', 'daily_report']);

export function emailChannel(mailer: Mailer, senderOf?: SenderLookup): Channel {
  return {
    async deliver(m) {
      const sender =
        senderOf && !OWN_SENDER_KINDS.has(m.kind) ? await senderOf(m.shipmentId) : undefined;
      const sent = await mailer.send({
        ...(sender?.name ? { fromName: sender.name } : {}),
        ...(sender?.replyTo ? { replyTo: sender.replyTo } : {}),
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        messageId: m.messageId,
        headers: { 'X-Parcelwarden-Shipment': m.shipmentId, 'X-Parcelwarden-Kind': m.kind },
      });
      return { providerMessageId: sent.messageId };
    },
  };
}

export const SIGNATURE_HEADER = 'x-parcelwarden-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, as Stripe-style receivers expect. */
export function signOnsiteBody(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * The seller's on-site / marketplace inbox: a signed JSON POST. The Idempotency-Key header lets
 * the seller drop a resend after a crash between their 2xx and our bookkeeping.
 */
export function onsiteChannel(opts: {
  url: string;
  secret: string;
  /** The outbound fetch (no redirects; production refuses private addresses). */
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => Date;
}): Channel {
  const now = opts.now ?? (() => new Date());
  return {
    async deliver(m) {
      const body = JSON.stringify({
        messageId: m.messageId,
        idempotencyKey: m.idempotencyKey,
        shipmentId: m.shipmentId,
        kind: m.kind,
        to: m.to,
        locale: m.locale,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
      });
      const t = Math.floor(now().getTime() / 1000);
      let res: Response;
      try {
        res = await (opts.fetch ?? developmentFetch)(opts.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': m.idempotencyKey,
            [SIGNATURE_HEADER]: signOnsiteBody(opts.secret, body, t),
          },
          body,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new Error(
          `On-site message ${m.messageId} could not be posted: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      const answer = await res.text().catch(() => '');
      if (!res.ok) {
        throw new Error(
          `On-site message ${m.messageId} refused with HTTP ${res.status}: ${answer.slice(0, 200)}`,
        );
      }
      return { providerMessageId: res.headers.get('x-message-id') ?? m.messageId };
    },
  };
}

/** Email always; the seller's on-site inbox when configured. */
export function buildChannels(
  mailer: Mailer,
  onsite: { url: string; secret: string; fetch?: typeof fetch } | undefined,
  senderOf?: SenderLookup,
): Channels {
  return {
    email: emailChannel(mailer, senderOf),
    ...(onsite ? { onsite: onsiteChannel(onsite) } : {}),
  };
}
