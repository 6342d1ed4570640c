import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { z } from 'zod';
import { named, route, type RouteSpec } from '../http/route';

/* The answers of /healthz and /readyz. */
export const livenessResponse = named('Liveness', z.object({ status: z.literal('ok') }));
const checks = z.object({ db: z.boolean(), temporal: z.boolean() });
export const readinessResponse = named(
  'Readiness',
  z.object({ status: z.literal('ready'), checks }),
);
export const unreadyResponse = named(
  'Unready',
  z.object({
    status: z.literal('unavailable'),
    checks,
    failed: z.array(z.enum(['db', 'temporal'])),
  }),
);

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

/** Liveness and readiness for the orchestrator: no key, no body. */
export function healthRoutes(ready: ReadinessCheck): RouteSpec[] {
  const liveness = route({
    method: 'get',
    path: '/healthz',
    access: 'public',
    operationId: 'getLiveness',
    tag: 'Operations',
    summary: 'Liveness',
    answer: { description: 'ok', schema: livenessResponse },
    handler: () => ({ status: 'ok' as const }),
  });

  const readiness = route({
    method: 'get',
    path: '/readyz',
    access: 'public',
    operationId: 'getReadiness',
    tag: 'Operations',
    summary: 'Readiness (database and Temporal)',
    answer: { description: 'ready', schema: readinessResponse },
    responses: { '503': { description: 'which dependency failed', schema: unreadyResponse } },
    handler: async ({ res }) => {
      const checks = await ready();
      if (checks.db && checks.temporal) return { status: 'ready' as const, checks };
      const failed = Object.entries(checks)
        .filter(([, up]) => !up)
        .map(([name]) => name);
      res.status(503).json({ status: 'unavailable', checks, failed });
    },
  });

  return [liveness, readiness];
}
