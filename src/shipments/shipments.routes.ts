import type { Logger } from 'pino';
import type { z } from 'zod';
import { decodeCursor, toPage } from '../http/pagination';
import { route, type RouteSpec } from '../http/route';
import { policyNotFound, policyRefreshOnClosed } from '../policies/policies.errors';
import { knownPolicies } from '../policies/policies.known';
import type { PolicyRepository } from '../policies/policies.repository';
import { policyRefreshBody } from '../policies/policies.schemas';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { shipmentConflict, shipmentNotFound, workflowUnavailable } from './shipments.errors';
import { adviceOrNone } from '../advice/advice.registration';
import type { AdviceService } from '../advice/advice.service';
import type { ShipmentRepository } from './shipments.repository';
import { registerBatch } from './shipments.batch';
import { withCatalogueCarrier } from './shipments.carrier';
import {
  listCursor,
  listQuery,
  registrationBatchBody,
  registrationBatchEnvelope,
  registrationBody,
  shipmentBatchResponse,
  shipmentListResponse,
  shipmentParams,
  shipmentRegisteredResponse,
  shipmentViewResponse,
} from './shipments.schemas';
import type { WorkflowGateway } from './shipments.temporal';
import { listItemView, rowOnlyView, shipmentView, withExpectedDelivery } from './shipments.view';
import { estimateSubjectOf, type Estimator } from '../estimates/estimates.repository';

export interface ShipmentsRoutesDeps {
  shipments: ShipmentRepository;
  policies: PolicyRepository;
  workflows: WorkflowGateway;
  logger: Logger;
  /** Advice at registration (src/advice), stored on the shipment; without it the answer has none. */
  advice?: Pick<AdviceService, 'forRegistration'>;
  /** Expected deliveries (carrier, lane or channel); without it the answer has none. */
  estimates?: Estimator;
}

