import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { devServerArgs } from '../../src/infra/temporal-dev';
import { payloadCodecFromConfig } from '../../src/temporal/connection';
import {
  AesGcmPayloadCodec,
  createPayloadCodec,
  ENCRYPTED_ENCODING,
  generatePayloadKey,
  KEY_ID_METADATA,
  parsePayloadKeys,
  PayloadDecryptionError,
  PayloadKeyError,
} from '../../src/temporal/payload-codec';
import { ensurePayloadKeyFile, PAYLOAD_KEY_FILE } from '../../src/temporal/payload-key-file';

const keyOf = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const customer = { name: 'Ada Buyer', email: 'ada.buyer@example.com', line1: '1 Market St' };
const asPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);
const meta = (p: Payload, key: string) => new TextDecoder().decode(p.metadata?.[key]);

describe('the payload codec (AES-256-GCM)', () => {
  it('round-trips payloads, metadata included, and the ciphertext shows none of the plaintext', async () => {
    const codec = createPayloadCodec(keyOf('k1'));
    const originals = [asPayload(customer), asPayload(null), asPayload('x'.repeat(10_000))];
    const encoded = await codec.encode(originals);
    expect(encoded).toHaveLength(3);
    for (const p of encoded) {
      expect(meta(p, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(meta(p, KEY_ID_METADATA)).toBe('k1');
      const bytes = Buffer.from(p.data!).toString('latin1');
      expect(bytes).not.toContain('ada.buyer');
      expect(bytes).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map(fromPayload)).toEqual([customer, null, 'x'.repeat(10_000)]);
    expect(meta(decoded[0]!, 'encoding')).toBe('json/plain');
  });

  it('uses a fresh IV for every payload: the same value never encrypts the same way twice', async () => {
    const codec = createPayloadCodec(keyOf('k1'));
    const [a, b] = await codec.encode([asPayload(customer), asPayload(customer)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(
      Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12)),
    ).toBe(false);
  });

  it('passes payloads it did not encrypt through unchanged (histories from before the key)', async () => {
    const codec = createPayloadCodec(keyOf('k1'));
    const plain = [asPayload(customer), { metadata: {}, data: new Uint8Array([1, 2]) }];
    expect(await codec.decode(plain)).toEqual(plain);
  });

  it('rotates: after a new key is put first, new payloads use its id and old ones still decrypt', async () => {
    const oldKey = keyOf('2025a');
    const before = createPayloadCodec(oldKey);
    const old = await before.encode([asPayload(customer)]);

    const after = createPayloadCodec(`${keyOf('2026b')},${oldKey}`);
    expect(after.encryptingKeyId).toBe('2026b');
    const fresh = await after.encode([asPayload(customer)]);
    expect(meta(fresh[0]!, KEY_ID_METADATA)).toBe('2026b');
    expect((await after.decode([...old, ...fresh])).map(fromPayload)).toEqual([customer, customer]);

    // The old codec alone cannot read what the new key wrote.
    await expect(before.decode(fresh)).rejects.toThrow(/key id "2026b"/);
  });

  it('detects tampering: a flipped bit, a cut tag, or a payload relabelled with another key id', async () => {
    const k1 = keyOf('k1');
    const k2 = keyOf('k2');
    const codec = createPayloadCodec(`${k1},${k2}`);
    const [p] = await codec.encode([asPayload(customer)]);
    const flipped = Buffer.from(p!.data!);
    flipped[20] = flipped[20]! ^ 0x01;
    await expect(codec.decode([{ ...p!, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    await expect(
      codec.decode([{ ...p!, data: Buffer.from(p!.data!).subarray(0, p!.data!.length - 1) }]),
    ).rejects.toThrow(/failed authentication/);
    // k2 is a real key of ours, but the key id is bound into the tag.
    const relabelled = {
      ...p!,
      metadata: { ...p!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow(/key id k2|k2/);
    await expect(codec.decode([relabelled])).rejects.toThrow(PayloadDecryptionError);
  });

  it('names an unknown key id, and what it holds, when it meets one', async () => {
    const writer = createPayloadCodec(keyOf('gone'));
    const reader = createPayloadCodec(keyOf('k1'));
    const encrypted = await writer.encode([asPayload(customer)]);
    await expect(reader.decode(encrypted)).rejects.toThrow(
      /encrypted with key id "gone", which PAYLOAD_KEY does not hold \(it holds k1\)/,
    );
  });

  it('a key with the right id but other bytes fails authentication rather than returning garbage', async () => {
    const encrypted = await createPayloadCodec(keyOf('k1')).encode([asPayload(customer)]);
    await expect(createPayloadCodec(keyOf('k1')).decode(encrypted)).rejects.toThrow(
      /failed authentication/,
    );
  });
});

describe('PAYLOAD_KEY parsing', () => {
  it('reads comma-separated keyId:base64key pairs, first one first', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const keys = parsePayloadKeys(` new:${a.toString('base64')} , old:${b.toString('base64')}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[0]!.key.equals(a)).toBe(true);
    expect(keys[1]!.key.equals(b)).toBe(true);
    expect(parsePayloadKeys(generatePayloadKey('x1'))[0]!.id).toBe('x1');
  });

  it.each([
    ['', /holds no key/],
    ['k1', /not of the form keyId:base64key/],
    [`:${randomBytes(32).toString('base64')}`, /key id ""/],
    ['k1:not*base64!', /k1\) is not valid base64/],
    [`k1:${randomBytes(16).toString('base64')}`, /k1\) is 16 bytes; AES-256 needs 32/],
    [
      `k1:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`,
      /repeats key id k1/,
    ],
  ])('rejects %j with a clear error', (value, message) => {
    expect(() => parsePayloadKeys(value)).toThrow(PayloadKeyError);
    expect(() => parsePayloadKeys(value)).toThrow(message);
  });

  it('never puts key material in an error', () => {
    const secret = randomBytes(20).toString('base64');
    let message = '';
    try {
      parsePayloadKeys(`k1:${secret}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/20 bytes/);
    expect(message).not.toContain(secret);
  });

  it('refuses to build a codec without a key, and says how to make one', () => {
    expect(() => payloadCodecFromConfig({ payloadKey: undefined })).toThrow(
      /PAYLOAD_KEY is not set.*node -e "console.log\('k1:'\+require\('crypto'\)\.randomBytes\(32\)\.toString\('base64'\)\)"/s,
    );
    expect(payloadCodecFromConfig({ payloadKey: keyOf('k9') })).toBeInstanceOf(AesGcmPayloadCodec);
  });
});

describe('the key file of npm start', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });

  it('is created once, readable by its owner only, and reused afterwards', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pw-key-'));
    dirs.push(dir);
    const first = await ensurePayloadKeyFile(dir);
    expect(first.created).toBe(true);
    expect(first.file).toBe(path.join(dir, PAYLOAD_KEY_FILE));
    expect((await fs.stat(first.file)).mode & 0o777).toBe(0o600);
    expect(parsePayloadKeys(first.value)).toHaveLength(1);
    const second = await ensurePayloadKeyFile(dir);
    expect(second).toEqual({ ...first, created: false });
  });

  it('refuses a key file that holds no usable key instead of replacing it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pw-key-'));
    dirs.push(dir);
    await fs.writeFile(path.join(dir, PAYLOAD_KEY_FILE), 'k1:short\n');
    await expect(ensurePayloadKeyFile(dir)).rejects.toThrow(/does not hold a usable payload key/);
    expect(await fs.readFile(path.join(dir, PAYLOAD_KEY_FILE), 'utf8')).toBe('k1:short\n');
  });
});

describe('the dev server and the codec endpoint', () => {
  it('points the Web UI at the codec endpoint, and only when there is a UI', () => {
    const withUi = devServerArgs({
      cliPath: 'temporal',
      port: 7233,
      uiPort: 8233,
      uiCodecEndpoint: 'http://127.0.0.1:3000/codec',
    });
    const i = withUi.indexOf('--ui-codec-endpoint');
    expect(withUi[i + 1]).toBe('http://127.0.0.1:3000/codec');
    const headless = devServerArgs({
      cliPath: 'temporal',
      port: 7233,
      uiCodecEndpoint: 'http://127.0.0.1:3000/codec',
    });
    expect(headless).toContain('--headless');
    expect(headless).not.toContain('--ui-codec-endpoint');
  });
});
