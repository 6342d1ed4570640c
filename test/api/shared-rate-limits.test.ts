import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signCustomerLink } from '../../src/customer/customer-link';
import { connectDatabase, type Database } from '../../src/db/client';
import { rateLimitByKey } from '../../src/http/rate-limit';
import {
  createSharedRateLimiter,
  PostgresRateLimitStore,
  type SharedRateLimiter,
} from '../../src/http/rate-limit-store';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import { aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import { inject } from 'vitest';
import '../helpers/provided';
import { serve, startApi, type ApiUnderTest } from './harness';

/** Two API processes of one deployment: separate apps, one database, one counter scope. */
let a: ApiUnderTest;
let b: ApiUnderTest;
let now = Date.parse('2026-05-04T08:00:00Z');
let database: Database;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const scope = uniqueId('deployment');
  const app = {
    rateLimitScope: scope,
    rateLimitPerMinute: 3,
    rateLimitClock: () => now,
    customerPageLimits: { perLinkPerHour: 4, perAddressPerHour: 100 },
  };
  [a, b] = await Promise.all([startApi({ app }), startApi({ app })]);
  database = connectDatabase(inject('databaseUrl'), { max: 4 });
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await database?.close();
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(app: express.Express): Promise<string> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A process with an express-rate-limit limiter over the shared store, keyed by `x-client`. */
function limitedApp(prefix: string, limit: number, db = database.db): Promise<string> {
  const app = express();
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (req) => req.get('x-client') ?? 'nobody',
      store: new PostgresRateLimitStore({ db, prefix, now: () => now }),
    }),
  );
  app.get('/', (_req, res) => void res.send('ok'));
  return listen(app);
}

const hit = async (url: string, client: string) =>
  (await fetch(url, { headers: { 'x-client': client } })).status;

