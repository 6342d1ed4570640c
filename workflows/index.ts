export { shipmentWorkflow } from './shipment.workflow';
export { claimWorkflow } from './claim.workflow';
export { batchReviewWorkflow } from './batch-review.workflow';
export { reportWorkflow } from './report.workflow';
