import {
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { Router } from 'express';
import type { Logger } from 'pino';
import { requirePermission } from '../http/auth';
import { decodeCursor, toPage } from '../http/pagination';
import { fieldErrors, validationFailed } from '../http/problems';
import { jsonBody, parseParams, parseQuery } from '../http/validate';
import { shipmentNotFound, workflowUnavailable } from '../shipments/shipments.errors';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { shipmentParams } from '../shipments/shipments.schemas';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import { notAwaitingReview, unknownDecision } from './reviews.errors';
import type { ReviewRepository } from './reviews.repository';
import { pendingCursor, pendingQuery, reviewBody } from './reviews.schemas';

export function reviewsRouter(deps: {
  reviews: ReviewRepository;
  shipments: ShipmentRepository;
  workflows: WorkflowGateway;
  logger: Logger;
}) {
  const { reviews, shipments, workflows, logger } = deps;
  const router = Router();

  router.get('/v1/reviews', requirePermission('read'), async (req, res) => {
    const q = parseQuery(req, pendingQuery);
    const after = q.cursor ? decodeCursor(q.cursor, pendingCursor) : undefined;
    const rows = await reviews.pending({ limit: q.limit + 1, after });
    const page = toPage(rows, q.limit, (r) => [r.cursorAt, r.id]);
    res.json({
      items: page.items.map((r) => ({
        shipmentId: r.shipmentId,
        round: r.round,
        reason: r.reason,
        detectedAt: r.detectedAt,
        slaDeadline: r.slaDeadline,
        declaredValue: r.declaredValue,
        currency: r.currency,
        carrier: r.carrier,
        trackingNumber: r.trackingNumber,
        destination: r.destination,
      })),
      nextCursor: page.nextCursor,
    });
  });

  router.post('/v1/shipments/:id/review', requirePermission('decide'), async (req, res) => {
    const { id } = parseParams(req, shipmentParams);
    // Validate first so that a bad decision is a 400 whatever the state of the shipment.
    const body = jsonBody(req);
    const parsed = reviewBody.safeParse(body);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      const decision: unknown =
        typeof body === 'object' && body !== null
          ? (body as { decision?: unknown }).decision
          : undefined;
      if (typeof decision === 'string' && errors.some((e) => e.path === 'decision')) {
        throw unknownDecision(decision, errors);
      }
      throw validationFailed(errors);
    }
    const input = parsed.data;

    if (!(await shipments.get(id))) throw shipmentNotFound(id);
    const answer = await workflows.state(id);
    if (!answer.ok) {
      throw workflowUnavailable(
        `The workflow of shipment "${id}" cannot be reached to take the decision; try again.`,
      );
    }
    const { state } = answer;
    const round = input.round ?? state.reviewRound;
    if (state.stage !== 'awaiting_review' || round !== state.reviewRound) {
      const last = state.review;
      // The same decision arriving twice (double click, client retry) is answered idempotently.
      if (
        last &&
        last.decision === input.decision &&
        last.reviewer === input.reviewer &&
        (input.round === undefined || last.round === input.round)
      ) {
        res.json({ stage: state.stage, decision: last.decision, duplicate: true });
        return;
      }
      throw notAwaitingReview(
        id,
        round !== state.reviewRound
          ? `review round ${round} is closed (it is in stage ${state.stage}, round ${state.reviewRound})`
          : `it is in stage ${state.stage}`,
      );
    }

    try {
      const result = await workflows.review(id, round, input);
      // The update id is per review round, so a concurrent other decision for the same round gets
      // the winner's result back: that is not this caller's decision being taken.
      if (result.decision !== input.decision) {
        throw notAwaitingReview(
          id,
          `another decision (${result.decision}) was taken for this review`,
        );
      }
      res.json({ stage: result.stage, decision: result.decision, duplicate: result.duplicate });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        // The workflow's validator refused: the review was closed meanwhile (SLA, another reviewer).
        throw notAwaitingReview(id, err.cause?.message ?? err.message);
      }
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        (req.log ?? logger).error({ err, shipmentId: id }, 'review update timed out');
        throw workflowUnavailable(
          `The workflow of shipment "${id}" did not take the decision in time; try again.`,
        );
      }
      throw err;
    }
  });

  return router;
}
