/**
 * The daily report's Temporal Schedule, kept as configured: created when absent, updated when the
 * configuration changed, left alone otherwise (never duplicated: the schedule id is fixed).
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsAction,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import {
  REPORT_SCHEDULE_ID,
  REPORT_WORKFLOW_ID_PREFIX,
  REPORT_WORKFLOW_TYPE,
  type ReportInput,
} from '../../workflows/report.contract';
import type { Config } from '../config';

export interface ReportScheduleSettings {
  enabled: boolean;
  /** Five-field cron, read in `timeZone`. */
  cron: string;
  timeZone: string;
  taskQueue: string;
  /** Tests use their own; production has one. */
  scheduleId?: string;
}

export type ReportScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'paused' | 'disabled';

/** A worker down at 06:00 for less than this still sends the day's report when it is back. */
export const REPORT_CATCHUP_WINDOW_MS = 60 * 60 * 1000;
export const REPORT_DISABLED_NOTE = 'Paused because REPORT_ENABLED is false.';

function desired(s: ReportScheduleSettings) {
  const input: ReportInput = { timeZone: s.timeZone };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: REPORT_WORKFLOW_TYPE,
    workflowId: REPORT_WORKFLOW_ID_PREFIX,
    taskQueue: s.taskQueue,
    args: [input],
    // The server turns the cron into calendars; the memo keeps what we asked for to compare.
    memo: { reportCron: s.cron },
  };
  return {
    spec: { cronExpressions: [s.cron], timezone: s.timeZone },
    action,
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: REPORT_CATCHUP_WINDOW_MS,
      pauseOnFailure: false,
    },
  };
}

/** Whether a described schedule is the one these settings ask for. */
export function matchesSettings(d: ScheduleDescription, s: ReportScheduleSettings): boolean {
  const input = d.action.args?.[0] as Partial<ReportInput> | undefined;
  return (
    d.spec.timezone === s.timeZone &&
    d.action.memo?.reportCron === s.cron &&
    d.action.workflowType === REPORT_WORKFLOW_TYPE &&
    d.action.workflowId === REPORT_WORKFLOW_ID_PREFIX &&
    d.action.taskQueue === s.taskQueue &&
    input?.timeZone === s.timeZone &&
    d.policies.overlap === ScheduleOverlapPolicy.SKIP &&
    d.policies.catchupWindow === REPORT_CATCHUP_WINDOW_MS
  );
}

async function describe(client: Client, id: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** Creates, updates, pauses or leaves the report schedule so that it matches the settings. */
export async function ensureReportSchedule(
  client: Client,
  s: ReportScheduleSettings,
): Promise<ReportScheduleOutcome> {
  const scheduleId = s.scheduleId ?? REPORT_SCHEDULE_ID;
  const handle = client.schedule.getHandle(scheduleId);
  const current = await describe(client, scheduleId);

  if (!s.enabled) {
    if (!current) return 'disabled';
    if (current.state.paused) return 'unchanged';
    await handle.pause(REPORT_DISABLED_NOTE);
    return 'paused';
  }

  const wanted = desired(s);
  if (!current) {
    try {
      await client.schedule.create({ scheduleId, ...wanted });
      return 'created';
    } catch (err) {
      // Another worker starting at the same moment created it: compare with theirs.
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      return ensureReportSchedule(client, s);
    }
  }

  let outcome: ReportScheduleOutcome = 'unchanged';
  if (!matchesSettings(current, s)) {
    await handle.update((prev): ScheduleUpdateOptions => ({
      ...wanted,
      state: { paused: prev.state.paused, note: prev.state.note },
    }));
    outcome = 'updated';
  }
  // Re-enabled: undo our own pause, never one an operator made.
  if (current.state.paused && current.state.note === REPORT_DISABLED_NOTE) {
    await handle.unpause('REPORT_ENABLED is true again.');
    outcome = outcome === 'unchanged' ? 'updated' : outcome;
  }
  return outcome;
}

/** The schedule settings of a configuration. */
export function reportScheduleFromConfig(
  config: Pick<Config, 'reportEnabled' | 'reportSchedule' | 'reportTimezone' | 'taskQueue'>,
): ReportScheduleSettings {
  return {
    enabled: config.reportEnabled,
    cron: config.reportSchedule,
    timeZone: config.reportTimezone,
    taskQueue: config.taskQueue,
  };
}
