import { beforeAll, describe, expect, it } from 'vitest';
import { installRuntime } from '../../src/services';
import {
  CARRIER_CHECK_LOCAL,
  LOCAL_ACTIVITIES,
  NOTICE_AFTER_REVIEW,
  REFUND_STAGE,
  TASK_CLOCK,
} from '../../workflows/shipment/patches';
import {
  activitiesIn,
  patchesIn,
  recordedHistoryNames,
  replayRecordedHistories,
  stagesIn,
} from '../histories/replay';
import { testDataConverter } from '../helpers/payload-key';
import { workflowBundle } from '../helpers/stack';

/**
 * The determinism guard: every recorded run (npm run histories:record) must replay against the
 * workflow code as it is now. A failure here means a change would break running workflows: use
 * patched() for live ones, or re-record when the change is meant for new workflows only.
 */
describe('recorded workflow histories', () => {
  // The replay worker's own logging at WARN: a failure is reported by the test, not the log.
  beforeAll(() => installRuntime());

  it('there are recorded histories to replay (an empty folder guards nothing)', async () => {
    expect(await recordedHistoryNames()).not.toEqual([]);
  });

  it('every recorded history replays against the current workflow code without nondeterminism', async () => {
    const names = await recordedHistoryNames();
    expect(names.length).toBeGreaterThan(0);
    // With payload encryption on, as every worker runs: the plaintext recordings pass through.
    const failures = await replayRecordedHistories(
      await workflowBundle(),
      names,
      undefined,
      testDataConverter(),
    );
    expect(failures, failures.map((f) => `${f.history}: ${f.error}`).join('\n')).toEqual([]);
  }, 180_000);

  it('the refund-stage recording refunds in its own stage, and the refunds recorded before the patch still refund in notifying', async () => {
    const refundedInNotifying = [
      'refund.run2',
      'carrier-lost-refund',
      'shortfall-then-refund.run2',
      'sla-auto-decision.run2',
    ];
    expect(await recordedHistoryNames()).toEqual(
      expect.arrayContaining(['refund-stage.run1', 'refund-stage.run2', ...refundedInNotifying]),
    );
    expect(await patchesIn('refund-stage.run2')).toContain(REFUND_STAGE);
    expect(await stagesIn('refund-stage.run2')).toEqual([
      'refunding',
      'notifying',
      'claiming',
      'closed',
    ]);
    // Re-recording these would lose the proof that runs from before the patch replay.
    for (const name of refundedInNotifying) {
      expect(await patchesIn(name), name).not.toContain(REFUND_STAGE);
      const stages = await stagesIn(name);
      expect(stages.slice(-3), name).toEqual(['notifying', 'claiming', 'closed']);
    }
  });

  it("the provider's summary recordings: an expiry goes to review, a delivery settles the parcel", async () => {
    expect(await stagesIn('carrier-stopped-tracking')).toEqual(
      expect.arrayContaining(['verifying', 'awaiting_review']),
    );
    expect(await stagesIn('summary-delivered')).toEqual(
      expect.arrayContaining(['delivered', 'closed']),
    );
  });

  it('the quick database steps run as local activities, and ops see the review before the customer is told; runs recorded before still replay their regular activities', async () => {
    const fast = await activitiesIn('notice-after-review');
    expect(await patchesIn('notice-after-review')).toEqual(
      expect.arrayContaining([LOCAL_ACTIVITIES, NOTICE_AFTER_REVIEW]),
    );
    // Only the carrier and the reship's own steps leave the workflow task.
    expect(fast.filter((a) => !a.startsWith('local:'))).not.toEqual(
      expect.arrayContaining(['recordSnapshot', 'openReview', 'sendNotification']),
    );
    const review = fast.indexOf('local:openReview');
    const notice = fast.indexOf('local:sendNotification');
    expect(review).toBeGreaterThan(fast.indexOf('checkWithCarrier'));
    expect(notice).toBeGreaterThan(review);

    // The same life before the patches: regular activities, the notice before the review.
    const before = await activitiesIn('stalled-reship-claim');
    expect(await patchesIn('stalled-reship-claim')).not.toContain(LOCAL_ACTIVITIES);
    expect(before.some((a) => a.startsWith('local:'))).toBe(false);
    expect(before.indexOf('sendNotification')).toBeLessThan(before.indexOf('openReview'));
  });

  it("verification's carrier lookup runs inside the workflow task, before the review opens; runs recorded before still look up with a regular activity", async () => {
    const inTask = await activitiesIn('carrier-check-local');
    expect(await patchesIn('carrier-check-local')).toEqual(
      expect.arrayContaining([CARRIER_CHECK_LOCAL, NOTICE_AFTER_REVIEW]),
    );
    expect(inTask).not.toContain('checkWithCarrier');
    expect(inTask.indexOf('local:checkWithCarrier')).toBeGreaterThan(-1);
    expect(inTask.indexOf('local:openReview')).toBeGreaterThan(
      inTask.indexOf('local:checkWithCarrier'),
    );
    const before = await activitiesIn('notice-after-review');
    expect(await patchesIn('notice-after-review')).not.toContain(CARRIER_CHECK_LOCAL);
    expect(before).toContain('checkWithCarrier');
  });

  it('the task-clock recording takes the patch at the start; runs recorded before replay without it', async () => {
    expect(await patchesIn('task-clock')).toEqual(
      expect.arrayContaining([TASK_CLOCK, CARRIER_CHECK_LOCAL, NOTICE_AFTER_REVIEW]),
    );
    expect(await patchesIn('carrier-check-local')).not.toContain(TASK_CLOCK);
    expect(await stagesIn('task-clock')).toEqual(
      expect.arrayContaining(['verifying', 'awaiting_review', 'reshipping']),
    );
  });
});
