import { ProblemError } from '../http/problems';

export function batchNotFound(id: string): ProblemError {
  return new ProblemError(404, 'batch.not_found', 'Batch not found', `There is no batch "${id}".`);
}

export function batchConflict(id: string): ProblemError {
  return new ProblemError(
    409,
    'batch.conflict',
    'Batch id already used',
    `Batch "${id}" was already started with other decisions; use a new batchId.`,
  );
}
