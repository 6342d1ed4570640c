import { createHash, createHmac } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxCarrierClient } from '../../src/carriers/sandbox/sandbox.client';
import {
  createSandboxCarrier,
  type SandboxCarrier,
} from '../../src/carriers/sandbox/sandbox.server';
import { parseWebhook } from '../../src/webhooks/webhooks.parsers';
import type { WebhookProvider } from '../../src/webhooks/webhooks.providers';
import type { TrackingStatus } from '../../workflows/shipment.contract';
import { waitUntil } from '../helpers/wait';

const API_KEY = 'scenario-test-key';
const SECRETS = {
  sandbox: 'sbx-secret',
  aftership: 'as-secret',
  '17track': '17-key',
  easypost: 'ep-secret',
} as const;
/** A story day in 20 ms: a whole story plays in well under a second. */
const FAST = 86_400 * 50;
const DAY_MS = 86_400_000;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
}

/** A webhook receiver that records pushes; `failFirst` answers 500 to that many first requests. */
async function receiver(failFirst = 0) {
  const received: Received[] = [];
  let failures = failFirst;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.statusCode = 500;
        res.end();
        return;
      }
      received.push({ path: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) });
      res.setHeader('content-type', 'application/json');
      res.end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Each provider's signature check, written out from its documentation. */
function signedCorrectly(format: WebhookProvider, r: Received): boolean {
  switch (format) {
    case 'aftership':
      return (
        r.headers['aftership-hmac-sha256'] ===
        createHmac('sha256', SECRETS.aftership).update(r.raw).digest('base64')
      );
    case '17track':
      return (
        r.headers.sign ===
        createHash('sha256')
          .update(Buffer.concat([r.raw, Buffer.from(`/${SECRETS['17track']}`)]))
          .digest('hex')
      );
    case 'easypost':
      return (
        r.headers['x-hmac-signature'] ===
        `hmac-sha256-hex=${createHmac('sha256', SECRETS.easypost).update(r.raw).digest('hex')}`
      );
    case 'sandbox':
      return (
        r.headers['x-sandbox-signature'] ===
        createHmac('sha256', SECRETS.sandbox).update(r.raw).digest('hex')
      );
  }
}

let sandbox: SandboxCarrier;
let url: string;
let closeSandbox: (() => Promise<void>) | undefined;
let client: SandboxCarrierClient;
const cleanups: (() => Promise<void>)[] = [];

/** (Re)starts the sandbox of the test; `apiBaseUrl` is the only place it pushes webhooks to. */
async function useSandbox(apiBaseUrl?: string) {
  await closeSandbox?.();
  closeSandbox = undefined;
  sandbox = createSandboxCarrier({
    apiKey: API_KEY,
    webhookSecrets: SECRETS,
    webhookRetryDelaysMs: [20, 20, 20],
    ...(apiBaseUrl ? { apiBaseUrl } : {}),
  });
  const server = await sandbox.listen(0);
  url = server.url;
  closeSandbox = server.close;
  client = new SandboxCarrierClient({ baseUrl: url, apiKey: API_KEY, timeoutMs: 2_000 });
}

beforeEach(async () => {
  await useSandbox();
});

afterEach(async () => {
  await closeSandbox?.();
  closeSandbox = undefined;
  for (const c of cleanups.splice(0)) await c();
});

async function control(
  method: string,
  path: string,
  body?: unknown,
  // JSON answers are asserted field by field; typing each one would add nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function startScenario(body: Record<string, unknown>) {
  const res = await control('POST', '/__control/scenarios', body);
  expect(res.status).toBe(201);
  return res.body as { scenarioId: string; trackingNumber: string; schedule: unknown[] };
}

/** Waits until the story has played out and every push has an outcome. */
async function playedOut(scenarioId: string) {
  return (
    await waitUntil(
      `scenario ${scenarioId} to play out`,
      () => control('GET', `/__control/scenarios/${scenarioId}`),
      (r) =>
        r.body.played === r.body.schedule.length &&
        r.body.pushes.every((p: { status: string }) => p.status !== 'pending'),
      15_000,
      20,
    )
  ).body;
}

