import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { scheduledStartTimeKey, type ReportInput, type ReportResult } from './report.contract';

const { computeDailyReport } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});
const { emailDailyReport } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

/**
 * When the schedule meant this run to start (a catch-up run starts later than that, and reports
 * the same day); a run started by hand reports the day before its own start.
 */
function scheduledAt(): Date {
  const info = workflowInfo();
  return info.typedSearchAttributes.get(scheduledStartTimeKey) ?? info.startTime;
}

/**
 * The daily carrier report: figures of the day before (or of the given period) stored as a
 * snapshot, then e-mailed to ops. Both steps are idempotent per period, so a second trigger the
 * same day writes and sends nothing new.
 */
export async function reportWorkflow(input: ReportInput): Promise<ReportResult> {
  const stored = await computeDailyReport({
    workflowId: workflowInfo().workflowId,
    timeZone: input.timeZone,
    scheduledAt: scheduledAt().toISOString(),
    ...(input.period ? { period: input.period } : {}),
    ...(input.minSample !== undefined ? { minSample: input.minSample } : {}),
    ...(input.worstLanes !== undefined ? { worstLanes: input.worstLanes } : {}),
    ...(input.lookbackDays !== undefined ? { lookbackDays: input.lookbackDays } : {}),
  });
  const email = await emailDailyReport({ snapshotId: stored.snapshotId });
  log.info('daily report done', { snapshotId: stored.snapshotId, created: stored.created });
  return { ...stored, email };
}
