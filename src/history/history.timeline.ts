/**
 * Turns a shipment workflow's event history (all its runs) into a business timeline: what
 * happened, when, and who decided. Payloads are decoded by the caller's data converter.
 */
import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import {
  searchAttributes,
  type CustomerInquiry,
  type NotificationRecord,
  type Policy,
  type ReviewInput,
  type ShipmentState,
  type ShipmentWorkflowInput,
  type Stage,
  type TrackingEvent,
} from '../../workflows/shipment.contract';
import {
  CLAIM_WORKFLOW_TYPE,
  type ClaimRecord,
  type ClaimUpdate,
} from '../../workflows/claim.contract';

export type HistoryEvent = NonNullable<History['events']>[number];

export interface Run {
  runId: string;
  events: HistoryEvent[];
}

export interface HistoryEntry {
  at: string;
  runId: string;
  eventId: number;
  /** Stable machine name: `tracking_events`, `review_decision`, `activity`, `timer`, `stage`… */
  kind: string;
  /** One readable sentence. */
  summary: string;
  /** Who caused it: the reviewer, the customer, the carrier, `policy` for automatic decisions. */
  actor?: string;
  /** The activity behind an `activity` entry, the signal or update name behind a message. */
  name?: string;
}

export interface Decoder {
  /** Decodes message, activity and result payloads (codecs, then the payload converter). */
  payloads(payloads: Payload[] | null | undefined): Promise<unknown[]>;
  /** Search attribute values are never codec-encoded: the payload converter alone reads them. */
  searchAttribute(payload: Payload): unknown;
}

const when = (e: HistoryEvent) => new Date(tsToMs(e.eventTime)).toISOString();
const seconds = (d: Parameters<typeof tsToMs>[0]) => Math.round(tsToMs(d) / 1000);

/** "2 d 3 h", "45 s": timers are policies in ISO durations, people read them like this. */
export function humanDuration(totalSeconds: number): string {
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = totalSeconds;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.length ? parts.join(' ') : '0 s';
}

/** What a timer meant, from the stage the workflow was in when it started it. */
const TIMER_MEANING: Partial<Record<Stage, string>> = {
  monitoring: 'stall/overdue timer fired: no new scan in time',
  awaiting_review: 'review SLA timer fired: no decision in time',
  claiming: 'claim waiting period over',
  delivered: 'delivered-not-received watch ended',
};

const scan = (e: TrackingEvent) =>
  `${e.status}${e.description ? ` (${e.description})` : ''}${e.location?.country ? ` in ${[e.location.city, e.location.country].filter(Boolean).join(', ')}` : ''} at ${e.occurredAt}`;

function signalEntry(
  name: string,
  args: unknown[],
): Omit<HistoryEntry, 'at' | 'runId' | 'eventId'> {
  const [arg] = args;
  switch (name) {
    case 'trackingEvents': {
      const events = (arg as TrackingEvent[] | undefined) ?? [];
      return {
        kind: 'tracking_events',
        actor: 'carrier',
        summary: `${events.length} tracking event${events.length === 1 ? '' : 's'} received: ${events.map(scan).join('; ')}`,
      };
    }
    case 'customerInquiry': {
      const q = arg as CustomerInquiry;
      return {
        kind: 'customer_inquiry',
        actor: 'customer',
        summary: `Customer inquiry via ${q.channel}${q.intent ? ` (${q.intent})` : ''}: ${q.message.slice(0, 200)}`,
      };
    }
    case 'reviewDecision': {
      const d = arg as ReviewInput;
      return {
        kind: 'review_decision',
        actor: d.reviewer,
        summary: `Review decision sent as a signal: ${d.decision} by ${d.reviewer}${d.note ? ` (${d.note})` : ''}`,
      };
    }
    case 'cancel':
      return {
        kind: 'cancel_requested',
        summary: `Cancel requested: ${(arg as { reason: string }).reason}`,
      };
    case 'claimUpdate': {
      const c = arg as ClaimUpdate;
      return {
        kind: 'claim_update',
        actor: 'carrier',
        summary: `Claim ${c.claimId} is ${c.status}${c.amountApproved !== undefined ? `, ${c.amountApproved} approved` : ''}${c.detail ? `: ${c.detail}` : ''}`,
      };
    }
    case 'refreshPolicy': {
      const p = arg as { policy?: string } | undefined;
      return {
        kind: 'policy_refresh',
        summary: p?.policy
          ? `Policy switch to "${p.policy}" requested`
          : 'Policy refresh requested',
      };
    }
    default:
      return { kind: 'signal', summary: `Signal ${name} received` };
  }
}