describe('stories', () => {
  const endings: [string, TrackingStatus[]][] = [
    [
      'on_time',
      [
        'info_received',
        'in_transit',
        'in_transit',
        'in_transit',
        'in_transit',
        'out_for_delivery',
        'delivered',
      ],
    ],
    [
      'delayed',
      [
        'info_received',
        'in_transit',
        'in_transit',
        'in_transit',
        'in_transit',
        'out_for_delivery',
        'delivered',
      ],
    ],
    ['stalled', ['info_received', 'in_transit', 'in_transit', 'in_transit']],
    ['lost', ['info_received', 'in_transit', 'in_transit', 'in_transit', 'lost']],
    [
      'customs_hold',
      [
        'info_received',
        'in_transit',
        'in_transit',
        'in_transit',
        'customs',
        'in_transit',
        'out_for_delivery',
        'delivered',
      ],
    ],
    [
      'returned',
      [
        'info_received',
        'in_transit',
        'in_transit',
        'in_transit',
        'out_for_delivery',
        'failed_attempt',
        'out_for_delivery',
        'failed_attempt',
        'returning',
        'returned',
      ],
    ],
    [
      'delivered_not_received',
      ['info_received', 'in_transit', 'in_transit', 'in_transit', 'out_for_delivery', 'delivered'],
    ],
    [
      'damaged',
      [
        'info_received',
        'in_transit',
        'in_transit',
        'in_transit',
        'damaged',
        'out_for_delivery',
        'delivered',
      ],
    ],
  ];

  it.each(endings)('a %s parcel is tracked scan by scan to its ending', async (story, statuses) => {
    const s = await startScenario({ story, timeScale: FAST });
    await playedOut(s.scenarioId);
    const tracked = await client.track(s.trackingNumber);
    expect(tracked.known).toBe(true);
    expect(tracked.events.map((e) => e.status)).toEqual(statuses);
  });

  it('the first scan is there as soon as the scenario starts, at any time scale', async () => {
    const s = await startScenario({ story: 'on_time', timeScale: 1 });
    const tracked = await client.track(s.trackingNumber);
    expect(tracked.events.map((e) => e.status)).toEqual(['info_received']);
    expect(sandbox.scenarios.activeTimers).toBe(1);
  });

  it('a delayed parcel has its delivery estimate pushed back on the way', async () => {
    const s = await startScenario({ story: 'delayed', timeScale: FAST });
    const started = await control('GET', `/__control/scenarios/${s.scenarioId}`);
    const initial =
      Date.parse(started.body.estimatedDeliveryAt) - Date.parse(started.body.startedAt);
    expect(initial).toBeCloseTo((5 * DAY_MS) / FAST, 0);
    const done = await playedOut(s.scenarioId);
    const revised = Date.parse(done.estimatedDeliveryAt) - Date.parse(done.startedAt);
    expect(revised).toBeCloseTo((9 * DAY_MS) / FAST, 0);
    expect((await client.track(s.trackingNumber)).estimatedDeliveryAt).toBe(
      done.estimatedDeliveryAt,
    );
  });

  it('a delivered parcel shows proof of delivery: a signature, or a doorstep photo with GPS', async () => {
    const signed = await startScenario({ story: 'on_time', timeScale: FAST });
    const doorstep = await startScenario({ story: 'delivered_not_received', timeScale: FAST });
    await playedOut(signed.scenarioId);
    await playedOut(doorstep.scenarioId);
    const a = await client.track(signed.trackingNumber);
    expect(a.proofOfDelivery).toMatchObject({
      signedBy: 'M. WEBER',
      deliveredAt: a.events.at(-1)!.occurredAt,
    });
    const b = await client.track(doorstep.trackingNumber);
    expect(b.proofOfDelivery).toMatchObject({
      note: 'Left at front door',
      location: { lat: expect.any(Number) },
    });
    expect(b.proofOfDelivery?.signedBy).toBeUndefined();
  });

  it('a lost parcel shows no proof of delivery', async () => {
    const s = await startScenario({ story: 'lost', timeScale: FAST });
    await playedOut(s.scenarioId);
    expect((await client.track(s.trackingNumber)).proofOfDelivery).toBeUndefined();
  });
});

