import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/http/problems';
import { parseWebhook, type ParsedWebhook } from '../../src/webhooks/webhooks.parsers';
import {
  buildClaimPayload,
  buildTrackingPayload,
  CLAIM_STATUSES,
  pushesClaims,
  SCAN_KINDS,
  type ClaimPush,
  type TrackingPush,
} from '../../src/webhooks/webhooks.payloads';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/webhooks/webhooks.providers';
import {
  SIGNATURE_HEADERS,
  signatureFor,
  verifySignature,
} from '../../src/webhooks/webhooks.signatures';
import { TRACKING_STATUSES } from '../../workflows/shipment.contract';
import {
  hostileValue,
  mutate,
  mutationOf,
  namesField,
  pathsOf,
  prototypePolluted,
  type Json,
} from '../helpers/hostile';

const RUNS = 150;
const OBJECT_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const STATUSES = new Set<string>(TRACKING_STATUSES);

const instant = fc
  .date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2030-01-01T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());
const word = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'ABCXYZ0189-') });

const trackingPush: fc.Arbitrary<TrackingPush> = fc.record(
  {
    deliveryId: word,
    sentAt: instant,
    trackingNumber: word,
    carrier: fc.constantFrom('usps', 'dhl', 'sandbox', 'UPS'),
    scans: fc.array(
      fc.record({
        at: instant,
        kind: fc.constantFrom(...SCAN_KINDS),
        description: fc.string({ maxLength: 40 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    estimatedDeliveryAt: instant,
  },
  { requiredKeys: ['deliveryId', 'sentAt', 'trackingNumber', 'carrier', 'scans'] },
);

const claimPush: fc.Arbitrary<ClaimPush> = fc.record(
  {
    deliveryId: word,
    sentAt: instant,
    claimId: word,
    trackingNumber: word,
    status: fc.constantFrom(...CLAIM_STATUSES),
    amount: fc.integer({ min: 1, max: 100_000 }),
    currency: fc.constantFrom('EUR', 'USD'),
    amountApproved: fc.integer({ min: 0, max: 100_000 }),
    detail: fc.string({ maxLength: 40 }),
  },
  {
    requiredKeys: [
      'deliveryId',
      'sentAt',
      'claimId',
      'trackingNumber',
      'status',
      'amount',
      'currency',
    ],
  },
);

/** A valid payload of the provider: a tracking push, or a claim push where it sends those. */
function validPayload(provider: WebhookProvider): fc.Arbitrary<Json> {
  const tracking = trackingPush.map((p) => buildTrackingPayload(provider, p) as Json);
  if (!pushesClaims(provider)) return tracking;
  return fc.oneof(
    tracking,
    claimPush.map((c) => buildClaimPayload(provider, c) as Json),
  );
}

/** Parses like the receiver does, after the signature check: JSON text in, raw bytes kept. */
function parse(provider: WebhookProvider, body: unknown): ParsedWebhook {
  const raw = Buffer.from(JSON.stringify(body) ?? '', 'utf8');
  return parseWebhook(provider, body, raw);
}

/** What any parse must give: a well-formed result, or our 400 naming fields. Returns the error. */
function checkOutcome(provider: WebhookProvider, body: unknown): ProblemError | undefined {
  let parsed: ParsedWebhook;
  try {
    parsed = parse(provider, body);
  } catch (err) {
    expect(err, `${provider} threw something other than a ProblemError`).toBeInstanceOf(
      ProblemError,
    );
    const problem = err as ProblemError;
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('webhook.invalid_payload');
    expect(problem.extra.errors?.length).toBeGreaterThan(0);
    for (const e of problem.extra.errors ?? []) {
      expect(typeof e.path).toBe('string');
      expect(e.path.length).toBeGreaterThan(0);
      expect(typeof e.message).toBe('string');
    }
    return problem;
  }
  expect(typeof parsed.deliveryId).toBe('string');
  expect(parsed.deliveryId.length).toBeGreaterThan(0);
  expect(['tracking', 'claim', 'ignored']).toContain(parsed.kind);
  expect(typeof parsed.event).toBe('string');
  for (const t of parsed.trackings) {
    expect(typeof t.trackingNumber).toBe('string');
    if (t.carrier !== undefined) expect(typeof t.carrier).toBe('string');
    for (const e of t.events) {
      expect(typeof e.eventId).toBe('string');
      expect(STATUSES.has(e.status), `status ${String(e.status)}`).toBe(true);
      expect(new Date(e.occurredAt).toISOString()).toBe(e.occurredAt);
    }
  }
  for (const c of parsed.claims) {
    expect(typeof c.claimId).toBe('string');
    expect(typeof c.status, `claim status ${String(c.status)}`).toBe('string');
    expect(new Date(c.at).toISOString()).toBe(c.at);
    if (c.amountApproved !== undefined) expect(Number.isFinite(c.amountApproved)).toBe(true);
  }
  expect(prototypePolluted()).toBe(false);
  return undefined;
}

it('the provider list comes from the code and holds the known providers', () => {
  expect(WEBHOOK_PROVIDERS).toEqual(
    expect.arrayContaining(['aftership', '17track', 'easypost', 'sandbox']),
  );
});

describe.each(WEBHOOK_PROVIDERS)('the %s webhook parser', (provider) => {
  it('accepts its own valid payloads', () => {
    fc.assert(
      fc.property(validPayload(provider), (body) => {
        expect(checkOutcome(provider, body)).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });

  it('answers any JSON value with a parse or a 400 naming fields, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), hostileValue()), (body) => {
        checkOutcome(provider, body);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers a valid payload with one field changed the same way, naming that field', () => {
    fc.assert(
      fc.property(
        validPayload(provider).chain((valid) =>
          mutationOf(valid).map((m) => ({ valid, m, body: mutate(valid, m) })),
        ),
        ({ m, body }) => {
          const problem = checkOutcome(provider, body);
          if (problem && m.kind !== 'add') {
            const paths = problem.extra.errors!.map((e) => e.path);
            expect(
              paths.some((p) => namesField(p, m.path)),
              `errors ${paths.join(', ')} do not name ${m.path.join('.')}`,
            ).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('takes Object.prototype names in every text field as plain text', () => {
    // Exhaustive over the fields: a status table indexed with `constructor` gives a function.
    fc.assert(
      fc.property(validPayload(provider), (valid) => {
        for (const path of pathsOf(valid)) {
          for (const name of OBJECT_NAMES) {
            const body = mutate(valid, { kind: 'set', path, value: name });
            checkOutcome(provider, body);
          }
        }
      }),
      { numRuns: 5 },
    );
  });

  it('answers arbitrary bytes that happen to be JSON the same way', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const raw = Buffer.from(bytes);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return; // the receiver answers 400 malformed JSON before any parser runs
        }
        try {
          parseWebhook(provider, body, raw);
        } catch (err) {
          expect(err).toBeInstanceOf(ProblemError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe.each(WEBHOOK_PROVIDERS)('the %s signature check', (provider) => {
  const secret = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 300 });

  it(`verifies a valid ${SIGNATURE_HEADERS[provider]} over arbitrary bytes`, () => {
    fc.assert(
      fc.property(bytes, secret, (b, s) => {
        const raw = Buffer.from(b);
        expect(verifySignature(provider, raw, signatureFor(provider, raw, s), s)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('fails when any single byte of the body changes', () => {
    fc.assert(
      fc.property(bytes, secret, fc.nat(), fc.integer({ min: 1, max: 255 }), (b, s, at, flip) => {
        const raw = Buffer.from(b);
        const header = signatureFor(provider, raw, s);
        const changed = Buffer.from(raw);
        const i = at % changed.length;
        changed[i] = changed[i]! ^ flip;
        expect(verifySignature(provider, changed, header, s)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('fails when any single character of the signature changes, or it is cut', () => {
    fc.assert(
      fc.property(bytes, secret, fc.nat(), fc.nat(), (b, s, at, pick) => {
        const raw = Buffer.from(b);
        const header = signatureFor(provider, raw, s);
        const i = at % header.length;
        const alphabet = 'abcdefABCDEF0123456789+/=-xyz';
        // Hex signatures are compared case-insensitively: a case change is no change.
        const others = [...alphabet].filter((c) => c.toLowerCase() !== header[i]!.toLowerCase());
        const changed = header.slice(0, i) + others[pick % others.length]! + header.slice(i + 1);
        expect(verifySignature(provider, raw, changed, s)).toBe(false);
        expect(verifySignature(provider, raw, header.slice(0, -1), s)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects arbitrary header strings without throwing', () => {
    fc.assert(
      fc.property(bytes, secret, fc.string({ unit: 'binary', maxLength: 120 }), (b, s, header) => {
        const raw = Buffer.from(b);
        const genuine = header.trim() === signatureFor(provider, raw, s);
        expect(verifySignature(provider, raw, header, s)).toBe(genuine);
      }),
      { numRuns: RUNS },
    );
  });
});
