import { z } from 'zod';
import { toCsv, type Cell } from '../analytics/csv';
import type { ClaimRepository } from '../claims/claims.repository';
import { claimListQuery } from '../claims/claims.schemas';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import type { ReviewRepository } from '../reviews/reviews.repository';
import { country, listQuery } from '../shipments/shipments.schemas';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { listItemView } from '../shipments/shipments.view';
import { SUSPICION_REASONS } from '../../workflows/model/enums';

/**
 * CSV exports of the lists as they are filtered: each takes its list's own filters (not its paging)
 * and walks every page through the same repository call, so an export holds exactly what paging
 * through the list would show.
 */

/** More rows than a spreadsheet user can work with: narrow the filters instead. */
export const MAX_EXPORT_ROWS = 50_000;
const BATCH = 500;

function tooLarge(what: string): ProblemError {
  return new ProblemError(
    422,
    'export.too_large',
    'Export too large',
    `More than ${MAX_EXPORT_ROWS} ${what} match these filters; narrow them (from/to, carrier, status…) and export again.`,
  );
}

const csvAnswer = (description: string) => ({
  description,
  contentType: 'text/csv',
  bodySchema: { type: 'string' },
});

function sendCsv(
  res: import('express').Response,
  name: string,
  columns: { key: string; header: string }[],
  rows: Record<string, Cell>[],
) {
  res
    .type('text/csv; charset=utf-8; header=present')
    .attachment(`${name}-${new Date().toISOString().slice(0, 10)}.csv`)
    .send(toCsv(columns, rows));
}

const col = (key: string, header = key) => ({ key, header });

/** The shipment list's filters without its paging. */
const shipmentExportQuery = listQuery.omit({ limit: true, cursor: true });

/** The review queue's filters: what the console's queue filters on. */
const reviewExportQuery = z.strictObject({
  reason: z.enum(SUSPICION_REASONS).optional(),
  carrier: z.string().trim().min(1).max(64).optional(),
  destination: country.optional(),
});

