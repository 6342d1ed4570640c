/**
 * Payload encryption in tests, as in production: the run's PAYLOAD_KEY (from the global setup)
 * for every client and worker a test builds. A client without it cannot read what a worker with
 * it answers (queries, results), so build clients with `testDataConverter()`.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type DataConverter, type Payload } from '@temporalio/common';
import { inject } from 'vitest';
import {
  createPayloadCodec,
  encryptingDataConverter,
  type AesGcmPayloadCodec,
} from '../../src/temporal/payload-codec';
import './provided';

let codec: AesGcmPayloadCodec | undefined;

/** The run's PAYLOAD_KEY value (for spawned processes and loadConfig). */
export function testPayloadKey(): string {
  return inject('payloadKey');
}

export function testPayloadCodec(): AesGcmPayloadCodec {
  codec ??= createPayloadCodec(testPayloadKey());
  return codec;
}

export function testDataConverter(): DataConverter {
  return encryptingDataConverter(testPayloadCodec());
}

/**
 * A payload as a history stores it (fetchHistory does not decode): decrypted with the run's key,
 * then converted from JSON as the SDK would.
 */
export async function fromStoredPayload<T = unknown>(payload: Payload): Promise<T> {
  const [decoded] = await testPayloadCodec().decode([payload]);
  return defaultPayloadConverter.fromPayload<T>(decoded!);
}

/**
 * The payloads of every signal of that name a workflow has received, in order, read from its
 * history and decrypted as above.
 */
export async function signalsReceived<T = unknown>(
  client: Client,
  workflowId: string,
  name: string,
): Promise<T[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a) => a?.signalName === name)
    .map((a) => a!.input!.payloads![0]!);
  return Promise.all(payloads.map((p) => fromStoredPayload<T>(p)));
}
