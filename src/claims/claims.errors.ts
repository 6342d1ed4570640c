import { ProblemError } from '../http/problems';

export function claimNotFound(id: string): ProblemError {
  return new ProblemError(404, 'claim.not_found', 'Claim not found', `There is no claim "${id}".`);
}

export function claimEvidenceNotReady(id: string): ProblemError {
  return new ProblemError(
    409,
    'claim.evidence_not_ready',
    'Evidence not built yet',
    `The evidence of claim "${id}" is built once the claim is eligible; try again later.`,
  );
}

export function claimAlreadyDecided(id: string, status: string): ProblemError {
  return new ProblemError(
    409,
    'claim.already_decided',
    'Claim already decided',
    `Claim "${id}" is already ${status}.`,
  );
}
