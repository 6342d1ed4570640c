import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import {
  customerInquirySignal,
  reviewUpdate,
  SHIPMENT_WORKFLOW_TYPE,
  initialSearchAttributes,
  shipmentWorkflowId,
  stateQuery,
  trackingEventsSignal,
  type CustomerInquiry,
  type ReviewInput,
  type ReviewResult,
  type ShipmentRegistration,
  type ShipmentState,
  type ShipmentWorkflowInput,
  type TrackingEvent,
} from '../../workflows/shipment.contract';

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

  return {
    /** Starts the workflow once; an already started (or finished) one counts as success. */
    async start(
      registration: ShipmentRegistration,
      registeredAt: string,
    ): Promise<{ started: boolean }> {
      const input: ShipmentWorkflowInput = { registration, registeredAt };
      try {
        await client.workflow.start(SHIPMENT_WORKFLOW_TYPE, {
          workflowId: shipmentWorkflowId(registration.shipmentId),
          taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: initialSearchAttributes(registration),
        });
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

    async signalInquiry(shipmentId: string, inquiry: CustomerInquiry): Promise<boolean> {
      return delivered(() => handle(shipmentId).signal(customerInquirySignal, inquiry));
    },

    /** The update id makes a retried decision for the same review round a no-op server-side. */
    async review(shipmentId: string, round: number, input: ReviewInput): Promise<ReviewResult> {
      return client.withDeadline(Date.now() + updateTimeoutMs, () =>
        handle(shipmentId).executeUpdate(reviewUpdate, {
          args: [input],
          updateId: `review:${shipmentId}:${round}`,
        }),
      );
    },
  };
}
export type WorkflowGateway = ReturnType<typeof createWorkflowGateway>;
