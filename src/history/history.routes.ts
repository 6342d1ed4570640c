import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import type { Logger } from 'pino';
import { requirePermission } from '../http/auth';
import { ProblemError } from '../http/problems';
import { parseParams } from '../http/validate';
import { shipmentNotFound, workflowUnavailable } from '../shipments/shipments.errors';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { shipmentParams } from '../shipments/shipments.schemas';
import type { HistoryService } from './history.service';

export function historyRouter(deps: {
  shipments: ShipmentRepository;
  history: HistoryService;
  logger: Logger;
}) {
  const router = Router();

  /** The workflow's event history as a business timeline (ops and analysts). */
  router.get('/v1/shipments/:id/history', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, shipmentParams);
    const row = await deps.shipments.get(id);
    if (!row) throw shipmentNotFound(id);
    try {
      res.json({ shipmentId: id, ...(await deps.history.history(row.workflowId)) });
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
  });

  return router;
}
