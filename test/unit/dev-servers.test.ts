import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMailSink } from '../../src/mail/smtp-sink';
import { isAllowedHost } from '../../src/http/dev-server';
import { spawnService, type ServiceProcess } from '../helpers/processes';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A raw GET with the Host header we choose (fetch would not let us set it). */
function get(
  url: string,
  opts: { host?: string; path?: string } = {},
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: u.hostname,
        port: u.port,
        path: opts.path ?? u.pathname,
        headers: { host: opts.host ?? u.host },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
  });
}

describe('which Host names a development server answers', () => {
  it.each([
    ['localhost', true],
    ['localhost:3025', true],
    ['LOCALHOST:3025', true],
    ['127.0.0.1', true],
    ['127.0.0.1:4010', true],
    ['[::1]', true],
    ['[::1]:4010', true],
    ['evil.example', false],
    ['evil.example:3025', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.nip.io:3025', false],
    ['0.0.0.0:3025', false],
    ['localhost:3025@evil', false],
    ['', false],
  ])('%s → %s', (host, allowed) => {
    expect(isAllowedHost(host)).toBe(allowed);
  });

  it('a name allowed on top of loopback (a compose service) is matched without its port', () => {
    expect(isAllowedHost('sandbox-carrier:4010', ['sandbox-carrier'])).toBe(true);
    expect(isAllowedHost('other:4010', ['sandbox-carrier'])).toBe(false);
  });
});

describe('the mail sink viewer', () => {
  it('answers 400 to a malformed percent-encoding and keeps running (in a process of its own)', async () => {
    const proc: ServiceProcess = spawnService('test/helpers/mail-sink.main.ts', {});
    cleanups.push(() => proc.kill());
    await proc.waitForOutput(/SMTP on port \d+/, 30_000);
    const [, url, smtpPort] = /viewer on (http:\/\/[^,\s]+), SMTP on port (\d+)/.exec(
      proc.output(),
    )!;
    // The old viewer only decoded the id while comparing it with a stored mail's.
    const mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${smtpPort}`,
      from: 'pw@example.com',
    });
    cleanups.push(async () => mailer.close?.());
    await mailer.send({
      to: 'camille@example.fr',
      subject: 'Your parcel',
      text: 'Hello',
      messageId: '<dev-servers.test@parcelwarden.local>',
    });

    const bad = await get(url!, { path: '/messages/%' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      error: 'the message id is not valid percent-encoding',
    });
    expect((await get(url!, { path: '/messages/%E0%A4%A' })).status).toBe(400);

    // Still serving, and the process is still there.
    expect((await get(url!, { path: '/messages' })).status).toBe(200);
    expect(proc.proc.exitCode).toBeNull();
    expect(proc.proc.signalCode).toBeNull();
  });

  it('answers only loopback Host names (DNS rebinding gets 421, not the mailbox)', async () => {
    const sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
    cleanups.push(() => sink.stop());
    const port = new URL(sink.httpUrl!).port;
    for (const path of ['/', '/messages', '/messages/x']) {
      const refused = await get(sink.httpUrl!, { host: `rebind.example:${port}`, path });
      expect(refused.status).toBe(421);
      expect(refused.body).not.toContain('Mail sink');
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await get(sink.httpUrl!, { host, path: '/messages' })).status).toBe(200);
    }
  });
});
