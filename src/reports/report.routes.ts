import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { Router } from 'express';
import { requirePermission } from '../http/auth';
import { parseParams, parseQuery } from '../http/validate';
import { reportNotFound, reportScheduleMissing } from './report.errors';
import type { ReportRepository, ReportSnapshotRow } from './report.repository';
import { reportListQuery, reportParams } from './report.schemas';

function summary(row: ReportSnapshotRow) {
  return {
    id: row.id,
    period: { start: row.periodStart.toISOString(), end: row.periodEnd.toISOString() },
    timeZone: row.timeZone,
    generatedAt: row.generatedAt.toISOString(),
    workflowId: row.workflowId,
    worstLanes: row.worstLanes,
    links: { self: `/v1/reports/${row.id}` },
  };
}

export function reportsRouter(deps: {
  reports: ReportRepository;
  temporal: Client;
  scheduleId: string;
}) {
  const { reports, temporal, scheduleId } = deps;
  const router = Router();

  router.get('/v1/reports', requirePermission('analyze'), async (req, res) => {
    const q = parseQuery(req, reportListQuery);
    const page = await reports.list(q);
    res.json({ items: page.items.map(summary), nextCursor: page.nextCursor });
  });

  router.get('/v1/reports/:id', requirePermission('analyze'), async (req, res) => {
    const { id } = parseParams(req, reportParams);
    const row = await reports.get(id);
    if (!row) throw reportNotFound(id);
    res.json({ ...summary(row), figures: row.figures });
  });

  router.post('/v1/reports\\:run', requirePermission('configure'), async (_req, res) => {
    try {
      // SKIP: a report already running for the day makes this a no-op, as on schedule.
      await temporal.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.SKIP);
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw reportScheduleMissing(scheduleId);
      throw err;
    }
    res.status(202).json({ scheduleId, triggeredAt: new Date().toISOString() });
  });

  return router;
}
