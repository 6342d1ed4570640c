import { z } from 'zod';
import { BATCH_ITEM_STATUSES, MAX_BATCH_DECISIONS } from '../../workflows/batch-review.contract';
import { REVIEW_DECISIONS } from '../../workflows/model/enums';
import { count } from '../../workflows/model/scalars';
import { named } from '../http/route';
import { reviewBody } from '../reviews/reviews.schemas';

const batchId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 letters, digits, ".", "_", ":" or "-"');

const decision = reviewBody.extend({
  shipmentId: z.string().trim().min(1, 'must name the shipment').max(128),
});

export const batchBody = z.object({
  /** Optional: the same batchId sent again is the same batch (idempotent retry). */
  batchId: batchId.optional(),
  decisions: z
    .array(decision)
    .min(1, 'must hold at least one decision')
    .max(MAX_BATCH_DECISIONS, `must hold at most ${MAX_BATCH_DECISIONS} decisions`)
    .superRefine((items, ctx) => {
      const seen = new Map<string, number>();
      items.forEach((d, i) => {
        const first = seen.get(d.shipmentId);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'shipmentId'],
            message: `shipment "${d.shipmentId}" already has a decision at decisions.${first}`,
          });
        } else {
          seen.set(d.shipmentId, i);
        }
      });
    }),
});
export type BatchBody = z.output<typeof batchBody>;

export const batchParams = z.object({ id: batchId });

/* The answers (response schemas, named as OpenAPI components). */

export const batchAcceptedResponse = named(
  'BatchAccepted',
  z.object({
    batchId: z.string(),
    workflowId: z.string(),
    total: count,
  }),
);

export const batchProgressResponse = named(
  'BatchProgress',
  z.object({
    batchId: z.string(),
    total: count,
    done: count,
    succeeded: count,
    failed: count,
    finished: z.boolean(),
    items: z.array(
      z.object({
        shipmentId: z.string(),
        decision: z.enum(REVIEW_DECISIONS),
        status: z.enum(BATCH_ITEM_STATUSES),
        stage: z.string().optional(),
        duplicate: z.boolean().optional(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
      }),
    ),
  }),
);
