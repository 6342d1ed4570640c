/**
 * A local SMTP server that keeps every message it receives (optionally in a JSON-lines file, so
 * they survive a restart) and shows them to ops over HTTP. The default mail server of `npm start`.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { escapeHtml } from '../messages/templates';
import { decodePathSegment, isAllowedHost, MISDIRECTED } from '../http/dev-server';

export interface StoredMail {
  id: string;
  messageId?: string;
  from: string;
  /** The Reply-To header, when the mail has one. */
  replyTo?: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  receivedAt: string;
}

export interface MailSinkOptions {
  smtpPort: number;
  httpPort?: number;
  host?: string;
  storeFile?: string;
  log?: (m: string) => void;
}

export interface MailSink {
  smtpPort: number;
  httpUrl?: string;
  messages(): StoredMail[];
  waitFor(pred: (m: StoredMail) => boolean, timeoutMs: number): Promise<StoredMail>;
  stop(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startMailSink(opts: MailSinkOptions): Promise<MailSink> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  const stored: StoredMail[] = opts.storeFile ? await loadStore(opts.storeFile, log) : [];
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);

  if (opts.storeFile) await mkdir(path.dirname(opts.storeFile), { recursive: true });

  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    // Accept any credentials so an SMTP_URL with user:pass also works against the sink.
    allowInsecureAuth: true,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'anonymous' }),
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    banner: 'Parcelwarden mail sink',
    // Senders keep pooled connections open: stopping waits briefly for them, then closes them.
    closeTimeout: 500,
    logger: false,
    onData(stream, session, cb) {
      // The sender's "250 OK" only comes once the message is stored, so a sent mail is visible.
      simpleParser(stream)
        .then(async (parsed) => {
          const mail: StoredMail = {
            id: randomUUID(),
            ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
            from: parsed.from?.text ?? (session.envelope.mailFrom || {}).address ?? '',
            ...(parsed.replyTo?.text ? { replyTo: parsed.replyTo.text } : {}),
            to: recipients(
              session.envelope.rcptTo.map((r) => r.address),
              parsed.to,
            ),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
            receivedAt: new Date().toISOString(),
          };
          if (opts.storeFile) await appendFile(opts.storeFile, `${JSON.stringify(mail)}\n`);
          stored.push(mail);
          log(`mail sink received "${mail.subject}" for ${mail.to.join(', ')}`);
          arrivals.emit('mail', mail);
          cb();
        })
        .catch((err: unknown) => {
          log(`mail sink could not store a message: ${String(err)}`);
          cb(err instanceof Error ? err : new Error(String(err)));
        });
    },
  });
  smtp.on('error', (err) => log(`mail sink SMTP error: ${err.message}`));

  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(opts.smtpPort, host, () => {
      smtp.server.off('error', reject);
      resolve();
    });
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let viewer: http.Server | undefined;
  let httpUrl: string | undefined;
  if (opts.httpPort !== undefined) {
    viewer = http.createServer((req, res) => {
      // Whatever a request does, the sink (and the `npm start` process around it) keeps running.
      try {
        serveViewer(req, res, stored);
      } catch (err) {
        log(
          `mail sink viewer error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      }
    });
    const v = viewer;
    await new Promise<void>((resolve, reject) => {
      v.once('error', reject);
      v.listen(opts.httpPort, host, () => {
        v.off('error', reject);
        resolve();
      });
    });
    httpUrl = `http://${hostForUrl(host)}:${(v.address() as AddressInfo).port}`;
  }
  log(`mail sink: SMTP on ${host}:${smtpPort}${httpUrl ? `, viewer on ${httpUrl}` : ''}`);

  return {
    smtpPort,
    ...(httpUrl ? { httpUrl } : {}),
    messages: () => [...stored],
    waitFor(pred, timeoutMs) {
      const already = stored.find(pred);
      if (already) return Promise.resolve(already);
      return new Promise<StoredMail>((resolve, reject) => {
        const onMail = (m: StoredMail) => {
          if (!pred(m)) return;
          clearTimeout(timer);
          arrivals.off('mail', onMail);
          resolve(m);
        };
        const timer = setTimeout(() => {
          arrivals.off('mail', onMail);
          reject(
            new Error(
              `No matching mail arrived within ${timeoutMs} ms (${stored.length} messages in the sink)`,
            ),
          );
        }, timeoutMs);
        arrivals.on('mail', onMail);
      });
    },
    async stop() {
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        viewer &&
          new Promise<void>((resolve, reject) => {
            viewer.close((err) => (err ? reject(err) : resolve()));
            viewer.closeAllConnections();
          }),
      ]);
    },
  };
}

/** Envelope recipients are who the mail was delivered to (Bcc included); headers are the fallback. */
function recipients(envelope: string[], header: AddressObject | AddressObject[] | undefined) {
  if (envelope.length) return envelope;
  const objs = header ? (Array.isArray(header) ? header : [header]) : [];
  return objs.flatMap((o) => o.value.map((a) => a.address ?? '')).filter(Boolean);
}

async function loadStore(file: string, log: (m: string) => void): Promise<StoredMail[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: StoredMail[] = [];
  content.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as StoredMail);
    } catch {
      // A line cut off by a crash mid-write must not hide the rest of the mailbox.
      log(`mail sink: skipping unreadable line ${i + 1} of ${file}`);
    }
  });
  return out;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function serveViewer(req: http.IncomingMessage, res: http.ServerResponse, stored: StoredMail[]) {
  // Only loopback names: a foreign name in Host is a page of the web trying DNS rebinding.
  if (!isAllowedHost(req.headers.host)) {
    sendJson(res, MISDIRECTED.status, { error: MISDIRECTED.message });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD' });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://sink');
  const to = url.searchParams.get('to')?.toLowerCase();
  const list = stored.filter((m) => !to || m.to.some((r) => r.toLowerCase() === to)).reverse();
  if (url.pathname === '/messages') {
    sendJson(res, 200, list);
    return;
  }
  const one = /^\/messages\/([^/]+)$/.exec(url.pathname);
  if (one) {
    const id = decodePathSegment(one[1]!);
    if (id === undefined) {
      sendJson(res, 400, { error: 'the message id is not valid percent-encoding' });
      return;
    }
    const mail = stored.find((m) => m.id === id);
    sendJson(res, mail ? 200 : 404, mail ?? { error: 'no such message' });
    return;
  }
  if (url.pathname === '/') {
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      // The page shows untrusted mail content: no scripts, no remote loads.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(renderPage(list, to));
    return;
  }
  sendJson(res, 404, { error: 'not found' });
}

function renderPage(list: StoredMail[], to: string | undefined): string {
  const rows = list
    .map(
      (m) => `<li>
  <details>
    <summary><time>${escapeHtml(m.receivedAt)}</time> · <b>${escapeHtml(m.subject || '(no subject)')}</b>
      · to ${escapeHtml(m.to.join(', '))} · from ${escapeHtml(m.from)}</summary>
    <p><small>Message-ID ${escapeHtml(m.messageId ?? '—')}</small></p>
    <pre>${escapeHtml(m.text)}</pre>
  </details>
</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Parcelwarden mail sink</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2rem; }
  li { margin: .4rem 0; } pre { white-space: pre-wrap; background: #f5f5f5; padding: .6rem; }
</style>
</head>
<body>
<h1>Mail sink</h1>
<p>${list.length} message(s)${to ? ` to ${escapeHtml(to)}` : ''}, newest first.
   JSON at <a href="/messages">/messages</a> (filter with <code>?to=</code>).</p>
<ol>
${rows}
</ol>
</body>
</html>
`;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
