import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { shipmentHistoryResponse } from './history.schemas';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { shipmentNotFound, workflowUnavailable } from '../shipments/shipments.errors';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { shipmentParams } from '../shipments/shipments.schemas';
import type { HistoryService } from './history.service';

export function historyRoutes(deps: {
  shipments: ShipmentRepository;
  history: HistoryService;
  logger: Logger;
}): RouteSpec[] {
  /** The workflow's event history as a business timeline (ops and analysts). */
  const timeline = route({
    method: 'get',
    path: '/v1/shipments/{id}/history',
    access: 'read',
    operationId: 'getShipmentHistory',
    tag: 'History',
    summary:
      "The workflow's event history (every continue-as-new run) as a business timeline, with run ids and the Temporal UI link",
    params: shipmentParams,
    answer: {
      description:
        '{shipmentId, workflowId, runIds, temporalUiUrl, entries: [{at, runId, eventId, kind, summary, actor?, name?}]}',
      schema: shipmentHistoryResponse,
    },
    responses: {
      '404': 'Unknown shipment, or no history in Temporal',
      '503': 'Temporal unreachable',
    },
    handler: async ({ req, params: { id } }) => {
      const row = await deps.shipments.get(id);
      if (!row) throw shipmentNotFound(id);
      try {
        return { shipmentId: id, ...(await deps.history.history(row.workflowId)) };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          throw new ProblemError(
            404,
            'history.not_found',
            'Workflow history not found',
            `Shipment "${id}" is known but Temporal has no history for ${row.workflowId} (never started, or past the namespace's retention).`,
          );
        }
        (req.log ?? deps.logger).error({ err, shipmentId: id }, 'history fetch failed');
        throw workflowUnavailable(
          `The history of shipment "${id}" cannot be read from Temporal; try again.`,
        );
      }
    },
  });

  return [timeline];
}
