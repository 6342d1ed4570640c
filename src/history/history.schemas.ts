import { z } from 'zod';
import { timestamp } from '../../workflows/model/scalars';
import { named } from '../http/route';

/** GET /v1/shipments/{id}/history: the workflow's events in words. */
export const shipmentHistoryResponse = named(
  'ShipmentHistory',
  z.object({
    shipmentId: z.string(),
    workflowId: z.string(),
    runIds: z.array(z.string()).describe('Oldest first'),
    temporalUiUrl: z.string(),
    entries: z.array(
      z.object({
        at: timestamp,
        runId: z.string(),
        eventId: z.number().int(),
        kind: z.string(),
        summary: z.string(),
        actor: z.string().optional(),
        name: z.string().optional(),
      }),
    ),
  }),
);
