import { buildEvidencePackage } from '../../src/claims/claims.evidence';
import { CLAIM_RULES } from '../../workflows/claim.rules';
import type { Db } from '../../src/db/client';
import { claimHistory, claims } from '../../src/db/schema';
import { selectClaimRule } from '../../workflows/claim.eligibility';
import { aRegistration, insertShipmentRow } from './factories';

/**
 * A filed claim row of a new shipment, with its evidence package and history, as the claim
 * workflow leaves it (for tests that read claims through the API).
 */
export async function aFiledClaim(db: Db): Promise<{ id: number; shipmentId: string }> {
  const reg = aRegistration({ declaredValue: 42 });
  await insertShipmentRow(db, reg);
  const rule = selectClaimRule(CLAIM_RULES, reg.carrier, false);
  const evidence = await buildEvidencePackage(db, {
    shipmentId: reg.shipmentId,
    filer: reg.carrier,
    rule,
    reason: 'lost',
    amountClaimed: 42,
    currency: 'USD',
    preparedAt: new Date('2026-03-20T08:00:00Z'),
  });
  const [row] = await db
    .insert(claims)
    .values({
      idempotencyKey: `claim:${reg.shipmentId}:open`,
      workflowId: `claim:${reg.shipmentId}`,
      shipmentId: reg.shipmentId,
      carrier: reg.carrier,
      filer: reg.carrier,
      ruleName: rule.name,
      trackingNumber: reg.trackingNumber,
      reason: 'lost',
      status: 'filed',
      amount: 42,
      currency: 'USD',
      evidence,
      eligibleAt: new Date('2026-03-08T09:00:00Z'),
      windowClosesAt: new Date('2026-03-31T09:00:00Z'),
      filedAt: new Date('2026-03-09T10:00:00Z'),
      claimId: 'CLM-1',
    })
    .returning({ id: claims.id });
  await db.insert(claimHistory).values([
    { claimRowId: row!.id, status: 'pending_eligibility', at: new Date('2026-03-01T10:00:00Z') },
    { claimRowId: row!.id, status: 'filed', at: new Date('2026-03-09T10:00:00Z'), detail: 'ok' },
  ]);
  return { id: row!.id, shipmentId: reg.shipmentId };
}
