/**
 * How recorded histories are stored: the protobuf History as a plain JSON object (64-bit numbers
 * and bytes as strings, enums by name), which round-trips exactly.
 *
 * Why not the SDK's historyToJSON/historyFromJSON: in this install @temporalio/common carries its
 * own protobufjs (8.x) while @temporalio/proto is built on 7.x, and both helpers fail with
 * "type must be a Type". The protobuf classes of @temporalio/proto convert without that bridge.
 */
import protoPkg from '@temporalio/proto';

const { History } = protoPkg.temporal.api.history.v1;
export type History = protoPkg.temporal.api.history.v1.History;

export function historyToStoredJSON(history: unknown): string {
  const message = History.fromObject(history as Record<string, unknown>);
  const plain = History.toObject(message, { longs: String, enums: String, bytes: String });
  return `${JSON.stringify(plain, null, 1)}\n`;
}

export function historyFromStoredJSON(text: string): History {
  return History.fromObject(JSON.parse(text) as Record<string, unknown>);
}
