import { describe, expect, it } from 'vitest';
import { signatureFor, verifySignature } from '../../src/webhooks/webhooks.signatures';

/**
 * Known answers computed outside our code with OpenSSL, e.g.
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'aftership-secret' -binary | base64
 *   printf '%s/%s' "$BODY" '17track-api-key' | openssl dgst -sha256 -hex
 */
const BODY = '{"event":"TRACKING_UPDATED","data":{"number":"RR123456789CN"}}';
const raw = Buffer.from(BODY, 'utf8');

describe('AfterShip signature (aftership-hmac-sha256)', () => {
  const expected = 'im9QdSBh2Efe41MLcdUXQtY7nPKVXvZKzLZVFJyLzLE=';

  it('is the base64 HMAC-SHA256 of the raw body with the webhook secret', () => {
    expect(signatureFor('aftership', raw, 'aftership-secret')).toBe(expected);
    expect(verifySignature('aftership', raw, expected, 'aftership-secret')).toBe(true);
  });

  it('fails for another secret, a changed body, a truncated body or no header', () => {
    expect(verifySignature('aftership', raw, expected, 'other-secret')).toBe(false);
    expect(
      verifySignature(
        'aftership',
        Buffer.from(BODY.replace('RR1', 'RR2')),
        expected,
        'aftership-secret',
      ),
    ).toBe(false);
    expect(
      verifySignature('aftership', raw.subarray(0, raw.length - 1), expected, 'aftership-secret'),
    ).toBe(false);
    expect(verifySignature('aftership', raw, undefined, 'aftership-secret')).toBe(false);
    expect(verifySignature('aftership', raw, expected.slice(0, -2), 'aftership-secret')).toBe(
      false,
    );
  });
});

describe('17TRACK signature (sign)', () => {
  const expected = '3a78fc2d1967a6845978f5ac6c3546afe84e6b1ac487aeb09185a1ed36f5c218';

  it('is the hex SHA-256 of the raw body, a slash and the API key', () => {
    expect(signatureFor('17track', raw, '17track-api-key')).toBe(expected);
    expect(verifySignature('17track', raw, expected, '17track-api-key')).toBe(true);
    expect(verifySignature('17track', raw, expected.toUpperCase(), '17track-api-key')).toBe(true);
  });

  it('fails for another API key', () => {
    expect(verifySignature('17track', raw, expected, 'another-key')).toBe(false);
  });
});

describe('EasyPost signature (X-Hmac-Signature)', () => {
  // HMAC keyed with the bytes of "se\u0301cret" (NFKD of "s\u00e9cret").
  const expected =
    'hmac-sha256-hex=aa1324068aa667427d62feda5edbd9a1916a1c6088b10ba2021260751ca79308';
  // The same HMAC keyed with the composed bytes, which EasyPost does not use.
  const composedKey =
    'hmac-sha256-hex=55d4e92f8173da7637c4dd0ebb6e920a3f81234f7518f6d4f012c0e704571096';

  it('is hmac-sha256-hex= and the hex HMAC keyed with the NFKD-normalized secret', () => {
    expect(signatureFor('easypost', raw, 's\u00e9cret')).toBe(expected);
    expect(verifySignature('easypost', raw, expected, 's\u00e9cret')).toBe(true);
    // A secret already stored decomposed signs the same.
    expect(verifySignature('easypost', raw, expected, 'se\u0301cret')).toBe(true);
  });

  it('refuses a signature keyed with the un-normalized secret or without the prefix', () => {
    expect(verifySignature('easypost', raw, composedKey, 's\u00e9cret')).toBe(false);
    expect(
      verifySignature('easypost', raw, expected.replace('hmac-sha256-hex=', ''), 's\u00e9cret'),
    ).toBe(false);
  });
});

describe('sandbox signature (x-sandbox-signature)', () => {
  it('is the hex HMAC-SHA256 of the raw body with SANDBOX_WEBHOOK_SECRET', () => {
    const expected = '802ded7da084f283082945b3224372e2fbbc6f4f57a940a8854f68528b4c8e0a';
    expect(signatureFor('sandbox', raw, 'sandbox-secret')).toBe(expected);
    expect(verifySignature('sandbox', raw, expected, 'sandbox-secret')).toBe(true);
    expect(verifySignature('sandbox', raw, expected, 'sandbox-secreT')).toBe(false);
  });
});
