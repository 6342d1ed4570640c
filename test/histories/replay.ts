/**
 * Replays the recorded histories in this folder against a workflow bundle. Shared by
 * test/workflow/replay.test.ts and by anyone checking a candidate change by hand.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { historyFromStoredJSON } from '../../src/temporal/history-codec';

export const HISTORIES_DIR = path.dirname(fileURLToPath(import.meta.url));

/** The recorded histories, by file name (without `.json`), sorted. */
export async function recordedHistoryNames(dir = HISTORIES_DIR): Promise<string[]> {
  const files = await fs.readdir(dir);
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export interface ReplayFailure {
  history: string;
  error: string;
}

/**
 * Replays every history; answers the ones that failed, each named by its file. With a
 * `dataConverter` (the production one, payload encryption on) the plaintext histories must pass
 * through its codec unchanged.
 */
export async function replayRecordedHistories(
  bundle: WorkflowBundle,
  names: string[],
  dir = HISTORIES_DIR,
  dataConverter?: DataConverter,
): Promise<ReplayFailure[]> {
  async function* histories() {
    for (const name of names) {
      const text = await fs.readFile(path.join(dir, `${name}.json`), 'utf8');
      // The file name stands in for the workflow id, so a failure names the history.
      yield { workflowId: name, history: historyFromStoredJSON(text) };
    }
  }
  const failures: ReplayFailure[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: bundle, ...(dataConverter ? { dataConverter } : {}) },
    histories(),
  )) {
    if (result.error) {
      const err = result.error as Error;
      failures.push({ history: result.workflowId, error: `${err.name}: ${err.message}` });
    }
  }
  return failures;
}

/** The patch ids (`patched()`) a recorded history took, in the order their markers were written. */
export async function patchesIn(name: string, dir = HISTORIES_DIR): Promise<string[]> {
  const history = historyFromStoredJSON(await fs.readFile(path.join(dir, `${name}.json`), 'utf8'));
  const ids: string[] = [];
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') continue;
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    if (data) ids.push((JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id);
  }
  return ids;
}

/** The stages a recorded history published (its ShipmentStage search attribute upserts), in order. */
export async function stagesIn(name: string, dir = HISTORIES_DIR): Promise<string[]> {
  const history = historyFromStoredJSON(await fs.readFile(path.join(dir, `${name}.json`), 'utf8'));
  const stages: string[] = [];
  for (const event of history.events ?? []) {
    const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes;
    const stage = fields?.indexedFields?.ShipmentStage?.data;
    if (stage) stages.push(JSON.parse(Buffer.from(stage).toString('utf8')) as string);
  }
  return stages;
}

/**
 * The activities a recorded run called, in order: regular ones by their scheduled event, local
 * ones (`local:` prefix) by the marker that records their result.
 */
export async function activitiesIn(name: string, dir = HISTORIES_DIR): Promise<string[]> {
  const history = historyFromStoredJSON(await fs.readFile(path.join(dir, `${name}.json`), 'utf8'));
  const names: string[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) names.push(scheduled);
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const data = marker.details?.data?.payloads?.[0]?.data;
    if (!data) continue;
    const meta = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
    if (meta.activity_type) names.push(`local:${meta.activity_type}`);
  }
  return names;
}
