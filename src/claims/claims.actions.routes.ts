/**
 * What ops do with a claim the carrier has answered: answer its request for information, appeal
 * its denial (both go to the claim workflow as updates, which send them on), and read the claim
 * guide of a carrier or insurer.
 */
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { isKnownCarrier } from '../carriers/catalogue';
import {
  claimAnswerUpdate,
  claimAppealUpdate,
  type ClaimSubmissionAccepted,
} from '../../workflows/claim.contract';
import type { Db } from '../db/client';
import { claimNotFound } from './claims.errors';
import { previewEvidencePackage } from './claims.evidence';
import { renderEvidencePdf } from './claims.pdf';
import { CLAIM_FILINGS, claimGuide } from './claims.guides';
import type { ClaimRepository } from './claims.repository';
import {
  carrierGuideParams,
  carrierGuideQuery,
  claimGuideResponse,
  claimSubmissionBody,
  claimSubmissionResponse,
  type ClaimSubmissionBody,
} from './claims.actions.schemas';
import { claimParams, evidencePackageResponse } from './claims.schemas';

function notAwaiting(id: string, what: 'answer' | 'appeal', why: string): ProblemError {
  return new ProblemError(
    409,
    what === 'answer' ? 'claim.not_awaiting_information' : 'claim.not_appealable',
    what === 'answer' ? 'Claim not waiting for information' : 'Claim cannot be appealed',
    `Claim "${id}": ${why}.`,
  );
}

function notFollowed(id: string): ProblemError {
  return new ProblemError(
    409,
    'claim.not_followed',
    'Claim not followed by a workflow',
    `Claim "${id}" has no running claim workflow to send this through; use the carrier's portal and record the outcome.`,
  );
}

function unknownCarrier(code: string): ProblemError {
  return new ProblemError(
    404,
    'carrier.unknown',
    'Unknown carrier',
    `There is no carrier or insurer "${code}"; GET /v1/carriers lists them.`,
  );
}

export function claimActionsRoutes(deps: {
  db: Db;
  claims: ClaimRepository;
  temporal: Client;
}): RouteSpec[] {
  const { db, claims, temporal } = deps;

  const load = async (id: string) => {
    const found = await claims.get(Number(id));
    if (!found) throw claimNotFound(id);
    return found.row;
  };

  async function submit(
    id: string,
    what: 'answer' | 'appeal',
    body: ClaimSubmissionBody,
  ): Promise<ClaimSubmissionAccepted & { claimId: string; workflowId: string }> {
    const workflowId = (await load(id)).workflowId;
    if (!workflowId) throw notFollowed(id);
    const handle = temporal.workflow.getHandle(workflowId);
    try {
      const taken = await handle.executeUpdate(
        what === 'answer' ? claimAnswerUpdate : claimAppealUpdate,
        { args: [body] },
      );
      return { claimId: id, workflowId, ...taken };
    } catch (err) {
      // The workflow's validator refused: the claim is not (or no longer) in that state.
      if (err instanceof WorkflowUpdateFailedError) {
        throw notAwaiting(id, what, err.cause?.message ?? err.message);
      }
      if (err instanceof WorkflowNotFoundError) throw notFollowed(id);
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        throw new ProblemError(
          503,
          'workflow.unavailable',
          'Workflow unavailable',
          `The workflow of claim "${id}" did not take the ${what} in time; try again.`,
        );
      }
      throw err;
    }
  }

  const answer = route({
    method: 'post',
    path: '/v1/claims/{id}/answer',
    access: 'decide',
    operationId: 'answerClaimRequest',
    tag: 'Claims',
    summary: "Answer the carrier's request for information (message and attachments)",
    description:
      'Taken while the claim is needs_info; the claim workflow sends the answer to the carrier (idempotency key: workflow id + request number) and follows the claim up again.',
    params: claimParams,
    body: claimSubmissionBody,
    answer: {
      status: 202,
      description: 'Taken; sent by the workflow',
      schema: claimSubmissionResponse,
    },
    responses: {
      '404': 'Unknown claim',
      '409': 'The claim is not waiting for information, or no workflow follows it',
    },
    handler: ({ params: { id }, body }) => submit(id, 'answer', body),
  });

  const appeal = route({
    method: 'post',
    path: '/v1/claims/{id}/appeal',
    access: 'decide',
    operationId: 'appealClaim',
    tag: 'Claims',
    summary: 'Appeal a denied claim with new evidence, within the appeal window',
    description:
      'Taken once, while the claim is denied and its appeal window (the claim guide) is open; the claim workflow sends it to the carrier or insurer.',
    params: claimParams,
    body: claimSubmissionBody,
    answer: {
      status: 202,
      description: 'Taken; sent by the workflow',
      schema: claimSubmissionResponse,
    },
    responses: {
      '404': 'Unknown claim',
      '409': 'Not denied, appealed before, window closed, or no workflow follows it',
    },
    handler: ({ params: { id }, body }) => submit(id, 'appeal', body),
  });

  const guide = route({
    method: 'get',
    path: '/v1/carriers/{code}/claim-guide',
    access: 'read',
    operationId: 'getCarrierClaimGuide',
    tag: 'Claims',
    summary:
      'How to claim with a carrier or insurer: deadlines, documents, where and how to file, appeal window',
    params: carrierGuideParams,
    query: carrierGuideQuery,
    answer: { description: 'The claim guide', schema: claimGuideResponse },
    responses: { '404': 'Unknown carrier or insurer' },
    handler: ({ params: { code }, query }) => {
      if (!isKnownCarrier(code) && !(code.toLowerCase() in CLAIM_FILINGS)) {
        throw unknownCarrier(code);
      }
      return claimGuide(code, query.scope === 'domestic');
    },
  });

  const preview = route({
    method: 'get',
    path: '/v1/claims/{id}/evidence/preview',
    access: 'read',
    operationId: 'previewClaimEvidence',
    tag: 'Claims',
    summary: 'The evidence package as it would be built now (draft), also before eligibility',
    params: claimParams,
    answer: { description: 'The package, `draft: true`', schema: evidencePackageResponse },
    responses: { '404': 'Unknown claim' },
    handler: async ({ params: { id } }) => previewEvidencePackage(db, await load(id)),
  });

  const previewPdf = route({
    method: 'get',
    path: '/v1/claims/{id}/evidence/preview.pdf',
    access: 'read',
    operationId: 'previewClaimEvidencePdf',
    tag: 'Claims',
    summary: 'The draft evidence package as a PDF, marked DRAFT',
    params: claimParams,
    answer: { description: 'PDF', contentType: 'application/pdf' },
    responses: { '404': 'Unknown claim' },
    handler: async ({ res, params: { id } }) => {
      const row = await load(id);
      const pdf = await renderEvidencePdf(await previewEvidencePackage(db, row), {
        claimId: row.claimId ?? `#${row.id}`,
      });
      res
        .type('application/pdf')
        .set('Content-Disposition', `inline; filename="claim-${row.id}-evidence-draft.pdf"`)
        .send(pdf);
    },
  });

  return [answer, appeal, guide, preview, previewPdf];
}