describe('webhook pushes', () => {
  it.each(['aftership', '17track', 'easypost', 'sandbox'] as const)(
    '%s format: a story is pushed signed, and lookups agree with what was pushed',
    async (format) => {
      const hook = await receiver();
      cleanups.push(hook.close);
      await useSandbox(hook.url);
      const s = await startScenario({
        story: 'customs_hold',
        timeScale: FAST,
        webhook: { format, url: `${hook.url}/v1/webhooks/${format}` },
      });
      const done = await playedOut(s.scenarioId);
      expect(done.pushes.length).toBeGreaterThan(0);
      expect(done.pushes.every((p: { status: string }) => p.status === 'delivered')).toBe(true);
      expect(hook.received.every((r) => signedCorrectly(format, r))).toBe(true);

      // Each push carries the whole history; pushes may arrive out of order, so the fullest one
      // has every scan the lookup answers.
      const pushed = hook.received
        .map((r) => parseWebhook(format, JSON.parse(r.raw.toString('utf8')), r.raw))
        .map((p) => p.trackings[0]!.events)
        .reduce((a, b) => (b.length > a.length ? b : a));
      const tracked = await client.track(s.trackingNumber);
      expect(pushed.map((e) => [e.eventId, e.occurredAt, e.status])).toEqual(
        tracked.events.map((e) => [e.eventId, e.occurredAt, e.status]),
      );
      expect(tracked.events.map((e) => e.status)).toContain('customs');
    },
  );

  it('a push the receiver refuses at first is retried until it is taken', async () => {
    const hook = await receiver(2);
    cleanups.push(hook.close);
    await useSandbox(hook.url);
    const s = await startScenario({
      story: 'stalled',
      timeScale: 1,
      webhook: { format: 'sandbox', url: hook.url },
    });
    const done = await waitUntil(
      'the first push to be delivered',
      () => control('GET', `/__control/scenarios/${s.scenarioId}`),
      (r) => r.body.pushes[0]?.status === 'delivered',
      10_000,
      20,
    );
    expect(done.body.pushes[0]).toMatchObject({ attempts: 3, lastStatusCode: 200 });
    expect(hook.received).toHaveLength(1);
  });

  it('a push that keeps failing is given up after the retries and counted', async () => {
    const hook = await receiver(100);
    cleanups.push(hook.close);
    await useSandbox(hook.url);
    const s = await startScenario({
      story: 'stalled',
      timeScale: 1,
      webhook: { format: 'aftership', url: hook.url },
    });
    const done = await waitUntil(
      'the first push to fail',
      () => control('GET', `/__control/scenarios/${s.scenarioId}`),
      (r) => r.body.pushes[0]?.status === 'failed',
      10_000,
      20,
    );
    expect(done.body.pushes[0]).toMatchObject({ attempts: 4, lastStatusCode: 500 });
    expect((await control('GET', '/__control/stats')).body.pushesFailed).toBe(1);
  });

  it('closing the sandbox stops the stories and their timers', async () => {
    await startScenario({ story: 'lost', timeScale: 1 });
    expect(sandbox.scenarios.activeTimers).toBeGreaterThan(0);
    await closeSandbox?.();
    expect(sandbox.scenarios.activeTimers).toBe(0);
    const again = await createSandboxCarrier({ apiKey: API_KEY }).listen(0);
    closeSandbox = again.close;
  });
});

