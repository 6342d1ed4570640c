import { describe, expect, it } from 'vitest';
import { senderAddress } from '../../src/inquiries/inquiries.schemas';
import { candidateReferences } from '../../src/inquiries/inquiries.service';

describe('reading an inbound e-mail', () => {
  it('takes the bare address from a From header, in lower case', () => {
    expect(senderAddress('Hans Müller <Hans.Mueller@Example.DE>')).toBe('hans.mueller@example.de');
    expect(senderAddress('"Doe, Jane" <jane@example.com>')).toBe('jane@example.com');
    expect(senderAddress('ana@example.com.br')).toBe('ana@example.com.br');
    expect(senderAddress('nobody')).toBeUndefined();
    expect(senderAddress('Jane <not an address>')).toBeUndefined();
  });

  it('finds the order ids and tracking numbers a customer typed, without trailing punctuation', () => {
    const refs = candidateReferences(
      'Re: Order #ORD-1001. Tracking YW123456789CN, or was it LX987654321DE? Thanks, Bob',
    );
    expect(refs).toEqual(expect.arrayContaining(['ORD-1001', 'YW123456789CN', 'LX987654321DE']));
    // Plain words carry no digits and cannot be references.
    expect(refs).not.toContain('Tracking');
    expect(refs).not.toContain('Thanks');
  });
});
