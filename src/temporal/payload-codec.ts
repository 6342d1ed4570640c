/**
 * Encryption of workflow payloads (inputs, results, signals, updates, queries, memos) before they
 * reach Temporal: the server stores ciphertext, so customer names, e-mails and addresses exist in
 * plaintext only in our worker and API processes.
 *
 * AES-256-GCM with a random 12-byte IV per payload. The whole original payload (metadata and
 * data, serialized as the temporal.api.common.v1.Payload protobuf) is encrypted, and the key id
 * is both in the metadata and bound into the tag as additional authenticated data, so relabelling
 * a payload with another key id fails like any other tampering.
 *
 * Keys come from PAYLOAD_KEY, `keyId:base64key[,keyId:base64key…]`: the first encrypts, all
 * decrypt. Rotating = putting a new key first and keeping the old ones until no open workflow
 * still carries payloads encrypted with them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import protoPkg from '@temporalio/proto';

const ProtoPayload = protoPkg.temporal.api.common.v1.Payload;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** A PAYLOAD_KEY value that cannot be used; the message never contains key material. */
export class PayloadKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadKeyError';
  }
}

/** A payload this process cannot decrypt (unknown key id, tampered or corrupt ciphertext). */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/** How to make a key, for error messages at start-up. */
export const MAKE_KEY_HINT =
  `Make one with: node -e "console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))" ` +
  `and set PAYLOAD_KEY to its output (the worker and the API need the same value).`;

/** Parses PAYLOAD_KEY: comma-separated `keyId:base64key`, each key 32 bytes, ids unique. */
export function parsePayloadKeys(value: string): PayloadKey[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) throw new PayloadKeyError(`PAYLOAD_KEY holds no key. ${MAKE_KEY_HINT}`);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const where = `PAYLOAD_KEY entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0)
      throw new PayloadKeyError(`${where} is not of the form keyId:base64key. ${MAKE_KEY_HINT}`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id))
      throw new PayloadKeyError(
        `${where} has key id "${id.slice(0, 64)}"; a key id is 1-64 of A-Z a-z 0-9 . _ -`,
      );
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0)
      throw new PayloadKeyError(`${where} (key id ${id}) is not valid base64. ${MAKE_KEY_HINT}`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES)
      throw new PayloadKeyError(
        `${where} (key id ${id}) is ${key.length} bytes; AES-256 needs ${KEY_BYTES}. ${MAKE_KEY_HINT}`,
      );
    if (seen.has(id))
      throw new PayloadKeyError(`${where} repeats key id ${id}; ids must be unique`);
    seen.add(id);
    return { id, key };
  });
}

/** A new random key in the PAYLOAD_KEY format. */
export function generatePayloadKey(id = 'k1'): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly current: PayloadKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly PayloadKey[]) {
    const [first] = keys;
    if (!first) throw new PayloadKeyError(`No payload key given. ${MAKE_KEY_HINT}`);
    this.current = first;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The key id new payloads are encrypted with. */
  get encryptingKeyId(): string {
    return this.current.id;
  }

  // async: a failure is a rejected promise, as the SDK expects of a codec.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const plain = ProtoPayload.encode(payload).finish();
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    // Payloads from before encryption was on (and the recorded test histories) stay readable.
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id)
      throw new PayloadDecryptionError(`An encrypted payload carries no ${KEY_ID_METADATA}.`);
    const key = this.byId.get(id);
    if (!key)
      throw new PayloadDecryptionError(
        `A payload is encrypted with key id "${id}", which PAYLOAD_KEY does not hold ` +
          `(it holds ${[...this.byId.keys()].join(', ')}). Add that key back to PAYLOAD_KEY ` +
          `(after the current one) until no open workflow uses it.`,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`An encrypted payload (key id ${id}) is too short.`);
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `An encrypted payload (key id ${id}) failed authentication: it was altered, or key ` +
          `${id} in PAYLOAD_KEY is not the key it was encrypted with.`,
      );
    }
    const decoded = ProtoPayload.decode(plain);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}

/** The codec for a PAYLOAD_KEY value. */
export function createPayloadCodec(payloadKey: string): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(parsePayloadKeys(payloadKey));
}

/** The data converter every client and worker of ours uses: payloads encrypted on the wire. */
export function encryptingDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec] };
}
