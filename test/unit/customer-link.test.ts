import { describe, expect, it } from 'vitest';
import {
  checkFormToken,
  customerLinkKeysFromPayloadKey,
  formToken,
  signCustomerLink,
  verifyCustomerLink,
} from '../../src/customer/customer-link';
import { generatePayloadKey } from '../../src/temporal/payload-codec';

const keys = customerLinkKeysFromPayloadKey(generatePayloadKey('k1'));
const now = new Date('2026-03-01T12:00:00Z');
const inAWeek = new Date('2026-03-08T12:00:00Z');

describe('customer page links', () => {
  it('a link reaches its shipment until it expires', () => {
    const token = signCustomerLink('S-1~R1', keys, inAWeek);
    expect(verifyCustomerLink(token, keys, now)).toEqual({
      ok: true,
      shipmentId: 'S-1~R1',
      expiresAt: inAWeek,
    });
    expect(verifyCustomerLink(token, keys, new Date('2026-03-08T12:00:01Z'))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('a link with another shipment, a later expiry or another signature is not valid', () => {
    const token = signCustomerLink('S-1', keys, inAWeek);
    const [id, exp, mac] = token.split('.') as [string, string, string];
    const otherId = Buffer.from('S-2').toString('base64url');
    expect(verifyCustomerLink(`${otherId}.${exp}.${mac}`, keys, now)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(verifyCustomerLink(`${id}.${Number(exp) + 86_400}.${mac}`, keys, now).ok).toBe(false);
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyCustomerLink(`${id}.${exp}.${flipped}`, keys, now).ok).toBe(false);
    expect(verifyCustomerLink('not-a-token', keys, now).ok).toBe(false);
  });

  it('an expired link that was altered is reported as not valid, not as expired', () => {
    const token = signCustomerLink('S-1', keys, now);
    const altered = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(verifyCustomerLink(altered, keys, inAWeek)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('after a PAYLOAD_KEY rotation, links signed with the old key work while it is listed', () => {
    const oldKey = generatePayloadKey('k1');
    const newKey = generatePayloadKey('k2');
    const token = signCustomerLink('S-1', customerLinkKeysFromPayloadKey(oldKey), inAWeek);
    const rotated = customerLinkKeysFromPayloadKey(`${newKey},${oldKey}`);
    expect(verifyCustomerLink(token, rotated, now).ok).toBe(true);
    expect(verifyCustomerLink(token, customerLinkKeysFromPayloadKey(newKey), now).ok).toBe(false);
  });

  it('a form token is bound to its link', () => {
    const a = signCustomerLink('S-1', keys, inAWeek);
    const b = signCustomerLink('S-2', keys, inAWeek);
    expect(checkFormToken(a, formToken(a, keys), keys)).toBe(true);
    expect(checkFormToken(b, formToken(a, keys), keys)).toBe(false);
    expect(checkFormToken(a, undefined, keys)).toBe(false);
  });
});
