/**
 * The API-key cache: every authenticated request looks its key up in memory, and the table is
 * read again only when the cache is a few seconds old. At that moment many requests find it stale
 * together; they share one read (single flight) instead of each reading the table.
 */
import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKeyStore, type KeyStore } from '../../src/api-keys/api-keys.repository';
import type { Db } from '../../src/db/client';
import * as schema from '../../src/db/schema';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';

const SECRET = randomBytes(32).toString('base64');
const ADMIN_KEY = `k_${randomBytes(24).toString('base64url')}`;

let own: OwnDatabase;
let client: postgres.Sql;
/** Reads of the active keys the store has made (seeding the keys of API_KEYS reads others). */
let keyReads = 0;
beforeAll(async () => {
  own = await ownDatabase();
  client = postgres(own.url, {
    max: 10,
    onnotice: () => undefined,
    debug: (_connection, query) => {
      if (/^select "id", "role", "key_hash", "hash_scheme" from "api_keys"/.test(query.trim()))
        keyReads++;
    },
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await client?.end({ timeout: 5 });
  await own?.drop();
});

function store(): KeyStore {
  return createKeyStore(drizzle(client, { schema }), {
    envKeys: [{ role: 'admin', key: ADMIN_KEY }],
    secrets: [SECRET],
  });
}

/** Moves the clock the cache is judged by `ms` ahead (the database keeps its own). */
function advanceClock(ms: number): void {
  const now = Date.now.bind(Date);
  const offset = ms;
  vi.spyOn(Date, 'now').mockImplementation(() => now() + offset);
}

/**
 * A database whose reads (selects) run at once but, while held, hand their rows over only on
 * release: a read that started before a change lands after it.
 */
function holdingReads(db: Db) {
  let gate: Promise<void> = Promise.resolve();
  let open = () => undefined as void;
  let landed: (() => void)[] = [];
  const deferResult = <T extends object>(builder: T): T =>
    new Proxy(builder, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop === 'then' && typeof value === 'function') {
          return (onOk: (v: unknown) => unknown, onErr: (e: unknown) => unknown) => {
            const result = (value as PromiseLike<unknown>['then']).call(target, (rows) => {
              landed.shift()?.();
              return gate.then(() => rows);
            });
            return result.then(onOk, onErr);
          };
        }
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          return typeof out === 'object' && out !== null ? deferResult(out) : out;
        };
      },
    });
  const held = new Proxy(db, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'select' || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        deferResult((value as (...a: unknown[]) => object).apply(target, args));
    },
  });
  return {
    db: held,
    hold() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    /** Resolves when the next read has run (its rows are then held). */
    read() {
      return new Promise<void>((resolve) => landed.push(resolve));
    },
    release() {
      landed = [];
      open();
    },
  };
}

describe('the API-key cache', () => {
  it('fifty requests arriving on a cold cache read the key table once, and all pass', async () => {
    const keys = store();
    keyReads = 0;
    const principals = await Promise.all(Array.from({ length: 50 }, () => keys.verify(ADMIN_KEY)));
    expect(principals.every((p) => p?.role === 'admin')).toBe(true);
    expect(keyReads).toBe(1);
  });

  it('fifty requests arriving when the cache has expired read the key table once', async () => {
    const keys = store();
    await keys.verify(ADMIN_KEY);
    keyReads = 0;
    await Promise.all(Array.from({ length: 50 }, () => keys.verify(ADMIN_KEY)));
    expect(keyReads).toBe(0);

    advanceClock(6_000);
    try {
      const principals = await Promise.all(
        Array.from({ length: 50 }, () => keys.verify(ADMIN_KEY)),
      );
      expect(principals.every((p) => p?.role === 'admin')).toBe(true);
      expect(keyReads).toBe(1);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a key revoked while an older read of the table is in flight is refused once that read lands', async () => {
    const held = holdingReads(drizzle(client, { schema }));
    const keys = createKeyStore(held.db, {
      envKeys: [{ role: 'admin', key: ADMIN_KEY }],
      secrets: [SECRET],
    });
    const { row, key } = await keys.create({ role: 'ops', name: 'revoked in flight' });
    held.hold();
    // A request reads the table while the key is active; its answer is held back.
    const before = keys.verify(key);
    await held.read();
    await keys.revoke(row.id);
    const after = keys.verify(key);
    held.release();
    // The request that came before the revocation may pass: it was in flight.
    expect((await before)?.role).toBe('ops');
    expect(await after).toBeUndefined();
    expect(await keys.verify(key)).toBeUndefined();
  });
});
