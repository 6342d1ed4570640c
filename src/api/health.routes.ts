import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { Router } from 'express';
import type { Db } from '../db/client';

export type ReadinessCheck = () => Promise<{ db: boolean; temporal: boolean }>;

const CHECK_TIMEOUT_MS = 3_000;

async function within(ms: number, probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), ms);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness: PostgreSQL answers `select 1` and the Temporal frontend answers GetSystemInfo. */
export function defaultReadiness(db: Db, temporal: Client): ReadinessCheck {
  return async () => {
    const [dbOk, temporalOk] = await Promise.all([
      within(CHECK_TIMEOUT_MS, () => db.execute(sql`select 1`)),
      within(CHECK_TIMEOUT_MS, () =>
        temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
          temporal.workflowService.getSystemInfo({}),
        ),
      ),
    ]);
    return { db: dbOk, temporal: temporalOk };
  };
}

export function healthRouter(ready: ReadinessCheck): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await ready();
    const ok = checks.db && checks.temporal;
    const failed = Object.entries(checks)
      .filter(([, up]) => !up)
      .map(([name]) => name);
    res
      .status(ok ? 200 : 503)
      .json(ok ? { status: 'ready', checks } : { status: 'unavailable', checks, failed });
  });
  return router;
}
