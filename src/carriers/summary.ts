/**
 * A provider's word on a whole tracking (overall status, proof of delivery), built the same way for
 * its webhooks and its lookups. Only a summary the workflow can act on is told: one that says more
 * than a scan (delivered, returned, an exception, an expiry) or carries a proof of delivery.
 */
import { SUMMARY_STATUSES_ACTED_ON } from '../../workflows/detection';
import type { ProofOfDeliveryRecord, TrackingSummary } from '../../workflows/shipment.contract';
import { withSummaryFinding } from '../tracking/description-rules';
import { lookupSummary, type StatusTable } from '../tracking/status-map';

export interface SummaryFacts {
  main: string | null | undefined;
  sub?: string | null;
  description?: string | null;
  updatedAt?: string;
  proofOfDelivery?: ProofOfDeliveryRecord;
}

export function summaryOf(
  provider: string,
  table: StatusTable,
  facts: SummaryFacts,
): TrackingSummary | undefined {
  if (!facts.main) return undefined;
  const sub = facts.sub ?? undefined;
  const mapped = lookupSummary(table, facts.main, sub);
  if (!SUMMARY_STATUSES_ACTED_ON.has(mapped.status) && !facts.proofOfDelivery) return undefined;
  return withSummaryFinding({
    provider,
    native: sub ? `${facts.main}/${sub}` : facts.main,
    status: mapped.status,
    ...(sub ? { subStatus: sub.slice(0, 100) } : {}),
    ...(facts.description ? { description: facts.description.slice(0, 500) } : {}),
    ...(facts.updatedAt ? { updatedAt: facts.updatedAt } : {}),
    ...(facts.proofOfDelivery ? { proofOfDelivery: facts.proofOfDelivery } : {}),
  });
}
