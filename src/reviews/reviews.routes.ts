import { createHash } from 'node:crypto';
import {
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { Logger } from 'pino';
import { decodeCursor, toPage } from '../http/pagination';
import { validationFailed } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { shipmentNotFound, workflowUnavailable } from '../shipments/shipments.errors';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { shipmentParams } from '../shipments/shipments.schemas';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import { notAwaitingReview, unknownDecision } from './reviews.errors';
import type { ReviewRepository } from './reviews.repository';
import {
  pendingCursor,
  pendingQuery,
  reviewBody,
  reviewDecisionResponse,
  reviewQueueResponse,
} from './reviews.schemas';

export function reviewsRoutes(deps: {
  reviews: ReviewRepository;
  shipments: ShipmentRepository;
  workflows: WorkflowGateway;
  logger: Logger;
}): RouteSpec[] {
  const { reviews, shipments, workflows, logger } = deps;

  const queue = route({
    method: 'get',
    path: '/v1/reviews',
    access: 'read',
    operationId: 'listReviews',
    tag: 'Reviews',
    summary: 'Pending reviews, oldest first, cursor paging',
    description:
      'Each answer carries an ETag; sent back in If-None-Match, an unchanged page is answered 304 without a body (the console polls this way).',
    query: pendingQuery,
    headers: [{ name: 'If-None-Match', description: 'The ETag of the page last read' }],
    answer: {
      description: '{items, nextCursor}',
      schema: reviewQueueResponse,
      headers: { ETag: { description: 'Changes when the page does', schema: { type: 'string' } } },
    },
    responses: { '304': { description: 'Unchanged since the ETag sent in If-None-Match' } },
    handler: async ({ req, res, query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, pendingCursor) : undefined;
      const rows = await reviews.pending({ limit: q.limit + 1, after });
      const page = toPage(rows, q.limit, (r) => [r.cursorAt, r.id]);
      const answer = {
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
      };
      // Our own check rather than express's: browsers add `Cache-Control: no-cache` to a fetch
      // that sets If-None-Match, which express takes as "send everything" every time.
      const etag = `"${createHash('sha256').update(JSON.stringify(answer)).digest('base64url')}"`;
      res.set('ETag', etag);
      if (matchesEtag(req.headers['if-none-match'], etag)) {
        res.status(304).end();
        return;
      }
      return answer;
    },
  });

  const decide = route({
    method: 'post',
    path: '/v1/shipments/{id}/review',
    access: 'decide',
    operationId: 'decideReview',
    tag: 'Reviews',
    summary: 'Decide a review (ops)',
    params: shipmentParams,
    body: reviewBody,
    // A bad decision is a 400 whatever the state of the shipment: validated before any lookup.
    onInvalidBody: (errors, body) => {
      const decision: unknown =
        typeof body === 'object' && body !== null
          ? (body as { decision?: unknown }).decision
          : undefined;
      return typeof decision === 'string' && errors.some((e) => e.path === 'decision')
        ? unknownDecision(decision, errors)
        : validationFailed(errors);
    },
    answer: { description: '{stage, decision, duplicate}', schema: reviewDecisionResponse },
    responses: {
      '404': 'Unknown shipment',
      '409': 'Not awaiting review',
      '503': 'The workflow cannot be reached or did not take the decision in time',
    },
    handler: async ({ req, params: { id }, body: input }) => {
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
          return { stage: state.stage, decision: last.decision, duplicate: true };
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
        return { stage: result.stage, decision: result.decision, duplicate: result.duplicate };
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
    },
  });

  return [queue, decide];
}

/** Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
