import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { inject } from 'vitest';
import { createApp, type ApiKey, type AppDeps, type Role } from '../../src/api/app';
import { connectDatabase, type Database, type Db } from '../../src/db/client';
import { seed } from '../../src/db/seed';
import { uniqueId } from '../helpers/factories';
import { testDataConverter } from '../helpers/payload-key';
import '../helpers/provided';

export type Keys = Record<Role, string>;

export interface ApiUnderTest {
  url: string;
  keys: Keys;
  db: Db;
  client: Client;
  taskQueue: string;
  /** fetch against the app; `as` picks the role whose key is sent (none when omitted). */
  call(
    method: string,
    path: string,
    opts?: { as?: Role; body?: unknown; rawBody?: string; headers?: Record<string, string> },
    // Response bodies are JSON asserted field by field; typing each one would add nothing.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

function randomKeys(): Keys {
  const k = () => randomBytes(24).toString('base64url');
  return { ingest: k(), ops: k(), analyst: k(), admin: k() };
}

/** Serves an app on port 0 and returns a small client for it. */
export async function serve(
  deps: Omit<AppDeps, 'apiKeys' | 'logger'> & { logger?: AppDeps['logger'] },
  onClose: () => Promise<void> = () => Promise.resolve(),
): Promise<ApiUnderTest> {
  const keys = randomKeys();
  const apiKeys: ApiKey[] = (Object.keys(keys) as Role[]).map((role) => ({
    role,
    key: keys[role],
  }));
  // Each app counts its rate limits apart (the run's database is shared by every test file).
  const app = createApp({
    logger: pino({ level: 'silent' }),
    rateLimitScope: uniqueId('limits'),
    ...deps,
    apiKeys,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    keys,
    db: deps.db,
    client: deps.temporal,
    taskQueue: deps.taskQueue,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.as) headers.authorization = `Bearer ${keys[opts.as]}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined && !headers['content-type'])
        headers['content-type'] = 'application/json';
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text for the assertion message
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await onClose();
    },
  };
}

/**
 * The API on the run's database (or `databaseUrl`) and Temporal server, without a worker:
 * workflows are started and signalled for real but nothing executes them (queries time out after
 * `queryTimeoutMs`). `app` adds or overrides options of the app (secrets, limits, clocks).
 */
export async function startApi(
  opts: {
    queryTimeoutMs?: number;
    databaseUrl?: string;
    app?: Partial<Omit<AppDeps, 'db' | 'temporal' | 'apiKeys'>>;
  } = {},
): Promise<ApiUnderTest & { database: Database }> {
  const database = connectDatabase(opts.databaseUrl ?? inject('databaseUrl'), { max: 5 });
  await seed(database.db);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({
    connection,
    namespace: inject('temporalNamespace'),
    dataConverter: testDataConverter(),
  });
  const api = await serve(
    {
      db: database.db,
      temporal: client,
      taskQueue: uniqueId('api-test'),
      queryTimeoutMs: opts.queryTimeoutMs ?? 1500,
      ...opts.app,
    },
    async () => {
      await connection.close();
      await database.close();
    },
  );
  return { ...api, database };
}
