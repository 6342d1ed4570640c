/**
 * Connections to Temporal from configuration: the local dev server by default, or a cluster /
 * Temporal Cloud through TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS and TEMPORAL_API_KEY.
 */
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributePair, SearchAttributeType } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shipment.contract';
import {
  createPayloadCodec,
  encryptingDataConverter,
  MAKE_KEY_HINT,
  PayloadKeyError,
} from './payload-codec';

export type TemporalConnectionConfig = Pick<
  Config,
  'temporalAddress' | 'temporalNamespace' | 'temporalApiKey' | 'temporalTls' | 'temporalDevPort'
>;

/**
 * The payload codec from PAYLOAD_KEY. Privacy is not optional: without a key no client or worker
 * of ours is built, so nothing personal reaches Temporal in plaintext by accident.
 */
export function payloadCodecFromConfig(config: Pick<Config, 'payloadKey'>) {
  if (!config.payloadKey)
    throw new PayloadKeyError(
      `PAYLOAD_KEY is not set: workflow payloads (customer names, e-mails, addresses) are encrypted with it. ${MAKE_KEY_HINT}`,
    );
  return createPayloadCodec(config.payloadKey);
}

/** The data converter of PAYLOAD_KEY, for workers and clients. */
export function dataConverterFromConfig(config: Pick<Config, 'payloadKey'>) {
  return encryptingDataConverter(payloadCodecFromConfig(config));
}

/** The configured address, or the local dev server's. */
export function temporalAddress(config: TemporalConnectionConfig): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalDevPort}`;
}

function connectionOptions(config: TemporalConnectionConfig) {
  const apiKey = config.temporalApiKey;
  return {
    address: temporalAddress(config),
    // An API key only travels over TLS (Temporal Cloud).
    tls: config.temporalTls || apiKey !== undefined,
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

/**
 * A workflow client on the configured namespace, encrypting payloads with PAYLOAD_KEY. Close it
 * with `client.connection.close()`.
 */
export async function connectClient(
  config: TemporalConnectionConfig & Pick<Config, 'payloadKey'>,
): Promise<Client> {
  // Checked before connecting: a missing key is a configuration error, not a network one.
  const dataConverter = dataConverterFromConfig(config);
  const connection = await Connection.connect({
    ...connectionOptions(config),
    connectTimeout: '10s',
  });
  return new Client({ connection, namespace: config.temporalNamespace, dataConverter });
}

/** The native connection a Worker needs (give the worker `namespace: config.temporalNamespace`). */
export async function connectWorkerConnection(
  config: TemporalConnectionConfig,
): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}

/** Any typed search attribute key (the SDK does not export its key type by name). */
export type AnySearchAttributeKey = SearchAttributePair['key'];

/** gRPC status code (stable across versions). */
const GRPC_ALREADY_EXISTS = 6;

/** Wire values of temporal.api.enums.v1.IndexedValueType. */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

/**
 * Registers the shipment search attributes on a namespace (production clusters; the dev server
 * gets them through start-up flags). Existing ones are left alone; a clash of types is an error.
 * Temporal Cloud does not allow this call: register them there with `tcld` or the Cloud UI.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  keys: readonly AnySearchAttributeKey[] = ALL_SEARCH_ATTRIBUTES,
): Promise<{ added: string[] }> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const missing: Record<string, number> = {};
  for (const key of keys) {
    const wanted = INDEXED_VALUE_TYPE[key.type];
    const have = custom[key.name];
    if (have === undefined || have === null) missing[key.name] = wanted;
    else if (Number(have) !== wanted) {
      throw new Error(
        `Search attribute ${key.name} exists on namespace ${namespace} with another type ` +
          `(IndexedValueType ${String(have)}, expected ${key.type}); rename or remove it first.`,
      );
    }
  }
  const added: string[] = [];
  for (const [name, type] of Object.entries(missing)) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: { [name]: type },
      });
      added.push(name);
    } catch (err) {
      // Another replica registered it between our list and add.
      if (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) continue;
      throw err;
    }
  }
  return { added };
}
