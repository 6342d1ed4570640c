import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNotifyActivities } from '../../activities/notify.activities';
import {
  connectDatabase,
  type Database,
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
} from '../../src/db/client';
import { notifications, refunds } from '../../src/db/schema';
import { signOnsiteBody } from '../../src/messages/channels';
import { messageIdFor } from '../../src/messages/outbox.repository';
import { startMessageDispatcher } from '../../src/messages/dispatcher';
import { DEFAULT_MESSAGING, type MessagingSettings } from '../../src/messages/settings';
import type { Mailer, OutgoingMail } from '../../src/mail/mailer';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import {
  aFastPolicy,
  aRegistration,
  insertPolicy,
  insertShipmentRow,
  uniqueId,
} from '../helpers/factories';
import { waitUntil } from '../helpers/wait';

/**
 * A database of its own: the dispatchers started here and those of other test files' workers
 * must not deliver (or count) each other's messages.
 */
const OPS_EMAIL = 'ops@outbox.test';
let database: Database;
let dbName: string;
let stack: { db: Database['db']; mail: MailSink };
let realMailer: Mailer;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dbName = `pw_outbox_${Date.now()}`;
  const url = await ensureDatabase(inject('databaseServerUrl'), dbName);
  await migrateDatabase(url);
  database = connectDatabase(url, { max: 5 });
  stack = { db: database.db, mail: await startMailSink({ smtpPort: 0 }) };
  realMailer = createSmtpMailer({
    url: `smtp://127.0.0.1:${stack.mail.smtpPort}`,
    from: 'Shop <care@shop.test>',
  });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});
afterAll(async () => {
  realMailer?.close?.();
  await stack?.mail.stop();
  await database?.close();
  if (dbName) {
    await dropDatabase(inject('databaseServerUrl'), dbName);
  }
});

/** A mail server we can switch off and on, and that counts what it was asked to send. */
function switchableMailer(isUp: (m: OutgoingMail) => boolean): Mailer & { calls: number } {
  const m = {
    calls: 0,
    async send(mail: OutgoingMail) {
      m.calls += 1;
      if (!isUp(mail)) throw new Error('connect ECONNREFUSED 127.0.0.1:25');
      return realMailer.send(mail);
    },
  };
  return m;
}

const fast: Partial<MessagingSettings> = {
  leaseMs: 2_000,
  pollMs: 100,
  maxBackoffMs: 300,
  alertAfterAttempts: 3,
  opsEmail: OPS_EMAIL,
};

function activitiesWith(mailer: Mailer, messaging: Partial<MessagingSettings> = {}) {
  return createNotifyActivities({
    db: stack.db,
    carriers: {} as never,
    mailer,
    opsEmail: OPS_EMAIL,
    messaging: { ...fast, ...messaging },
  });
}

function dispatch(mailer: Mailer, messaging: Partial<MessagingSettings> = {}) {
  const d = startMessageDispatcher({
    db: stack.db,
    mailer,
    settings: { ...DEFAULT_MESSAGING, ...fast, ...messaging },
  });
  stops.push(() => d.stop());
}

const rowOf = async (key: string) =>
  (await stack.db.select().from(notifications).where(eq(notifications.idempotencyKey, key)))[0]!;

