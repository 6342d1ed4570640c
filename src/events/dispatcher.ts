/**
 * The worker's events loop: fans new events out to the endpoints subscribed to them, then sends
 * the deliveries that are due, signed by the Standard Webhooks specification.
 *
 * Crash safety: a delivery is claimed by pushing its next attempt a lease ahead (FOR UPDATE SKIP
 * LOCKED, so two workers never take the same one) before it is sent; a worker that dies between
 * claim and answer leaves it due again when the lease runs out. Its result is recorded only by
 * the claim that made it (the attempt count is the claim's token). The receiver may see an event
 * twice in that worst case, always with the same `webhook-id`.
 *
 * Order: per endpoint, the events of one shipment go one after the other: a delivery waits while
 * an earlier delivery of the same endpoint and shipment is still pending.
 */
import { and, eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../db/client';
import { eventDeliveries } from '../db/schema/events';
import { developmentFetch } from '../http/outbound';
import type { SecretBox } from '../shops/secret-box';
import { onEventsRecorded } from './events.repository';

export interface EventDispatcherSettings {
  /** Between rounds when there is nothing to do (a recorded event wakes the loop sooner). */
  pollMs: number;
  /** Events fanned out per statement. */
  fanOutBatch: number;
  /** Deliveries claimed and sent at once. */
  concurrency: number;
  /** Time an endpoint has to answer. */
  timeoutMs: number;
  /** How long a claimed delivery is left to its sender before another worker may take it. */
  leaseMs: number;
  /** Wait after the 1st, 2nd, … failed attempt; then `retryEveryMs`. */
  retryScheduleMs: number[];
  retryEveryMs: number;
  /** Counted from the event: after this a failing delivery is `failed` (redeliver by hand). */
  giveUpAfterMs: number;
  /** Characters of an answer kept with the delivery. */
  responseExcerptChars: number;
}

export const DEFAULT_EVENT_DISPATCHER: EventDispatcherSettings = {
  pollMs: 250,
  fanOutBatch: 200,
  concurrency: 10,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  retryScheduleMs: [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000],
  retryEveryMs: 3 * 3_600_000,
  giveUpAfterMs: 3 * 86_400_000,
  responseExcerptChars: 500,
};

/** Wait before the next attempt after `attempts` failed ones. */
export function retryDelayMs(
  attempts: number,
  s: Pick<EventDispatcherSettings, 'retryScheduleMs' | 'retryEveryMs'>,
): number {
  return s.retryScheduleMs[Math.max(0, attempts - 1)] ?? s.retryEveryMs;
}

/**
 * After a failed attempt at `now`: the next attempt (never later than the deadline, so the last
 * one falls on it), or give up once the deadline is reached.
 */
export function afterFailure(
  attempts: number,
  occurredAt: Date,
  now: Date,
  s: Pick<EventDispatcherSettings, 'retryScheduleMs' | 'retryEveryMs' | 'giveUpAfterMs'>,
): { status: 'pending'; nextAttemptAt: Date } | { status: 'failed' } {
  const deadline = occurredAt.getTime() + s.giveUpAfterMs;
  if (now.getTime() >= deadline) return { status: 'failed' };
  const next = Math.min(now.getTime() + retryDelayMs(attempts, s), deadline);
  return { status: 'pending', nextAttemptAt: new Date(next) };
}

export type DispatchLog = (
  level: 'info' | 'warn' | 'error',
  msg: string,
  meta?: Record<string, unknown>,
) => void;

export interface EventDispatcherDeps {
  db: Db;
  /** Opens the endpoints' sealed signing secrets. */
  box: SecretBox;
  /** The outbound fetch of the configuration (no redirects; no private addresses in production). */
  fetch?: typeof fetch;
  settings?: Partial<EventDispatcherSettings>;
  log?: DispatchLog;
  /**
   * Runs between claim and send. Tests make it throw to play a worker that died there: the
   * delivery stays claimed, unsent, until its lease runs out.
   */
  afterClaim?: (claimed: ClaimedDelivery) => Promise<void>;
}

export interface ClaimedDelivery {
  id: number;
  attempts: number;
  eventId: string;
  eventType: string;
  body: string;
  occurredAt: Date;
  url: string;
  sealedSecret: string;
}

interface ClaimRow extends Record<string, unknown> {
  id: string | number;
  attempts: number;
  event_id: string;
  type: string;
  payload: unknown;
  occurred_at: string | Date;
  url: string;
  secret: string;
}

/** Reads at most `limit` characters of an answer, then lets the rest go. */
async function excerpt(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // PostgreSQL text cannot hold NUL.
  return text.slice(0, limit).replaceAll('\u0000', '');
}

export function createEventDispatcher(deps: EventDispatcherDeps) {
  const { db, box } = deps;
  const settings = { ...DEFAULT_EVENT_DISPATCHER, ...deps.settings };
  const send = deps.fetch ?? developmentFetch;
  const log: DispatchLog = deps.log ?? (() => undefined);

  /**
   * One transaction (one statement): takes events not fanned out yet, in id order, skipping those
   * another worker holds; makes a delivery for every live endpoint subscribed to each; marks them.
   */
  async function fanOut(): Promise<{ events: number; deliveries: number }> {
    const rows = await db.execute<{ events: number; deliveries: number }>(sql`
      with picked as (
        select id, type, shipment_id from events
        where not fanned_out
        order by id
        limit ${settings.fanOutBatch}
        for update skip locked
      ), fanned as (
        insert into event_deliveries (endpoint_id, event_row, shipment_id)
        select w.endpoint_id, p.id, p.shipment_id
        from picked p
        join webhook_endpoints w on w.deleted_at is null and p.type = any(w.event_types)
        order by p.id
        on conflict (endpoint_id, event_row) do nothing
        returning id
      ), marked as (
        update events e set fanned_out = true from picked p where e.id = p.id returning e.id
      )
      select (select count(*) from marked)::int as events, (select count(*) from fanned)::int as deliveries`);
    return rows[0] ?? { events: 0, deliveries: 0 };
  }

  /**
   * Claims up to `limit` due deliveries: each the earliest pending one of its endpoint and
   * shipment, its next attempt pushed a lease ahead and its attempt counted, before anything is
   * sent.
   */
  async function claim(limit: number): Promise<ClaimedDelivery[]> {
    const rows = await db.execute<ClaimRow>(sql`
      with due as (
        select d.id from event_deliveries d
        join webhook_endpoints w on w.endpoint_id = d.endpoint_id and w.deleted_at is null
        where d.status = 'pending' and d.next_attempt_at <= now()
          and not exists (
            select 1 from event_deliveries e
            where e.endpoint_id = d.endpoint_id and e.shipment_id = d.shipment_id
              and e.status = 'pending' and e.event_row < d.event_row
          )
        order by d.next_attempt_at, d.id
        limit ${limit}
        for update of d skip locked
      )
      update event_deliveries d
      set attempts = d.attempts + 1,
          next_attempt_at = now() + ${settings.leaseMs} * interval '1 millisecond',
          last_attempt_at = now()
      from due, events ev, webhook_endpoints w
      where d.id = due.id and ev.id = d.event_row and w.endpoint_id = d.endpoint_id
      returning d.id, d.attempts, ev.event_id, ev.type, ev.payload, ev.occurred_at, w.url, w.secret`);
    return rows.map((r) => ({
      id: Number(r.id),
      attempts: r.attempts,
      eventId: r.event_id,
      eventType: r.type,
      // The same bytes on every attempt: the payload as stored.
      body: JSON.stringify(r.payload),
      occurredAt: new Date(r.occurred_at),
      url: r.url,
      sealedSecret: r.secret,
    }));
  }

  /** Records an attempt's outcome, if this claim still holds the delivery. */
  async function record(
    d: ClaimedDelivery,
    outcome: { ok: boolean; statusCode?: number; response?: string; error?: string },
  ): Promise<void> {
    const now = new Date();
    const common = {
      lastStatusCode: outcome.statusCode ?? null,
      lastResponse: outcome.response ?? null,
      lastError: outcome.error ?? null,
    };
    const next = outcome.ok
      ? { status: 'delivered' as const, deliveredAt: now }
      : afterFailure(d.attempts, d.occurredAt, now, settings);
    await db
      .update(eventDeliveries)
      .set({
        ...common,
        status: next.status,
        ...('deliveredAt' in next ? { deliveredAt: next.deliveredAt } : {}),
        ...('nextAttemptAt' in next ? { nextAttemptAt: next.nextAttemptAt } : {}),
      })
      .where(
        and(
          eq(eventDeliveries.id, d.id),
          eq(eventDeliveries.attempts, d.attempts),
          eq(eventDeliveries.status, 'pending'),
        ),
      );
    if (!outcome.ok && next.status === 'failed')
      log('warn', 'webhook delivery given up', { deliveryId: d.id, eventId: d.eventId });
  }

  /** One attempt: sign, POST, record. Never throws for the endpoint's failure. */
  async function attempt(d: ClaimedDelivery): Promise<void> {
    await deps.afterClaim?.(d);
    let outcome: Parameters<typeof record>[1];
    try {
      const secret = box.open(d.sealedSecret);
      const sentAt = new Date();
      const signature = new Webhook(secret).sign(d.eventId, sentAt, d.body);
      const res = await send(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Parcelwarden-Webhooks/1',
          'webhook-id': d.eventId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: d.body,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      const response = await excerpt(res, settings.responseExcerptChars).catch(() => '');
      const ok = res.status >= 200 && res.status < 300;
      outcome = {
        ok,
        statusCode: res.status,
        response,
        ...(ok ? {} : { error: `answered ${res.status}` }),
      };
    } catch (err) {
      const e = err as Error;
      const message =
        e.name === 'TimeoutError' ? `no answer within ${settings.timeoutMs} ms` : e.message;
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      outcome = { ok: false, error: cause ? `${message}: ${cause}` : message };
    }
    await record(d, outcome);
  }

  /** Claims and sends due deliveries, `concurrency` at a time; returns how many were claimed. */
  async function sendDue(): Promise<number> {
    const claimed = await claim(settings.concurrency);
    const results = await Promise.allSettled(claimed.map((d) => attempt(d)));
    for (const r of results)
      if (r.status === 'rejected')
        log('error', 'webhook delivery attempt failed', { err: (r.reason as Error).message });
    return claimed.length;
  }

  /** Fan-out, then everything due (a batch at a time). */
  async function round(): Promise<{ fannedOut: number; sent: number }> {
    const fanned = await fanOut();
    let sent = 0;
    for (;;) {
      const n = await sendDue();
      sent += n;
      if (n < settings.concurrency) break;
    }
    return { fannedOut: fanned.events, sent };
  }

  return { fanOut, claim, sendDue, round, settings };
}
export type EventDispatcher = ReturnType<typeof createEventDispatcher>;

/**
 * The loop: a round every `pollMs`, and at once when this process records an event. `stop`
 * waits for the round in progress.
 */
export function startEventDispatcher(deps: EventDispatcherDeps): {
  stop(): Promise<void>;
  wake(): void;
} {
  const dispatcher = createEventDispatcher(deps);
  const log: DispatchLog = deps.log ?? (() => undefined);
  let stopped = false;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const tick = () => {
    timer = undefined;
    running = true;
    again = false;
    current = dispatcher
      .round()
      .then(() => undefined)
      .catch((err: unknown) => {
        log('error', 'events dispatcher round failed', { err: (err as Error).message });
      })
      .finally(() => {
        running = false;
        if (!stopped) timer = setTimeout(tick, again ? 0 : dispatcher.settings.pollMs);
      });
  };
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, 0);
  };
  const unsubscribe = onEventsRecorded(wake);
  timer = setTimeout(tick, 0);
  return {
    wake,
    async stop() {
      stopped = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
