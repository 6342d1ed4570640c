import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { route, type RouteSpec } from '../http/route';
import { claimUpdateSignal } from '../../workflows/claim.contract';
import { CLAIM_RULES } from '../../workflows/claim.rules';
import { claimAlreadyDecided, claimEvidenceNotReady, claimNotFound } from './claims.errors';
import type { EvidencePackage } from './claims.evidence';
import { claimGuide } from './claims.guides';
import { renderEvidencePdf } from './claims.pdf';
import type { ClaimHistoryRow, ClaimRepository, ClaimRow } from './claims.repository';
import { claimStanding } from './claims.standing';
import {
  claimListQuery,
  claimListResponse,
  claimOutcomeBody,
  claimParams,
  claimResponse,
  claimSummaryResponse,
  evidencePackageResponse,
} from './claims.schemas';

const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

function claimView(row: ClaimRow) {
  return {
    id: String(row.id),
    shipmentId: row.shipmentId,
    workflowId: row.workflowId ?? undefined,
    carrier: row.carrier,
    filer: row.filer ?? row.carrier,
    rule: row.ruleName ?? undefined,
    trackingNumber: row.trackingNumber,
    reason: row.reason,
    status: row.status,
    externalClaimId: row.claimId ?? undefined,
    amounts: {
      claimed: row.amount,
      recovered: row.amountRecovered ?? undefined,
      currency: row.currency,
    },
    deadlines: {
      eligibleAt: iso(row.eligibleAt),
      warnAt: iso(row.warnAt),
      windowClosesAt: iso(row.windowClosesAt),
    },
    filedAt: iso(row.filedAt),
    decidedAt: iso(row.decidedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    links: {
      self: `/v1/claims/${row.id}`,
      evidence: `/v1/claims/${row.id}/evidence`,
      evidencePdf: `/v1/claims/${row.id}/evidence.pdf`,
      shipment: `/v1/shipments/${encodeURIComponent(row.shipmentId)}`,
    },
    ...claimStanding(row, storedEvidence(row) !== undefined),
  };
}

/** The claim guide of whoever the claim is filed with, for the scope of the rule it follows. */
function guideFor(row: ClaimRow) {
  const rule = CLAIM_RULES.find((r) => r.name === row.ruleName);
  return claimGuide(row.filer ?? row.carrier, rule?.scope === 'domestic');
}

/** The package is stored once the claim is eligible; until then the row holds `{}`. */
function storedEvidence(row: ClaimRow): EvidencePackage | undefined {
  const e = row.evidence as Partial<EvidencePackage> | null;
  return e && e.claim && Array.isArray(e.trackingHistory) ? (e as EvidencePackage) : undefined;
}

export function claimsRoutes(deps: {
  claims: ClaimRepository;
  temporal: Client;
  logger: Logger;
}): RouteSpec[] {
  const { claims, temporal, logger } = deps;

  const load = async (rawId: string) => {
    const found = await claims.get(Number(rawId));
    if (!found) throw claimNotFound(rawId);
    return found;
  };

  const list = route({
    method: 'get',
    path: '/v1/claims',
    access: 'read',
    operationId: 'listClaims',
    tag: 'Claims',
    summary: 'Claims, newest first, filtered by status and carrier, cursor paging',
    query: claimListQuery,
    answer: { description: '{items, nextCursor}', schema: claimListResponse },
    handler: async ({ query }) => {
      const page = await claims.list(query);
      return { items: page.rows.map(claimView), nextCursor: page.nextCursor };
    },
  });

  const get = route({
    method: 'get',
    path: '/v1/claims/{id}',
    access: 'read',
    operationId: 'getClaim',
    tag: 'Claims',
    summary: 'A claim with its history, deadlines, amounts and evidence',
    params: claimParams,
    answer: { description: 'The claim', schema: claimResponse },
    responses: { '404': 'Unknown claim' },
    handler: async ({ params: { id } }) => {
      const { row, history } = await load(id);
      return {
        ...claimView(row),
        // A copy: the carrier's trace interface has no index signature for the loose schema.
        trace: row.trace ? { ...row.trace } : undefined,
        history: history.map((h: ClaimHistoryRow) => ({
          status: h.status,
          at: h.at.toISOString(),
          detail: h.detail ?? undefined,
        })),
        evidence: storedEvidence(row),
        guide: guideFor(row),
      };
    },
  });

  const evidence = route({
    method: 'get',
    path: '/v1/claims/{id}/evidence',
    access: 'read',
    operationId: 'getClaimEvidence',
    tag: 'Claims',
    summary: 'The evidence package (JSON)',
    params: claimParams,
    answer: { description: 'The evidence package', schema: evidencePackageResponse },
    responses: { '404': 'Unknown claim', '409': 'Evidence not built yet' },
    handler: async ({ params: { id } }) => {
      const found = storedEvidence((await load(id)).row);
      if (!found) throw claimEvidenceNotReady(id);
      return found;
    },
  });

  const evidencePdf = route({
    method: 'get',
    path: '/v1/claims/{id}/evidence.pdf',
    access: 'read',
    operationId: 'getClaimEvidencePdf',
    tag: 'Claims',
    summary: 'The evidence package as a PDF to submit',
    params: claimParams,
    answer: { description: 'PDF', contentType: 'application/pdf' },
    responses: { '404': 'Unknown claim', '409': 'Evidence not built yet' },
    handler: async ({ res, params: { id } }) => {
      const { row } = await load(id);
      const found = storedEvidence(row);
      if (!found) throw claimEvidenceNotReady(id);
      const pdf = await renderEvidencePdf(found, { claimId: row.claimId ?? `#${row.id}` });
      res
        .type('application/pdf')
        .set('Content-Disposition', `inline; filename="claim-${row.id}-evidence.pdf"`)
        .send(pdf);
    },
  });

  const outcome = route({
    method: 'post',
    path: '/v1/claims/{id}/outcome',
    access: 'decide',
    operationId: 'recordClaimOutcome',
    tag: 'Claims',
    summary: 'Record an outcome decided outside the system (ops)',
    params: claimParams,
    body: claimOutcomeBody,
    answer: { description: 'The claim', schema: claimSummaryResponse },
    responses: { '404': 'Unknown claim', '409': 'Already decided otherwise' },
    handler: async ({ req, params: { id }, body }) => {
      const recorded = await claims.recordOutcome(Number(id), body, `api (${req.role})`);
      if (recorded === undefined) throw claimNotFound(id);
      if (typeof recorded === 'object') throw claimAlreadyDecided(id, recorded.decided);
      const { row } = await load(id);
      // A claim still followed up by its workflow hears the outcome there and stops polling.
      if (row.workflowId && row.claimId) {
        try {
          await temporal.workflow.getHandle(row.workflowId).signal(claimUpdateSignal, {
            claimId: row.claimId,
            status: body.status,
            at: new Date().toISOString(),
            ...(body.amountRecovered !== undefined ? { amountApproved: body.amountRecovered } : {}),
            ...(body.note ? { detail: body.note } : {}),
          });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) {
            (req.log ?? logger).warn(
              { err, claimId: id },
              'claim workflow not told of the outcome',
            );
          }
        }
      }
      return claimView(row);
    },
  });

  return [list, get, evidence, evidencePdf, outcome];
}
