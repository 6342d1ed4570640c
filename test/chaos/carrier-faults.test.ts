import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultMode, FaultRoute, SandboxCall } from '../../src/carriers/sandbox/sandbox.server';
import { claims, reservations, reshipOrders, trackingEvents } from '../../src/db/schema';
import { claimWorkflowId } from '../../workflows/claim.contract';
import {
  replacementShipmentId,
  shipmentWorkflowId,
  type ShipmentRegistration,
} from '../../workflows/shipment.contract';
import { aFastPolicy, uniqueId } from '../helpers/factories';
import { startShipment, stateOf, type ShipmentHandle } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/**
 * The carrier misbehaves while lost parcels are escalated: 500s, 429s with Retry-After, and calls
 * whose answer never comes although the carrier did the work (label booked, claim filed, trace
 * opened). The activities retry; idempotency keys make every retry land on the first booking.
 */
const SHIPMENTS = 4;
const RETRY_AFTER_SECONDS = 3;

interface ScriptedFault {
  mode: Exclude<FaultMode, 'none' | 'hold'>;
  retryAfterSeconds?: number;
}

const rateLimited: ScriptedFault = { mode: 'rate_limit', retryAfterSeconds: RETRY_AFTER_SECONDS };
/**
 * One after the other per route, each on the next call that reaches it. The claim workflow gives
 * up a trace after three attempts of one activity (and then waits for days), so traces get two.
 */
const PLAN: Record<FaultRoute, ScriptedFault[]> = {
  track: [rateLimited, { mode: 'error500' }, { mode: 'lose_answer' }],
  label: [rateLimited, { mode: 'error500' }, { mode: 'lose_answer' }],
  trace: [rateLimited, { mode: 'lose_answer' }],
  claim: [rateLimited, { mode: 'error500' }, { mode: 'lose_answer' }],
};
const ROUTES = Object.keys(PLAN) as FaultRoute[];

let stack: TestStack;
const started: { reg: ShipmentRegistration; handle: ShipmentHandle }[] = [];

beforeAll(async () => {
  stack = await startTestStack({ ownDatabase: true });
});

afterAll(async () => {
  // Replacements and claims keep watching (days of follow-up): end them with the test.
  const ids = started.flatMap(({ reg }) => [
    shipmentWorkflowId(reg.shipmentId),
    shipmentWorkflowId(replacementShipmentId(reg.shipmentId)),
    claimWorkflowId(reg.shipmentId),
  ]);
  await Promise.all(
    ids.map((id) =>
      stack?.client.workflow
        .getHandle(id)
        .terminate('chaos test over')
        .catch(() => undefined),
    ),
  );
  await stack?.stop();
});

/** Sets the next fault of each route once the previous one has been served. */
function runFaultPlan(): { done: () => boolean; stop: () => void; served: () => string } {
  const next = Object.fromEntries(ROUTES.map((r) => [r, 0])) as Record<FaultRoute, number>;
  let stopped = false;
  let busy = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      for (const route of ROUTES) {
        if (stack.sandbox.store.faults.has(route) || next[route] >= PLAN[route].length) continue;
        const fault = PLAN[route][next[route]]!;
        await stack.sandbox.control({ route, count: 1, ...fault });
        next[route] += 1;
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 25);
  return {
    done: () =>
      ROUTES.every((r) => next[r] >= PLAN[r].length && !stack.sandbox.store.faults.has(r)),
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    served: () => ROUTES.map((r) => `${r}: ${next[r]}/${PLAN[r].length}`).join(', '),
  };
}

const faulted = (calls: SandboxCall[], route: FaultRoute, mode: FaultMode) =>
  calls.filter((c) => c.route === route && c.fault === mode);

/** The call after `call` with the same route and key (the retry), if any. */
const retryOf = (calls: SandboxCall[], call: SandboxCall) =>
  calls.find((c) => c.route === call.route && c.key === call.key && c.at > call.at) ??
  calls.find((c) => c !== call && c.route === call.route && c.key === call.key && c.at === call.at);