describe('rate limits shared by the API processes in PostgreSQL', () => {
  it('help messages to one link count once across two API processes', async () => {
    const reg = aRegistration();
    await insertShipmentRow(a.db, reg);
    const token = signCustomerLink(
      reg.shipmentId,
      DEFAULT_MESSAGING.customerLinkKeys,
      new Date(Date.now() + 30 * 86_400_000),
    );
    const post = async (api: ApiUnderTest) =>
      (
        await fetch(`${api.url}/t/${token}/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'csrf=x&q=hi',
        })
      ).status;
    const statuses: number[] = [];
    for (const api of [a, b, a, b, a, b]) statuses.push(await post(api));
    // Four a link per hour in all: two on each process, then both refuse.
    expect(statuses).toEqual([403, 403, 403, 403, 429, 429]);
  });

  it('an API key’s allowance is shared by two API processes, and refills for both', async () => {
    const created = await a.call('POST', '/v1/api-keys', {
      as: 'admin',
      body: { role: 'ops', name: uniqueId('shared-limit') },
    });
    expect(created.status).toBe(201);
    const auth = { headers: { authorization: `Bearer ${created.body.key as string}` } };
    const statuses: number[] = [];
    for (const api of [a, b, a, b])
      statuses.push((await api.call('GET', '/v1/policies', auth)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await a.call('GET', '/v1/policies', auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
    // Three a minute: a token every 20 s, whichever process takes it.
    now += 20_000;
    expect((await b.call('GET', '/v1/policies', auth)).status).toBe(200);
    expect((await a.call('GET', '/v1/policies', auth)).status).toBe(429);
  });

  it('an express-rate-limit window counts across processes and starts again once it ends', async () => {
    const prefix = `${uniqueId('window')}:`;
    const [one, two] = await Promise.all([limitedApp(prefix, 3), limitedApp(prefix, 3)]);
    expect([await hit(one, 'c'), await hit(two, 'c'), await hit(one, 'c')]).toEqual([
      200, 200, 200,
    ]);
    expect(await hit(two, 'c')).toBe(429);
    now += 59_999;
    expect(await hit(one, 'c')).toBe(429);
    now += 1;
    const fresh = await fetch(two, { headers: { 'x-client': 'c' } });
    expect(fresh.status).toBe(200);
    // A new window: this was its first hit.
    expect(fresh.headers.get('ratelimit')).toMatch(/remaining=2\b/);
  });

  it('one client’s counter leaves another’s alone, and the same key of another limiter', async () => {
    const [one, two] = await Promise.all([
      limitedApp(`${uniqueId('isolated')}:`, 2),
      limitedApp(`${uniqueId('isolated')}:`, 2),
    ]);
    for (let i = 0; i < 2; i++) expect(await hit(one, 'flooder')).toBe(200);
    expect(await hit(one, 'flooder')).toBe(429);
    expect(await hit(one, 'neighbour')).toBe(200);
    // Another limiter (prefix) counts the same client from zero.
    expect(await hit(two, 'flooder')).toBe(200);
  });

  it('concurrent hits on two processes are all counted: exactly the limit gets through', async () => {
    const prefix = `${uniqueId('race')}:`;
    const [one, two] = await Promise.all([limitedApp(prefix, 10), limitedApp(prefix, 10)]);
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => hit(i % 2 ? one : two, 'burst')),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it('expired counters are deleted, and only the limiter’s own', async () => {
    const prefix = `${uniqueId('sweep')}:`;
    const other = `${uniqueId('sweep-other')}:`;
    const store = new PostgresRateLimitStore({ db: database.db, prefix, now: () => now });
    const neighbour = new PostgresRateLimitStore({
      db: database.db,
      prefix: other,
      now: () => now,
    });
    store.init({ windowMs: 1_000 } as Parameters<typeof store.init>[0]);
    neighbour.init({ windowMs: 1_000 } as Parameters<typeof store.init>[0]);
    await neighbour.increment('x');
    await store.increment('old');
    now += 2_000;
    // The first count of a store also deletes its expired rows (at most once a minute).
    const fresh = new PostgresRateLimitStore({ db: database.db, prefix, now: () => now });
    fresh.init({ windowMs: 1_000 } as Parameters<typeof store.init>[0]);
    await fresh.increment('new');
    const keys = async (p: string) =>
      (
        await database.sql<{ key: string }[]>`
          select key from rate_limit_hits where key like ${`${p}%`} order by key`
      ).map((r) => r.key);
    await expect.poll(() => keys(prefix)).toEqual([`${prefix}new`]);
    expect(await keys(other)).toEqual([`${other}x`]);
  });
  it('a client key with a NUL or of any length is counted (stored as its hash), never an error', async () => {
    const prefix = `${uniqueId('odd')}:`;
    const store = new PostgresRateLimitStore({ db: database.db, prefix, now: () => now });
    store.init({ windowMs: 60_000 } as Parameters<typeof store.init>[0]);
    const nul = 'link:a\u0000b';
    const long = `link:${'x'.repeat(5_000)}`;
    expect((await store.increment(nul)).totalHits).toBe(1);
    expect((await store.increment(nul)).totalHits).toBe(2);
    expect((await store.increment(long)).totalHits).toBe(1);
    expect((await store.get(nul))?.totalHits).toBe(2);
    const keys = await database.sql<{ key: string }[]>`
      select key from rate_limit_hits where key like ${`${prefix}%`} order by key`;
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => k.key.length < 100 && k.key.startsWith(`${prefix}sha256:`))).toBe(
      true,
    );
  });

  it('the counters are kept unlogged: a count waits for no WAL flush', async () => {
    const [table] = await database.sql<{ persistence: string }[]>`
      select relpersistence as persistence from pg_class where relname = 'rate_limit_hits'`;
    expect(table?.persistence).toBe('u');
  });
});

/** The database handle with its inserts counted (each count of the per-key limiter is one). */
function countingInserts(db: Database['db']) {
  let inserts = 0;
  const counted = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'insert') {
        return (...args: Parameters<typeof target.insert>) => {
          inserts++;
          return target.insert(...args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { db: counted, inserts: () => inserts };
}

describe('a busy key takes its allowance in leases', () => {
  const clock = { t: Date.parse('2026-06-01T00:00:00Z') };
  const processes = (perMinute: number, leaseMs?: number) => {
    const prefix = `${uniqueId('lease')}:`;
    const ps = [0, 1].map(() => {
      const counted = countingInserts(database.db);
      const limiter = createSharedRateLimiter({
        db: counted.db,
        prefix,
        perMinute,
        leaseMs,
        now: () => clock.t,
      });
      return { limiter, inserts: counted.inserts };
    });
    return Object.assign(ps, { key: `${prefix}busy` });
  };
  /** `n` requests of one key, 50 at a time, spread over the processes; the decisions. */
  async function requests(ps: { limiter: SharedRateLimiter }[], n: number) {
    const decisions: Awaited<ReturnType<SharedRateLimiter['take']>>[] = [];
    for (let i = 0; i < n; i += 50) {
      const wave = Array.from({ length: Math.min(50, n - i) }, (_, j) =>
        ps[(i + j) % ps.length]!.limiter.take('busy'),
      );
      decisions.push(...(await Promise.all(wave)));
    }
    return decisions;
  }

  it('a statement per lease, not per request: 3,000 requests at 60,000 a minute', async () => {
    const ps = processes(60_000);
    const decisions = await requests(ps, 3_000);
    expect(decisions.every((d) => d.allowed)).toBe(true);
    const statements = ps[0]!.inserts() + ps[1]!.inserts();
    // Leases grow 1, 2, 4 … to 100 tokens (100 ms of refill): about 22 statements a process.
    expect(statements).toBeLessThan(100);
    expect(statements).toBeGreaterThan(3_000 / 100);
  });

  it('the processes together never hand out more than the bucket holds', async () => {
    // 600 a minute in leases of up to 10 tokens; 800 requests at one instant.
    const ps = processes(600, 1_000);
    const decisions = await requests(ps, 800);
    const allowed = decisions.filter((d) => d.allowed).length;
    expect(allowed).toBeLessThanOrEqual(600);
    // What one process leased and had no more requests for is all that can go unused.
    expect(allowed).toBeGreaterThanOrEqual(600 - 2 * 10);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused.length).toBe(800 - allowed);
    expect(refused.every((d) => d.retryAfterSeconds >= 1 && d.remaining === 0)).toBe(true);
  });

  it('a quiet key is counted a request at a time, and its lease lapses unused', async () => {
    const ps = processes(60_000);
    await requests(ps.slice(0, 1), 4);
    // 1 then 2 tokens, then a lease of 4 for the fourth: its 3 left lapse after a second.
    expect(ps[0]!.inserts()).toBe(3);
    clock.t += 1_500;
    await ps[0]!.limiter.take('busy');
    expect(ps[0]!.inserts()).toBe(4);
    const [row] = await database.sql<{ hits: number }[]>`
      select hits from rate_limit_hits where key = ${ps.key}`;
    // Started again at one token.
    expect(row?.hits).toBe(1);
  });
});

describe('when the database cannot count', () => {
  const unreachable = () => connectDatabase('postgres://postgres@127.0.0.1:9/nowhere', { max: 1 });

  it('customer page forms fail closed: 503 problem+json, never a 500', async () => {
    const down = unreachable();
    const api = await serve({ db: down.db, temporal: a.client, taskQueue: uniqueId('down') }, () =>
      down.close(),
    );
    closers.push(() => api.close());
    const res = await fetch(`${api.url}/t/some-link/help`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'csrf=x',
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'database.unavailable' });
  });

  it('the per-key limit fails open and says so', async () => {
    const down = unreachable();
    closers.push(() => down.close());
    const told: unknown[] = [];
    const app = express();
    app.use((req, _res, next) => {
      req.keyId = 'key_1';
      next();
    });
    app.use(
      rateLimitByKey(
        createSharedRateLimiter({ db: down.db, prefix: 'down:', perMinute: 1 }),
        (err) => told.push(err),
      ),
    );
    app.get('/', (_req, res) => void res.send('ok'));
    const url = await listen(app);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    expect(told).toHaveLength(2);
  });
});
