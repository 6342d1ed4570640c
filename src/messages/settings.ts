import type { Config } from '../config';
import { customerLinkKeysFromPayloadKey } from '../customer/customer-link';

/** How messages are sent: links, secrets, the on-site channel and the outbox's pacing. */
export interface MessagingSettings {
  /** Base URL customers reach the API on (survey links). */
  publicUrl: string;
  /** HMAC key of survey tokens. */
  surveySecret: string;
  /** How long a survey link works after the survey mail is written. */
  surveyLinkTtlMs: number;
  /** HMAC keys of customer page links (src/customer), from PAYLOAD_KEY; the first signs. */
  customerLinkKeys: string[];
  /** How long the customer page works after delivery or close (links say 410 afterwards). */
  customerPageAfterCloseMs: number;
  /** Promised reply time when the customer page hands a conversation to a person. */
  supportReplyHours: number;
  /** The seller's on-site / marketplace message endpoint; without it every message goes by email. */
  /** `fetch`: the outbound fetch of the configuration (src/http/outbound.ts). */
  onsite?: { url: string; secret: string; fetch?: typeof fetch };
  /** How long a sender owns a claimed message before another may take it over. */
  leaseMs: number;
  /** How often the dispatcher looks for due messages. */
  pollMs: number;
  /** Failed attempts after which ops are alerted (once per message). */
  alertAfterAttempts: number;
  /** Longest wait between two attempts of a failing message. */
  maxBackoffMs: number;
  /** Testing aid: wait between claiming a message and sending it, so a test can kill the sender. */
  pauseBeforeSendMs: number;
  /** Domain of Message-IDs derived from idempotency keys. */
  messageIdDomain: string;
  opsEmail: string;
  log: (level: 'info' | 'warn' | 'error', msg: string, meta?: Record<string, unknown>) => void;
}

export const DEFAULT_MESSAGING: MessagingSettings = {
  publicUrl: 'http://127.0.0.1:3000',
  surveySecret: 'parcelwarden-dev-survey-secret',
  surveyLinkTtlMs: 30 * 86_400_000,
  // Development only: with PAYLOAD_KEY set, the keys come from it (messagingFromConfig).
  customerLinkKeys: ['cGFyY2Vsd2FyZGVuLWRldi1jdXN0b21lci1saW5rLWtleQ'],
  customerPageAfterCloseMs: 90 * 86_400_000,
  supportReplyHours: 48,
  leaseMs: 60_000,
  pollMs: 2_000,
  alertAfterAttempts: 5,
  maxBackoffMs: 3_600_000,
  pauseBeforeSendMs: 0,
  messageIdDomain: 'parcelwarden.local',
  opsEmail: 'ops@parcelwarden.local',
  log: () => undefined,
};

export function messagingFromConfig(
  config: Config,
  log: MessagingSettings['log'] = DEFAULT_MESSAGING.log,
): MessagingSettings {
  return {
    ...DEFAULT_MESSAGING,
    publicUrl: config.publicUrl.replace(/\/+$/, ''),
    surveySecret: config.surveySecret,
    surveyLinkTtlMs: config.surveyLinkTtlDays * 86_400_000,
    ...(config.payloadKey
      ? { customerLinkKeys: customerLinkKeysFromPayloadKey(config.payloadKey) }
      : {}),
    customerPageAfterCloseMs: config.customerPageDaysAfterClose * 86_400_000,
    supportReplyHours: config.supportReplyHours,
    ...(config.onsiteMessageUrl
      ? { onsite: { url: config.onsiteMessageUrl, secret: config.onsiteMessageSecret } }
      : {}),
    leaseMs: config.outboxLeaseSeconds * 1000,
    pollMs: config.outboxPollMs,
    alertAfterAttempts: config.outboxAlertAfter,
    pauseBeforeSendMs: config.outboxPauseBeforeSendMs,
    opsEmail: config.opsEmail,
    log,
  };
}
