import type { z } from 'zod';
import type { ShipmentState } from '../../workflows/shipment.contract';
import type { shipmentListResponse, shipmentViewResponse } from './shipments.schemas';
import type { ShipmentRow } from './shipments.repository';
import type { ExpectedDelivery } from '../estimates/estimate';
import { runningClocks, STAGE_LABELS, timelineLabel } from './shipments.labels';

// The answers' types come from their schemas: a field the schema adds is a compile error here.
type ShipmentView = z.input<typeof shipmentViewResponse>;
type ShipmentListItem = z.input<typeof shipmentListResponse>['items'][number];

/** Fields that come from the registration, whatever the source of the state. */
function registrationFields(row: ShipmentRow) {
  return {
    orderId: row.orderId,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    destination: row.destinationCountry,
    declaredValue: row.declaredValue,
    currency: row.currency,
    ...(row.registration.shop ? { shop: row.registration.shop } : {}),
    createdAt: row.createdAt.toISOString(),
  };
}

/** What only the single shipment's answer shows: who, where, what, and the related resources. */
function detailFields(row: ShipmentRow, reshipId: string | undefined) {
  const reg = row.registration;
  const id = encodeURIComponent(row.shipmentId);
  return {
    customer: reg.customer,
    address: reg.destination,
    items: reg.items,
    links: {
      self: `/v1/shipments/${id}`,
      ...(reg.replacementOf
        ? { original: `/v1/shipments/${encodeURIComponent(reg.replacementOf)}` }
        : {}),
      ...(reshipId ? { replacement: `/v1/shipments/${encodeURIComponent(reshipId)}` } : {}),
    },
  };
}

/** The contract shape of GET /v1/shipments/{id} from a workflow state. */
export function shipmentView(
  row: ShipmentRow,
  state: ShipmentState,
  source: ShipmentView['source'],
): ShipmentView {
  return {
    shipmentId: state.shipmentId,
    workflowId: row.workflowId,
    source,
    stage: state.stage,
    ...(state.resolution ? { resolution: state.resolution } : {}),
    policy: state.policy.name,
    ...registrationFields(row),
    registeredAt: state.registeredAt,
    ...(state.lastEvent ? { lastEvent: state.lastEvent } : {}),
    ...(state.carrierSummary ? { carrierSummary: state.carrierSummary } : {}),
    eventCount: state.eventCount,
    reviewRound: state.reviewRound,
    ...(state.expectedDeliveryAt ? { expectedDeliveryAt: state.expectedDeliveryAt } : {}),
    ...(state.suspicion
      ? {
          suspicion: {
            reason: state.suspicion.reason,
            detectedAt: state.suspicion.detectedAt,
            ...(state.suspicion.detail ? { detail: state.suspicion.detail } : {}),
            ...(state.suspicion.evidence ? { evidence: state.suspicion.evidence } : {}),
          },
        }
      : {}),
    ...(state.verification ? { verification: state.verification } : {}),
    ...(state.reopenedBecause ? { reopenedBecause: state.reopenedBecause } : {}),
    ...(state.review
      ? {
          review: {
            ...(state.review.round !== undefined ? { round: state.review.round } : {}),
            decision: state.review.decision,
            reviewer: state.review.reviewer,
            decidedAt: state.review.decidedAt,
            automatic: state.review.automatic,
            ...(state.review.note ? { note: state.review.note } : {}),
          },
        }
      : {}),
    ...(state.reship
      ? {
          reship: {
            shipmentId: state.reship.shipmentId,
            carrier: state.reship.carrier,
            trackingNumber: state.reship.trackingNumber,
            warehouseId: state.reship.warehouseId,
            ...(state.reship.channel ? { channel: state.reship.channel } : {}),
            ...(state.reship.channelReason ? { channelReason: state.reship.channelReason } : {}),
            ...(state.reship.insured !== undefined ? { insured: state.reship.insured } : {}),
            ...(state.reship.cost ? { cost: state.reship.cost } : {}),
            ...(state.reship.shopOrder ? { shopOrder: state.reship.shopOrder } : {}),
          },
        }
      : {}),
    ...(state.refund
      ? {
          refund: {
            amount: state.refund.amount,
            currency: state.refund.currency,
            recordedAt: state.refund.recordedAt,
            ...(state.refund.status ? { status: state.refund.status } : {}),
            ...(state.refund.reference ? { reference: state.refund.reference } : {}),
            ...(state.refund.shopId ? { shopId: state.refund.shopId } : {}),
            ...(state.refund.note ? { note: state.refund.note } : {}),
          },
        }
      : {}),
    ...(state.claim
      ? {
          claim: {
            workflowId: state.claim.workflowId,
            status: state.claim.status,
            reason: state.claim.reason,
            startedAt: state.claim.startedAt,
          },
        }
      : {}),
    ...(state.cancelled ? { cancelled: state.cancelled } : {}),
    notifications: state.notifications,
    timeline: state.timeline.map((e) => ({ ...e, label: timelineLabel(e.kind, e.detail) })),
    deadlines: runningClocks(state.stage, state.deadlines),
    stageLabel: STAGE_LABELS[state.stage],
    ...detailFields(row, state.reship?.shipmentId),
  };
}

/** When neither the workflow nor a snapshot can tell: what the read-model row itself knows. */
export function rowOnlyView(row: ShipmentRow): ShipmentView {
  return {
    shipmentId: row.shipmentId,
    workflowId: row.workflowId,
    source: 'read_model' as const,
    stage: row.stage,
    ...(row.resolution ? { resolution: row.resolution } : {}),
    policy: row.policy,
    ...registrationFields(row),
    registeredAt: row.createdAt.toISOString(),
    ...(row.suspicionReason && row.suspicionDetectedAt
      ? {
          suspicion: {
            reason: row.suspicionReason,
            detectedAt: row.suspicionDetectedAt.toISOString(),
          },
        }
      : {}),
    notifications: [],
    timeline: [],
    deadlines: {},
    stageLabel: STAGE_LABELS[row.stage],
    ...detailFields(row, undefined),
  };
}

export function listItemView(row: ShipmentRow): ShipmentListItem {
  return {
    shipmentId: row.shipmentId,
    workflowId: row.workflowId,
    stage: row.stage,
    ...(row.resolution ? { resolution: row.resolution } : {}),
    policy: row.policy,
    ...registrationFields(row),
    ...(row.suspicionReason ? { suspicionReason: row.suspicionReason } : {}),
    customerName: row.registration.customer.name,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The view with our expected delivery (src/estimates) when any source knows one. */
export function withExpectedDelivery<T extends object>(
  view: T,
  expectedDelivery: ExpectedDelivery | undefined,
): T {
  return expectedDelivery ? { ...view, expectedDelivery } : view;
}
