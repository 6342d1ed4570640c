import { ProblemError } from '../http/problems';

export function policyNotFound(name: string, status: 404 | 422 = 404): ProblemError {
  return new ProblemError(
    status,
    'policy.not_found',
    'Policy not found',
    `There is no policy named "${name}". Create it with PUT /v1/policies/${name} first.`,
  );
}

export function policyNameMismatch(pathName: string, bodyName: string): ProblemError {
  return new ProblemError(
    400,
    'validation.failed',
    'Validation failed',
    `The body names policy "${bodyName}" but the path names "${pathName}".`,
    { errors: [{ path: 'name', message: `must be "${pathName}" (as in the path) or omitted` }] },
  );
}

export function policyVersionNotFound(name: string, version: number): ProblemError {
  return new ProblemError(
    404,
    'policy.version_not_found',
    'Policy version not found',
    `Policy "${name}" has no version ${version}; GET /v1/policies/${name}/versions lists them.`,
  );
}

export function policyRefreshOnClosed(shipmentId: string): ProblemError {
  return new ProblemError(
    409,
    'policy.shipment_closed',
    'Shipment closed',
    `The workflow of shipment "${shipmentId}" has ended; its policy can no longer change.`,
  );
}
