import { z } from 'zod';
import { page, pageQuery, pageQueryFields } from '../http/pagination';
import { named } from '../http/route';
import { int4Key } from '../http/validate';
import { NOTIFICATION_KINDS } from '../../workflows/shipment.contract';
import { count, timestamp } from '../../workflows/model/scalars';
import { customerInquiry } from '../../workflows/model/shipment';
import { OUTBOX_STATUSES } from '../db/schema/messages';
import { BUILTIN_LOCALES, canonicalLocale } from './templates';

export const messagesQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  shipmentId: z.string().min(1).max(128).optional(),
  kind: z.enum(NOTIFICATION_KINDS).optional(),
  ...pageQueryFields,
});
/** The outbox pages newest first on its id. */
export const messagesCursor = z.tuple([int4Key]);

export const logQuery = pageQuery;
export const logCursor = z.tuple([
  z.iso.datetime(),
  z.number().int().min(0).max(2),
  z.union([int4Key, z.string().min(1).max(200)]),
]);

export const templatesQuery = pageQuery;
/** Overrides page on (kind, locale), their primary key. */
export const templatesCursor = z.tuple([z.string().min(1).max(64), z.string().min(1).max(64)]);

export const templateParams = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  locale: z
    .string()
    .refine((l) => canonicalLocale(l) !== undefined, 'must be a BCP 47 language tag such as pt-PT')
    .transform((l) => canonicalLocale(l)!),
});

export const templateBody = z.object({
  subject: z.string().trim().min(1, 'must not be empty').max(300),
  text: z.string().min(1, 'must not be empty').max(20_000),
  html: z.string().min(1, 'must not be empty').max(100_000).optional(),
});

/* The answers (response schemas, named as OpenAPI components). */

const messageFields = {
  id: z.number().int(),
  idempotencyKey: z.string(),
  shipmentId: z.string().nullable(),
  kind: z.string(),
  channel: z.string(),
  to: z.string(),
  locale: z.string(),
  subject: z.string(),
  status: z.enum(['pending', 'sending', 'sent', 'failing']),
  attempts: count,
  lastError: z.string().optional(),
  messageId: z.string().optional(),
  createdAt: timestamp,
  sentAt: timestamp.optional(),
  nextAttemptAt: timestamp.optional().describe('Absent once sent'),
  opsAlertedAt: timestamp.optional(),
};
export const messageListResponse = named('MessagePage', page(z.object(messageFields)));

/** GET /v1/shipments/{id}/messages: sent messages (with their text), inquiries, survey answers. */
export const communicationLogResponse = named(
  'CommunicationLog',
  z.object({
    shipmentId: z.string(),
    items: z.array(
      z.discriminatedUnion('type', [
        z.object({
          at: timestamp,
          direction: z.literal('out'),
          type: z.literal('message'),
          ...messageFields,
          text: z.string(),
        }),
        z.object({
          at: timestamp,
          direction: z.literal('in'),
          type: z.literal('inquiry'),
          ...customerInquiry.pick({ inquiryId: true, channel: true, message: true, locale: true })
            .shape,
          intent: z.string().optional(),
          action: z.string().optional(),
          email: z
            .object({
              from: z.string(),
              to: z.string(),
              subject: z.string(),
              messageId: z.string(),
              matchedBy: z.string().optional(),
            })
            .optional(),
        }),
        z.object({
          at: timestamp,
          direction: z.literal('in'),
          type: z.literal('survey_answer'),
          surveyId: z.string(),
          rating: z.number().int(),
          comment: z.string().optional(),
        }),
      ]),
    ),
    nextCursor: z.string().nullable(),
  }),
);

const templateOverride = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  locale: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  updatedAt: timestamp,
});
export const templateOverrideResponse = named('TemplateOverride', templateOverride);
export const templatesResponse = named(
  'Templates',
  z.object({
    kinds: z.array(z.enum(NOTIFICATION_KINDS)),
    builtinLocales: z.array(z.enum(BUILTIN_LOCALES)),
    placeholders: z
      .record(z.string(), z.array(z.string()))
      .describe('Notification kind → placeholders its templates may use'),
    overrides: z.array(templateOverride),
    nextCursor: z.string().nullable(),
  }),
);
