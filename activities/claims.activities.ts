import { and, eq, ne } from 'drizzle-orm';
import { unsupported, type ClaimFiled, type TraceOpened } from '../src/carriers/carrier';
import { claimFiling } from '../src/claims/claims.guides';
import type { ClaimDeadlines, ClaimSubmission, ClaimTimings } from '../workflows/claim.contract';
import { DECIDED_STATUSES, selectClaimRule } from '../workflows/claim.eligibility';
import {
  buildEvidencePackage,
  needsProofOfDelivery,
  withProofOfDelivery,
} from '../src/claims/claims.evidence';
import { CLAIM_RULES, type ClaimRule, type EvidenceItem } from '../workflows/claim.rules';
import { claimHistory, claims } from '../src/db/schema';
import { recordEvent } from '../src/events/events.repository';
import type { ClaimReason, ClaimStatus } from '../workflows/claim.contract';
import type { ActivityDeps } from './deps';
import { carrierCall, toActivityFailure } from './failures';

export interface OpenClaimInput {
  idempotencyKey: string;
  workflowId: string;
  shipmentId: string;
  carrier: string;
  filer: string;
  trackingNumber: string;
  reason: ClaimReason;
  amount: number;
  currency: string;
  ruleName: string;
  deadlines: ClaimDeadlines;
}

export interface ClaimSubmissionInput {
  idempotencyKey: string;
  claimRowId: number;
  filer: string;
  externalClaimId: string;
  submission: ClaimSubmission;
}

