/**
 * API keys across restarts of the real composition (services.startApi, as `npm start` and
 * `npm run api` run it) over one database: API_KEYS is the truth for keys from the environment,
 * the development key dies once API_KEYS is set, keys created through the API stay, and rows
 * stored the old way (plain SHA-256, an older API_KEY_SECRET) keep working and are rewritten.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DEV_API_KEY, DEV_API_KEY_SECRET, loadConfig } from '../../src/config';
import {
  connectDatabase,
  dropDatabase,
  ensureDatabase,
  MIGRATIONS_FOLDER,
  migrateDatabase,
  type Database,
} from '../../src/db/client';
import { apiKeys } from '../../src/db/schema/api-keys';
import { createLogger } from '../../src/logger';
import { prepareDatabase, startApi, type RunningApi } from '../../src/services';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { testPayloadKey } from '../helpers/payload-key';
import '../helpers/provided';

let own: OwnDatabase;
let database: Database;
beforeAll(async () => {
  own = await ownDatabase();
  database = await prepareDatabase(own.url, { poolMax: 3 });
});
afterAll(async () => {
  await database?.close();
  await own?.drop();
});

const key = () => `k_${randomBytes(24).toString('base64url')}`;
const secret = () => randomBytes(32).toString('base64');
const sha256 = (k: string) => createHash('sha256').update(k).digest('hex');
const hmac = (s: string, k: string) => createHmac('sha256', s).update(k).digest('hex');

/** Starts the API as the entry points do, runs `fn` against it, stops it. */
async function withApi(
  env: Record<string, string>,
  fn: (
    call: (k: string, method?: string, path?: string, body?: unknown) => Promise<number>,
    api: RunningApi,
  ) => Promise<void>,
): Promise<void> {
  const config = loadConfig(
    {
      DATABASE_URL: own.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      PAYLOAD_KEY: testPayloadKey(),
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    { role: 'api' },
  );
  const api = await startApi(config, database, createLogger('silent'));
  try {
    await fn(async (k, method = 'GET', path = '/v1/api-keys', body) => {
      const res = await fetch(api.url + path, {
        method,
        headers: {
          authorization: `Bearer ${k}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      await res.arrayBuffer();
      return res.status;
    }, api);
  } finally {
    await api.stop();
  }
}

async function rowOf(hash: string) {
  const [row] = await database.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash));
  return row;
}

describe('keys outlive their configuration no longer', () => {
  const admin = key();
  const ops = key();
  const s1 = secret();
  let created = '';

  it('the development key works without API_KEYS, and dies for good once API_KEYS is set', async () => {
    await withApi({}, async (call, api) => {
      expect(await call(DEV_API_KEY)).toBe(200);
      // A key made through the API in development…
      const res = await fetch(`${api.url}/v1/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'analyst', name: 'made in development' }),
      });
      expect(res.status).toBe(201);
      created = ((await res.json()) as { key: string }).key;
    });
    const dev = await rowOf(hmac(DEV_API_KEY_SECRET, DEV_API_KEY));
    expect(dev).toMatchObject({ source: 'env', revokedAt: null, hashScheme: 'hmac-sha256' });

    await withApi({ API_KEYS: `admin:${admin},ops:${ops}` }, async (call) => {
      expect(await call(DEV_API_KEY)).toBe(401);
      expect(await call(admin)).toBe(200);
      expect(await call(ops, 'GET', '/v1/reviews')).toBe(200);
      // …stays: only keys from the environment follow API_KEYS.
      expect(await call(created, 'GET', '/v1/shipments')).toBe(200);
    });
    expect((await rowOf(hmac(DEV_API_KEY_SECRET, DEV_API_KEY)))!.revokedBy).toBe('config');
  });

  it('a key removed from API_KEYS stops working at the next start; put back, it works again', async () => {
    await withApi({ API_KEYS: `admin:${admin}` }, async (call) => {
      expect(await call(ops, 'GET', '/v1/reviews')).toBe(401);
      expect(await call(admin)).toBe(200);
    });
    await withApi({ API_KEYS: `admin:${admin},ops:${ops}` }, async (call) => {
      expect(await call(ops, 'GET', '/v1/reviews')).toBe(200);
    });
  });

  it('a key an admin revoked stays revoked, whatever API_KEYS says', async () => {
    const opsRow = await rowOf(hmac(DEV_API_KEY_SECRET, ops));
    await withApi({ API_KEYS: `admin:${admin},ops:${ops}` }, async (call) => {
      expect(await call(admin, 'DELETE', `/v1/api-keys/${opsRow!.id}`)).toBe(200);
      expect(await call(ops, 'GET', '/v1/reviews')).toBe(401);
    });
    await withApi({ API_KEYS: `admin:${admin}` }, async () => undefined);
    await withApi({ API_KEYS: `admin:${admin},ops:${ops}` }, async (call) => {
      expect(await call(ops, 'GET', '/v1/reviews')).toBe(401);
    });
    expect((await rowOf(hmac(DEV_API_KEY_SECRET, ops)))!.revokedBy).toBe('api');
  });

  it('API_KEY_SECRET can be rotated: keys under the old secret work and move to the new one', async () => {
    const createdRow = await rowOf(hmac(DEV_API_KEY_SECRET, created));
    const adminRow = await rowOf(hmac(DEV_API_KEY_SECRET, admin));
    await withApi(
      { API_KEYS: `admin:${admin}`, API_KEY_SECRET: `${s1},${DEV_API_KEY_SECRET}` },
      async (call) => {
        // The env key was rewritten at start, the API key on its first use; both keep their ids.
        expect(await rowOf(hmac(s1, admin))).toMatchObject({ id: adminRow!.id });
        expect(await call(created, 'GET', '/v1/shipments')).toBe(200);
        expect(await rowOf(hmac(s1, created))).toMatchObject({
          id: createdRow!.id,
          hashScheme: 'hmac-sha256',
        });
      },
    );
    await withApi({ API_KEYS: `admin:${admin}`, API_KEY_SECRET: s1 }, async (call) => {
      expect(await call(created, 'GET', '/v1/shipments')).toBe(200);
      expect(await call(admin)).toBe(200);
    });
    // Without the secret they are stored under, the rows are no help to whoever holds a copy.
    await withApi({ API_KEYS: `admin:${admin}`, API_KEY_SECRET: secret() }, async (call) => {
      expect(await call(created, 'GET', '/v1/shipments')).toBe(401);
    });
  });

  it('a row stored as plain SHA-256 (before API_KEY_SECRET) works and is rewritten as HMAC', async () => {
    const old = key();
    const id = `key_${randomUUID()}`;
    await database.db.insert(apiKeys).values({
      id,
      role: 'ops',
      name: 'from before the migration',
      keyHash: sha256(old),
      hashScheme: 'sha256',
      source: 'api',
    });
    await withApi({ API_KEYS: `admin:${admin}`, API_KEY_SECRET: s1 }, async (call) => {
      expect(await call(old, 'GET', '/v1/reviews')).toBe(200);
      expect(await rowOf(sha256(old))).toBeUndefined();
      expect(await rowOf(hmac(s1, old))).toMatchObject({ id, hashScheme: 'hmac-sha256' });
      expect(await call(old, 'GET', '/v1/reviews')).toBe(200);
      // SHA-256 of a key is not accepted as the HMAC of one, nor the other way round.
      expect(await call(sha256(old), 'GET', '/v1/reviews')).toBe(401);
    });
  });
});