describe('claims and traces on scenario parcels', () => {
  const claimOf = (trackingNumber: string, key: string) => ({
    idempotencyKey: key,
    trackingNumber,
    reason: 'damaged' as const,
    amount: 40,
    currency: 'EUR',
    description: 'Arrived broken',
    evidence: { photos: 2 },
  });

  it('a damaged parcel claim is partly approved after the delay and pushed as an EasyPost claim event', async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    await useSandbox(hook.url);
    const s = await startScenario({
      story: 'damaged',
      timeScale: FAST,
      webhook: { format: 'easypost', url: hook.url },
    });
    await playedOut(s.scenarioId);
    const filed = await client.fileClaim(claimOf(s.trackingNumber, 'claim-damaged'));
    expect(filed.status).toBe('submitted');

    const pushed = await waitUntil(
      'the claim decision push',
      () =>
        Promise.resolve(hook.received.find((r) => r.raw.toString().includes('"object":"Claim"'))),
      (r) => r !== undefined,
      10_000,
      20,
    );
    expect(signedCorrectly('easypost', pushed!)).toBe(true);
    const parsed = parseWebhook('easypost', JSON.parse(pushed!.raw.toString()), pushed!.raw);
    expect(parsed.claims).toEqual([
      expect.objectContaining({
        claimId: filed.claimId,
        status: 'partially_approved',
        amountApproved: 20,
      }),
    ]);
    expect(await client.claimStatus(filed.claimId)).toMatchObject({
      status: 'partially_approved',
      amountApproved: 20,
    });
  });

  it('a lost parcel claim is paid in full, one the carrier has proof of delivery for is denied', async () => {
    const lost = await startScenario({ story: 'lost', timeScale: FAST });
    const dnr = await startScenario({ story: 'delivered_not_received', timeScale: FAST });
    await playedOut(lost.scenarioId);
    await playedOut(dnr.scenarioId);
    const a = await client.fileClaim(claimOf(lost.trackingNumber, 'claim-lost'));
    const b = await client.fileClaim(claimOf(dnr.trackingNumber, 'claim-dnr'));
    await waitUntil(
      'the lost claim to be decided',
      () => client.claimStatus(a.claimId),
      (c) => c.status !== 'submitted',
      10_000,
      20,
    );
    expect(await client.claimStatus(a.claimId)).toMatchObject({
      status: 'approved',
      amountApproved: 40,
    });
    const denied = await waitUntil(
      'the dnr claim to be decided',
      () => client.claimStatus(b.claimId),
      (c) => c.status !== 'submitted',
      10_000,
      20,
    );
    expect(denied.status).toBe('denied');
    expect(denied.amountApproved).toBeUndefined();
  });

  it('a trace opens once per key and answers by the story when due', async () => {
    const lost = await startScenario({ story: 'lost', timeScale: FAST });
    const delivered = await startScenario({ story: 'on_time', timeScale: FAST });
    await playedOut(lost.scenarioId);
    await playedOut(delivered.scenarioId);
    const req = (trackingNumber: string, key: string) => ({
      idempotencyKey: key,
      trackingNumber,
      reason: 'lost' as const,
      description: 'No scan for days',
    });
    const first = await client.openTrace(req(lost.trackingNumber, 'trace-lost'));
    const again = await client.openTrace(req(lost.trackingNumber, 'trace-lost'));
    expect(again.traceId).toBe(first.traceId);
    expect(first.status).toBe('open');
    expect(Date.parse(first.answerDueAt!) - Date.parse(first.openedAt)).toBeCloseTo(
      (3 * DAY_MS) / FAST,
      0,
    );

    const answered = await waitUntil(
      'the trace answer',
      () => client.openTrace(req(lost.trackingNumber, 'trace-lost')),
      (t) => t.status !== 'open',
      10_000,
      20,
    );
    expect(answered.status).toBe('not_found');
    const found = await waitUntil(
      'the second trace answer',
      () => client.openTrace(req(delivered.trackingNumber, 'trace-found')),
      (t) => t.status !== 'open',
      10_000,
      20,
    );
    expect(found.status).toBe('found');
  });

  it('a trace for a number the carrier never saw is refused for good', async () => {
    await expect(
      client.openTrace({
        idempotencyKey: 'k',
        trackingNumber: 'GHOST123',
        reason: 'lost',
        description: 'x',
      }),
    ).rejects.toMatchObject({ permanent: true, code: 'trace.unknown_tracking' });
  });
});