describe('customer messages through the outbox', () => {
  it('a notice is written in the customer’s language with what the read model knows, in text and HTML', async () => {
    const reg = aRegistration({
      customer: { name: 'Jürgen Weiß', email: `j.${uniqueId('c')}@example.de`, locale: 'de-DE' },
      items: [
        { sku: 'MUG-BLUE', quantity: 2, unitPrice: 12 },
        { sku: 'TEA-SET', quantity: 1, unitPrice: 30 },
      ],
      expectedDeliveryAt: '2026-03-05T12:00:00Z',
      compensation: { couponCode: 'SORRY10' },
    });
    await insertShipmentRow(stack.db, reg);
    const key = `shipment:${reg.shipmentId}:notify:delay_notice:1`;
    const sent = await activitiesWith(realMailer).sendNotification({
      idempotencyKey: key,
      shipmentId: reg.shipmentId,
      kind: 'delay_notice',
      to: reg.customer.email,
      locale: reg.customer.locale,
      vars: { customerName: reg.customer.name, orderId: reg.orderId, items: '3 items' },
    });
    expect(sent).toMatchObject({ kind: 'delay_notice', channel: 'email', status: 'sent' });
    const mail = await stack.mail.waitFor((m) => m.to.includes(reg.customer.email), 5_000);
    expect(mail.subject).toBe(`Ihre Bestellung ${reg.orderId} braucht länger als erwartet`);
    expect(mail.text).toContain('Hallo Jürgen Weiß');
    expect(mail.text).toContain('(2 × MUG-BLUE und 1 × TEA-SET)');
    expect(mail.text).toContain('Erwartet war es bis zum 5. März 2026.');
    expect(mail.text).toContain('SORRY10');
    expect(mail.html).toContain('<p>Hallo Jürgen Weiß,</p>');
    expect(mail.messageId).toBe(messageIdFor(key, DEFAULT_MESSAGING.messageIdDomain));
  });

  it('a delay notice under a policy with customer care comes from the policy’s sender with its gift; the survey brings no gift', async () => {
    const policy = uniqueId('care').toLowerCase();
    await insertPolicy(
      stack.db,
      aFastPolicy(policy, {
        customerCare: {
          senderName: 'Kumo Tea Care',
          replyTo: 'care@kumo.example',
          compensation: { kind: 'gift', description: 'a tin of Longjing green tea' },
        },
      }),
    );
    const reg = aRegistration({ policy });
    await insertShipmentRow(stack.db, reg);
    const activities = activitiesWith(realMailer);
    const send = async (kind: 'delay_notice' | 'survey', to: string) => {
      await activities.sendNotification({
        idempotencyKey: `shipment:${reg.shipmentId}:notify:${kind}:1`,
        shipmentId: reg.shipmentId,
        kind,
        to,
        locale: 'en',
      });
      return stack.mail.waitFor((m) => m.to.includes(to), 5_000);
    };

    const delay = await send('delay_notice', `d.${uniqueId('c')}@example.com`);
    expect(delay.from).toContain('Kumo Tea Care');
    expect(delay.replyTo).toBe('care@kumo.example');
    expect(delay.text).toContain(
      'As an apology for the wait, we are sending you a gift: a tin of Longjing green tea',
    );
    expect(delay.text).not.toContain('coupon');

    const survey = await send('survey', `s.${uniqueId('c')}@example.com`);
    expect(survey.from).toContain('Kumo Tea Care');
    expect(survey.text).not.toContain('Longjing');
    expect(survey.text).not.toContain('gift');
  });

  it('a dead mail server does not hold up the workflow: the message is queued and the dispatcher delivers it once the server is back', async () => {
    let up = false;
    const mailer = switchableMailer(() => up);
    const reg = aRegistration();
    await insertShipmentRow(stack.db, reg);
    // The order system confirmed the refund: the mail may say it is paid.
    await stack.db.insert(refunds).values({
      idempotencyKey: `shipment:${reg.shipmentId}:refund:1`,
      shipmentId: reg.shipmentId,
      amount: 19.9,
      currency: 'USD',
      reason: 'lost in transit',
      status: 'refunded',
    });
    const key = `shipment:${reg.shipmentId}:notify:refunded`;
    const input = {
      idempotencyKey: key,
      shipmentId: reg.shipmentId,
      kind: 'refunded' as const,
      to: reg.customer.email,
      locale: 'en-US',
      vars: { refundAmount: 19.9, currency: 'USD' },
    };
    const activities = activitiesWith(mailer);
    const first = await activities.sendNotification(input);
    expect(first.status).toBe('queued');
    expect(await rowOf(key)).toMatchObject({ status: 'failing', attempts: 1 });
    // Temporal retrying the activity, or a replay, does not try again: the outbox owns retries.
    expect((await activities.sendNotification(input)).status).toBe('queued');
    expect(mailer.calls).toBe(1);

    dispatch(mailer);
    await waitUntil(
      'a few failed retries',
      () => rowOf(key),
      (r) => r.attempts >= 2,
      10_000,
    );
    up = true;
    const mail = await stack.mail.waitFor((m) => m.to.includes(reg.customer.email), 10_000);
    expect(mail.text).toContain('We have refunded $19.90');
    const row = await waitUntil(
      'sent',
      () => rowOf(key),
      (r) => r.status === 'sent',
      5_000,
    );
    expect(row.lastError).toBeNull();
    expect((await activities.sendNotification(input)).status).toBe('sent');
    expect(stack.mail.messages().filter((m) => m.to.includes(reg.customer.email))).toHaveLength(1);
  });

  it('a message that keeps failing alerts ops once, and keeps being retried', async () => {
    const reg = aRegistration();
    await insertShipmentRow(stack.db, reg);
    // The customer's mail server refuses; ops mail works.
    const mailer = switchableMailer((m) => m.to === OPS_EMAIL);
    const key = `shipment:${reg.shipmentId}:notify:reshipped:1`;
    await activitiesWith(mailer).sendNotification({
      idempotencyKey: key,
      shipmentId: reg.shipmentId,
      kind: 'reshipped',
      to: reg.customer.email,
      locale: 'en',
      vars: { newTrackingNumber: 'SBX0000000042', newCarrier: 'sandbox' },
    });
    dispatch(mailer);
    const alert = await stack.mail.waitFor(
      (m) => m.to.includes(OPS_EMAIL) && m.subject.includes(reg.shipmentId),
      15_000,
    );
    expect(alert.subject).toBe(`Message keeps failing: reshipped for shipment ${reg.shipmentId}`);
    expect(alert.text).toContain('ECONNREFUSED');
    await waitUntil(
      'more retries after the alert',
      () => rowOf(key),
      (r) => r.attempts >= 5,
      15_000,
    );
    expect(await rowOf(key)).toMatchObject({ status: 'failing' });
    expect((await rowOf(key)).alertedAt).not.toBeNull();
    expect(
      stack.mail
        .messages()
        .filter((m) => m.to.includes(OPS_EMAIL) && m.subject.includes(reg.shipmentId)),
    ).toHaveLength(1);
  });

  describe('the on-site channel', () => {
    let server: Server;
    let url: string;
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    let status = 200;
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.writeHead(status).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
    });
    afterAll(async () => {
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('a customer who prefers on-site messages gets a signed POST at the seller endpoint, not an e-mail', async () => {
      const reg = aRegistration({ preferredChannel: 'onsite', marketplace: 'shopify' });
      await insertShipmentRow(stack.db, reg);
      const key = `shipment:${reg.shipmentId}:notify:delay_notice:1`;
      const sent = await activitiesWith(realMailer, {
        onsite: { url, secret: 'seller-shared-secret' },
      }).sendNotification({
        idempotencyKey: key,
        shipmentId: reg.shipmentId,
        kind: 'delay_notice',
        to: reg.customer.email,
        locale: 'en',
      });
      expect(sent).toMatchObject({ channel: 'onsite', status: 'sent' });
      const got = received.find((r) => r.body.includes(reg.shipmentId))!;
      const t = /t=(\d+),/.exec(String(got.headers['x-parcelwarden-signature']))![1]!;
      expect(got.headers['x-parcelwarden-signature']).toBe(
        signOnsiteBody('seller-shared-secret', got.body, Number(t)),
      );
      expect(got.headers['idempotency-key']).toBe(key);
      expect(JSON.parse(got.body)).toMatchObject({
        shipmentId: reg.shipmentId,
        kind: 'delay_notice',
        subject: `Your order ${reg.orderId} is taking longer than expected`,
      });
      expect(stack.mail.messages().filter((m) => m.to.includes(reg.customer.email))).toHaveLength(
        0,
      );
    });

    it('an endpoint that answers 500 leaves the message failing with the reason, for the dispatcher to retry', async () => {
      status = 500;
      const reg = aRegistration({ preferredChannel: 'onsite' });
      await insertShipmentRow(stack.db, reg);
      const key = `shipment:${reg.shipmentId}:notify:delay_notice:1`;
      const sent = await activitiesWith(realMailer, {
        onsite: { url, secret: 'seller-shared-secret' },
      }).sendNotification({
        idempotencyKey: key,
        shipmentId: reg.shipmentId,
        kind: 'delay_notice',
        to: reg.customer.email,
        locale: 'en',
      });
      status = 200;
      expect(sent.status).toBe('queued');
      expect((await rowOf(key)).lastError).toContain('HTTP 500');
    });

    it('without a configured endpoint, an on-site customer still gets e-mail', async () => {
      const reg = aRegistration({ preferredChannel: 'onsite' });
      await insertShipmentRow(stack.db, reg);
      const sent = await activitiesWith(realMailer).sendNotification({
        idempotencyKey: `shipment:${reg.shipmentId}:notify:delay_notice:1`,
        shipmentId: reg.shipmentId,
        kind: 'delay_notice',
        to: reg.customer.email,
        locale: 'en',
      });
      expect(sent).toMatchObject({ channel: 'email', status: 'sent' });
    });
  });
});
