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
 * The production-shaped cluster (Temporal's own server on PostgreSQL, frontend, history, matching
 * and worker services as separate processes) with two workers of ours on one task queue. While a
 * batch of lost parcels goes through review, reship and claim, the history service is killed
 * (SIGKILL) and started again, twice, and one of the two workers is killed for good while the
 * carrier holds its label requests. The other worker takes over what the dead one held once its
 * activities time out; every parcel still ends closed, each side effect exactly once here and at
 * the carrier. Kill points are drawn from a seeded random (CHAOS_SEED=<seed> replays a run).
 */
const rand = seededRandom();
const TEST_MS = 240_000;
let stack: ChaosStack;
const began = Date.now();
const log = (m: string) =>
  console.log(`[cluster seed=${rand.seed} +${((Date.now() - began) / 1000).toFixed(1)}s] ${m}`);

// The first run on a machine builds the Temporal server with go install (several minutes).
beforeAll(async () => {
  log(`seed ${rand.seed} (CHAOS_SEED=${rand.seed} replays this run)`);
  stack = await startChaosStack({ name: 'cluster', log, temporal: 'cluster', workers: 2 });
  const policy = await stack.api.call(
    'PUT',
    '/v1/policies/chaos-auto-reship',
    autoReshipPolicy({ reviewSla: 'PT2S', stallAfter: 'PT3S' }),
  );
  expect(policy.status).toBe(200);
  for (const worker of stack.workers) await worker.start();
}, 1_800_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

describe('a batch of lost parcels on the production-shaped cluster', () => {
  it(
    'survives history crashes and the loss of one of two workers, each side effect exactly once',
    async () => {
      const cluster = stack.cluster!;
      const [survivor, victim] = stack.workers as [
        (typeof stack.workers)[0],
        (typeof stack.workers)[0],
      ];
      const count = rand.int(8, 12);
      const start = Date.now();
      const budget = (share: number) =>
        Math.max(20_000, (TEST_MS - 10_000 - (Date.now() - start)) * share);
      const progressReaches = (what: string, reached: (p: Progress) => boolean, share: number) =>
        waitUntil(what, () => batchProgress(stack.db, parcels), reached, budget(share), 100);
      const historyPids: number[] = [cluster.pid('history')!];
      const crashHistory = async (why: string) => {
        const seen = await batchProgress(stack.db, parcels);
        log(`history crash (${why}) at ${describeProgress(seen)}`);
        await cluster.kill('history', 'SIGKILL');
        expect(cluster.running('history')).toBe(false);
        // Waits until a workflow can be started and its first task polled again.
        await cluster.restart('history');
        historyPids.push(cluster.pid('history')!);
        log(`history back (pid ${cluster.pid('history')})`);
      };

      // Label requests are held by the carrier from the start (released once the victim is dead).
      await stack.sandbox.fault('label', 'hold');
      const parcels: BatchParcel[] = await registerBatch(stack, {
        count,
        policy: 'chaos-auto-reship',
        loss: 'carrier_lost',
        prefix: 'CLUSTER',
      });
      log(`${count} parcels registered and scanned lost`);

      // 1. History dies while parcels are verified, noticed and reserved.
      const t1 = rand.int(1, 2 * count - 1);
      await progressReaches(
        `${t1} delay notices + reservations`,
        (p) => p.delayNotices + p.reservations >= t1,
        0.3,
      );
      await crashHistory(`delay notices + reservations reached ${t1}`);

      // 2. Every label request waits at the carrier, so the two workers hold them between them;
      //    one worker dies for good, then the carrier books them: labels exist that the dead
      //    worker never heard of, and the survivor asks again once their timeout passes.
      const held = count;
      await waitUntil(
        `${held} label requests held by the carrier`,
        async () => stack.sandbox.store.counters.labelCalls,
        (n) => n >= held,
        budget(0.3),
        100,
      );
      log(`worker 2 killed with ${stack.sandbox.store.counters.labelCalls} label requests held`);
      await victim.kill('SIGKILL');
      await stack.sandbox.fault('label', 'none');

      // 3. History dies again while labels are recorded, customers told and claims filed.
      const t3 = rand.int(1, 2 * count - 1);
      await progressReaches(
        `${t3} reship orders + reshipped notices`,
        (p) => p.reshipOrders + p.reshippedNotices >= t3,
        0.4,
      );
      await crashHistory(`reship orders + reshipped notices reached ${t3}`);

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
        `done: ${describeProgress(finished)}; the carrier saw ${carrier.labelCalls} label ` +
          `(${carrier.labelCalls - count} asked again for the dead worker) and ` +
          `${carrier.claimCalls} claim requests`,
      );

      // Two crashes of history, each a new process; one worker gone, the other never restarted.
      expect(new Set(historyPids).size).toBe(3);
      expect(victim.alive()).toBe(false);
      expect(survivor.alive()).toBe(true);
      expect(survivor.starts()).toBe(1);
      expect(victim.starts()).toBe(1);

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