describe('scenario requests', () => {
  it('an unknown story, an unsigned format and a taken tracking number are refused', async () => {
    const bad = await control('POST', '/__control/scenarios', { story: 'teleported' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('story');
    const slower = await control('POST', '/__control/scenarios', { story: 'lost', timeScale: 0.5 });
    expect(slower.status).toBe(400);
    expect(slower.body.error.details[0].path).toBe('timeScale');

    const unsignedSandbox = createSandboxCarrier({ apiKey: API_KEY });
    const server = await unsignedSandbox.listen(0);
    cleanups.push(server.close);
    const res = await fetch(`${server.url}/__control/scenarios`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        story: 'lost',
        webhook: { format: 'easypost', url: 'http://127.0.0.1:1/x' },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'scenario.webhook_unsigned',
    );

    const s = await startScenario({ story: 'lost', timeScale: 1 });
    const taken = await control('POST', '/__control/scenarios', {
      story: 'lost',
      trackingNumber: s.trackingNumber,
    });
    expect(taken.status).toBe(409);
  });
});

describe('where the sandbox pushes, and who it answers', () => {
  it('pushes only to the API it was started with: another URL is refused and gets nothing', async () => {
    const api = await receiver();
    const stranger = await receiver();
    cleanups.push(api.close, stranger.close);
    await useSandbox(api.url);

    const refused = await control('POST', '/__control/scenarios', {
      story: 'lost',
      timeScale: FAST,
      webhook: { format: 'sandbox', url: `${stranger.url}/v1/webhooks/sandbox` },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'scenario.webhook_target',
      message: expect.stringContaining(new URL(api.url).origin),
    });

    // Without a URL the push goes to the format's receiver on that API.
    const s = await startScenario({
      story: 'lost',
      timeScale: FAST,
      webhook: { format: 'sandbox' },
    });
    const done = await playedOut(s.scenarioId);
    expect(done.pushes.length).toBeGreaterThan(0);
    expect(new Set(api.received.map((r) => r.path))).toEqual(new Set(['/v1/webhooks/sandbox']));
    expect(stranger.received).toEqual([]);
  });

  it('a sandbox started without an API refuses scenarios that push', async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    const res = await control('POST', '/__control/scenarios', {
      story: 'lost',
      webhook: { format: 'sandbox', url: hook.url },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('scenario.webhook_target');
    expect(hook.received).toEqual([]);
  });

  it('a push the API answers with a redirect is not followed', async () => {
    const elsewhere = await receiver();
    cleanups.push(elsewhere.close);
    const redirecting: Server = createServer((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/v1/webhooks/sandbox` });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          redirecting.closeAllConnections();
          redirecting.close(() => resolve());
        }),
    );
    await useSandbox(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`);
    const s = await startScenario({
      story: 'stalled',
      timeScale: 1,
      webhook: { format: 'sandbox' },
    });
    await waitUntil(
      'the first push to fail',
      () => control('GET', `/__control/scenarios/${s.scenarioId}`),
      (r) => r.body.pushes[0]?.status === 'failed',
      10_000,
      20,
    );
    expect(elsewhere.received).toEqual([]);
  });

  it('answers only requests addressed to a loopback name (DNS rebinding gets 421)', async () => {
    const port = new URL(url).port;
    const ask = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/__control/stats',
            headers: { host, authorization: `Bearer ${API_KEY}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await ask(`rebind.example:${port}`)).toBe(421);
    expect(await ask('rebind.example')).toBe(421);
    expect(await ask(`localhost:${port}`)).toBe(200);
    expect(await ask(`127.0.0.1:${port}`)).toBe(200);
    expect(await ask(`[::1]:${port}`)).toBe(200);
  });

  it('also answers the host name it was configured with (a compose service name)', async () => {
    const named = createSandboxCarrier({ apiKey: API_KEY, allowedHosts: ['sandbox-carrier'] });
    const server = await named.listen(0);
    cleanups.push(server.close);
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: new URL(server.url).port,
          path: '/__control/stats',
          headers: { host: 'sandbox-carrier:4010', authorization: `Bearer ${API_KEY}` },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res).toBe(200);
  });
});
