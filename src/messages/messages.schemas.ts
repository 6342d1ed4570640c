import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../workflows/shipment.contract';
import { OUTBOX_STATUSES } from './outbox.repository';
import { canonicalLocale } from './templates';

export const messagesQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  shipmentId: z.string().min(1).max(128).optional(),
  kind: z.enum(NOTIFICATION_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce
    .number({ message: 'is not a cursor returned by this API' })
    .int('is not a cursor returned by this API')
    .positive('is not a cursor returned by this API')
    .optional(),
});

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
