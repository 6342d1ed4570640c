import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { route, type RouteSpec } from '../http/route';
import { reportNotFound, reportScheduleMissing } from './report.errors';
import type { ReportRepository, ReportSnapshotRow } from './report.repository';
import {
  reportListQuery,
  reportListResponse,
  reportParams,
  reportResponse,
} from './report.schemas';

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

export function reportsRoutes(deps: {
  reports: ReportRepository;
  temporal: Client;
  scheduleId: string;
}): RouteSpec[] {
  const { reports, temporal, scheduleId } = deps;

  const list = route({
    method: 'get',
    path: '/v1/reports',
    access: 'analyze',
    operationId: 'listReports',
    tag: 'Reports',
    summary:
      'Daily carrier reports (analyst, admin), newest period first: period, worst lanes, cursor paging',
    query: reportListQuery,
    answer: { description: '{items, nextCursor}', schema: reportListResponse },
    handler: async ({ query }) => {
      const page = await reports.list(query);
      return { items: page.items.map(summary), nextCursor: page.nextCursor };
    },
  });

  const get = route({
    method: 'get',
    path: '/v1/reports/{id}',
    access: 'analyze',
    operationId: 'getReport',
    tag: 'Reports',
    summary:
      'A daily report snapshot with its figures: carriers, worst lanes, review queue, claims settled',
    params: reportParams,
    answer: { description: 'The snapshot', schema: reportResponse },
    responses: { '404': 'Unknown report' },
    handler: async ({ params: { id } }) => {
      const row = await reports.get(id);
      if (!row) throw reportNotFound(id);
      return { ...summary(row), figures: row.figures };
    },
  });

  const run = route({
    method: 'post',
    path: '/v1/reports:run',
    access: 'configure',
    operationId: 'runReports',
    tag: 'Reports',
    summary:
      'Run the daily report schedule now (admin); the previous day is reported once, so a second run sends nothing new',
    answer: {
      status: 202,
      description: '{scheduleId, triggeredAt}',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    responses: { '409': 'The schedule does not exist yet (no worker has started)' },
    handler: async () => {
      try {
        // SKIP: a report already running for the day makes this a no-op, as on schedule.
        await temporal.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.SKIP);
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) throw reportScheduleMissing(scheduleId);
        throw err;
      }
      return { scheduleId, triggeredAt: new Date().toISOString() };
    },
  });

  return [list, get, run];
}
