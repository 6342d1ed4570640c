import { z } from 'zod';
import { count, timestamp } from '../../workflows/model/scalars';
import { named } from '../http/route';
import { WEBHOOK_PROVIDERS } from './webhooks.providers';

/** POST /v1/webhooks/{provider}: a redelivery is only acknowledged. */
export const webhookReceivedResponse = named(
  'WebhookReceived',
  z.union([
    z.object({ received: z.literal(true), duplicate: z.literal(true), deliveryId: z.string() }),
    z.object({
      received: z.literal(true),
      duplicate: z.literal(false),
      deliveryId: z.string(),
      kind: z.enum(['tracking', 'claim', 'ignored']),
      event: z.string().describe("The provider's event type"),
      accepted: count,
      duplicates: count,
      unknown: z.array(z.string()).describe('Tracking numbers or claim ids no record has'),
    }),
  ]),
);

export const webhookStatsResponse = named(
  'WebhookStats',
  z.object({
    providers: z.array(
      z.object({
        provider: z.enum(WEBHOOK_PROVIDERS),
        deliveries: count,
        redeliveries: count,
        events: count,
        unknownDeliveries: count,
        unknownReferences: count,
        lastReceivedAt: timestamp.nullable(),
      }),
    ),
  }),
);
