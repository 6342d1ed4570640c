import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import {
  cancelSignal,
  customerInquirySignal,
  refreshPolicySignal,
  reviewUpdate,
  SHIPMENT_WORKFLOW_TYPE,
  initialSearchAttributes,
  shipmentWorkflowId,
  stateQuery,
  trackingEventsSignal,
  trackingChangedSignal,
  trackingSummarySignal,
  type CustomerInquiry,
  type ReviewInput,
  type ReviewResult,
  type ShipmentRegistration,
  type ShipmentState,
  type ShipmentWorkflowInput,
  type TrackingChange,
  type TrackingEvent,
  type TrackingSummary,
} from '../../workflows/shipment.contract';
import { claimUpdateSignal, type ClaimUpdate } from '../../workflows/claim.contract';

export type StateAnswer =
  | { ok: true; state: ShipmentState }
  | { ok: false; reason: 'not_found' | 'unreachable'; error: unknown };

export interface WorkflowGatewayOptions {
  client: Client;
  taskQueue: string;
  /** How long a state query may take before we answer from the read model (no worker, server down). */
  queryTimeoutMs?: number;
  /** How long to wait for a review update to be accepted and completed by a worker. */
  updateTimeoutMs?: number;
}

async function delivered(send: () => Promise<void>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Everything the API asks of the shipment workflows, by the names of the contract module. */
export function createWorkflowGateway(opts: WorkflowGatewayOptions) {
  const { client, taskQueue } = opts;
  const queryTimeoutMs = opts.queryTimeoutMs ?? 5_000;
  const updateTimeoutMs = opts.updateTimeoutMs ?? 30_000;
  const handle = (shipmentId: string) => client.workflow.getHandle(shipmentWorkflowId(shipmentId));
  // One definition of how a shipment workflow starts, for start and signal-with-start alike.
  const startOptions = (registration: ShipmentRegistration, registeredAt: string) => {
    const input: ShipmentWorkflowInput = { registration, registeredAt };
    return {
      workflowId: shipmentWorkflowId(registration.shipmentId),
      taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes: initialSearchAttributes(registration),
    };
  };

  return {
    /** Starts the workflow once; an already started (or finished) one counts as success. */
    async start(
      registration: ShipmentRegistration,
      registeredAt: string,
    ): Promise<{ started: boolean }> {
      try {
        await client.workflow.start(
          SHIPMENT_WORKFLOW_TYPE,
          startOptions(registration, registeredAt),
        );
        return { started: true };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { started: false };
        throw err;
      }
    },

    async state(shipmentId: string): Promise<StateAnswer> {
      try {
        const state = await client.withDeadline(Date.now() + queryTimeoutMs, () =>
          handle(shipmentId).query(stateQuery),
        );
        return { ok: true, state };
      } catch (error) {
        return {
          ok: false,
          reason: error instanceof WorkflowNotFoundError ? 'not_found' : 'unreachable',
          error,
        };
      }
    },

    /** False when the workflow is closed (nothing left to tell); other failures throw. */
    async signalTrackingEvents(shipmentId: string, events: TrackingEvent[]): Promise<boolean> {
      return delivered(() => handle(shipmentId).signal(trackingEventsSignal, events));
    },

    /** The provider's word on the whole tracking; false when the workflow is closed. */
    async signalTrackingSummary(shipmentId: string, summary: TrackingSummary): Promise<boolean> {
      return delivered(() => handle(shipmentId).signal(trackingSummarySignal, summary));
    },

    /**
     * Signals the events, starting the workflow first when it never started (registered in the
     * read model, but the start was lost). False when the workflow already finished.
     */
    async signalWithStartTrackingEvents(
      registration: ShipmentRegistration,
      registeredAt: string,
      events: TrackingEvent[],
    ): Promise<boolean> {
      try {
        await client.workflow.signalWithStart(SHIPMENT_WORKFLOW_TYPE, {
          ...startOptions(registration, registeredAt),
          signal: trackingEventsSignal,
          signalArgs: [events],
        });
        return true;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
        throw err;
      }
    },

    /**
     * A claim's new status from the carrier or insurer, to the workflow following the claim (the
     * claim workflow, or the shipment workflow for claims it filed itself); false when it is closed.
     */
    async signalClaimUpdate(workflowId: string, update: ClaimUpdate): Promise<boolean> {
      return delivered(() =>
        client.workflow.getHandle(workflowId).signal(claimUpdateSignal, update),
      );
    },

    async signalInquiry(shipmentId: string, inquiry: CustomerInquiry): Promise<boolean> {
      return delivered(() => handle(shipmentId).signal(customerInquirySignal, inquiry));
    },

    /** The shop changed the parcel's tracking number or carrier; false when the workflow is closed. */
    async signalTrackingChanged(shipmentId: string, change: TrackingChange): Promise<boolean> {
      return delivered(() => handle(shipmentId).signal(trackingChangedSignal, change));
    },

    /** The order behind the shipment was cancelled (e.g. in its shop); false when closed. */
    async signalCancel(shipmentId: string, reason: string): Promise<boolean> {
      return delivered(() => handle(shipmentId).signal(cancelSignal, { reason }));
    },

    /** Tells a running workflow to re-resolve its policy (or switch to another); false when closed. */
    async signalRefreshPolicy(shipmentId: string, policy?: string): Promise<boolean> {
      return delivered(() =>
        handle(shipmentId).signal(refreshPolicySignal, policy === undefined ? {} : { policy }),
      );
    },

    /** The update id makes a retried decision for the same review round a no-op server-side. */
    async review(shipmentId: string, round: number, input: ReviewInput): Promise<ReviewResult> {
      return client.withDeadline(Date.now() + updateTimeoutMs, () =>
        handle(shipmentId).executeUpdate(reviewUpdate, {
          // The round lets the workflow tell a repeated decision from one for a later review.
          args: [{ ...input, round }],
          updateId: `review:${shipmentId}:${round}`,
        }),
      );
    },
  };
}
export type WorkflowGateway = ReturnType<typeof createWorkflowGateway>;
