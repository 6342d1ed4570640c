import type { Client, WorkflowHandle } from '@temporalio/client';
import type { shipmentWorkflow } from '../../workflows/shipment.workflow';
import {
  SHIPMENT_WORKFLOW_TYPE,
  initialSearchAttributes,
  shipmentWorkflowId,
  stateQuery,
  type Policy,
  type ShipmentRegistration,
  type ShipmentState,
  type Stage,
} from '../../workflows/shipment.contract';
import { aRegistration, insertPolicy, insertShipmentRow } from './factories';
import type { TestStack } from './stack';
import { waitUntil } from './wait';

export type ShipmentHandle = WorkflowHandle<typeof shipmentWorkflow>;

/** Registers a shipment the way the API does (read-model row, then the workflow) under a policy. */
export async function startShipment(
  stack: TestStack,
  policy: Policy,
  overrides: Partial<ShipmentRegistration> = {},
  opts: {
    knownToCarrier?: boolean;
    beforeStart?: (reg: ShipmentRegistration) => Promise<void>;
  } = {},
): Promise<{ reg: ShipmentRegistration; handle: ShipmentHandle }> {
  await insertPolicy(stack.db, policy);
  const reg = aRegistration({ policy: policy.name, ...overrides });
  // The carrier has the parcel on its books (it printed the label), unless the test says otherwise.
  if (opts.knownToCarrier !== false) stack.sandbox.store.addEvents(reg.trackingNumber, []);
  await insertShipmentRow(stack.db, reg);
  await opts.beforeStart?.(reg);
  const handle = await stack.client.workflow.start<typeof shipmentWorkflow>(
    SHIPMENT_WORKFLOW_TYPE,
    {
      workflowId: shipmentWorkflowId(reg.shipmentId),
      taskQueue: stack.taskQueue,
      args: [{ registration: reg, registeredAt: new Date().toISOString() }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: initialSearchAttributes(reg),
    },
  );
  return { reg, handle };
}

export function stateOf(handle: WorkflowHandle): Promise<ShipmentState> {
  return handle.query(stateQuery);
}

/** Waits until the workflow reports the stage (by query), and returns its state then. */
export function waitForStage(
  handle: WorkflowHandle,
  stage: Stage,
  timeoutMs = 45_000,
): Promise<ShipmentState> {
  return waitUntil(
    `${handle.workflowId} to reach ${stage}`,
    () => stateOf(handle),
    (s) => s.stage === stage,
    timeoutMs,
  );
}

/** Waits until the shipment's workflow has completed (not only its stage closed); its result. */
export async function completedResult(
  client: Client,
  shipmentId: string,
): Promise<Awaited<ReturnType<typeof shipmentWorkflow>>> {
  const handle = client.workflow.getHandle<typeof shipmentWorkflow>(shipmentWorkflowId(shipmentId));
  await waitUntil(
    `${shipmentId} to complete`,
    async () => (await handle.describe()).status.name,
    (s) => s === 'COMPLETED',
  );
  return handle.result();
}
