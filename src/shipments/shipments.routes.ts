import { Router } from 'express';
import type { Logger } from 'pino';
import { requirePermission } from '../http/auth';
import { decodeCursor, toPage } from '../http/pagination';
import { parseBody, parseParams, parseQuery } from '../http/validate';
import { policyNotFound, policyRefreshOnClosed } from '../policies/policies.errors';
import type { PolicyRepository } from '../policies/policies.repository';
import { policyRefreshBody } from '../policies/policies.schemas';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { shipmentConflict, shipmentNotFound, workflowUnavailable } from './shipments.errors';
import type { ShipmentRepository } from './shipments.repository';
import { registerBatch } from './shipments.batch';
import {
  listCursor,
  listQuery,
  registrationBatchEnvelope,
  registrationBody,
  shipmentParams,
} from './shipments.schemas';
import type { WorkflowGateway } from './shipments.temporal';
import { listItemView, rowOnlyView, shipmentView } from './shipments.view';

export interface ShipmentsRouterDeps {
  shipments: ShipmentRepository;
  policies: PolicyRepository;
  workflows: WorkflowGateway;
  logger: Logger;
}

export function shipmentsRouter({ shipments, policies, workflows, logger }: ShipmentsRouterDeps) {
  const router = Router();

  router.post('/v1/shipments', requirePermission('ingest'), async (req, res) => {
    const registration: ShipmentRegistration = parseBody(req, registrationBody);
    if (!(await policies.exists(registration.policy)))
      throw policyNotFound(registration.policy, 422);

    const outcome = await shipments.register(registration);
    if (outcome.kind === 'conflict') throw shipmentConflict(outcome.detail);

    // Started on both paths: an earlier attempt may have stored the row and then failed to start.
    // registeredAt comes from the row so that every retry sends the same workflow input.
    try {
      await workflows.start(outcome.row.registration, outcome.row.createdAt.toISOString());
    } catch (err) {
      (req.log ?? logger).error(
        { err, shipmentId: registration.shipmentId },
        'workflow start failed',
      );
      throw workflowUnavailable(
        `Shipment "${registration.shipmentId}" is recorded but its workflow could not be started; send the same request again.`,
      );
    }
    res.status(outcome.kind === 'created' ? 201 : 200).json({
      shipmentId: outcome.row.shipmentId,
      workflowId: outcome.row.workflowId,
      stage: outcome.row.stage,
    });
  });

  /** Up to 500 registrations; each item answers as POST /v1/shipments would answer it alone. */
  router.post('/v1/shipments\\:batch', requirePermission('ingest'), async (req, res) => {
    const { shipments: items } = parseBody(req, registrationBatchEnvelope);
    const result = await registerBatch(
      { shipments, policies, workflows, logger: req.log ?? logger },
      items,
    );
    res.status(200).json(result);
  });

  router.get('/v1/shipments', requirePermission('read'), async (req, res) => {
    const { cursor, ...q } = parseQuery(req, listQuery);
    const after = cursor ? decodeCursor(cursor, listCursor) : undefined;
    const rows = await shipments.list({ ...q, limit: q.limit + 1, after });
    const page = toPage(rows, q.limit, (r) => [r.createdAtText, r.shipmentId]);
    res.json({ items: page.items.map(listItemView), nextCursor: page.nextCursor });
  });

  router.get('/v1/shipments/:id', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, shipmentParams);
    const row = await shipments.get(id);
    if (!row) throw shipmentNotFound(id);
    const [answer, claim] = await Promise.all([workflows.state(id), shipments.claimOf(id)]);
    const withClaim = <T extends { claim?: object }>(view: T): T =>
      claim && view.claim ? { ...view, claim: { ...view.claim, ...withoutNulls(claim) } } : view;
    if (answer.ok) {
      res.json(withClaim(shipmentView(row, answer.state, 'workflow')));
      return;
    }
    // The workflow is the source of truth; when it cannot answer, say we read the snapshot.
    (req.log ?? logger).warn(
      { err: answer.error, shipmentId: id, reason: answer.reason },
      'state query failed; answering from the read model',
    );
    res.json(
      row.snapshot ? withClaim(shipmentView(row, row.snapshot, 'read_model')) : rowOnlyView(row),
    );
  });

  // POST /v1/shipments/:id/inquiries lives in src/inquiries (classification, replies, signal).

  /** A running workflow keeps its policy until told: this tells it (202, applied asynchronously). */
  router.post(
    '/v1/shipments/:id/policy\\:refresh',
    requirePermission('decide'),
    async (req, res) => {
      const { id } = parseParams(req, shipmentParams);
      const { policy } = parseBody(req, policyRefreshBody);
      const row = await shipments.get(id);
      if (!row) throw shipmentNotFound(id);
      if (policy !== undefined && !(await policies.exists(policy)))
        throw policyNotFound(policy, 422);
      let signalled: boolean;
      try {
        signalled = await workflows.signalRefreshPolicy(id, policy);
      } catch (err) {
        (req.log ?? logger).error({ err, shipmentId: id }, 'policy refresh signal failed');
        throw workflowUnavailable(`The workflow of shipment "${id}" could not be told; try again.`);
      }
      if (!signalled) throw policyRefreshOnClosed(id);
      res.status(202).json({ shipmentId: id, policy: policy ?? row.registration.policy });
    },
  );

  return router;
}

function withoutNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as Partial<T>;
}
