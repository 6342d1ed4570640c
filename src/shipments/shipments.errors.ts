import { ProblemError } from '../http/problems';

export function shipmentNotFound(id: string): ProblemError {
  return new ProblemError(
    404,
    'shipment.not_found',
    'Shipment not found',
    `There is no shipment "${id}".`,
  );
}

export function shipmentConflict(detail: string): ProblemError {
  return new ProblemError(409, 'shipment.conflict', 'Shipment conflict', detail);
}

export function workflowUnavailable(detail: string): ProblemError {
  return new ProblemError(503, 'workflow.unavailable', 'Workflow service unavailable', detail, {
    headers: { 'Retry-After': '5' },
  });
}
