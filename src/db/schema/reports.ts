import { integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { WorstLane } from '../../../workflows/report.contract';
import type { ReportFigures } from '../../reports/report.types';

/**
 * Snapshots of the daily carrier report, one per reported period: a second run for the same
 * period (a manual trigger, a retried workflow) finds the row instead of writing another.
 */
export const reportSnapshots = pgTable(
  'report_snapshots',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
    timeZone: text('time_zone').notNull(),
    generatedAt: timestamp('generated_at', { withTimezone: true }).notNull().defaultNow(),
    /** The workflow that wrote it. */
    workflowId: text('workflow_id').notNull(),
    figures: jsonb('figures').$type<ReportFigures>().notNull(),
    /** Worst carrier lanes by loss rate, worst first. */
    worstLanes: jsonb('worst_lanes').$type<WorstLane[]>().notNull(),
  },
  (t) => [uniqueIndex('report_snapshots_period_uq').on(t.periodStart, t.periodEnd)],
);
