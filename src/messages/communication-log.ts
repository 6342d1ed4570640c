import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { inboundEmails, inquiryOutcomes, surveys } from '../db/schema/messages';
import { inquiries } from '../db/schema/shipments';
import type { OutboxRepository } from './outbox.repository';
import { messageWithText } from './messages.view';

export type LogEntry =
  | ({ at: string; direction: 'out'; type: 'message' } & ReturnType<typeof messageWithText>)
  | {
      at: string;
      direction: 'in';
      type: 'inquiry';
      inquiryId: string;
      channel: string;
      message: string;
      locale?: string;
      intent?: string;
      action?: string;
      email?: { from: string; to: string; subject: string; messageId: string; matchedBy?: string };
    }
  | {
      at: string;
      direction: 'in';
      type: 'survey_answer';
      surveyId: string;
      rating: number;
      comment?: string;
    };

/** Everything we sent to and received from the customer about one shipment, oldest first. */
export async function communicationLog(
  db: Db,
  outbox: OutboxRepository,
  shipmentId: string,
): Promise<LogEntry[]> {
  const [sent, received, outcomes, mails, answers] = await Promise.all([
    outbox.forShipment(shipmentId),
    db
      .select()
      .from(inquiries)
      .where(eq(inquiries.shipmentId, shipmentId))
      .orderBy(asc(inquiries.receivedAt)),
    db.select().from(inquiryOutcomes).where(eq(inquiryOutcomes.shipmentId, shipmentId)),
    db.select().from(inboundEmails).where(eq(inboundEmails.shipmentId, shipmentId)),
    db.select().from(surveys).where(eq(surveys.shipmentId, shipmentId)),
  ]);
  const outcomeOf = new Map(outcomes.map((o) => [o.inquiryId, o]));
  const mailOf = new Map(mails.filter((m) => m.inquiryId).map((m) => [m.inquiryId!, m]));
  const entries: LogEntry[] = [
    ...sent.map((row) => ({
      at: row.createdAt.toISOString(),
      direction: 'out' as const,
      type: 'message' as const,
      ...messageWithText(row),
    })),
    ...received.map((q) => {
      const o = outcomeOf.get(q.inquiryId);
      const mail = mailOf.get(q.inquiryId);
      return {
        at: q.receivedAt.toISOString(),
        direction: 'in' as const,
        type: 'inquiry' as const,
        inquiryId: q.inquiryId,
        channel: q.channel,
        message: q.message,
        ...(q.locale ? { locale: q.locale } : {}),
        ...(o ? { intent: o.intent, action: o.action } : {}),
        ...(mail
          ? {
              email: {
                from: mail.from,
                to: mail.to,
                subject: mail.subject,
                messageId: mail.messageId,
                ...(mail.matchedBy ? { matchedBy: mail.matchedBy } : {}),
              },
            }
          : {}),
      };
    }),
    ...answers
      .filter((s) => s.answeredAt && s.rating !== null)
      .map((s) => ({
        at: s.answeredAt!.toISOString(),
        direction: 'in' as const,
        type: 'survey_answer' as const,
        surveyId: s.surveyId,
        rating: s.rating!,
        ...(s.comment ? { comment: s.comment } : {}),
      })),
  ];
  return entries.sort((a, b) => compareLogKeys(logKey(a), logKey(b)));
}

/**
 * The sort key of a log entry, also its paging cursor: the instant, then sent before received
 * before answers (as the sources are read), then the entry's own id so that no two entries tie.
 */
export type LogKey = readonly [at: string, source: number, id: number | string];

export function logKey(e: LogEntry): LogKey {
  if (e.type === 'message') return [e.at, 0, e.id];
  if (e.type === 'inquiry') return [e.at, 1, e.inquiryId];
  return [e.at, 2, e.surveyId];
}

export function compareLogKeys(a: LogKey, b: LogKey): number {
  const [ia, ib] = [a[2], b[2]];
  return (
    Date.parse(a[0]) - Date.parse(b[0]) ||
    a[1] - b[1] ||
    (typeof ia === 'number' && typeof ib === 'number'
      ? ia - ib
      : String(ia) < String(ib)
        ? -1
        : String(ia) > String(ib)
          ? 1
          : 0)
  );
}
