import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { inboundEmails } from '../db/schema/messages';
import { validationFailed } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { recordOpsAlert } from '../messages/compose';
import type { OutboxRepository } from '../messages/outbox.repository';
import type { MessagingSettings } from '../messages/settings';
import { shipmentNotFound, workflowUnavailable } from '../shipments/shipments.errors';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { inquiryBody, shipmentParams } from '../shipments/shipments.schemas';
import {
  inboundEmailBody,
  inquiryOutcomeResponse,
  sameAddress,
  senderAddress,
} from './inquiries.schemas';
import {
  candidateReferences,
  InquirySignalError,
  type InquiryOutcome,
  type InquiryService,
} from './inquiries.service';

export interface InquiriesRoutesDeps {
  db: Db;
  shipments: ShipmentRepository;
  inquiries: InquiryService;
  outbox: OutboxRepository;
  settings: MessagingSettings;
  logger: Logger;
}

function outcomeView(o: InquiryOutcome) {
  return {
    shipmentId: o.shipmentId,
    inquiryId: o.inquiryId,
    intent: o.intent,
    ...(o.language ? { language: o.language } : {}),
    action: o.action,
    duplicate: o.duplicate,
    signalled: o.signalled,
  };
}

export function inquiriesRoutes(deps: InquiriesRoutesDeps): RouteSpec[] {
  const { db, shipments, inquiries, logger } = deps;

  const handle = async (...args: Parameters<InquiryService['handle']>): Promise<InquiryOutcome> => {
    try {
      return await inquiries.handle(...args);
    } catch (err) {
      if (!(err instanceof InquirySignalError)) throw err;
      logger.error({ err: err.cause, shipmentId: err.shipmentId }, 'inquiry signal failed');
      throw workflowUnavailable(
        `The inquiry is stored but the workflow of shipment "${err.shipmentId}" could not be told; send it again.`,
      );
    }
  };

  /** A customer inquiry from the seller's systems: classified, answered or sent to ops, signalled. */
  const record = route({
    method: 'post',
    path: '/v1/shipments/{id}/inquiries',
    access: 'ingest',
    operationId: 'recordInquiry',
    tag: 'Inquiries',
    summary:
      'Record a customer inquiry: classify its intent, reply with the status in the customer’s language or route it to ops, and tell the workflow (idempotent by inquiryId)',
    params: shipmentParams,
    body: inquiryBody,
    answer: {
      status: 202,
      description: '{shipmentId, inquiryId, intent, language?, action, duplicate, signalled}',
      schema: inquiryOutcomeResponse,
    },
    responses: { '404': 'Unknown shipment' },
    handler: async ({ req, params: { id }, body: inquiry }) => {
      const row = await shipments.get(id);
      if (!row) throw shipmentNotFound(id);
      const outcome = await handle(row, inquiry);
      if (!outcome.signalled)
        (req.log ?? logger).warn({ shipmentId: id }, 'inquiry for a closed workflow');
      return outcomeView(outcome);
    },
  });

  /**
   * A customer e-mail from an inbound-mail webhook. Matched to a shipment by a tracking number or
   * order id in it, else by the sender; unmatched mail goes to ops. Idempotent by Message-ID.
   * `From` is not verified by anyone, so only mail from the customer's registered address becomes
   * an inquiry (answered at that address, told to the workflow); mail from any other address that
   * names a shipment is stored flagged `unverifiedSender` and goes to ops, and nobody gets a reply.
   */
  const inbound = route({
    method: 'post',
    path: '/v1/inbound/email',
    access: 'ingest',
    operationId: 'receiveInboundEmail',
    tag: 'Inquiries',
    summary:
      'A customer e-mail from an inbound-mail webhook; matched to a shipment by tracking number, order id or sender, then handled as an inquiry (idempotent by messageId)',
    body: inboundEmailBody,
    answer: {
      status: 202,
      description:
        '{matched, matchedBy?, shipmentId?, unverifiedSender?, intent?, action, duplicate}',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    handler: async ({ body: mail }) => {
      const sender = senderAddress(mail.from);
      if (!sender)
        throw validationFailed([{ path: 'from', message: 'must contain an e-mail address' }]);
      if (!mail.text.trim() && !mail.subject.trim())
        throw validationFailed([
          { path: 'text', message: 'the mail has neither text nor subject' },
        ]);
      const receivedAt = mail.receivedAt ?? new Date().toISOString();
      const ref = createHash('sha256').update(mail.messageId).digest('hex').slice(0, 32);
      const found = await inquiries.match(
        candidateReferences(`${mail.subject}\n${mail.text}`),
        sender,
      );
      const inquiryId = `email:${ref}`;
      const fromCustomer = found
        ? sameAddress(sender, found.row.registration.customer.email)
        : false;
      const inserted = await db
        .insert(inboundEmails)
        .values({
          messageId: mail.messageId,
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          shipmentId: found?.row.shipmentId ?? null,
          matchedBy: found?.matchedBy ?? null,
          inquiryId: fromCustomer ? inquiryId : null,
          unverifiedSender: Boolean(found) && !fromCustomer,
          receivedAt: new Date(receivedAt),
        })
        .onConflictDoNothing()
        .returning();
      const duplicate = inserted.length === 0;
      // A redelivered mail is answered from what was stored the first time.
      const [stored] = duplicate
        ? await db.select().from(inboundEmails).where(eq(inboundEmails.messageId, mail.messageId))
        : inserted;
      const shipmentId = stored?.shipmentId ?? undefined;
      const row = shipmentId ? await shipments.get(shipmentId) : undefined;
      if (!row) {
        await recordOpsAlert(deps.outbox, deps.settings.opsEmail, {
          idempotencyKey: `inbound:${ref}:unmatched`,
          shipmentId: '',
          vars: {
            subject: `Customer e-mail matches no shipment: ${mail.subject || '(no subject)'}`,
            text: `From: ${mail.from}\nTo: ${mail.to}\nMessage-ID: ${mail.messageId}\n\nNo tracking number, order id or customer address in it matches a shipment.\n\n${mail.text}`,
          },
        });
        return { matched: false, duplicate, action: 'routed_to_ops' };
      }
      if (stored?.unverifiedSender) {
        // Anyone can write a tracking number into a mail: no reply with the customer's data to an
        // address we cannot vouch for, no inquiry for the surge rule. The alert names no customer.
        await recordOpsAlert(deps.outbox, deps.settings.opsEmail, {
          idempotencyKey: `inbound:${ref}:unverified_sender`,
          shipmentId: row.shipmentId,
          vars: {
            subject: `Customer e-mail from an address that is not the customer's: shipment ${row.shipmentId}`,
            text: `From: ${mail.from}\nTo: ${mail.to}\nMessage-ID: ${mail.messageId}\n\nIt names shipment ${row.shipmentId} (by ${stored.matchedBy}) but does not come from the customer's registered address, so nobody was answered and the workflow was not told. If it is genuine, answer from your mailbox or register it with POST /v1/shipments/${row.shipmentId}/inquiries.\n\n${mail.text}`,
            shipmentId: row.shipmentId,
          },
        });
        return {
          matched: true,
          matchedBy: stored.matchedBy,
          shipmentId: row.shipmentId,
          unverifiedSender: true,
          action: 'routed_to_ops',
          duplicate,
        };
      }
      const outcome = await handle(row, {
        inquiryId: stored?.inquiryId ?? inquiryId,
        channel: 'email',
        message: [mail.subject, mail.text]
          .filter((s) => s.trim())
          .join('\n\n')
          .slice(0, 10_000),
        receivedAt: stored?.receivedAt.toISOString() ?? receivedAt,
      });
      return {
        matched: true,
        matchedBy: stored?.matchedBy ?? found?.matchedBy,
        ...outcomeView(outcome),
        duplicate,
      };
    },
  });

  return [record, inbound];
}
