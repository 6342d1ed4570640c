/**
 * The operations of the app as createApp declares them, read without a database or Temporal
 * behind it (both connect lazily, and nothing here sends a request).
 */
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp, declaredRoutes, type AppDeps } from '../../src/api/app';
import { connectDatabase } from '../../src/db/client';
import type { RouteSpec } from '../../src/http/route';

/** Every provider configured, so every receiver the app can mount is declared. */
export const ALL_WEBHOOK_SECRETS = {
  aftership: 'routes-aftership',
  '17track': 'routes-17track',
  easypost: 'routes-easypost',
  sandbox: 'routes-sandbox',
};

export function appRoutes(deps: Partial<AppDeps> = {}): readonly RouteSpec[] {
  const { db } = connectDatabase('postgres://localhost:1/unused');
  const app = createApp({
    db,
    temporal: new Client({ connection: Connection.lazy({ address: 'localhost:1' }) }),
    taskQueue: 'unused',
    apiKeys: [],
    logger: pino({ level: 'silent' }),
    webhookSecrets: ALL_WEBHOOK_SECRETS,
    ...deps,
  });
  return declaredRoutes(app);
}

/** `METHOD /path` of each route. */
export const routeKeys = (routes: readonly RouteSpec[]) =>
  routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
