import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (v: string | Buffer) => createHash('sha256').update(v).digest();

/**
 * Compares two secrets (keys, tokens, signatures) in constant time. Both sides are hashed first,
 * so the comparison always runs over two 32-byte digests: neither the position of the first
 * differing byte nor the length of the expected secret shows in the timing.
 */
export function safeEqual(given: string | Buffer, expected: string | Buffer): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