describe('the migration to HMAC storage', () => {
  it('marks the rows it finds as SHA-256 and those revoked as revoked by an admin', async () => {
    // A database as the release before left it: every migration before this one.
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pw-migrations-'));
    const name = `pw_upgrade_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const url = await ensureDatabase(inject('databaseServerUrl'), name);
    try {
      await fs.cp(MIGRATIONS_FOLDER, tmp, { recursive: true });
      const journalFile = path.join(tmp, 'meta', '_journal.json');
      const journal = JSON.parse(await fs.readFile(journalFile, 'utf8')) as {
        entries: { tag: string }[];
      };
      const upTo = journal.entries.findIndex((e) => e.tag.endsWith('_api_key_hmac'));
      expect(upTo).toBeGreaterThan(0);
      journal.entries = journal.entries.slice(0, upTo);
      await fs.writeFile(journalFile, JSON.stringify(journal));
      const client = postgres(url, { max: 1, onnotice: () => undefined });
      await migrate(drizzle(client), { migrationsFolder: tmp });
      const used = key();
      await client`insert into api_keys (id, role, name, key_hash, source)
        values ('key_old', 'ops', 'old', ${sha256(used)}, 'api'),
               ('key_gone', 'ops', 'gone', ${sha256(key())}, 'api')`;
      await client`update api_keys set revoked_at = now() where id = 'key_gone'`;
      await client.end();

      await migrateDatabase(url);
      const upgraded = connectDatabase(url, { max: 1 });
      try {
        const rows = await upgraded.db.execute<{
          id: string;
          hash_scheme: string;
          revoked_by: string | null;
        }>(sql`select id, hash_scheme, revoked_by from api_keys order by id`);
        expect([...rows]).toEqual([
          { id: 'key_gone', hash_scheme: 'sha256', revoked_by: 'api' },
          { id: 'key_old', hash_scheme: 'sha256', revoked_by: null },
        ]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await dropDatabase(inject('databaseServerUrl'), name);
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
