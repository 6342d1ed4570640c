import { randomBytes } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportEmailKey } from '../../activities/report.activities';
import { claims, notifications, reportSnapshots, reviews, shipments } from '../../src/db/schema';
import { previousLocalDay } from '../../src/reports/report.period';
import {
  ensureReportSchedule,
  REPORT_CATCHUP_WINDOW_MS,
  type ReportScheduleSettings,
} from '../../src/reports/report.schedule';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import { REPORT_MIN_SAMPLE, type ReportResult } from '../../workflows/report.contract';
import { reportWorkflow } from '../../workflows';
import { aRegistration, uniqueId } from '../helpers/factories';
import { OPS_EMAIL, startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A carrier code of this test alone, so its lanes are ours whatever else the database holds. */
const aCarrier = () => `zr${randomBytes(4).toString('hex')}`;

/** `resolved` parcels on a lane, `lost` of them reshipped, the rest delivered. */
async function seedLane(
  carrier: string,
  destination: string,
  resolved: number,
  lost: number,
  shippedAt: Date,
): Promise<void> {
  const rows = Array.from({ length: resolved }, (_, i) => {
    const reg = aRegistration({
      carrier,
      shippedAt: shippedAt.toISOString(),
      destination: { ...aRegistration().destination, country: destination },
    });
    return shipmentRow(
      reg,
      i < lost
        ? { resolution: 'reshipped', stage: 'closed' }
        : { resolution: 'delivered', stage: 'delivered', deliveredAt: shippedAt },
    );
  });
  await stack.db.insert(shipments).values(rows);
}

function scheduleSettings(overrides: Partial<ReportScheduleSettings> = {}): ReportScheduleSettings {
  return {
    enabled: true,
    cron: '0 6 * * *',
    timeZone: 'UTC',
    taskQueue: stack.taskQueue,
    scheduleId: uniqueId('report-schedule-test'),
    ...overrides,
  };
}

const utcMidnight = (d: Date) =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

describe('daily carrier report', () => {
  it('a triggered schedule stores the day before, e-mails ops the worst lanes first, and a second trigger that day stores and sends nothing new', async () => {
    const carrier = aCarrier();
    // Early yesterday (UTC): inside the report's look-back window whenever the test runs.
    const shippedAt = new Date(utcMidnight(new Date()).getTime() - 20 * 3600_000);
    await seedLane(carrier, 'US', 20, 18, shippedAt); // 90 % lost
    await seedLane(carrier, 'DE', 25, 15, shippedAt); // 60 % lost
    await seedLane(carrier, 'FR', 20, 4, shippedAt); // 20 % lost
    await seedLane(carrier, 'GB', REPORT_MIN_SAMPLE - 1, REPORT_MIN_SAMPLE - 1, shippedAt); // too few to rank

    const settings = scheduleSettings();
    expect(await ensureReportSchedule(stack.client, settings)).toBe('created');
    const handle = stack.client.schedule.getHandle(settings.scheduleId!);
    try {
      const runOnce = async (n: number) => {
        await handle.trigger();
        const described = await waitUntil(
          `schedule action ${n}`,
          () => handle.describe(),
          (d) => d.info.recentActions.length >= n,
        );
        const action = described.info.recentActions[n - 1]!;
        const { workflowId, firstExecutionRunId } = action.action.workflow;
        const result = await stack.client.workflow
          .getHandle<typeof reportWorkflow>(workflowId, firstExecutionRunId)
          .result();
        return { action, result };
      };

      const first = await runOnce(1);
      const result: ReportResult = first.result;
      const today = utcMidnight(first.action.scheduledAt);
      expect(result.period).toEqual({
        start: new Date(today.getTime() - 86_400_000).toISOString(),
        end: today.toISOString(),
      });
      expect(result.created).toBe(true);
      expect(result.email).toEqual({ to: OPS_EMAIL, status: 'sent' });

      const ours = result.worstLanes.filter((l) => l.carrier === carrier);
      expect(ours.map((l) => [l.destination, l.lost, l.resolved, l.lossRate])).toEqual([
        ['US', 18, 20, 0.9],
        ['DE', 15, 25, 0.6],
        ['FR', 4, 20, 0.2],
      ]);

      const [snapshot] = await stack.db
        .select()
        .from(reportSnapshots)
        .where(eq(reportSnapshots.id, result.snapshotId));
      expect(snapshot?.periodStart.toISOString()).toBe(result.period.start);
      expect(snapshot?.worstLanes).toEqual(result.worstLanes);
      expect(snapshot?.figures.carriers.find((c) => c.carrier === carrier)).toMatchObject({
        shipments: 84,
        resolved: 84,
        lost: 56,
      });

      const mail = await stack.mail.waitFor(
        (m) => m.to.includes(OPS_EMAIL) && m.text.includes(`${carrier} CN → US`),
        30_000,
      );
      expect(mail.subject).toContain('Daily carrier report');
      const at = (s: string) => mail.text.indexOf(`${carrier} CN → ${s}`);
      expect(at('US')).toBeGreaterThan(-1);
      expect(at('US')).toBeLessThan(at('DE'));
      expect(at('DE')).toBeLessThan(at('FR'));
      expect(at('GB')).toBe(-1);
      expect(mail.html).toContain('<svg');
      expect(mail.html).toContain(`data-label="${carrier} CN → US"`);

      const second = await runOnce(2);
      // Another run (two triggers in one second share the workflow id, never the run).
      expect(second.action.action.workflow.firstExecutionRunId).not.toBe(
        first.action.action.workflow.firstExecutionRunId,
      );
      expect(second.result).toMatchObject({
        snapshotId: result.snapshotId,
        period: result.period,
        created: false,
      });
      const snapshots = await stack.db
        .select({ id: reportSnapshots.id })
        .from(reportSnapshots)
        .where(eq(reportSnapshots.periodStart, new Date(result.period.start)));
      expect(snapshots).toHaveLength(1);
      const outbox = await stack.db
        .select({ id: notifications.id })
        .from(notifications)
        .where(eq(notifications.idempotencyKey, reportEmailKey(result.period)));
      expect(outbox).toHaveLength(1);
      expect(
        stack.mail.messages().filter((m) => m.text.includes(`${carrier} CN → US`)),
      ).toHaveLength(1);
    } finally {
      await handle.delete();
    }
  });

  it('a report for a given period counts the review queue at its end and the claims settled during it', async () => {
    // A day long ago: no other test writes reviews, claims or shipments then.
    const period = { start: '2001-03-04T00:00:00.000Z', end: '2001-03-05T00:00:00.000Z' };
    const carrier = aCarrier();
    const shippedAt = new Date('2001-02-20T10:00:00Z');
    const regs = Array.from({ length: 4 }, () =>
      aRegistration({ carrier, shippedAt: shippedAt.toISOString() }),
    );
    await stack.db.insert(shipments).values(regs.map((r) => shipmentRow(r)));
    const [a, b, c, d] = regs.map((r) => r.shipmentId) as [string, string, string, string];
    const review = (shipmentId: string, detected: string, sla: string, decided?: string) => ({
      shipmentId,
      round: 1,
      reason: 'stalled' as const,
      detectedAt: new Date(detected),
      slaDeadline: new Date(sla),
      status: decided ? 'decided' : 'pending',
      decidedAt: decided ? new Date(decided) : null,
    });
    await stack.db.insert(reviews).values([
      // Pending at the end of the day, SLA not yet run out.
      review(a, '2001-03-04T10:00:00Z', '2001-03-06T10:00:00Z'),
      // Pending and overdue at the end of the day (decided the day after).
      review(b, '2001-03-02T10:00:00Z', '2001-03-04T10:00:00Z', '2001-03-05T09:00:00Z'),
      // Decided during the day.
      review(c, '2001-03-03T10:00:00Z', '2001-03-05T10:00:00Z', '2001-03-04T12:00:00Z'),
      // Detected after the day: not counted.
      review(d, '2001-03-05T10:00:00Z', '2001-03-07T10:00:00Z'),
    ]);
    const claim = (shipmentId: string, decided: string, recovered: number, currency = 'EUR') => ({
      idempotencyKey: uniqueId('claim'),
      shipmentId,
      carrier,
      trackingNumber: 'T',
      reason: 'lost',
      status: recovered > 0 ? 'paid' : 'denied',
      amount: 50,
      currency,
      amountRecovered: recovered,
      evidence: {},
      decidedAt: new Date(decided),
    });
    await stack.db.insert(claims).values([
      claim(a, '2001-03-04T08:00:00Z', 40),
      claim(b, '2001-03-04T20:00:00Z', 0),
      claim(c, '2001-03-04T21:00:00Z', 12.5, 'USD'),
      claim(d, '2001-03-05T08:00:00Z', 50), // the day after
    ]);

    const result = await stack.client.workflow.execute(reportWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: uniqueId('report-period'),
      args: [{ timeZone: 'UTC', period }],
    });
    expect(result).toMatchObject({ period, created: true, worstLanes: [] });
    const [snapshot] = await stack.db
      .select()
      .from(reportSnapshots)
      .where(eq(reportSnapshots.id, result.snapshotId));
    expect(snapshot?.figures.reviews).toEqual({ pending: 2, overdue: 1, decided: 1 });
    expect(snapshot?.figures.claims).toEqual([
      { currency: 'EUR', settled: 2, recovered: 1, amountRecovered: 40 },
      { currency: 'USD', settled: 1, recovered: 1, amountRecovered: 12.5 },
    ]);
    expect(snapshot?.figures.carriers).toEqual([
      expect.objectContaining({ carrier, shipments: 4, resolved: 0, lossRate: null }),
    ]);
    const mail = await stack.mail.waitFor((m) => m.subject.includes('2001-03-04'), 30_000);
    expect(mail.text).toContain('2 pending, 1 overdue; 1 decided during the day');
    expect(mail.text).toContain('No lane has enough resolved shipments yet.');
  });

  it('a backfilled run reports the day before the time it was scheduled for, not the day it ran', async () => {
    const settings = scheduleSettings({ timeZone: 'Europe/Berlin' });
    expect(await ensureReportSchedule(stack.client, settings)).toBe('created');
    const handle = stack.client.schedule.getHandle(settings.scheduleId!);
    try {
      // 06:00 in Berlin (summer time) on 2001-06-10.
      await handle.backfill({
        start: new Date('2001-06-10T03:59:00Z'),
        end: new Date('2001-06-10T04:01:00Z'),
        overlap: ScheduleOverlapPolicy.ALLOW_ALL,
      });
      const described = await waitUntil(
        'the backfilled action',
        () => handle.describe(),
        (d) => d.info.recentActions.length >= 1,
      );
      const result = await stack.client.workflow
        .getHandle<typeof reportWorkflow>(
          described.info.recentActions[0]!.action.workflow.workflowId,
        )
        .result();
      expect(result.period).toEqual({
        start: '2001-06-08T22:00:00.000Z',
        end: '2001-06-09T22:00:00.000Z',
      });
      await stack.mail.waitFor(
        (m) => m.subject.includes('Daily carrier report 2001-06-09'),
        30_000,
      );
    } finally {
      await handle.delete();
    }
  });

  it('running the schedule upsert twice leaves one schedule with the configured spec, and a changed spec updates it', async () => {
    const settings = scheduleSettings({ cron: '0 6 * * *', timeZone: 'Europe/Berlin' });
    const handle = stack.client.schedule.getHandle(settings.scheduleId!);
    try {
      expect(await ensureReportSchedule(stack.client, settings)).toBe('created');
      expect(await ensureReportSchedule(stack.client, settings)).toBe('unchanged');

      let d = await handle.describe();
      expect(d.spec.timezone).toBe('Europe/Berlin');
      expect(d.spec.calendars).toEqual([
        expect.objectContaining({
          hour: [{ start: 6, end: 6, step: 1 }],
          minute: [{ start: 0, end: 0, step: 1 }],
        }),
      ]);
      expect(d.policies).toMatchObject({
        overlap: 'SKIP',
        catchupWindow: REPORT_CATCHUP_WINDOW_MS,
      });
      expect(d.action).toMatchObject({
        workflowType: 'reportWorkflow',
        taskQueue: stack.taskQueue,
        args: [{ timeZone: 'Europe/Berlin' }],
      });

      expect(await ensureReportSchedule(stack.client, { ...settings, cron: '30 7 * * *' })).toBe(
        'updated',
      );
      d = await handle.describe();
      expect(d.spec.calendars).toEqual([
        expect.objectContaining({
          hour: [{ start: 7, end: 7, step: 1 }],
          minute: [{ start: 30, end: 30, step: 1 }],
        }),
      ]);

      expect(await ensureReportSchedule(stack.client, { ...settings, enabled: false })).toBe(
        'paused',
      );
      expect((await handle.describe()).state.paused).toBe(true);
      expect(await ensureReportSchedule(stack.client, { ...settings, cron: '30 7 * * *' })).toBe(
        'updated',
      );
      expect((await handle.describe()).state.paused).toBe(false);
    } finally {
      await handle.delete();
    }
  });

  it('the day reported is the calendar day before the scheduled time in the schedule’s time zone', () => {
    // Berlin moves to summer time on 2026-03-29: that day has 23 hours.
    expect(previousLocalDay(new Date('2026-03-30T04:00:00Z'), 'Europe/Berlin')).toEqual({
      start: new Date('2026-03-28T23:00:00Z'),
      end: new Date('2026-03-29T22:00:00Z'),
    });
    // 06:00 in Sydney is still the previous evening in UTC.
    expect(previousLocalDay(new Date('2026-06-14T20:00:00Z'), 'Australia/Sydney')).toEqual({
      start: new Date('2026-06-13T14:00:00Z'),
      end: new Date('2026-06-14T14:00:00Z'),
    });
    expect(previousLocalDay(new Date('2026-06-15T06:00:00Z'), 'UTC')).toEqual({
      start: new Date('2026-06-14T00:00:00Z'),
      end: new Date('2026-06-15T00:00:00Z'),
    });
  });
});