export function createClaimActivities({ db, carriers, clock = () => new Date() }: ActivityDeps) {
  /** One history row per change: a retried activity finds the status already set and adds none. */
  async function setStatus(input: {
    claimRowId: number;
    status: ClaimStatus;
    detail?: string;
    amountRecovered?: number;
  }): Promise<{ changed: boolean }> {
    return db.transaction(async (tx) => {
      const now = clock();
      const decided = DECIDED_STATUSES.includes(input.status);
      const updated = await tx
        .update(claims)
        .set({
          status: input.status,
          updatedAt: now,
          ...(input.amountRecovered !== undefined
            ? { amountRecovered: input.amountRecovered }
            : {}),
          ...(decided ? { decidedAt: now } : {}),
        })
        .where(and(eq(claims.id, input.claimRowId), ne(claims.status, input.status)))
        .returning({
          id: claims.id,
          shipmentId: claims.shipmentId,
          claimId: claims.claimId,
          amount: claims.amount,
          amountRecovered: claims.amountRecovered,
          currency: claims.currency,
        });
      const [claim] = updated;
      if (!claim) return { changed: false };
      await tx.insert(claimHistory).values({
        claimRowId: input.claimRowId,
        status: input.status,
        detail: input.detail ?? null,
        at: now,
      });
      // The outcome, in the same transaction as the status (once per claim and outcome).
      if (decided) {
        await recordEvent(tx, {
          type: 'claim.settled',
          dedupeKey: `claim.settled:${claim.id}:${input.status}`,
          shipmentId: claim.shipmentId,
          occurredAt: now,
          data: {
            shipmentId: claim.shipmentId,
            claimId: claim.claimId,
            status: input.status,
            amountClaimed: claim.amount,
            ...(claim.amountRecovered !== null ? { amountRecovered: claim.amountRecovered } : {}),
            currency: claim.currency,
          },
        });
      }
      return { changed: true };
    });
  }

  return {
    /** The claim rule for a carrier or insurer, read from the rule data (so a rule change never breaks replay). */
    async resolveClaimRule(input: { filer: string; domestic: boolean }): Promise<ClaimRule> {
      return selectClaimRule(CLAIM_RULES, input.filer, input.domestic);
    },

    /** Opens the claim's record (`pending_eligibility`) once per key, with its deadlines. */
    async openClaim(input: OpenClaimInput): Promise<{ claimRowId: number; status: string }> {
      return db.transaction(async (tx) => {
        const inserted = await tx
          .insert(claims)
          .values({
            idempotencyKey: input.idempotencyKey,
            workflowId: input.workflowId,
            shipmentId: input.shipmentId,
            carrier: input.carrier,
            filer: input.filer,
            ruleName: input.ruleName,
            trackingNumber: input.trackingNumber,
            reason: input.reason,
            status: 'pending_eligibility',
            amount: input.amount,
            currency: input.currency,
            evidence: {},
            eligibleAt: new Date(input.deadlines.eligibleAt),
            warnAt: new Date(input.deadlines.warnAt),
            windowClosesAt: new Date(input.deadlines.windowClosesAt),
          })
          .onConflictDoNothing()
          .returning({ id: claims.id });
        if (inserted[0]) {
          await tx.insert(claimHistory).values({
            claimRowId: inserted[0].id,
            status: 'pending_eligibility',
            detail: `${input.ruleName}: eligible from ${input.deadlines.eligibleAt}, window closes ${input.deadlines.windowClosesAt}`,
          });
          return { claimRowId: inserted[0].id, status: 'pending_eligibility' };
        }
        const [row] = await tx
          .select({ id: claims.id, status: claims.status })
          .from(claims)
          .where(eq(claims.idempotencyKey, input.idempotencyKey));
        if (!row) throw new Error(`claim row ${input.idempotencyKey} vanished`);
        return { claimRowId: row.id, status: row.status };
      });
    },

    /**
     * Opens (or, with the same key, re-reads) the carrier trace a rule asks for before a claim,
     * and keeps it on the claim.
     */
    async openClaimTrace(input: {
      idempotencyKey: string;
      claimRowId: number;
      filer: string;
      trackingNumber: string;
      reason: ClaimReason;
      shipmentId: string;
    }): Promise<TraceOpened> {
      const trace = await carrierCall(() =>
        carriers.get(input.filer).openTrace({
          idempotencyKey: input.idempotencyKey,
          trackingNumber: input.trackingNumber,
          reason: input.reason,
          description: `Parcel ${input.trackingNumber} (shipment ${input.shipmentId}) has not arrived; please trace it.`,
        }),
      );
      await db
        .update(claims)
        .set({ trace, updatedAt: clock() })
        .where(eq(claims.id, input.claimRowId));
      return trace;
    },

    /**
     * Assembles the evidence package from what we hold (and the carrier's proof of delivery when
     * the rule asks for it or a scan says delivered) and stores it on the claim. Filing sends
     * exactly what was stored.
     */
    async buildClaimEvidence(input: {
      claimRowId: number;
      shipmentId: string;
      filer: string;
      carrier: string;
      trackingNumber: string;
      rule: ClaimRule;
      reason: ClaimReason;
      amountClaimed: number;
      currency: string;
      trace?: { traceId: string; status: string; openedAt: string };
    }): Promise<{ items: number; missing: EvidenceItem[] }> {
      let pkg = await buildEvidencePackage(db, {
        shipmentId: input.shipmentId,
        filer: input.filer,
        rule: input.rule,
        reason: input.reason,
        amountClaimed: input.amountClaimed,
        currency: input.currency,
        trace: input.trace,
        preparedAt: clock(),
      });
      if (needsProofOfDelivery(pkg)) {
        const tracked = await carrierCall(() =>
          carriers.get(input.carrier).track(input.trackingNumber),
        );
        if (tracked.proofOfDelivery) pkg = withProofOfDelivery(pkg, tracked.proofOfDelivery);
      }
      await db
        .update(claims)
        .set({ evidence: pkg, updatedAt: clock() })
        .where(eq(claims.id, input.claimRowId));
      return { items: pkg.required.length - pkg.missing.length, missing: pkg.missing };
    },

    /** Asks the carrier or insurer where a filed claim stands. */
    async pollClaimStatus(input: { filer: string; externalClaimId: string }): Promise<ClaimFiled> {
      return carrierCall(() => carriers.get(input.filer).claimStatus(input.externalClaimId));
    },

    /** Records a status change of the claim (and what was recovered) with its history row. */
    recordClaimStatus: setStatus,

    /** The timings after filing (answer, appeal, payment) from the filer's claim guide. */
    async resolveClaimTimings(input: { filer: string }): Promise<ClaimTimings> {
      const { answerWithin, appealWithin, paymentWithin, remindBefore } = claimFiling(input.filer);
      return { answerWithin, appealWithin, paymentWithin, remindBefore };
    },

    /** Sends ops' answer to the carrier's request for information (same key, same answer). */
    async sendClaimAnswer(input: ClaimSubmissionInput): Promise<ClaimFiled> {
      const c = carriers.get(input.filer);
      const answer = c.answerClaim?.bind(c);
      if (!answer) throw toActivityFailure(unsupported(input.filer, 'answers to claim requests'));
      return carrierCall(() =>
        answer(input.externalClaimId, {
          idempotencyKey: input.idempotencyKey,
          message: input.submission.message,
          attachments: input.submission.attachments,
        }),
      );
    },

    /** Appeals a denied claim with ops' new evidence (same key, same appeal). */
    async appealClaim(input: ClaimSubmissionInput): Promise<ClaimFiled> {
      const c = carriers.get(input.filer);
      const appeal = c.appealClaim?.bind(c);
      if (!appeal) throw toActivityFailure(unsupported(input.filer, 'claim appeals'));
      return carrierCall(() =>
        appeal(input.externalClaimId, {
          idempotencyKey: input.idempotencyKey,
          message: input.submission.message,
          attachments: input.submission.attachments,
        }),
      );
    },

    /**
     * Files a claim the carrier denied with the insurer the shipment was insured with, with the
     * stored evidence and the carrier's denial, and moves our claim row over to the insurer.
     * The same key files once with the insurer.
     */
    async escalateClaimToInsurer(input: {
      idempotencyKey: string;
      claimRowId: number;
      insurer: string;
      carrier: string;
      carrierClaimId?: string;
      trackingNumber: string;
      reason: ClaimReason;
      amount: number;
      currency: string;
      denial: string;
    }): Promise<ClaimFiled> {
      const [row] = await db
        .select({ evidence: claims.evidence })
        .from(claims)
        .where(eq(claims.id, input.claimRowId));
      const filed = await carrierCall(() =>
        carriers.get(input.insurer).fileClaim({
          idempotencyKey: input.idempotencyKey,
          trackingNumber: input.trackingNumber,
          reason: input.reason,
          amount: input.amount,
          currency: input.currency,
          description: `${input.carrier} denied claim ${input.carrierClaimId ?? '(no id)'} for parcel ${input.trackingNumber}: ${input.denial}`,
          evidence: {
            ...((row?.evidence as Record<string, unknown> | undefined) ?? {}),
            carrierDenial: {
              carrier: input.carrier,
              claimId: input.carrierClaimId,
              denial: input.denial,
            },
          },
        }),
      );
      await db
        .update(claims)
        .set({
          filer: input.insurer,
          claimId: filed.claimId,
          amount: input.amount,
          updatedAt: clock(),
        })
        .where(eq(claims.id, input.claimRowId));
      return filed;
    },
  };
}
