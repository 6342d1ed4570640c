import { ProblemError } from '../http/problems';

export function reportNotFound(id: number): ProblemError {
  return new ProblemError(404, 'report.not_found', 'Report not found', `There is no report ${id}.`);
}

export function reportScheduleMissing(scheduleId: string): ProblemError {
  return new ProblemError(
    409,
    'report.schedule_missing',
    'Report schedule missing',
    `The schedule "${scheduleId}" does not exist yet: a worker creates it when it starts with REPORT_ENABLED=true.`,
  );
}
