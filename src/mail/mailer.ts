/** Sends one message; returns the provider's message id. Throws on failure (retried by the activity). */
export interface Mailer {
  send(msg: OutgoingMail): Promise<{ messageId: string }>;
  close?(): void;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable Message-ID derived from the outbox idempotency key. */
  messageId: string;
  headers?: Record<string, string>;
  /** The name the recipient sees as the sender (the shop's), on our own sending address. */
  fromName?: string;
  /** Where the recipient's answer goes (the shop's support address). */
  replyTo?: string;
}
