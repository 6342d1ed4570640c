import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Router } from 'express';
import type { Logger } from 'pino';
import { requirePermission } from '../http/auth';
import { parseBody, parseParams, parseQuery } from '../http/validate';
import { claimUpdateSignal } from '../../workflows/claim.contract';
import { claimAlreadyDecided, claimEvidenceNotReady, claimNotFound } from './claims.errors';
import type { EvidencePackage } from './claims.evidence';
import { renderEvidencePdf } from './claims.pdf';
import type { ClaimHistoryRow, ClaimRepository, ClaimRow } from './claims.repository';
import { claimListQuery, claimOutcomeBody, claimParams } from './claims.schemas';

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
    },
  };
}

/** The package is stored once the claim is eligible; until then the row holds `{}`. */
function storedEvidence(row: ClaimRow): EvidencePackage | undefined {
  const e = row.evidence as Partial<EvidencePackage> | null;
  return e && e.claim && Array.isArray(e.trackingHistory) ? (e as EvidencePackage) : undefined;
}

export function claimsRouter(deps: { claims: ClaimRepository; temporal: Client; logger: Logger }) {
  const { claims, temporal, logger } = deps;
  const router = Router();

  const load = async (rawId: string) => {
    const found = await claims.get(Number(rawId));
    if (!found) throw claimNotFound(rawId);
    return found;
  };

  router.get('/v1/claims', requirePermission('read'), async (req, res) => {
    const q = parseQuery(req, claimListQuery);
    const page = await claims.list(q);
    res.json({ items: page.rows.map(claimView), nextCursor: page.nextCursor });
  });

  router.get('/v1/claims/:id', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, claimParams);
    const { row, history } = await load(id);
    res.json({
      ...claimView(row),
      trace: row.trace ?? undefined,
      history: history.map((h: ClaimHistoryRow) => ({
        status: h.status,
        at: h.at.toISOString(),
        detail: h.detail ?? undefined,
      })),
      evidence: storedEvidence(row),
    });
  });

  router.get('/v1/claims/:id/evidence', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, claimParams);
    const evidence = storedEvidence((await load(id)).row);
    if (!evidence) throw claimEvidenceNotReady(id);
    res.json(evidence);
  });

  router.get('/v1/claims/:id/evidence.pdf', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, claimParams);
    const { row } = await load(id);
    const evidence = storedEvidence(row);
    if (!evidence) throw claimEvidenceNotReady(id);
    const pdf = await renderEvidencePdf(evidence, { claimId: row.claimId ?? `#${row.id}` });
    res
      .type('application/pdf')
      .set('Content-Disposition', `inline; filename="claim-${row.id}-evidence.pdf"`)
      .send(pdf);
  });

  router.post('/v1/claims/:id/outcome', requirePermission('decide'), async (req, res) => {
    const { id } = parseParams(req, claimParams);
    const body = parseBody(req, claimOutcomeBody);
    const outcome = await claims.recordOutcome(Number(id), body, `api (${req.role})`);
    if (outcome === undefined) throw claimNotFound(id);
    if (typeof outcome === 'object') throw claimAlreadyDecided(id, outcome.decided);
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
          (req.log ?? logger).warn({ err, claimId: id }, 'claim workflow not told of the outcome');
        }
      }
    }
    res.json(claimView(row));
  });

  return router;
}
