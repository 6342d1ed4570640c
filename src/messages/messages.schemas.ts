import { z } from 'zod';
import { pageQuery, pageQueryFields } from '../http/pagination';
import { int4Key } from '../http/validate';
import { NOTIFICATION_KINDS } from '../../workflows/shipment.contract';
import { OUTBOX_STATUSES } from '../db/schema/messages';
import { canonicalLocale } from './templates';

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