/** The marker a local activity's completion is recorded with. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** One sentence per completed activity; bookkeeping ones (snapshots) say nothing. */
function activitySummary(name: string, input: unknown, result: unknown): string | undefined {
  const i = (input ?? {}) as Record<string, unknown>;
  const r = (result ?? {}) as Record<string, unknown>;
  switch (name) {
    case 'recordSnapshot':
      return undefined;
    case 'resolvePolicy': {
      const p = result as Policy;
      return `Policy "${p.name}"${p.version ? ` v${p.version}` : ''} resolved`;
    }
    case 'loadTrackingEvents': {
      const n = Array.isArray(result) ? result.length : 0;
      return n ? `${n} tracking events stored before the start loaded` : undefined;
    }
    case 'checkWithCarrier': {
      const events = Array.isArray(r.events) ? r.events.length : 0;
      return r.known === false
        ? 'Carrier lookup: the carrier does not know the tracking number'
        : `Carrier lookup: ${events} event${events === 1 ? '' : 's'} on the carrier's side`;
    }
    case 'openReview':
      return `Review round ${String(i.round)} opened (${String(i.reason)}), SLA until ${String(i.slaDeadline)}`;
    case 'withdrawReview':
      return `Review round ${String(i.round)} withdrawn`;
    case 'closeReview':
      return `Review round ${String(i.round)} closed: ${String(i.decision)} by ${String(i.reviewer)}${i.automatic ? ' (automatic)' : ''}`;
    case 'sendNotification': {
      const n = result as NotificationRecord | undefined;
      return `Email "${n?.kind ?? String(i.kind)}" sent to ${n?.to ?? String(i.to)} (${n?.locale ?? String(i.locale)})`;
    }
    case 'sendOpsAlert':
      return `Ops alerted: ${String(i.subject)}`;
    case 'reserveStock':
      return r.ok
        ? `Stock reserved in warehouse ${String(r.warehouseId)}`
        : `Stock shortfall: ${JSON.stringify(r.shortfall ?? [])}`;
    case 'releaseReservation':
      return 'Stock reservation released';
    case 'bookReshipLabel': {
      const reg = r.registration as { carrier?: string; trackingNumber?: string } | undefined;
      return `Replacement label booked: ${reg?.carrier ?? '?'} ${reg?.trackingNumber ?? '?'} (label ${String(r.labelId)})`;
    }
    case 'fileClaim': {
      const c = result as ClaimRecord | undefined;
      return c
        ? `Claim ${c.claimId} filed for ${c.amount} ${c.currency}`
        : `Claim filed for ${String(i.amount)} ${String(i.currency)}`;
    }
    case 'chooseReshipChannel':
      return `Reship channel chosen${r.carrier ? `: ${String(r.carrier)}${r.service ? ` ${String(r.service)}` : ''}` : ''}`;
    case 'issueRefund':
      return `Refund issued${r.amount !== undefined ? `: ${String(r.amount)} ${String(r.currency ?? '')}`.trimEnd() : ''}`;
    case 'openClaim':
      return `Claim opened (${String(r.status ?? 'open')})`;
    default:
      return `${humanName(name)} done`;
  }
}