const claimExportQuery = claimListQuery.omit({ limit: true, cursor: true }).strict();

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function exportsRoutes(deps: {
  shipments: ShipmentRepository;
  reviews: ReviewRepository;
  claims: ClaimRepository;
}): RouteSpec[] {
  const shipments = route({
    method: 'get',
    path: '/v1/shipments.csv',
    access: 'read',
    operationId: 'exportShipments',
    tag: 'Shipments',
    summary:
      'The shipment list as CSV, with the same filters as GET /v1/shipments (q, orderId, stage, carrier, destination, from, to…), every page',
    query: shipmentExportQuery,
    answer: csvAnswer('One row per shipment, newest first'),
    responses: { '422': 'More rows than an export holds (export.too_large)' },
    handler: async ({ res, query }) => {
      const rows: Record<string, Cell>[] = [];
      let after: readonly [string, string] | undefined;
      for (;;) {
        const batch = await deps.shipments.list({ ...query, limit: BATCH, after });
        for (const r of batch) {
          const v = listItemView(r);
          rows.push({
            shipmentId: v.shipmentId,
            orderId: v.orderId,
            stage: v.stage,
            resolution: v.resolution,
            carrier: v.carrier,
            trackingNumber: v.trackingNumber,
            destination: v.destination,
            declaredValue: v.declaredValue,
            currency: v.currency,
            customerName: v.customerName,
            suspicionReason: v.suspicionReason,
            createdAt: v.createdAt,
            updatedAt: v.updatedAt,
          });
        }
        if (rows.length > MAX_EXPORT_ROWS) throw tooLarge('shipments');
        const last = batch.at(-1);
        if (batch.length < BATCH || !last) break;
        after = [last.createdAtText, last.shipmentId];
      }
      sendCsv(
        res,
        'shipments',
        [
          'shipmentId',
          'orderId',
          'stage',
          'resolution',
          'carrier',
          'trackingNumber',
          'destination',
          'declaredValue',
          'currency',
          'customerName',
          'suspicionReason',
          'createdAt',
          'updatedAt',
        ].map((k) => col(k)),
        rows,
      );
    },
  });

  const reviews = route({
    method: 'get',
    path: '/v1/reviews.csv',
    access: 'read',
    operationId: 'exportReviews',
    tag: 'Reviews',
    summary:
      'The pending review queue as CSV, oldest first, filtered by suspicion reason, carrier and destination country',
    query: reviewExportQuery,
    answer: csvAnswer('One row per pending review'),
    responses: { '422': 'More rows than an export holds (export.too_large)' },
    handler: async ({ res, query: q }) => {
      const rows: Record<string, Cell>[] = [];
      const carrier = q.carrier?.toLowerCase();
      let after: readonly [string, number] | undefined;
      for (;;) {
        const batch = await deps.reviews.pending({ limit: BATCH, after });
        for (const r of batch) {
          // The queue is bounded by the people working it: filtering a page in memory is cheap.
          if (q.reason && r.reason !== q.reason) continue;
          if (carrier && r.carrier.toLowerCase() !== carrier) continue;
          if (q.destination && r.destination !== q.destination) continue;
          rows.push({
            shipmentId: r.shipmentId,
            round: r.round,
            reason: r.reason,
            detectedAt: r.detectedAt,
            slaDeadline: r.slaDeadline,
            carrier: r.carrier,
            trackingNumber: r.trackingNumber,
            destination: r.destination,
            declaredValue: r.declaredValue,
            currency: r.currency,
          });
        }
        if (rows.length > MAX_EXPORT_ROWS) throw tooLarge('reviews');
        const last = batch.at(-1);
        if (batch.length < BATCH || !last) break;
        after = [last.cursorAt, last.id];
      }
      sendCsv(
        res,
        'reviews',
        [
          'shipmentId',
          'round',
          'reason',
          'detectedAt',
          'slaDeadline',
          'carrier',
          'trackingNumber',
          'destination',
          'declaredValue',
          'currency',
        ].map((k) => col(k)),
        rows,
      );
    },
  });

  const claims = route({
    method: 'get',
    path: '/v1/claims.csv',
    access: 'read',
    operationId: 'exportClaims',
    tag: 'Claims',
    summary:
      'The claim list as CSV, with the same filters as GET /v1/claims (status, carrier, shipmentId), every page',
    query: claimExportQuery,
    answer: csvAnswer(
      "One row per claim, newest first; id is ours, carrierClaimNumber the carrier's",
    ),
    responses: { '422': 'More rows than an export holds (export.too_large)' },
    handler: async ({ res, query }) => {
      const rows: Record<string, Cell>[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await deps.claims.list({ ...query, limit: BATCH, cursor });
        for (const r of page.rows) {
          rows.push({
            id: r.id,
            carrierClaimNumber: r.claimId,
            shipmentId: r.shipmentId,
            carrier: r.carrier,
            filer: r.filer ?? r.carrier,
            trackingNumber: r.trackingNumber,
            reason: r.reason,
            status: r.status,
            amountClaimed: r.amount,
            amountRecovered: r.amountRecovered,
            currency: r.currency,
            eligibleAt: iso(r.eligibleAt),
            windowClosesAt: iso(r.windowClosesAt),
            filedAt: iso(r.filedAt),
            decidedAt: iso(r.decidedAt),
            createdAt: iso(r.createdAt),
          });
        }
        if (rows.length > MAX_EXPORT_ROWS) throw tooLarge('claims');
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      sendCsv(
        res,
        'claims',
        [
          'id',
          'carrierClaimNumber',
          'shipmentId',
          'carrier',
          'filer',
          'trackingNumber',
          'reason',
          'status',
          'amountClaimed',
          'amountRecovered',
          'currency',
          'eligibleAt',
          'windowClosesAt',
          'filedAt',
          'decidedAt',
          'createdAt',
        ].map((k) => col(k)),
        rows,
      );
    },
  });

  return [shipments, reviews, claims];
}