export function shipmentsRoutes({
  shipments,
  policies,
  workflows,
  logger,
  estimates,
  advice,
}: ShipmentsRoutesDeps): RouteSpec[] {
  // Registrations check their policy here, in memory once a name has been seen.
  const policyNames = knownPolicies(policies);

  const register = route({
    method: 'post',
    path: '/v1/shipments',
    access: 'ingest',
    operationId: 'registerShipment',
    tag: 'Shipments',
    summary: 'Register a shipment and start its workflow (idempotent)',
    body: registrationBody,
    answer: {
      status: 201,
      description: '{shipmentId, workflowId, stage}',
      schema: shipmentRegisteredResponse,
    },
    responses: {
      '200': {
        description: 'Already registered with the same body',
        schema: shipmentRegisteredResponse,
      },
      '409': 'Another body under this id, or the tracking number is taken',
      '422': 'Unknown carrier (carrier.unknown, with suggestions) or unknown policy',
    },
    handler: async ({ req, res, body }) => {
      const registration: ShipmentRegistration = withCatalogueCarrier(body);
      if (!(await policyNames.exists(registration.policy)))
        throw policyNotFound(registration.policy, 422);

      // From cached figures: no query of its own (issue 16's registration bench).
      const advised = await adviceOrNone(advice, registration, req.log ?? logger);
      const outcome = await shipments.register(registration, advised);
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
      // Two statuses for one shape (201 created, 200 the same body again): sent here, typed here.
      const registered: z.input<typeof shipmentRegisteredResponse> = {
        shipmentId: outcome.row.shipmentId,
        workflowId: outcome.row.workflowId,
        stage: outcome.row.stage,
        ...(outcome.row.advice ? { advice: outcome.row.advice } : {}),
      };
      res.status(outcome.kind === 'created' ? 201 : 200).json(registered);
    },
  });

  /** Up to 500 registrations; each item answers as POST /v1/shipments would answer it alone. */
  const registerMany = route({
    method: 'post',
    path: '/v1/shipments:batch',
    access: 'ingest',
    operationId: 'registerShipmentBatch',
    tag: 'Shipments',
    summary:
      'Register up to 500 shipments and start their workflows; items are independent and each answers as POST /v1/shipments would (idempotent per item)',
    // Only the envelope is checked up front: an invalid item is that item's 422, not the batch's.
    body: registrationBatchEnvelope,
    bodyContent: { 'application/json': registrationBatchBody },
    answer: {
      description:
        '{created, existing, failed, results: [{index, shipmentId, status, workflowId?, stage?, problem?}]}; per item 201 created, 200 same body again, 409 another body or tracking number taken, 422 invalid item, unknown carrier or unknown policy, 503 workflow not started (the row is kept: send the item again)',
      schema: shipmentBatchResponse,
    },
    handler: ({ req, body: { shipments: items } }) =>
      registerBatch(
        { shipments, policies: policyNames, workflows, advice, logger: req.log ?? logger },
        items,
      ),
  });

  const list = route({
    method: 'get',
    path: '/v1/shipments',
    access: 'read',
    operationId: 'listShipments',
    tag: 'Shipments',
    summary: 'List shipments (read model), newest first, cursor paging',
    query: listQuery,
    answer: { description: '{items, nextCursor}', schema: shipmentListResponse },
    handler: async ({ query: { cursor, ...q } }) => {
      const after = cursor ? decodeCursor(cursor, listCursor) : undefined;
      const rows = await shipments.list({ ...q, limit: q.limit + 1, after });
      const page = toPage(rows, q.limit, (r) => [r.createdAtText, r.shipmentId]);
      return { items: page.items.map(listItemView), nextCursor: page.nextCursor };
    },
  });

  const get = route({
    method: 'get',
    path: '/v1/shipments/{id}',
    access: 'read',
    operationId: 'getShipment',
    tag: 'Shipments',
    summary: 'A shipment as its workflow sees it (or its last snapshot)',
    params: shipmentParams,
    answer: { description: 'The shipment', schema: shipmentViewResponse },
    responses: { '404': 'Unknown shipment' },
    handler: async ({ req, params: { id } }) => {
      const row = await shipments.get(id);
      if (!row) throw shipmentNotFound(id);
      const [answer, claim] = await Promise.all([workflows.state(id), shipments.claimOf(id)]);
      const withClaim = <T extends { claim?: object; links: object }>(view: T): T =>
        claim && view.claim ? { ...view, ...claimLinks(view, claim) } : view;
      const estimate = (state?: { expectedDeliveryAt?: string } | null) =>
        estimates?.estimate(estimateSubjectOf(row, state));
      if (answer.ok) {
        const view = withClaim(shipmentView(row, answer.state, 'workflow'));
        return withExpectedDelivery(view, await estimate(answer.state));
      }
      // The workflow is the source of truth; when it cannot answer, say we read the snapshot.
      (req.log ?? logger).warn(
        { err: answer.error, shipmentId: id, reason: answer.reason },
        'state query failed; answering from the read model',
      );
      return withExpectedDelivery(
        row.snapshot ? withClaim(shipmentView(row, row.snapshot, 'read_model')) : rowOnlyView(row),
        await estimate(row.snapshot),
      );
    },
  });

  // POST /v1/shipments/{id}/inquiries lives in src/inquiries (classification, replies, signal).

  /** A running workflow keeps its policy until told: this tells it (202, applied asynchronously). */
  const refreshPolicy = route({
    method: 'post',
    path: '/v1/shipments/{id}/policy:refresh',
    access: 'decide',
    operationId: 'refreshShipmentPolicy',
    tag: 'Policies',
    summary:
      'Tell the running workflow to reload its policy (the latest version), or switch to another policy (ops); applied asynchronously',
    params: shipmentParams,
    body: policyRefreshBody,
    answer: {
      status: 202,
      description: '{shipmentId, policy}',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    responses: {
      '404': 'Unknown shipment',
      '409': 'The workflow has closed',
      '422': 'Unknown policy',
      '503': 'Temporal unreachable',
    },
    handler: async ({ req, params: { id }, body: { policy } }) => {
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
      return { shipmentId: id, policy: policy ?? row.registration.policy };
    },
  });

  return [register, registerMany, list, get, refreshPolicy];
}

/**
 * The claim as its read-model row knows it: our id (which GET /v1/claims/{id} opens) apart from
 * the carrier's claim number, which only the carrier understands.
 */
function claimLinks<T extends { claim?: object; links: object }>(
  view: T,
  { id, claimId, ...row }: NonNullable<Awaited<ReturnType<ShipmentRepository['claimOf']>>>,
) {
  const self = `/v1/claims/${id}`;
  return {
    claim: {
      ...view.claim,
      ...withoutNulls(row),
      id: String(id),
      ...(claimId ? { carrierClaimNumber: claimId, claimId } : {}),
    },
    links: { ...view.links, claim: self, claimEvidence: `${self}/evidence` },
  };
}

function withoutNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as Partial<T>;
}
