import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client';
import { seed } from '../../src/db/seed';
import { createReportRepository } from '../../src/reports/report.repository';
import { ensureReportSchedule } from '../../src/reports/report.schedule';
import type { ReportFigures } from '../../src/reports/report.figures';
import { uniqueId } from '../helpers/factories';
import { waitUntil } from '../helpers/wait';
import { testDataConverter } from '../helpers/payload-key';
import '../helpers/provided';
import { serve, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
let database: Database;
let client: Client;
const scheduleId = uniqueId('report-api-schedule');

beforeAll(async () => {
  database = connectDatabase(inject('databaseUrl'), { max: 5 });
  await seed(database.db);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({
    connection,
    namespace: inject('temporalNamespace'),
    dataConverter: testDataConverter(),
  });
  api = await serve(
    {
      db: database.db,
      temporal: client,
      taskQueue: uniqueId('report-api'),
      reportScheduleId: scheduleId,
    },
    async () => {
      await connection.close();
      await database.close();
    },
  );
});
afterAll(async () => {
  await api?.close();
});

const figures = (pending: number): ReportFigures => ({
  window: { from: '2098-12-01T00:00:00.000Z', to: '2099-01-01T00:00:00.000Z' },
  minSample: 20,
  carriers: [],
  reviews: { pending, overdue: 0, decided: 0 },
  claims: [],
});

/** Snapshots of days nobody else reports (2099): they are the newest in the database. */
async function aSnapshot(day: number, pending: number) {
  const start = new Date(Date.UTC(2099, 0, day));
  const { row } = await createReportRepository(database.db).store({
    periodStart: start,
    periodEnd: new Date(start.getTime() + 86_400_000),
    timeZone: 'UTC',
    workflowId: uniqueId('daily-report'),
    figures: figures(pending),
    worstLanes: [
      { carrier: 'yanwen', origin: 'CN', destination: 'US', resolved: 30, lost: 6, lossRate: 0.2 },
    ],
  });
  return row;
}

describe('daily reports API', () => {
  it('an analyst pages through the reports newest first and opens one with its figures', async () => {
    const older = await aSnapshot(1, 3);
    const newer = await aSnapshot(2, 7);

    const page1 = await api.call('GET', '/v1/reports?limit=1', { as: 'analyst' });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r: { id: number }) => r.id)).toEqual([newer.id]);
    expect(page1.body.items[0]).toMatchObject({
      period: { start: '2099-01-02T00:00:00.000Z', end: '2099-01-03T00:00:00.000Z' },
      worstLanes: [{ carrier: 'yanwen', destination: 'US', lossRate: 0.2 }],
      links: { self: `/v1/reports/${newer.id}` },
    });
    const page2 = await api.call(
      'GET',
      `/v1/reports?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`,
      { as: 'admin' },
    );
    expect(page2.body.items.map((r: { id: number }) => r.id)).toEqual([older.id]);

    const one = await api.call('GET', `/v1/reports/${older.id}`, { as: 'analyst' });
    expect(one.status).toBe(200);
    expect(one.body.figures.reviews).toEqual({ pending: 3, overdue: 0, decided: 0 });
  });

  it('an unknown report is a 404 and a malformed id a 400 naming the field', async () => {
    const missing = await api.call('GET', '/v1/reports/2147480000', { as: 'analyst' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('report.not_found');
    const bad = await api.call('GET', '/v1/reports/last-week', { as: 'analyst' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([
      { path: 'id', message: 'must be a report id (a positive integer)' },
    ]);
  });

  it('ops may not read the reports and only an admin may run the schedule', async () => {
    expect((await api.call('GET', '/v1/reports', { as: 'ops' })).status).toBe(403);
    expect((await api.call('POST', '/v1/reports:run', { as: 'analyst' })).status).toBe(403);
    expect((await api.call('POST', '/v1/reports:run', { as: 'ops' })).status).toBe(403);
  });

  it('an admin runs the report schedule now; before any worker created it the answer says so', async () => {
    const before = await api.call('POST', '/v1/reports:run', { as: 'admin' });
    expect(before.status).toBe(409);
    expect(before.body.code).toBe('report.schedule_missing');

    // Nothing polls this queue: the started workflow only proves the trigger.
    const taskQueue = uniqueId('report-api-idle');
    await ensureReportSchedule(client, {
      enabled: true,
      cron: '0 6 * * *',
      timeZone: 'UTC',
      taskQueue,
      scheduleId,
    });
    const handle = client.schedule.getHandle(scheduleId);
    try {
      const res = await api.call('POST', '/v1/reports:run', { as: 'admin' });
      expect(res.status).toBe(202);
      expect(res.body.scheduleId).toBe(scheduleId);
      const described = await waitUntil(
        'the triggered action',
        () => handle.describe(),
        (d) => d.info.recentActions.length === 1,
      );
      const workflowId = described.info.recentActions[0]!.action.workflow.workflowId;
      const run = await client.workflow.getHandle(workflowId).describe();
      expect(run.type).toBe('reportWorkflow');
      expect(run.taskQueue).toBe(taskQueue);
      await client.workflow.getHandle(workflowId).terminate('test done');
    } finally {
      await handle.delete();
    }
  });
});
