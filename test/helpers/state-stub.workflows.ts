/**
 * A stand-in for the shipment workflow that only answers the `state` query with the state it was
 * started with, for API tests of routes that ask a running workflow (the customer page's helper).
 * Bundled on its own; registered under the shipment workflow's type so the API's handle finds it.
 */
import { condition, setHandler } from '@temporalio/workflow';
import { stateQuery, type ShipmentState } from '../../workflows/shipment.contract';

export async function shipmentWorkflow(state: ShipmentState): Promise<void> {
  setHandler(stateQuery, () => state);
  await condition(() => false);
}
