import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps';
import {
  createRefundActivities,
  REFUND_SIGNATURE_HEADER,
} from '../../activities/refund.activities';
import { refunds } from '../../src/db/schema';
import { outboundFetchFromConfig } from '../../src/services';
import { aRegistration, insertShipmentRow } from '../helpers/factories';
import { startTestStack, type TestStack } from '../helpers/stack';

/** The seller's order system: answers from a script, records what it received. */
interface OrderSystem {
  url: string;
  received: { headers: IncomingHttpHeaders; body: string }[];
  /** Status and body for the next requests, in order; the last one repeats. */
  answers: { status: number; body?: unknown; headers?: Record<string, string> }[];
  close(): Promise<void>;
}

async function startOrderSystem(): Promise<OrderSystem> {
  const system = { received: [], answers: [{ status: 201, body: {} }] } as unknown as OrderSystem;
  let served = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      system.received.push({ headers: req.headers, body });
      const answer = system.answers[Math.min(served, system.answers.length - 1)]!;
      served += 1;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  system.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/refunds`;
  system.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return system;
}

let stack: TestStack;
let orders: OrderSystem;
beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  orders = await startOrderSystem();
});
afterAll(async () => {
  await orders?.close();
  await stack?.stop();
});

const SECRET = 'refund-test-secret';
const refundActivities = (refund: ActivityDeps['refund']) =>
  // Refunds need only the database and their endpoint.
  createRefundActivities({ db: stack.db, refund } as ActivityDeps);

async function refundInput() {
  const reg = aRegistration({ declaredValue: 42.5, currency: 'EUR' });
  await insertShipmentRow(stack.db, reg);
  return {
    idempotencyKey: `shipment:${reg.shipmentId}:refund:1`,
    shipmentId: reg.shipmentId,
    amount: 42.5,
    currency: 'EUR',
    reason: 'lost in transit',
    orderId: reg.orderId,
  };
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('refund through the seller’s order system', () => {
  it('the refund endpoint refunds once across retries, signed, with one idempotency key', async () => {
    const { orderId, ...input } = await refundInput();
    const { issueRefund } = refundActivities({ url: orders.url, secret: SECRET });
    orders.received = [];
    orders.answers = [
      { status: 503, body: { error: 'busy' } },
      { status: 201, body: { refundId: 're_777', status: 'succeeded' } },
    ];

    const failure = await failureOf(issueRefund(input));
    expect(failure).toMatchObject({ type: 'refund.unavailable', nonRetryable: false });
    const first = await issueRefund(input);
    const third = await issueRefund(input);

    expect(first).toMatchObject({
      amount: 42.5,
      currency: 'EUR',
      status: 'refunded',
      reference: 're_777',
    });
    expect(third).toEqual(first);
    // Two attempts reached the order system (the first failed), the same request both times.
    expect(orders.received).toHaveLength(2);
    const [a, b] = orders.received;
    expect(b!.body).toBe(a!.body);
    expect(a!.headers['idempotency-key']).toBe(input.idempotencyKey);
    expect(JSON.parse(a!.body)).toEqual({ ...input, orderId });
    const signature = createHmac('sha256', SECRET).update(a!.body).digest('hex');
    expect(a!.headers[REFUND_SIGNATURE_HEADER.toLowerCase()]).toBe(`sha256=${signature}`);

    const rows = await stack.db
      .select()
      .from(refunds)
      .where(eq(refunds.shipmentId, input.shipmentId));
    expect(rows).toMatchObject([{ status: 'refunded', externalReference: 're_777', attempts: 2 }]);
  });

  it('a refund the order system refuses (4xx) fails for good and is not sent again', async () => {
    const { orderId: _o, ...input } = await refundInput();
    const { issueRefund } = refundActivities({ url: orders.url });
    orders.received = [];
    orders.answers = [{ status: 422, body: { error: 'order already refunded' } }];

    const failure = await failureOf(issueRefund(input));
    expect(failure).toMatchObject({ type: 'refund.rejected', nonRetryable: true });
    expect(failure.message).toContain('order already refunded');
    const again = await failureOf(issueRefund(input));
    expect(again).toMatchObject({ type: 'refund.rejected', nonRetryable: true });
    expect(orders.received).toHaveLength(1);
    const [row] = await stack.db
      .select()
      .from(refunds)
      .where(eq(refunds.idempotencyKey, input.idempotencyKey));
    expect(row?.status).toBe('failed');
  });

  it('a 429 is retried after the order system’s Retry-After', async () => {
    const { orderId: _o, ...input } = await refundInput();
    const { issueRefund } = refundActivities({ url: orders.url });
    orders.answers = [{ status: 429, headers: { 'retry-after': '7' } }];
    const failure = await failureOf(issueRefund(input));
    expect(failure).toMatchObject({ type: 'refund.unavailable', nonRetryable: false });
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('without a refund endpoint the refund is recorded as manual, with a note telling ops to pay it', async () => {
    const { orderId: _o, ...input } = await refundInput();
    const { issueRefund } = refundActivities({});
    orders.received = [];
    const record = await issueRefund(input);
    expect(record).toMatchObject({ status: 'manual', amount: 42.5, currency: 'EUR' });
    expect(record.note).toBe(
      `REFUND_URL is not set: refund 42.50 EUR for shipment ${input.shipmentId} by hand in the order system (reason: lost in transit).`,
    );
    expect(await issueRefund(input)).toEqual(record);
    expect(orders.received).toHaveLength(0);
  });
});

describe('what the customer is told about the refund', () => {
  /** The refund mail the workflow's notify step sends, as the customer receives it. */
  async function refundMail(shipmentId: string) {
    const [row] = await stack.db.select().from(refunds).where(eq(refunds.shipmentId, shipmentId));
    const to = `buyer.${shipmentId.toLowerCase()}@example.com`;
    await stack.activities.sendNotification({
      idempotencyKey: `shipment:${shipmentId}:notify:refunded`,
      shipmentId,
      kind: 'refunded',
      to,
      locale: 'en-US',
      // What the workflow passes: the amount it knows, nothing about whether it was paid.
      vars: { refundAmount: row!.amount, currency: row!.currency },
    });
    return stack.mail.waitFor((m) => m.to.includes(to), 10_000);
  }

  it('a manual refund (no REFUND_URL) is announced as being arranged, never as paid', async () => {
    const { orderId: _o, ...input } = await refundInput();
    expect(await refundActivities({}).issueRefund(input)).toMatchObject({ status: 'manual' });
    const mail = await refundMail(input.shipmentId);
    expect(mail.text).toContain('We are arranging a refund of €42.50');
    expect(mail.text).toContain('It has not been paid yet');
    expect(mail.text).not.toContain('We have refunded');
  });

  it('a refund the order system confirmed is announced as paid', async () => {
    const { orderId: _o, ...input } = await refundInput();
    orders.answers = [{ status: 201, body: { refundId: 're_paid', status: 'succeeded' } }];
    const record = await refundActivities({ url: orders.url, secret: SECRET }).issueRefund(input);
    expect(record).toMatchObject({ status: 'refunded' });
    const mail = await refundMail(input.shipmentId);
    expect(mail.text).toContain('We have refunded €42.50 to your original payment method.');
  });
});

describe('the refund request goes to REFUND_URL and nowhere else', () => {
  it('a redirect is not followed: the refund fails for good, naming where it pointed', async () => {
    const elsewhere = await startOrderSystem();
    try {
      const { orderId: _o, ...input } = await refundInput();
      const { issueRefund } = refundActivities({ url: orders.url, secret: SECRET });
      orders.received = [];
      orders.answers = [{ status: 307, headers: { location: elsewhere.url } }];

      const failure = await failureOf(issueRefund(input));
      expect(failure).toMatchObject({ type: 'refund.rejected', nonRetryable: true });
      expect(failure.message).toContain(`redirecting to ${elsewhere.url}`);
      expect(orders.received).toHaveLength(1);
      // The signed body never reached the address the redirect named.
      expect(elsewhere.received).toEqual([]);
      const [row] = await stack.db
        .select()
        .from(refunds)
        .where(eq(refunds.idempotencyKey, input.idempotencyKey));
      expect(row?.status).toBe('failed');
    } finally {
      await elsewhere.close();
    }
  });

  it('in production a REFUND_URL on a loopback address is refused unless OUTBOUND_ALLOWED_HOSTS lists it', async () => {
    const { orderId: _o, ...input } = await refundInput();
    orders.received = [];
    orders.answers = [{ status: 201, body: { refundId: 're_allowed' } }];
    const production = (allowed: string[]) =>
      outboundFetchFromConfig({ nodeEnv: 'production', outboundAllowedHosts: allowed });

    const refused = refundActivities({ url: orders.url, fetch: production([]) });
    const failure = await failureOf(refused.issueRefund(input));
    expect(failure).toMatchObject({ type: 'refund.rejected', nonRetryable: true });
    expect(failure.message).toMatch(/not a public address.*OUTBOUND_ALLOWED_HOSTS/);
    expect(orders.received).toEqual([]);

    const otherInput = (await refundInput()) as Awaited<ReturnType<typeof refundInput>>;
    const { orderId: _p, ...second } = otherInput;
    const host = new URL(orders.url).host;
    const allowed = refundActivities({ url: orders.url, fetch: production([host]) });
    expect(await allowed.issueRefund(second)).toMatchObject({
      status: 'refunded',
      reference: 're_allowed',
    });
    expect(orders.received).toHaveLength(1);
  });
});
