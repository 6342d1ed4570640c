import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { History } from '@temporalio/common/lib/proto-utils';
import {
  businessTimeline,
  type Decoder,
  type HistoryEntry,
  type HistoryEvent,
  type Run,
} from './history.timeline';

/** A shipment's life rarely needs more runs than this; the guard stops a broken chain looping. */
const MAX_RUNS = 100;

export interface ShipmentHistory {
  workflowId: string;
  /** Oldest first: the first run, then each continue-as-new run. */
  runIds: string[];
  temporalUiUrl: string;
  entries: HistoryEntry[];
}

/** The Temporal Web UI page of a workflow (latest run). */
function temporalUiLink(base: string, namespace: string, workflowId: string): string {
  return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * Every run of a workflow, oldest first: from the latest run back along
 * `continuedExecutionRunId` of each run's start event.
 */
async function fetchRuns(client: Client, workflowId: string): Promise<Run[]> {
  const runs: Run[] = [];
  // Pin the latest run first, so a continue-as-new meanwhile cannot mix two runs up.
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  for (let i = 0; i < MAX_RUNS && runId; i++) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: HistoryEvent[] = history.events ?? [];
    runs.unshift({ runId, events });
    runId =
      events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  return runs;
}

export function createHistoryService(opts: { client: Client; temporalUiUrl: string }) {
  const { client } = opts;
  const converter = client.options.loadedDataConverter;
  const decoder: Decoder = {
    // A payload this API cannot read (another codec, a future encoding) must not hide the rest
    // of the story: the entry is told without its details.
    payloads: (payloads) => decodeArrayFromPayloads(converter, payloads).catch(() => []),
    searchAttribute: (payload) => {
      try {
        return converter.payloadConverter.fromPayload(payload);
      } catch {
        return undefined;
      }
    },
  };
  return {
    async history(workflowId: string): Promise<ShipmentHistory> {
      const runs = await fetchRuns(client, workflowId);
      return {
        workflowId,
        runIds: runs.map((r) => r.runId),
        temporalUiUrl: temporalUiLink(opts.temporalUiUrl, client.options.namespace, workflowId),
        entries: await businessTimeline(runs, decoder),
      };
    },
  };
}
export type HistoryService = ReturnType<typeof createHistoryService>;
