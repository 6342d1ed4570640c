import { createBatchActivities } from './batch.activities';
import { createCarrierActivities } from './carrier.activities';
import { createChannelActivities } from './channel.activities';
import { createClaimActivities } from './claims.activities';
import type { ActivityDeps } from './deps';
import { createInventoryActivities } from './inventory.activities';
import { createNotifyActivities } from './notify.activities';
import { createRefundActivities } from './refund.activities';
import { createReportActivities } from './report.activities';
import { createShipmentActivities } from './shipments.activities';
import { createShopActivities } from './shops.activities';

export type { ActivityDeps } from './deps';

/** Every activity, built from injected dependencies; the worker is the only composition root. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createShipmentActivities(deps),
    ...createInventoryActivities(deps),
    ...createCarrierActivities(deps),
    ...createNotifyActivities(deps),
    ...createChannelActivities(deps),
    ...createRefundActivities(deps),
    ...createShopActivities(deps),
    ...createClaimActivities(deps),
    ...createBatchActivities(),
    ...createReportActivities(deps),
  };
}
