/**
 * Prints the OpenAPI document of the app as `createApp` assembles it, without a database or
 * Temporal behind it (both are connected lazily): `npm run openapi > openapi.json`, for
 * linting it (`npx @redocly/cli lint`) or comparing it across versions.
 */
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../api/app';
import { connectDatabase } from '../db/client';

async function main() {
  const { db, close } = connectDatabase('postgres://localhost:1/unused');
  const app = createApp({
    db,
    temporal: new Client({ connection: Connection.lazy({ address: 'localhost:1' }) }),
    taskQueue: 'unused',
    apiKeys: [],
    logger: pino({ level: 'silent' }),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
  process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
  server.close();
  await close();
}

await main();