describe('a carrier that fails, rate-limits and loses answers during escalations', () => {
  it('every lost parcel is reshipped and claimed once: one label, one trace and one claim each, at the carrier and in our tables, and Retry-After is honoured', async () => {
    const policy = aFastPolicy(uniqueId('chaos-carrier'), {
      // Lost originals stall on their in-transit scan; replacements (no scan) stay quiet.
      stallAfter: { ...aFastPolicy('x').stallAfter, info_received: 'PT1H' },
      reviewSla: 'PT2S',
      autoDecision: { maxDeclaredValue: 1000, decision: 'reship' },
      overdueGrace: 'P30D',
    });
    const plan = runFaultPlan();
    try {
      for (let i = 0; i < SHIPMENTS; i++) {
        // DHL traces before a claim: the trace route is exercised too.
        const shipment = await startShipment(
          stack,
          policy,
          {
            carrier: 'dhl',
            declaredValue: 40,
            items: [{ sku: 'SKU-MUG', quantity: 1, unitPrice: 40 }],
          },
          {
            beforeStart: async (reg) => {
              // The carrier answers traces at once for this parcel (its days are nanoseconds).
              stack.sandbox.store.addEvents(reg.trackingNumber, []).timeScale = 1e9;
              await stack.db.insert(trackingEvents).values({
                shipmentId: reg.shipmentId,
                eventId: uniqueId('ev'),
                occurredAt: new Date(),
                status: 'in_transit',
                description: 'Departed origin hub',
                source: 'api',
              });
            },
          },
        );
        started.push(shipment);
      }

      // Every original closes as reshipped, and its claim is filed.
      for (const { reg, handle } of started) {
        const state = await waitUntil(
          `${reg.shipmentId} closed`,
          () => stateOf(handle),
          (s) => s.stage === 'closed',
          150_000,
          500,
        );
        expect(state.resolution).toBe('reshipped');
        expect(state.review).toMatchObject({
          decision: 'reship',
          reviewer: 'policy',
          automatic: true,
        });
      }
      const ids = started.map(({ reg }) => reg.shipmentId);
      const claimRows = await waitUntil(
        'every claim filed',
        () => stack.db.select().from(claims).where(inArray(claims.shipmentId, ids)),
        (rows) => rows.length === SHIPMENTS && rows.every((r) => r.status === 'filed' && r.claimId),
        120_000,
        500,
      );
      await waitUntil(
        'the whole fault plan served',
        async () => plan.served(),
        () => plan.done(),
        30_000,
      );
      plan.stop();

      const store = stack.sandbox.store;
      // At the carrier: one label, one trace and one claim per shipment, nothing else.
      expect(store.labels.size).toBe(SHIPMENTS);
      expect(store.traces.size).toBe(SHIPMENTS);
      expect(store.claims.size).toBe(SHIPMENTS);
      for (const { reg } of started) {
        const labels = [...store.labels.values()].filter(
          (l) => l.reference === replacementShipmentId(reg.shipmentId),
        );
        expect(labels, `labels of ${reg.shipmentId}`).toHaveLength(1);
        const traces = [...store.traces.values()].filter(
          (t) => t.trackingNumber === reg.trackingNumber,
        );
        expect(traces, `traces of ${reg.shipmentId}`).toHaveLength(1);
        const carrierClaims = [...store.claims.values()].filter(
          (c) => c.trackingNumber === reg.trackingNumber,
        );
        expect(carrierClaims, `claims of ${reg.shipmentId}`).toHaveLength(1);

        // In our tables: the same one of each.
        const orders = await stack.db
          .select()
          .from(reshipOrders)
          .where(eq(reshipOrders.originalShipmentId, reg.shipmentId));
        expect(orders).toHaveLength(1);
        expect(orders[0]!.labelId).toBe(labels[0]!.labelId);
        const reserved = await stack.db
          .select()
          .from(reservations)
          .where(eq(reservations.shipmentId, reg.shipmentId));
        expect(reserved).toHaveLength(1);
        const claim = claimRows.filter((c) => c.shipmentId === reg.shipmentId);
        expect(claim).toHaveLength(1);
        expect(claim[0]!.claimId).toBe(carrierClaims[0]!.claimId);
        expect((claim[0]!.trace as { traceId?: string } | null)?.traceId).toBe(traces[0]!.traceId);
      }

      const calls = [...store.calls];
      for (const route of ROUTES) {
        // Each scripted fault really answered (or swallowed) a call.
        for (const mode of new Set(PLAN[route].map((f) => f.mode))) {
          expect(faulted(calls, route, mode).length, `${route} calls answered with ${mode}`).toBe(
            PLAN[route].filter((f) => f.mode === mode).length,
          );
        }
        // A 429 is retried, and no earlier than its Retry-After (the sandbox's own timestamps).
        for (const limited of faulted(calls, route, 'rate_limit')) {
          const retry = retryOf(calls, limited);
          expect(retry, `a retry of the rate-limited ${route} call ${limited.key}`).toBeDefined();
          expect(
            retry!.at - limited.at,
            `ms between the 429 on ${route} ${limited.key} and its retry`,
          ).toBeGreaterThanOrEqual(limited.retryAfterSeconds! * 1000);
        }
        // A call whose answer was lost is retried under the same key (and found the first result).
        for (const lost of faulted(calls, route, 'lose_answer')) {
          expect(retryOf(calls, lost), `a retry of the ${route} call ${lost.key}`).toBeDefined();
        }
      }
    } finally {
      plan.stop();
    }
  }, 170_000);
});
