export { shipmentWorkflow } from './shipment.workflow';
