import { and, desc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { inquiryOutcomes } from '../db/schema/messages';
import { shipments } from '../db/schema/shipments';
import {
  customerChannel,
  recordOpsAlert,
  varsFromReadModel,
  type ShipmentReadRow,
} from '../messages/compose';
import type { OutboxRepository } from '../messages/outbox.repository';
import type { MessagingSettings } from '../messages/settings';
import { renderMessage } from '../messages/templates';
import type { TemplateRepository } from '../messages/templates.repository';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import type { InquiryBody } from '../shipments/shipments.schemas';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import type { InquiryIntent } from '../../workflows/shipment.contract';
import { customerLinkFor } from '../customer/customer-link';
import { classifyInquiry, detectLanguage } from './classify';
import type { Estimator } from '../estimates/estimates.repository';
import { answersAfresh, answerVars } from './answers';

export interface InquiryServiceDeps {
  db: Db;
  shipments: ShipmentRepository;
  workflows: WorkflowGateway;
  outbox: OutboxRepository;
  templates: TemplateRepository;
  settings: MessagingSettings;
  /** Expected deliveries for replies (carrier, lane or channel); the snapshot's date without it. */
  estimates?: Estimator;
}

export type InquiryAction = 'replied' | 'routed_to_ops';

export interface InquiryOutcome {
  shipmentId: string;
  inquiryId: string;
  intent: InquiryIntent;
  language?: string;
  action: InquiryAction;
  /** Idempotency key of the reply or the ops alert in the outbox. */
  messageKey: string;
  duplicate: boolean;
  signalled: boolean;
}

/**
 * A customer who asks the same thing again within this window (a second "where is my parcel?"
 * five minutes after the first) is answered by the reply already on its way, not by a copy.
 */
export const REPEAT_INQUIRY_WINDOW_MS = 10 * 60_000;

/** Intents a person should handle: money, damage, a new address, and what the rules do not understand. */
const FOR_OPS: readonly InquiryIntent[] = ['wants_refund', 'damaged', 'address_change', 'other'];

export class InquirySignalError extends Error {
  constructor(
    readonly shipmentId: string,
    cause: unknown,
  ) {
    super(`the workflow of shipment ${shipmentId} could not be told`, { cause });
    this.name = 'InquirySignalError';
  }
}

export function createInquiryService(deps: InquiryServiceDeps) {
  const { db, outbox, settings } = deps;

  /** Writes the reply (or the ops alert) to the outbox; the worker's dispatcher sends it. */
  async function respond(
    row: ShipmentReadRow,
    inquiry: InquiryBody,
    intent: InquiryIntent,
    language: string | undefined,
  ): Promise<{ action: InquiryAction; messageKey: string }> {
    const reg = row.registration;
    const base = `inquiry:${row.shipmentId}:${inquiry.inquiryId}`;
    let routed: { action: InquiryAction; messageKey: string } | undefined;
    if (FOR_OPS.includes(intent)) {
      const messageKey = `${base}:ops`;
      const subject = `Customer inquiry needs a person (${intent}): shipment ${row.shipmentId}`;
      const text = [
        `${reg.customer.name} <${reg.customer.email}> wrote about order ${reg.orderId} (shipment ${row.shipmentId}, ${reg.carrier} ${reg.trackingNumber}, stage ${row.stage}).`,
        `Intent: ${intent}. Channel: ${inquiry.channel}. Received: ${inquiry.receivedAt}.`,
        '',
        inquiry.message,
      ].join('\n');
      await recordOpsAlert(outbox, settings.opsEmail, {
        idempotencyKey: messageKey,
        shipmentId: row.shipmentId,
        vars: { subject, text, shipmentId: row.shipmentId },
      });
      routed = { action: 'routed_to_ops', messageKey };
      // What the rules do not understand waits for the person; a request is answered now too.
      if (intent === 'other') return routed;
    }
    // One reply per shipment, question and ten minutes, also for questions asked at the same
    // moment (the sequential check in answeredRecently cannot see a reply not yet recorded): the
    // outbox writes one message per key. The window comes from when the customer asked, so a
    // retry of the same inquiry finds the same key.
    const bucket = Math.floor(Date.parse(inquiry.receivedAt) / REPEAT_INQUIRY_WINDOW_MS);
    const answer = await answerVars(db, row, intent, deps.estimates);
    // A different answer to the same question (a second not-received report) is a new reply.
    const messageKey = `inquiry:${row.shipmentId}:reply:${intent}:${answer.answer ? `${answer.answer}:` : ''}${bucket}`;
    const locale = inquiry.locale ?? language ?? reg.customer.locale;
    const vars = {
      ...(await varsFromReadModel(db, row, 'inquiry_reply')),
      pageLink: customerLinkFor(row, settings, new Date()),
      ...answer,
    };
    const m = renderMessage(
      'inquiry_reply',
      locale,
      vars,
      await deps.templates.lookupFor('inquiry_reply'),
    );
    await outbox.record({
      idempotencyKey: messageKey,
      shipmentId: row.shipmentId,
      kind: 'inquiry_reply',
      channel: customerChannel(row, settings),
      // Only ever the registered address: whoever asked, the answer carries the customer's data.
      to: reg.customer.email,
      locale,
      subject: m.subject,
      text: m.text,
      html: m.html,
      vars,
    });
    return routed ?? { action: 'replied', messageKey };
  }

  /**
   * The automatic reply to the same question about this shipment within the repeat window, if
   * there is one: the new inquiry is recorded as answered by it, and no second mail is written.
   */
  async function answeredRecently(
    shipmentId: string,
    intent: InquiryIntent,
  ): Promise<{ action: InquiryAction; messageKey: string } | undefined> {
    if (FOR_OPS.includes(intent)) return undefined;
    const since = new Date(Date.now() - REPEAT_INQUIRY_WINDOW_MS);
    const [earlier] = await db
      .select({ messageKey: inquiryOutcomes.messageKey })
      .from(inquiryOutcomes)
      .where(
        and(
          eq(inquiryOutcomes.shipmentId, shipmentId),
          eq(inquiryOutcomes.intent, intent),
          eq(inquiryOutcomes.action, 'replied'),
          gt(inquiryOutcomes.createdAt, since),
        ),
      )
      .orderBy(inquiryOutcomes.createdAt)
      .limit(1);
    return earlier ? { action: 'replied', messageKey: earlier.messageKey } : undefined;
  }

  return {
    /**
     * Classifies, stores, answers and tells the workflow, once per inquiry id: sending the same
     * inquiry again gives the same outcome and no second reply.
     */
    async handle(
      row: ShipmentReadRow,
      inquiry: InquiryBody,
      /** An intent the customer chose (a form on the customer page) instead of the rules' guess. */
      given?: { intent: InquiryIntent },
    ): Promise<InquiryOutcome> {
      const { duplicate } = await deps.shipments.addInquiry(row.shipmentId, inquiry);
      const key = and(
        eq(inquiryOutcomes.shipmentId, row.shipmentId),
        eq(inquiryOutcomes.inquiryId, inquiry.inquiryId),
      );
      let [outcome] = await db.select().from(inquiryOutcomes).where(key);
      if (!outcome) {
        const c = given
          ? { intent: given.intent, language: detectLanguage(inquiry.message) }
          : classifyInquiry(inquiry.message);
        const done =
          (answersAfresh(row, c.intent)
            ? undefined
            : await answeredRecently(row.shipmentId, c.intent)) ??
          (await respond(row, inquiry, c.intent, c.language));
        await db
          .insert(inquiryOutcomes)
          .values({
            shipmentId: row.shipmentId,
            inquiryId: inquiry.inquiryId,
            intent: c.intent,
            language: c.language ?? null,
            action: done.action,
            messageKey: done.messageKey,
          })
          .onConflictDoNothing();
        [outcome] = await db.select().from(inquiryOutcomes).where(key);
      }
      if (!outcome) throw new Error(`inquiry outcome ${inquiry.inquiryId} vanished`);
      const intent = outcome.intent as InquiryIntent;
      let signalled: boolean;
      try {
        // Signalled even when seen before: the workflow dedupes by inquiryId, and a retry after a
        // failed signal must still reach it.
        signalled = await deps.workflows.signalInquiry(row.shipmentId, { ...inquiry, intent });
      } catch (err) {
        throw new InquirySignalError(row.shipmentId, err);
      }
      return {
        shipmentId: row.shipmentId,
        inquiryId: inquiry.inquiryId,
        intent,
        ...(outcome.language ? { language: outcome.language } : {}),
        action: outcome.action as InquiryAction,
        messageKey: outcome.messageKey,
        duplicate,
        signalled,
      };
    },

    /**
     * The shipment an e-mail is about: a tracking number in it, else an order id, else the
     * sender's address. The live shipment (not closed, newest) wins among several.
     */
    async match(
      words: string[],
      sender: string | undefined,
    ): Promise<{ row: ShipmentReadRow; matchedBy: string } | undefined> {
      // One query: live shipments sort before closed ones, the newest first within each.
      const pick = async (where: SQL): Promise<ShipmentReadRow | undefined> => {
        const [row] = await db
          .select()
          .from(shipments)
          .where(where)
          .orderBy(sql`${shipments.stage} = 'closed'`, desc(shipments.createdAt))
          .limit(1);
        return row;
      };
      if (words.length) {
        const byTracking = await pick(inArray(shipments.trackingNumber, words));
        if (byTracking) return { row: byTracking, matchedBy: 'tracking_number' };
        const byOrder = await pick(inArray(shipments.orderId, words));
        if (byOrder) return { row: byOrder, matchedBy: 'order_id' };
      }
      if (sender) {
        const byEmail = await pick(
          eq(sql`lower(${shipments.registration}->'customer'->>'email')`, sender),
        );
        if (byEmail) return { row: byEmail, matchedBy: 'customer_email' };
      }
      return undefined;
    },
  };
}
export type InquiryService = ReturnType<typeof createInquiryService>;

/** Words of a mail that could be an order id or a tracking number. */
export function candidateReferences(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z0-9][A-Za-z0-9._:~-]{3,127}/g)) {
    const w = m[0].replace(/[.:~-]+$/, '');
    if (/\d/.test(w)) found.add(w);
    if (found.size >= 200) break;
  }
  return [...found];
}
