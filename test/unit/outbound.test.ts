import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonHttp } from '../../src/carriers/http';
import { onsiteChannel } from '../../src/messages/channels';
import {
  createOutboundFetch,
  DEVELOPMENT_OUTBOUND,
  isPublicAddress,
  OutboundRedirectError,
  OutboundRefusedError,
} from '../../src/http/outbound';

/** A local server answering every request with `status` and `headers`; counts what it got. */
async function server(status: number, headers: Record<string, string> = {}) {
  const received: string[] = [];
  const s: Server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  cleanups.push(close);
  return { url, received };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('which addresses are public', () => {
  it.each([
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.254', false],
    ['192.168.1.1', false],
    ['127.0.0.1', false],
    ['127.8.9.10', false],
    ['169.254.169.254', false],
    ['0.0.0.0', false],
    ['100.64.0.1', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:169.254.169.254', false],
    ['not an address', false],
    ['8.8.8.8', true],
    ['172.32.0.1', true],
    ['2606:4700:4700::1111', true],
    ['::ffff:8.8.8.8', true],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('outgoing calls never follow redirects', () => {
  it('a 3xx is an error naming the Location, and the body never reaches it', async () => {
    const target = await server(200);
    for (const status of [301, 302, 303, 307, 308]) {
      const redirecting = await server(status, { location: `${target.url}/stolen` });
      const call = createOutboundFetch(DEVELOPMENT_OUTBOUND)(`${redirecting.url}/refunds`, {
        method: 'POST',
        body: '{"signed":true}',
      });
      await expect(call).rejects.toBeInstanceOf(OutboundRedirectError);
      await expect(call).rejects.toThrow(`redirecting to ${target.url}/stolen`);
      expect(redirecting.received).toEqual(['POST /refunds']);
    }
    expect(target.received).toEqual([]);
  });

  it('on-site messages: a redirect fails the delivery (retried by the outbox), naming the Location', async () => {
    const target = await server(200);
    const redirecting = await server(302, { location: `${target.url}/inbox` });
    const channel = onsiteChannel({ url: `${redirecting.url}/inbox`, secret: 's' });
    await expect(
      channel.deliver({
        messageId: 'm1',
        idempotencyKey: 'k1',
        shipmentId: 'sh1',
        kind: 'delay_notice',
        to: 'camille@example.fr',
        locale: 'fr',
        subject: 'Votre colis',
        text: 'Bonjour',
      } as Parameters<typeof channel.deliver>[0]),
    ).rejects.toThrow(`redirecting to ${target.url}/inbox`);
    expect(target.received).toEqual([]);
  });

  it('carrier adapters: a redirect is a permanent carrier error, not followed', async () => {
    const target = await server(200);
    const redirecting = await server(301, { location: `${target.url}/v4/trackings` });
    const http = new JsonHttp({
      provider: 'AfterShip',
      baseUrl: redirecting.url,
      headers: { 'as-api-key': 'secret-key' },
      secrets: ['secret-key'],
    });
    await expect(http.request('GET', '/v4/trackings')).rejects.toMatchObject({
      code: 'outbound.redirect',
      permanent: true,
      message: expect.stringContaining(`redirecting to ${target.url}/v4/trackings`),
    });
    expect(target.received).toEqual([]);
  });
});

describe('in production, outgoing calls refuse addresses that are not public', () => {
  const production = (
    lookup?: (h: string) => Promise<{ address: string; family: number }[]>,
    allowedHosts: string[] = [],
  ) => createOutboundFetch({ refusePrivate: true, allowedHosts, ...(lookup ? { lookup } : {}) });

  it('an address literal (loopback, metadata service) is refused before any connection', async () => {
    const local = await server(200);
    await expect(production()(`${local.url}/x`)).rejects.toBeInstanceOf(OutboundRefusedError);
    await expect(production()('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(
      /169\.254\.169\.254.*not a public address/,
    );
    await expect(production()('http://[::ffff:127.0.0.1]/')).rejects.toBeInstanceOf(
      OutboundRefusedError,
    );
    expect(local.received).toEqual([]);
  });

  it('a host name is refused when any address it resolves to is private', async () => {
    const local = await server(200);
    const port = new URL(local.url).port;
    const resolvesTo =
      (...addresses: string[]) =>
      async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    for (const lookup of [
      resolvesTo('127.0.0.1'),
      resolvesTo('8.8.8.8', '10.0.0.7'),
      resolvesTo('fd00::5'),
    ]) {
      const call = production(lookup)(`http://orders.example.test:${port}/refunds`);
      await expect(call).rejects.toBeInstanceOf(OutboundRefusedError);
      await expect(call).rejects.toThrow(
        /orders\.example\.test resolves to .*OUTBOUND_ALLOWED_HOSTS/,
      );
    }
    expect(local.received).toEqual([]);
  });

  it('a name is resolved once, by the connection itself: what was checked is what is connected to', async () => {
    const lookups: string[] = [];
    const call = production(async (h) => {
      lookups.push(h);
      return [{ address: '10.0.0.7', family: 4 }];
    })('http://orders.example.test/refunds');
    await expect(call).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(lookups).toEqual(['orders.example.test']);
  });

  it('a host listed in OUTBOUND_ALLOWED_HOSTS (with its port) is reached on loopback', async () => {
    const local = await server(200);
    const port = new URL(local.url).port;
    const res = await production(undefined, [`localhost:${port}`])(`http://localhost:${port}/ok`);
    expect(res.status).toBe(200);
    await expect(
      production(undefined, ['localhost:1'])(`http://localhost:${port}/other-port`),
    ).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(local.received).toEqual(['GET /ok']);
  });

  it('development mode reaches loopback (the sandboxes run there)', async () => {
    const local = await server(200);
    const res = await createOutboundFetch(DEVELOPMENT_OUTBOUND)(`${local.url}/dev`);
    expect(res.status).toBe(200);
  });

  it('only http and https are called', async () => {
    await expect(
      createOutboundFetch(DEVELOPMENT_OUTBOUND)('file:///etc/passwd'),
    ).rejects.toBeInstanceOf(OutboundRefusedError);
  });
});
