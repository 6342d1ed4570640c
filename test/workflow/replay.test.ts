import { beforeAll, describe, expect, it } from 'vitest';
import { installRuntime } from '../../src/services';
import { recordedHistoryNames, replayRecordedHistories } from '../histories/replay';
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
});
