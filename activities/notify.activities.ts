import { recordEvent } from '../src/events/events.repository';
import { buildChannels } from '../src/messages/channels';
import { customerSenderLookup } from '../src/shops/shops.sender';
import {
  customerChannel,
  mergeVars,
  shipmentReadRow,
  varsFromReadModel,
} from '../src/messages/compose';
import { createOutboxRepository, type OutboxRow } from '../src/messages/outbox.repository';
import { createOutboxSender } from '../src/messages/outbox.sender';
import { DEFAULT_MESSAGING, type MessagingSettings } from '../src/messages/settings';
import { createTemplateRepository } from '../src/messages/templates.repository';
import { customerLinkFor } from '../src/customer/customer-link';
import { signSurveyToken, surveyLink } from '../src/surveys/survey-token';
import { createSurveyRepository } from '../src/surveys/surveys.repository';
import type {
  MessageChannel,
  NotificationKind,
  NotificationRecord,
} from '../workflows/shipment.contract';
import type { ActivityDeps } from './deps';
import { renderMessage, type TemplateVars } from './templates';

export interface SendInput {
  idempotencyKey: string;
  shipmentId: string;
  kind: NotificationKind;
  to: string;
  locale: string;
  /** What the workflow knows; the read model fills in the rest (items, dates, compensation…). */
  vars?: Partial<TemplateVars>;
}

/** The settings of a set of activities: injected ones over the defaults. */
function messagingSettings(deps: ActivityDeps): MessagingSettings {
  return {
    ...DEFAULT_MESSAGING,
    opsEmail: deps.opsEmail,
    ...(deps.messageIdDomain ? { messageIdDomain: deps.messageIdDomain } : {}),
    ...deps.messaging,
  };
}

function toRecord(row: OutboxRow, kind: NotificationKind): NotificationRecord {
  const sent = row.status === 'sent' && row.sentAt !== null;
  return {
    kind,
    channel: row.channel as MessageChannel,
    to: row.to,
    locale: row.locale,
    sentAt: (sent ? row.sentAt! : row.createdAt).toISOString(),
    status: sent ? 'sent' : 'queued',
  };
}

export function createNotifyActivities(deps: ActivityDeps) {
  const { db } = deps;
  const settings = messagingSettings(deps);
  const outbox = createOutboxRepository(db, settings);
  const sender = createOutboxSender({
    outbox,
    channels: buildChannels(deps.mailer, settings.onsite, customerSenderLookup(db)),
    settings,
  });
  const templates = createTemplateRepository(db);
  const surveyRepo = createSurveyRepository(db);
  const now = deps.clock ?? (() => new Date());

  /**
   * Outbox: the message is rendered and written first under its idempotency key, then one bounded
   * attempt sends it. A retried activity or a replayed workflow finds the row and never renders or
   * sends a second copy. When the attempt fails the row stays `failing` and the worker's
   * dispatcher retries it with backoff: the workflow goes on (status `queued`) instead of waiting
   * on a dead mail server.
   */
  async function send(input: SendInput): Promise<NotificationRecord> {
    const known = await outbox.find(input.idempotencyKey);
    if (known) return told(input, toRecord(await sender.deliver(known, true), input.kind));

    const row = await shipmentReadRow(db, input.shipmentId);
    const base = row ? await varsFromReadModel(db, row, input.kind) : {};
    const vars: TemplateVars = mergeVars(base, input.vars);
    // Every customer message links the shipment's own page (tracking and help).
    if (row && input.kind !== 'ops_alert') vars.pageLink = customerLinkFor(row, settings, now());
    if (input.kind === 'survey') {
      const survey = await surveyRepo.forMessage({
        idempotencyKey: input.idempotencyKey,
        shipmentId: input.shipmentId,
        locale: input.locale,
      });
      const expiresAt = new Date(now().getTime() + settings.surveyLinkTtlMs);
      vars.surveyLink = surveyLink(
        settings.publicUrl,
        signSurveyToken(survey.surveyId, settings.surveySecret, expiresAt),
      );
    }
    const channel: MessageChannel =
      input.kind === 'ops_alert' ? 'email' : customerChannel(row, settings);
    const rendered = renderMessage(
      input.kind,
      input.locale,
      vars,
      await templates.lookupFor(input.kind),
    );
    const { row: recorded } = await outbox.record({
      idempotencyKey: input.idempotencyKey,
      shipmentId: input.shipmentId,
      kind: input.kind,
      channel,
      to: input.to,
      locale: input.locale,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      vars,
      // The dispatcher leaves it to this attempt for one lease.
      notBefore: new Date(Date.now() + settings.leaseMs),
    });
    return told(input, toRecord(await sender.deliver(recorded, true), input.kind));
  }

  /**
   * `customer.notified` once per message, after the send is recorded (sent, or queued for the
   * outbox to retry); what kind, channel and locale, never the text or the address. Ops alerts
   * are not customer messages.
   */
  async function told(input: SendInput, record: NotificationRecord): Promise<NotificationRecord> {
    if (input.kind === 'ops_alert') return record;
    await recordEvent(db, {
      type: 'customer.notified',
      dedupeKey: `customer.notified:${input.idempotencyKey}`,
      shipmentId: input.shipmentId,
      occurredAt: record.sentAt,
      data: {
        shipmentId: input.shipmentId,
        kind: record.kind,
        channel: record.channel,
        locale: record.locale,
        status: record.status ?? 'sent',
      },
    });
    return record;
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
        to: settings.opsEmail,
        locale: 'en',
        vars: { subject: input.subject, text: input.text, shipmentId: input.shipmentId },
      });
    },
  };
}
