import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMailSink, type StoredMail } from '../../src/mail/smtp-sink';
import type { Mailer } from '../../src/mail/mailer';

type Sink = Awaited<ReturnType<typeof startMailSink>>;

let dir: string;
const running: Sink[] = [];
const mailers: Mailer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parcelwarden-mail-'));
});

afterEach(async () => {
  for (const m of mailers.splice(0)) m.close?.();
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function sink(opts: { storeFile?: string; httpPort?: number } = {}): Promise<Sink> {
  const s = await startMailSink({ smtpPort: 0, ...opts });
  running.push(s);
  return s;
}

function mailerFor(s: Sink): Mailer {
  const m = createSmtpMailer({
    url: `smtp://127.0.0.1:${s.smtpPort}`,
    from: 'Parcelwarden <care@parcelwarden.local>',
  });
  mailers.push(m);
  return m;
}

describe('mail', () => {
  it('a mail sent by the mailer reaches the sink with its subject, recipient, text and Message-ID', async () => {
    const s = await sink();
    expect(s.smtpPort).toBeGreaterThan(0);
    const sent = await mailerFor(s).send({
      to: 'camille@example.fr',
      subject: 'Votre colis est en route',
      text: 'Bonjour Camille,\nnouveau numéro de suivi : SBX0000000001.',
      html: '<p>Bonjour Camille</p>',
      messageId: '<notification.order-1001.reshipped@parcelwarden.local>',
      headers: { 'X-Parcelwarden-Shipment': 'order-1001' },
    });
    expect(sent.messageId).toBe('<notification.order-1001.reshipped@parcelwarden.local>');

    const got = await s.waitFor((m) => m.subject === 'Votre colis est en route', 2_000);
    expect(got).toMatchObject({
      messageId: '<notification.order-1001.reshipped@parcelwarden.local>',
      to: ['camille@example.fr'],
      text: 'Bonjour Camille,\nnouveau numéro de suivi : SBX0000000001.',
      html: '<p>Bonjour Camille</p>',
    });
    expect(got.from).toContain('care@parcelwarden.local');
    expect(s.messages()).toHaveLength(1);
  });

  it('a Message-ID given without angle brackets is sent in the standard form', async () => {
    const s = await sink();
    await mailerFor(s).send({
      to: 'ops@parcelwarden.local',
      subject: 'Review overdue',
      text: 'Shipment order-2002 has waited 24 h for review.',
      messageId: 'ops-alert.order-2002@parcelwarden.local',
    });
    const got = await s.waitFor(() => true, 2_000);
    expect(got.messageId).toBe('<ops-alert.order-2002@parcelwarden.local>');
  });

  it('the viewer lists received mail newest first, filters by recipient and escapes content', async () => {
    const s = await sink({ httpPort: 0 });
    expect(s.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const mailer = mailerFor(s);
    await mailer.send({
      to: 'a@example.com',
      subject: 'first',
      text: 'one',
      messageId: 'm1@x',
    });
    await mailer.send({
      to: 'b@example.com',
      subject: '<script>alert(1)</script>',
      text: 'two',
      messageId: 'm2@x',
    });

    const all = (await (await fetch(`${s.httpUrl}/messages`)).json()) as StoredMail[];
    expect(all.map((m) => m.messageId)).toEqual(['<m2@x>', '<m1@x>']);

    const forA = (await (
      await fetch(`${s.httpUrl}/messages?to=A@example.com`)
    ).json()) as StoredMail[];
    expect(forA.map((m) => m.subject)).toEqual(['first']);

    const page = await (await fetch(`${s.httpUrl}/`)).text();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
  });

  it('mail kept in the store file is still listed after the sink restarts', async () => {
    const storeFile = path.join(dir, 'mail', 'messages.jsonl');
    const first = await sink({ storeFile });
    await mailerFor(first).send({
      to: 'camille@example.fr',
      subject: 'Retard de livraison',
      text: 'Votre colis a du retard.',
      messageId: 'delay.order-1001@parcelwarden.local',
    });
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const second = await sink({ storeFile, httpPort: 0 });
    expect(second.messages().map((m) => m.subject)).toEqual(['Retard de livraison']);
    await mailerFor(second).send({
      to: 'camille@example.fr',
      subject: 'Nouveau colis',
      text: 'Un nouveau colis est en route.',
      messageId: 'reshipped.order-1001@parcelwarden.local',
    });
    const listed = (await (await fetch(`${second.httpUrl}/messages`)).json()) as StoredMail[];
    expect(listed.map((m) => m.subject)).toEqual(['Nouveau colis', 'Retard de livraison']);
  });

  it('sending to a mail server that is down throws, so the activity can retry', async () => {
    const s = await sink();
    const mailer = mailerFor(s);
    await s.stop();
    running.splice(running.indexOf(s), 1);
    await expect(
      mailer.send({
        to: 'camille@example.fr',
        subject: 'lost',
        text: 'never arrives',
        messageId: 'down@parcelwarden.local',
      }),
    ).rejects.toThrow(/Sending mail down@parcelwarden.local to camille@example.fr failed/);
  });

  it('a mail server that accepts the connection but never answers fails the attempt within the timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${port}`,
      from: 'care@parcelwarden.local',
      timeoutMs: 300,
    });
    mailers.push(mailer);
    const started = Date.now();
    try {
      await expect(
        mailer.send({ to: 'a@example.com', subject: 's', text: 't', messageId: 'hang@x' }),
      ).rejects.toThrow(/Sending mail hang@x to a@example.com failed/);
      // nodemailer's own greeting timeout is 30 s; ours keeps an outbox attempt short.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
  });

  it('waiting for a mail that never comes fails with a clear deadline message', async () => {
    const s = await sink();
    await expect(s.waitFor((m) => m.subject === 'never', 100)).rejects.toThrow(
      /No matching mail arrived within 100 ms/,
    );
  });
});
