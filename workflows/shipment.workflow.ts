/**
 * The shipment workflow: one per parcel, from label to delivery or to a settled claim.
 * Setup (state + handlers) first, then the stage loop runs one named step per stage:
 *
 *   monitoring → verifying → awaiting_review → reshipping or refunding → notifying → claiming
 *   (a delivered parcel is watched in `delivered`; every path ends in `closed`)
 *
 * The steps live in `shipment/`, one file per phase; what they share is `ShipmentContext`.
 */
import { log, patched } from '@temporalio/workflow';
import type { ShipmentState, ShipmentWorkflowInput, Stage } from './shipment.contract';
import { ShipmentContext, type Next } from './shipment/context';
import { prepareDeliveredWatch, watchDelivered } from './shipment/delivered';
import { registerHandlers } from './shipment/handlers';
import { monitor } from './shipment/monitor';
import { SNAPSHOT_EVERY_FACT } from './shipment/patches';
import { openReview, review } from './shipment/review';
import { notify, refund, reship, startClaim } from './shipment/settle';
import { quick } from './shipment/proxies';
import { verify } from './shipment/verify';

type Step = (ctx: ShipmentContext) => Promise<Next>;

/** What each stage does; each step answers the next stage, or how the shipment closes. */
const STEPS: Record<Exclude<Stage, 'closed'>, Step> = {
  monitoring: monitor,
  verifying: verify,
  awaiting_review: review,
  reshipping: reship,
  refunding: refund,
  notifying: notify,
  claiming: startClaim,
  delivered: watchDelivered,
};

/** Work done before a stage is published, so what a query shows is already true. */
const PREPARE: Partial<Record<Stage, (ctx: ShipmentContext) => Promise<void>>> = {
  awaiting_review: openReview,
  delivered: prepareDeliveredWatch,
};

/** Stages a cancellation stops before they start (settling a decision goes on). */
const CANCELLABLE: readonly Stage[] = ['monitoring', 'awaiting_review', 'verifying'];

export async function shipmentWorkflow(input: ShipmentWorkflowInput): Promise<ShipmentState> {
  const ctx = new ShipmentContext(input);
  registerHandlers(ctx);
  await begin(ctx);
  log.info('shipment workflow running', { shipmentId: ctx.reg.shipmentId, stage: ctx.state.stage });

  for (;;) {
    if (ctx.state.stage === 'closed') return ctx.state;
    const next = await STEPS[ctx.state.stage](ctx);
    if (typeof next === 'object') return ctx.close(next.close);
    if (ctx.cancelRequested && CANCELLABLE.includes(next)) return ctx.close('cancelled');
    await PREPARE[next]?.(ctx);
    await ctx.enter(next);
  }
}

/**
 * A new shipment resolves its policy, takes in the scans stored before it started and writes its
 * first snapshot. A continued run starts from the carried state.
 */
async function begin(ctx: ShipmentContext): Promise<void> {
  const { input, reg, state } = ctx;
  if (!input.carried) {
    state.policy = await quick().resolvePolicy(reg.policy);
    ctx.takeEvents(await quick().loadTrackingEvents(reg.shipmentId), ' (stored before the start)');
    ctx.note(
      'registered',
      `${reg.carrier} ${reg.trackingNumber} → ${reg.destination.country}, policy ${reg.policy}` +
        (state.policy.version !== undefined ? ` version ${state.policy.version}` : ''),
    );
    await ctx.recordSnapshot();
  } else if (patched(SNAPSHOT_EVERY_FACT)) {
    // Facts taken in after the previous run's last snapshot reach the read model.
    await ctx.recordSnapshot();
  }
}
