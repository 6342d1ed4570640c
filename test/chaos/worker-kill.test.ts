import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait';
import {
  autoReshipPolicy,
  batchDone,
  batchProgress,
  effectsOf,
  expectedEffects,
  registerBatch,
  seededRandom,
  startChaosStack,
  unsentMessages,
  type BatchParcel,
  type ChaosStack,
  type Progress,
} from './harness';

/**
 * Kill the worker at random points during a batch of lost parcels. Every parcel goes suspicion →
 * review auto-decided (reship) → stock reservation → reship label → customer email → claim. The
 * worker (a child process, as `npm run worker` runs it) gets SIGKILL several times while the
 * batch is in flight and is started again each time. Kill points are side-effect counts drawn
 * from a seeded random (CHAOS_SEED=<seed> replays a run), plus two kills while the carrier holds
 * label and claim requests, released after the kill: the carrier books for a worker that is gone
 * and never hears the answer, the case an idempotency key exists for.
 */
const rand = seededRandom();
/** With the 60 s start-up, the file stays within 4 minutes. */
const TEST_MS = 180_000;
let stack: ChaosStack;
const began = Date.now();
const log = (m: string) =>
  console.log(`[worker-kill seed=${rand.seed} +${((Date.now() - began) / 1000).toFixed(1)}s] ${m}`);

beforeAll(async () => {
  log(`seed ${rand.seed} (CHAOS_SEED=${rand.seed} replays this run)`);
  stack = await startChaosStack({ name: 'worker-kill', log });
  const policy = await stack.api.call(
    'PUT',
    '/v1/policies/chaos-auto-reship',
    autoReshipPolicy({ reviewSla: 'PT2S', stallAfter: 'PT3S' }),
  );
  expect(policy.status).toBe(200);
  await stack.worker.start();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

describe('the worker killed at random points during a batch of lost parcels', () => {
  it(
    'still takes every parcel to its end, each side effect exactly once here and at the carrier',
    async () => {
      const count = rand.int(12, 16);
      const start = Date.now();
      /** Everything below shares one budget, so the file stays within its timeout. */
      const budget = (share: number) =>
        Math.max(20_000, (TEST_MS - 10_000 - (Date.now() - start)) * share);
      let kills = 0;
      const killAndRestart = async (why: string, between?: () => Promise<void>) => {
        const seen = await batchProgress(stack.db, parcels);
        log(`kill ${++kills} (${why}) at ${describeProgress(seen)}`);
        await stack.worker.kill('SIGKILL');
        await between?.();
        await stack.worker.start();
      };
      const progressReaches = (what: string, reached: (p: Progress) => boolean, share: number) =>
        waitUntil(what, () => batchProgress(stack.db, parcels), reached, budget(share), 100);

      // Label requests are held by the carrier from the start (released at the second kill).
      await stack.sandbox.fault('label', 'hold');
      const parcels: BatchParcel[] = await registerBatch(stack, {
        count,
        policy: 'chaos-auto-reship',
        loss: 'carrier_lost',
        prefix: 'KILL',
      });
      log(`${count} parcels registered and scanned lost`);

      // 1. While parcels are verified, noticed and reserved.
      const t1 = rand.int(1, 2 * count - 1);
      await progressReaches(
        `${t1} delay notices + reservations`,
        (p) => p.delayNotices + p.reservations >= t1,
        0.3,
      );
      await killAndRestart(`delay notices + reservations reached ${t1}`);

      // 2. Label requests of this worker life reached the carrier and wait there; the worker dies,
      //    then the carrier books them: labels exist that the worker never heard of.
      const held = rand.int(1, count);
      const labelCallsBefore = stack.sandbox.store.counters.labelCalls;
      await waitUntil(
        `${held} label requests held by the carrier`,
        async () => stack.sandbox.store.counters.labelCalls - labelCallsBefore,
        (n) => n >= held,
        budget(0.3),
        100,
      );
      await stack.sandbox.fault('claim', 'hold');
      await killAndRestart(`${held} label requests of this life held`, () =>
        stack.sandbox.fault('label', 'none'),
      );
      log(`the carrier booked ${stack.sandbox.store.labels.size} labels for the killed worker`);

      // 3. While labels are recorded and customers told.
      const t3 = rand.int(1, 2 * count - 1);
      await progressReaches(
        `${t3} reship orders + reshipped notices`,
        (p) => p.reshipOrders + p.reshippedNotices >= t3,
        0.3,
      );
      await killAndRestart(`reship orders + reshipped notices reached ${t3}`);

      // 4. Claims reached the carrier and wait there; the worker dies, then the carrier files them.
      const heldClaims = rand.int(1, count);
      const claimCallsBefore = stack.sandbox.store.counters.claimCalls;
      await waitUntil(
        `${heldClaims} claim requests held by the carrier`,
        async () => stack.sandbox.store.counters.claimCalls - claimCallsBefore,
        (n) => n >= heldClaims,
        budget(0.4),
        100,
      );
      await killAndRestart(`${heldClaims} claim requests of this life held`, () =>
        stack.sandbox.fault('claim', 'none'),
      );

      // 5. Sometimes once more, while claims are recorded.
      if (rand.next() < 0.5) {
        const t5 = rand.int(1, count);
        await progressReaches(`${t5} claims filed`, (p) => p.claimsFiled >= t5, 0.3);
        await killAndRestart(`claims filed reached ${t5}`);
      }

      const finished = await waitUntil(
        'every parcel closed, claimed and told',
        () => batchProgress(stack.db, parcels),
        (p) => batchDone(p, count),
        budget(1),
        250,
      );
      await waitUntil(
        'every message sent',
        () => unsentMessages(stack.db, parcels),
        (n) => n === 0,
        budget(1),
        250,
      );
      const carrier = stack.sandbox.store.stats();
      log(
        `done after ${kills} kills: ${describeProgress(finished)}; the carrier saw ` +
          `${carrier.labelCalls} label and ${carrier.claimCalls} claim requests`,
      );
      expect(kills).toBeGreaterThanOrEqual(4);
      expect(stack.worker.starts()).toBe(kills + 1);

      const effects = [];
      for (const parcel of parcels) effects.push(await effectsOf(stack, parcel));
      expect(effects).toEqual(parcels.map((p) => expectedEffects(p.shipmentId)));
      // Nothing at the carrier that belongs to no parcel (a label under a stray reference).
      expect(stack.sandbox.store.labels.size).toBe(count);
      expect(stack.sandbox.store.claims.size).toBe(count);
    },
    TEST_MS,
  );
});

function describeProgress(p: Progress): string {
  return (
    `delay ${p.delayNotices}, reserved ${p.reservations}, labels ${p.reshipOrders}, ` +
    `told ${p.reshippedNotices}, claims ${p.claimsFiled}, closed ${p.closed}`
  );
}
