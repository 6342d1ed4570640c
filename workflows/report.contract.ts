/**
 * The daily carrier report: its schedule, workflow input and result. The API, the worker and the
 * tests import these; nothing names the workflow or the schedule by a string literal.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The one schedule that starts the report (created or updated when a worker starts). */
export const REPORT_SCHEDULE_ID = 'parcelwarden-daily-report';
/** Workflow ids of scheduled runs: the schedule appends the scheduled time to this. */
export const REPORT_WORKFLOW_ID_PREFIX = 'daily-report';
export const REPORT_WORKFLOW_TYPE = 'reportWorkflow';

/** Lanes with fewer resolved shipments than this are not ranked: a loss rate of 1 of 2 is noise. */
export const REPORT_MIN_SAMPLE = 20;
/** How many of the worst lanes the e-mail shows. */
export const REPORT_WORST_LANES = 5;
/** Loss rates need resolved parcels: carrier and lane figures look back this many days. */
export const REPORT_LOOKBACK_DAYS = 28;

/** Failure types of the report activities (permanent: retrying cannot help). */
export const REPORT_FAILURES = {
  invalidPeriod: 'report.invalid_period',
  snapshotMissing: 'report.snapshot_missing',
} as const;

/** Set by the Temporal server on every workflow a schedule starts. */
export const scheduledStartTimeKey = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

/** An ISO 8601 half-open interval [start, end). */
export interface ReportPeriod {
  start: string;
  end: string;
}

export interface ReportInput {
  /** IANA time zone whose calendar day is reported (the schedule's). */
  timeZone: string;
  /** Report this period instead of the day before the scheduled start (backfills, reruns). */
  period?: ReportPeriod;
  minSample?: number;
  worstLanes?: number;
  lookbackDays?: number;
}

export interface WorstLane {
  carrier: string;
  origin: string;
  destination: string;
  resolved: number;
  lost: number;
  lossRate: number;
}

export interface ReportResult {
  snapshotId: number;
  period: ReportPeriod;
  /** False when a snapshot of the period already existed (a second run for the same day). */
  created: boolean;
  worstLanes: WorstLane[];
  email: { to: string; status: 'sent' | 'queued' };
}
