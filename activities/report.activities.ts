import { ApplicationFailure } from '@temporalio/activity';
import { createAnalyticsRepository } from '../src/analytics/analytics.repository';
import { buildChannels } from '../src/messages/channels';
import { createOutboxRepository } from '../src/messages/outbox.repository';
import { createOutboxSender } from '../src/messages/outbox.sender';
import { DEFAULT_MESSAGING, type MessagingSettings } from '../src/messages/settings';
import { renderReportEmail } from '../src/reports/report.email';
import { computeReportFigures } from '../src/reports/report.figures';
import { previousLocalDay } from '../src/reports/report.period';
import { createReportRepository } from '../src/reports/report.repository';
import {
  REPORT_LOOKBACK_DAYS,
  REPORT_MIN_SAMPLE,
  REPORT_FAILURES,
  REPORT_WORST_LANES,
  type ReportPeriod,
  type WorstLane,
} from '../workflows/report.contract';
import type { ActivityDeps } from './deps';

export interface ComputeReportInput {
  /** The run that computes it, recorded on the snapshot. */
  workflowId: string;
  timeZone: string;
  /** When the schedule meant to run; the report covers the local day before it. */
  scheduledAt: string;
  period?: ReportPeriod;
  minSample?: number;
  worstLanes?: number;
  lookbackDays?: number;
}

export interface StoredReport {
  snapshotId: number;
  period: ReportPeriod;
  created: boolean;
  worstLanes: WorstLane[];
}

/** The outbox key of a period's e-mail: one e-mail per period, whichever run sends it. */
export const reportEmailKey = (p: ReportPeriod) => `daily-report:${p.start}/${p.end}`;

export function createReportActivities(deps: ActivityDeps) {
  const { db } = deps;
  const reports = createReportRepository(db);
  const analytics = createAnalyticsRepository(db);
  const settings: MessagingSettings = {
    ...DEFAULT_MESSAGING,
    opsEmail: deps.opsEmail,
    ...(deps.messageIdDomain ? { messageIdDomain: deps.messageIdDomain } : {}),
    ...deps.messaging,
  };
  const outbox = createOutboxRepository(db, settings);
  const sender = createOutboxSender({
    outbox,
    channels: buildChannels(deps.mailer, settings.onsite),
    settings,
  });

  return {
    /**
     * Computes and stores the period's snapshot, once: a period that already has one (a second
     * trigger the same day, a retry after the insert) returns it unchanged.
     */
    async computeDailyReport(input: ComputeReportInput): Promise<StoredReport> {
      const { start, end } = input.period
        ? { start: new Date(input.period.start), end: new Date(input.period.end) }
        : previousLocalDay(new Date(input.scheduledAt), input.timeZone);
      // Also false for an unparsable date (NaN compares false).
      if (!(start < end))
        throw ApplicationFailure.nonRetryable(
          `report period ${input.period?.start} – ${input.period?.end} is empty or not ISO 8601`,
          REPORT_FAILURES.invalidPeriod,
        );
      const existing = await reports.findByPeriod(start, end);
      const { row, created } = existing
        ? { row: existing, created: false }
        : await reports.store({
            periodStart: start,
            periodEnd: end,
            timeZone: input.timeZone,
            workflowId: input.workflowId,
            ...(await computeReportFigures(db, analytics, {
              start,
              end,
              minSample: input.minSample ?? REPORT_MIN_SAMPLE,
              worstLanes: input.worstLanes ?? REPORT_WORST_LANES,
              lookbackDays: input.lookbackDays ?? REPORT_LOOKBACK_DAYS,
            })),
          });
      return {
        snapshotId: row.id,
        period: { start: row.periodStart.toISOString(), end: row.periodEnd.toISOString() },
        created,
        worstLanes: row.worstLanes,
      };
    },

    /** E-mails ops the snapshot through the outbox, once per period. */
    async emailDailyReport(input: {
      snapshotId: number;
    }): Promise<{ to: string; status: 'sent' | 'queued' }> {
      const snapshot = await reports.get(input.snapshotId);
      if (!snapshot)
        throw ApplicationFailure.nonRetryable(
          `report snapshot ${input.snapshotId} is gone`,
          REPORT_FAILURES.snapshotMissing,
        );
      const key = reportEmailKey({
        start: snapshot.periodStart.toISOString(),
        end: snapshot.periodEnd.toISOString(),
      });
      const known = await outbox.find(key);
      const recorded =
        known ??
        (
          await outbox.record({
            idempotencyKey: key,
            shipmentId: `report-${snapshot.id}`,
            kind: 'daily_report',
            channel: 'email',
            to: settings.opsEmail,
            locale: 'en',
            ...renderReportEmail(snapshot),
            vars: { snapshotId: snapshot.id },
            // The dispatcher leaves it to this attempt for one lease.
            notBefore: new Date(Date.now() + settings.leaseMs),
          })
        ).row;
      const row = await sender.deliver(recorded, !known);
      return { to: row.to, status: row.status === 'sent' ? 'sent' : 'queued' };
    },
  };
}