/** `buildClaimEvidence` → "Build claim evidence". */
export function humanName(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ACTIVITY_ACTOR: Record<string, string> = {
  checkWithCarrier: 'carrier',
  bookReshipLabel: 'carrier',
  fileClaim: 'carrier',
};

function failureMessage(
  f: { message?: string | null; cause?: unknown } | null | undefined,
): string {
  const cause = (f?.cause ?? undefined) as { message?: string | null } | undefined;
  return [f?.message, cause?.message].filter(Boolean).join(': ') || 'unknown failure';
}

/**
 * The business timeline of one shipment workflow across its runs (oldest first). Events that only
 * matter to Temporal (workflow tasks, cancelled timers, snapshot writes) are left out.
 */
export async function businessTimeline(runs: Run[], decoder: Decoder): Promise<HistoryEntry[]> {
  const decode = (p: Payload[] | null | undefined) => decoder.payloads(p);
  const out: HistoryEntry[] = [];
  let stage: Stage = 'monitoring';
  let suspicion: string | undefined;

  for (const [runIndex, run] of runs.entries()) {
    const activities = new Map<string, { name: string; input: unknown }>();
    const timers = new Map<string, { stage: Stage; seconds: number }>();
    const updates = new Map<string, ReviewInput & { name: string }>();

    for (const e of run.events) {
      const base = { at: when(e), runId: run.runId, eventId: Number(e.eventId) };
      const push = (x: Omit<HistoryEntry, 'at' | 'runId' | 'eventId'>) =>
        out.push({ ...base, ...x });

      try {
        if (e.workflowExecutionStartedEventAttributes) {
          const [input] = (await decode(
            e.workflowExecutionStartedEventAttributes.input?.payloads,
          )) as [ShipmentWorkflowInput | undefined];
          const reg = input?.registration;
          if (runIndex === 0 || !input?.carried) {
            push({
              kind: 'started',
              summary: reg
                ? `Watching started: ${reg.carrier} ${reg.trackingNumber} from ${reg.origin.country} to ${reg.destination.country}, policy "${reg.policy}"${reg.replacementOf ? `, replacing ${reg.replacementOf}` : ''}`
                : 'Watching started',
            });
          } else {
            stage = input.carried.stage;
            suspicion = input.carried.suspicion?.reason;
            push({
              kind: 'continued_as_new',
              summary: `New run continues the shipment in stage ${stage} (history kept short)`,
            });
          }
        } else if (e.workflowExecutionSignaledEventAttributes) {
          const a = e.workflowExecutionSignaledEventAttributes;
          const name = a.signalName ?? '';
          push({ ...signalEntry(name, await decode(a.input?.payloads)), name });
        } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
          const a = e.workflowExecutionUpdateAcceptedEventAttributes;
          const input = a.acceptedRequest?.input;
          const name = input?.name ?? '';
          const [d] = (await decode(input?.args?.payloads)) as [ReviewInput | undefined];
          if (name === 'review' && d) {
            updates.set(a.protocolInstanceId ?? '', { ...d, name });
            push({
              kind: 'review_decision',
              name,
              actor: d.reviewer,
              summary: `Review decision: ${d.decision} by ${d.reviewer}${d.note ? ` (${d.note})` : ''}`,
            });
          } else {
            push({ kind: 'update', name, summary: `Update ${name} accepted` });
          }
        } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
          const a = e.workflowExecutionUpdateCompletedEventAttributes;
          const failure = a.outcome?.failure;
          if (failure) {
            const d = updates.get(a.meta?.updateId ?? '');
            push({
              kind: 'update_failed',
              name: d?.name,
              actor: d?.reviewer,
              summary: `Update failed: ${failureMessage(failure)}`,
            });
          }
        } else if (e.activityTaskScheduledEventAttributes) {
          const a = e.activityTaskScheduledEventAttributes;
          const [input] = await decode(a.input?.payloads);
          activities.set(String(e.eventId), { name: a.activityType?.name ?? '?', input });
        } else if (e.activityTaskCompletedEventAttributes) {
          const a = e.activityTaskCompletedEventAttributes;
          const act = activities.get(String(a.scheduledEventId));
          if (!act) continue;
          const [result] = await decode(a.result?.payloads);
          const summary = activitySummary(act.name, act.input, result);
          if (!summary) continue;
          const i = (act.input ?? {}) as { reviewer?: string; automatic?: boolean };
          push({
            kind: 'activity',
            name: act.name,
            summary,
            actor:
              act.name === 'closeReview'
                ? i.automatic
                  ? 'policy'
                  : i.reviewer
                : ACTIVITY_ACTOR[act.name],
          });
        } else if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
          // A local activity: its marker holds its type and result (its input is not kept).
          const m = e.markerRecordedEventAttributes;
          const meta = m.details?.data?.payloads?.[0]?.data;
          const name =
            (meta
              ? (JSON.parse(Buffer.from(meta).toString('utf8')) as { activity_type?: string })
                  .activity_type
              : undefined) ?? '?';
          if (m.failure) {
            push({
              kind: 'activity_failed',
              name,
              summary: `Activity ${name} failed: ${failureMessage(m.failure)}`,
            });
            continue;
          }
          const [result] = await decode(m.details?.result?.payloads);
          const summary = activitySummary(name, result, result);
          if (!summary) continue;
          const r = (result ?? {}) as { reviewer?: string; automatic?: boolean };
          push({
            kind: 'activity',
            name,
            summary,
            actor:
              name === 'closeReview' ? (r.automatic ? 'policy' : r.reviewer) : ACTIVITY_ACTOR[name],
          });
        } else if (e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes) {
          const a = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes!;
          const act = activities.get(String(a.scheduledEventId));
          push({
            kind: 'activity_failed',
            name: act?.name,
            summary: `Activity ${act?.name ?? '?'} failed: ${failureMessage(a.failure)}`,
          });
        } else if (e.timerStartedEventAttributes) {
          const a = e.timerStartedEventAttributes;
          timers.set(a.timerId ?? '', { stage, seconds: seconds(a.startToFireTimeout) });
        } else if (e.timerFiredEventAttributes) {
          const t = timers.get(e.timerFiredEventAttributes.timerId ?? '');
          push({
            kind: 'timer',
            summary: `${TIMER_MEANING[t?.stage ?? stage] ?? 'timer fired'} (after ${humanDuration(t?.seconds ?? 0)})`,
          });
        } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
          const fields =
            e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {};
          // Keyword values arrive as a string (or a one-element list); removal as null or [].
          const keyword = (name: string): string | null | undefined => {
            const p = fields[name];
            if (!p) return undefined;
            const v = decoder.searchAttribute(p);
            const one = Array.isArray(v) ? v[0] : v;
            return typeof one === 'string' && one ? one : null;
          };
          const reason = keyword(searchAttributes.suspicionReason.name);
          if (reason) {
            suspicion = reason;
            push({ kind: 'suspicion', summary: `Suspicion: ${reason}` });
          } else if (reason === null && suspicion) {
            push({ kind: 'suspicion_cleared', summary: `Suspicion (${suspicion}) cleared` });
            suspicion = undefined;
          }
          const next = keyword(searchAttributes.stage.name);
          if (next) {
            stage = next as Stage;
            push({
              kind: 'stage',
              summary: `Stage: ${next}${next === 'awaiting_review' && suspicion ? ` (suspicion: ${suspicion})` : ''}`,
            });
          }
        } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
          // A shipment starts two kinds of child: its replacement's workflow and its claim's.
          const child = e.startChildWorkflowExecutionInitiatedEventAttributes;
          push({
            kind: 'child_started',
            summary:
              child.workflowType?.name === CLAIM_WORKFLOW_TYPE
                ? `Claim followed by workflow ${child.workflowId ?? '?'}`
                : `Replacement watched by workflow ${child.workflowId ?? '?'}`,
          });
        } else if (e.workflowTaskFailedEventAttributes) {
          push({
            kind: 'workflow_task_failed',
            summary: `Workflow task failed (retried by Temporal): ${failureMessage(e.workflowTaskFailedEventAttributes.failure)}`,
          });
        } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
          // The next run's start says it; nothing to add here.
        } else if (e.workflowExecutionCompletedEventAttributes) {
          const [state] = (await decode(
            e.workflowExecutionCompletedEventAttributes.result?.payloads,
          )) as [ShipmentState | undefined];
          push({
            kind: 'closed',
            summary: `Closed${state?.resolution ? `: ${state.resolution}` : ''}`,
          });
        } else if (e.workflowExecutionFailedEventAttributes) {
          push({
            kind: 'failed',
            summary: `Workflow failed: ${failureMessage(e.workflowExecutionFailedEventAttributes.failure)}`,
          });
        } else if (e.workflowExecutionTerminatedEventAttributes) {
          const a = e.workflowExecutionTerminatedEventAttributes;
          push({
            kind: 'terminated',
            actor: a.identity ?? undefined,
            summary: `Workflow terminated${a.reason ? `: ${a.reason}` : ''}`,
          });
        } else if (e.workflowExecutionCanceledEventAttributes) {
          push({ kind: 'cancelled', summary: 'Workflow cancelled' });
        } else if (e.workflowExecutionTimedOutEventAttributes) {
          push({ kind: 'timed_out', summary: 'Workflow timed out' });
        }
      } catch {
        // Payloads the timeline did not expect (an older or newer workflow): keep the event.
        push({ kind: 'unreadable', summary: `Event ${String(e.eventId)} could not be told` });
      }
    }
  }
  return out;
}
