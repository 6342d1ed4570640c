/**
 * A worker may end a workflow task right after a local activity's marker and send the commands
 * that followed in a task of its own; a replay resolves that activity within the first task. The
 * runs that decide their patches at the start (`decidePatches`) must replay every such variant of
 * their recorded histories. Before, the proof-of-delivery check asked its patch right after the
 * `verifying` snapshot, and a history split there failed with "patch marker encountered … no
 * corresponding change command" (seen under load when queries and signals met a snapshot).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRuntime } from '../../src/services';
import { historyFromStoredJSON } from '../../src/temporal/history-codec';
import { INQUIRY_REVIEW } from '../../workflows/shipment/patches';
import { HISTORIES_DIR, patchesIn, recordedHistoryNames } from '../histories/replay';
import { splitAfter, splitPoints } from '../histories/split';
import { testDataConverter } from '../helpers/payload-key';
import { workflowBundle } from '../helpers/stack';

/** The recorded runs that decided their patches at the start. */
async function startPatchedHistories(): Promise<string[]> {
  const names: string[] = [];
  for (const name of await recordedHistoryNames()) {
    if ((await patchesIn(name)).includes(INQUIRY_REVIEW)) names.push(name);
  }
  return names;
}

describe('histories split after a local activity', () => {
  beforeAll(() => installRuntime());

  it('every split of every run that decides its patches at the start replays', async () => {
    const names = await startPatchedHistories();
    expect(names).toEqual(expect.arrayContaining(['dnr-ask-first', 'refund-demand']));
    const failures: string[] = [];
    let variants = 0;
    for (const name of names) {
      const stored = JSON.parse(
        await fs.readFile(path.join(HISTORIES_DIR, `${name}.json`), 'utf8'),
      ) as Record<string, unknown>;
      for (const index of splitPoints(stored)) {
        variants++;
        const history = historyFromStoredJSON(JSON.stringify(splitAfter(stored, index)));
        try {
          await Worker.runReplayHistory(
            { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() },
            history,
            `${name}-split-${index}`,
          );
        } catch (err) {
          failures.push(`${name} split after event index ${index}: ${(err as Error).message}`);
        }
      }
    }
    expect(variants).toBeGreaterThan(5);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 180_000);

  it('a split variant is a well-formed history: ids in sequence, the new task named by the commands after it', async () => {
    const stored = JSON.parse(
      await fs.readFile(path.join(HISTORIES_DIR, 'dnr-ask-first.json'), 'utf8'),
    ) as { events: Record<string, unknown>[] };
    const [index] = splitPoints(stored);
    const split = splitAfter(stored, index!) as {
      events: Record<string, Record<string, string>>[];
    };
    expect(split.events.map((e) => Number(e.eventId))).toEqual(split.events.map((_, i) => i + 1));
    expect(split.events.slice(index! + 1, index! + 4).map((e) => e.eventType)).toEqual([
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
    ]);
    const next = split.events[index! + 4]!;
    const attrs = Object.entries(next).find(([k]) => k.endsWith('EventAttributes'))![1];
    expect(attrs.workflowTaskCompletedEventId).toBe(String(index! + 4));
  });
});
