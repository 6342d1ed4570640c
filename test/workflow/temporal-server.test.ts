/**
 * What Parcelwarden needs from the Temporal server (CLI v1.5.1, server 1.29.1) with SDK 1.24:
 * search attributes, Updates with validators, dynamic config. Uses the run's shared dev server.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config';
import {
  connectClient,
  connectWorkerConnection,
  dataConverterFromConfig,
  ensureSearchAttributes,
} from '../../src/temporal/connection';
import { ALL_SEARCH_ATTRIBUTES, searchAttributes } from '../../workflows/shipment.contract';
import {
  continueAsNewSmoke,
  decideUpdate,
  decisionsQuery,
  finishSignal,
  searchAttributesSmoke,
  stageSignal,
  updateSmoke,
} from '../helpers/smoke.workflows';
import { waitUntil } from '../helpers/wait';
import '../helpers/provided';

const config = loadConfig({
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_NAMESPACE: inject('temporalNamespace'),
  PAYLOAD_KEY: inject('payloadKey'),
});
const taskQueue = `smoke-${randomUUID()}`;
const workflowId = (name: string) => `smoke:${name}:${randomUUID()}`;

let client: Client;
let nativeConnection: NativeConnection | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;

/** The client's connection, with the operator service that registers search attributes. */
function operatorConnection(): Connection {
  if (!(client.connection instanceof Connection)) throw new Error('expected a gRPC Connection');
  return client.connection;
}

beforeAll(async () => {
  client = await connectClient(config);
  nativeConnection = await connectWorkerConnection(config);
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../helpers/smoke.workflows.ts', import.meta.url)),
  });
  worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.temporalNamespace,
    taskQueue,
    workflowBundle,
    // connectClient encrypts with PAYLOAD_KEY: the worker must decrypt with the same key.
    dataConverter: dataConverterFromConfig(config),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await client?.connection.close();
});

describe('the Temporal server that runs the shipment workflows', () => {
  it('knows the five shipment search attributes from the moment it starts', async () => {
    const listed = await client.connection.operatorService.listSearchAttributes({
      namespace: config.temporalNamespace,
    });
    const custom = listed.customAttributes ?? {};
    expect(Object.keys(custom)).toEqual(
      expect.arrayContaining(ALL_SEARCH_ATTRIBUTES.map((k) => k.name)),
    );
    expect(custom.ShipmentStage).toBe(2); // KEYWORD
    expect(custom.DeclaredValue).toBe(4); // DOUBLE
  });

  it('lets ops find a shipment by the stage and declared value its workflow upserted', async () => {
    const id = workflowId('search');
    const handle = await client.workflow.start(searchAttributesSmoke, {
      args: [129.5],
      taskQueue,
      workflowId: id,
      typedSearchAttributes: [{ key: searchAttributes.carrier, value: 'sandbox' }],
    });
    await handle.signal(stageSignal, 'verifying');

    const query =
      `WorkflowId = '${id}' AND ShipmentStage = 'verifying' AND DeclaredValue > 100 ` +
      `AND Carrier = 'sandbox'`;
    const found = await waitUntil(
      'the visibility store to index the upserted attributes',
      async () => {
        const ids: string[] = [];
        for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.length === 1,
      20_000,
    );
    expect(found).toEqual([id]);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(searchAttributes.stage)).toBe('verifying');
    expect(description.typedSearchAttributes.get(searchAttributes.declaredValue)).toBe(129.5);

    await handle.signal(finishSignal);
    await handle.result();
  });

  it('accepts a valid decision by Update and turns an invalid one away before it reaches history', async () => {
    const handle = await client.workflow.start(updateSmoke, {
      taskQueue,
      workflowId: workflowId('update'),
    });
    await expect(handle.executeUpdate(decideUpdate, { args: ['reship'] })).resolves.toBe(
      'accepted reship',
    );
    const rejected = handle.executeUpdate(decideUpdate, { args: ['teleport'] });
    await expect(rejected).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(rejected).rejects.toHaveProperty('cause.message', 'unknown decision teleport');

    await expect(handle.query(decisionsQuery)).resolves.toEqual(['reship']);
    await handle.signal(finishSignal);
    await expect(handle.result()).resolves.toEqual(['reship']);

    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes,
    );
    const rejectedEvents = (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateRejectedEventAttributes,
    );
    expect(accepted).toHaveLength(1);
    expect(rejectedEvents).toHaveLength(0);
  });

  it('suggests continue-as-new at the low history limit the test run configured', async () => {
    // The server default is 4096 events; 200 one-millisecond timers stay far below it.
    const result = await client.workflow.execute(continueAsNewSmoke, {
      args: [200],
      taskQueue,
      workflowId: workflowId('can'),
    });
    expect(result.suggested).toBe(true);
    expect(result.historyLength).toBeGreaterThanOrEqual(inject('suggestContinueAsNewAt'));
    expect(result.historyLength).toBeLessThan(inject('suggestContinueAsNewAt') + 30);
  });

  it('registers a missing search attribute for production clusters and leaves existing ones alone', async () => {
    const extra = defineSearchAttributeKey(
      `SmokeCheck${randomUUID().slice(0, 8)}`,
      SearchAttributeType.KEYWORD,
    );
    const keys = [...ALL_SEARCH_ATTRIBUTES, extra];
    await expect(
      ensureSearchAttributes(operatorConnection(), config.temporalNamespace, keys),
    ).resolves.toEqual({ added: [extra.name] });
    await expect(
      ensureSearchAttributes(operatorConnection(), config.temporalNamespace, keys),
    ).resolves.toEqual({ added: [] });
  });

  it('refuses to reuse a search attribute name registered with another type', async () => {
    const clash = defineSearchAttributeKey('ShipmentStage', SearchAttributeType.INT);
    await expect(
      ensureSearchAttributes(operatorConnection(), config.temporalNamespace, [clash]),
    ).rejects.toThrow(/ShipmentStage exists on namespace default with another type/);
  });
});
