/**
 * Settling a decision for the customer: a replacement (reshipping) or the money back (refunding),
 * then the customer hears of it (notifying), then the claim goes to its own workflow (claiming).
 */
import {
  ActivityFailure,
  ParentClosePolicy,
  patched,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CLAIM_WORKFLOW_TYPE,
  claimWorkflowId,
  startClaimOptions,
  type ClaimReason,
  type ClaimWorkflow,
} from '../claim.contract';
import {
  initialSearchAttributes,
  replacementShipmentId,
  SHIPMENT_WORKFLOW_TYPE,
  shipmentWorkflowId,
  type ShipmentRegistration,
  type ShipmentWorkflow,
} from '../shipment.contract';
import { now, type Next, type ShipmentContext } from './context';
import { SHOP_REPLACEMENT_ORDER } from './patches';
import { carrier, local, shop } from './proxies';

/** Reserves stock, chooses the channel, books a label and starts watching the replacement. */
export async function reship(ctx: ShipmentContext): Promise<Next> {
  const { reg } = ctx;
  const step = `${ctx.wfId}:reship:${ctx.state.reviewRound}`;
  const reservation = await local.reserveStock({
    idempotencyKey: `${step}:reserve`,
    shipmentId: reg.shipmentId,
    items: reg.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
    destinationCountry: reg.destination.country,
  });
  if (!reservation.ok) {
    // The activity recorded a purchase suggestion and alerted ops; the suspicion stands.
    return ctx.backToReview(
      'stock_shortfall',
      reservation.reason ??
        `short of ${reservation.shortfall.map((s) => `${s.sku} ×${s.missing}`).join(', ')}`,
    );
  }
  if (reservation.reason) ctx.note('stock_reserved', reservation.reason);
  const channel = await local.chooseReshipChannel({
    originCountry: reservation.warehouseCountry,
    destinationCountry: reg.destination.country,
    declaredValue: reg.declaredValue,
    currency: reg.currency,
    originalCarrier: reg.carrier,
    originalService: reg.service,
  });
  const replacementId = replacementShipmentId(reg.shipmentId);
  let booked;
  try {
    booked = await carrier.bookReshipLabel({
      idempotencyKey: `${step}:label`,
      original: reg,
      replacementShipmentId: replacementId,
      warehouseId: reservation.warehouseId,
      warehouseCountry: reservation.warehouseCountry,
      channel,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await local.releaseReservation({ idempotencyKey: `${step}:reserve` });
    return ctx.backToReview('label_refused', err.cause?.message ?? err.message);
  }
  const replacement = { ...booked.registration, replacementOf: reg.shipmentId };
  await startReplacement(replacementId, replacement);
  recordReship(ctx, replacementId, booked, reservation);
  if (reg.shop && patched(SHOP_REPLACEMENT_ORDER)) await replacementOrder(ctx, step, replacement);
  return 'notifying';
}

/**
 * The replacement as an order in the shop the original came from. A refusal does not hold the
 * customer up: the parcel is on its way and watched, and ops were alerted by the activity.
 */
async function replacementOrder(
  ctx: ShipmentContext,
  step: string,
  replacement: ShipmentRegistration,
): Promise<void> {
  try {
    const order = await shop.createShopReplacementOrder({
      idempotencyKey: `${step}:shop-order`,
      original: ctx.reg,
      replacementShipmentId: replacement.shipmentId,
      carrier: replacement.carrier,
      trackingNumber: replacement.trackingNumber,
    });
    if (ctx.state.reship) ctx.state.reship.shopOrder = order;
    ctx.note('shop_order', `${order.orderName ?? order.orderId} in shop ${order.shopId}`);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    ctx.note('shop_order_refused', err.cause?.message ?? err.message);
  }
}

type Booked = Awaited<ReturnType<typeof carrier.bookReshipLabel>>;
type Reserved = Extract<Awaited<ReturnType<typeof local.reserveStock>>, { ok: true }>;

/** The replacement is a shipment of its own, watched by its own workflow (which outlives this one). */
async function startReplacement(
  replacementId: string,
  replacement: ShipmentRegistration,
): Promise<void> {
  await startChild<ShipmentWorkflow>(SHIPMENT_WORKFLOW_TYPE, {
    workflowId: shipmentWorkflowId(replacementId),
    args: [{ registration: replacement, registeredAt: now() }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: initialSearchAttributes(replacement),
  });
}

function recordReship(
  ctx: ShipmentContext,
  replacementId: string,
  booked: Booked,
  reservation: Reserved,
): void {
  ctx.state.reship = {
    shipmentId: replacementId,
    workflowId: shipmentWorkflowId(replacementId),
    carrier: booked.registration.carrier,
    trackingNumber: booked.registration.trackingNumber,
    warehouseId: reservation.warehouseId,
    labelId: booked.labelId,
    reservationId: reservation.reservationId,
    channel: booked.channel,
    ...(booked.channelReason !== undefined ? { channelReason: booked.channelReason } : {}),
    insured: booked.insured,
    cost: booked.cost,
  };
  ctx.note(
    'reship_channel',
    `${booked.channel}${booked.insured ? ', insured' : ''}` +
      (booked.channelReason ? `: ${booked.channelReason}` : ''),
  );
  ctx.note(
    'reshipped',
    `${replacementId} via ${booked.registration.carrier} ${booked.registration.trackingNumber} from ${reservation.warehouseId}, ` +
      `cost ${booked.cost.total} ${booked.cost.currency}`,
  );
}

/**
 * Refunds through the seller's order system (once per review round). Out of the review: a refund
 * being retried is no open question. A refusal (a 4xx) sends the decision back to ops.
 */
export async function refund(ctx: ShipmentContext): Promise<Next> {
  const { state, reg } = ctx;
  try {
    state.refund = await local.issueRefund({
      idempotencyKey: `${ctx.wfId}:refund:${state.reviewRound}`,
      shipmentId: reg.shipmentId,
      amount: reg.declaredValue,
      currency: reg.currency,
      reason: state.suspicion?.reason ?? 'lost',
    });
  } catch (err) {
    // Transient failures are retried without end: what arrives here is a refusal (a 4xx).
    if (!(err instanceof ActivityFailure)) throw err;
    return ctx.backToReview('refund_rejected', err.cause?.message ?? err.message);
  }
  ctx.note(
    'refund',
    `${state.refund.amount} ${state.refund.currency} ${state.refund.status ?? 'refunded'}` +
      (state.refund.reference ? ` (reference ${state.refund.reference})` : '') +
      (state.refund.note ? `: ${state.refund.note}` : ''),
  );
  return 'notifying';
}

/** The customer hears of the outcome: the refund or the replacement. */
export async function notify(ctx: ShipmentContext): Promise<Next> {
  const { state } = ctx;
  if (state.review?.decision !== 'refund') {
    await ctx.notifyCustomer('reshipped', `reshipped:${state.reviewRound}`);
    return 'claiming';
  }
  // Runs that decided before the refunding stage existed (REFUND_STAGE) refund here first.
  if (!state.refund) {
    const next = await refund(ctx);
    if (next !== 'notifying') return next;
  }
  await ctx.notifyCustomer('refunded', 'refunded');
  return 'claiming';
}

/**
 * Hands the claim to its own workflow, which outlives this one: it waits out the carrier's or
 * insurer's waiting period, files with the evidence and follows the claim up. The shipment is
 * settled for the customer, so it closes.
 */
export async function startClaim(ctx: ShipmentContext): Promise<Next> {
  const { state, reg } = ctx;
  const resolution = state.review?.decision === 'refund' ? 'refunded' : 'reshipped';
  const damaged =
    state.suspicion?.reason === 'carrier_damaged' || state.suspicion?.reason === 'damaged';
  const reason: ClaimReason = damaged ? 'damaged' : 'lost';
  const workflowId = claimWorkflowId(reg.shipmentId);
  try {
    await startChild<ClaimWorkflow>(CLAIM_WORKFLOW_TYPE, {
      ...startClaimOptions({
        registration: reg,
        reason,
        parentWorkflowId: ctx.wfId,
        ...(reg.insurance ? { insurance: reg.insurance } : {}),
      }),
    });
    ctx.note('claim_started', `${workflowId} (${reason})`);
  } catch (err) {
    // One claim per shipment: a claim workflow already there (started by hand) is that claim.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    ctx.note('claim_already_open', workflowId);
  }
  state.claim = { workflowId, status: 'pending_eligibility', reason, startedAt: now() };
  return { close: resolution };
}
