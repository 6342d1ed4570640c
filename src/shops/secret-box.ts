/**
 * Seals small secrets at rest (shop credentials, webhook endpoint signing secrets) with AES-256-GCM
 * under a key derived from PAYLOAD_KEY (HKDF-SHA256, its own context), so no new setting is needed
 * and rotating PAYLOAD_KEY keeps older rows readable while its old entries stay listed.
 *
 * Sealed form: `v1.<keyId>.<base64url iv>.<base64url ciphertext+tag>`.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { parsePayloadKeys } from '../temporal/payload-codec';

const CONTEXT = Buffer.from('parcelwarden secret box v1');

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(payloadKey: string): SecretBox {
  const keys = parsePayloadKeys(payloadKey).map(({ id, key }) => ({
    id,
    key: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), CONTEXT, 32)),
  }));
  const current = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(current.id));
      const body = Buffer.concat([
        cipher.update(plain, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `v1.${current.id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed) {
      const [version, keyId, iv, body] = sealed.split('.');
      if (version !== 'v1' || !keyId || !iv || !body)
        throw new SecretBoxError('not a sealed secret');
      const key = byId.get(keyId);
      if (!key)
        throw new SecretBoxError(
          `sealed with key "${keyId}", which PAYLOAD_KEY no longer lists; add that key back (after the current one)`,
        );
      const data = Buffer.from(body, 'base64url');
      if (data.length < 16) throw new SecretBoxError('sealed secret is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - 16));
      try {
        return Buffer.concat([
          decipher.update(data.subarray(0, data.length - 16)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SecretBoxError(`sealed secret does not open with key "${keyId}" (altered?)`);
      }
    },
  };
}
