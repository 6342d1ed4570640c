/**
 * 17TRACK as a carrier: tracking only. Numbers are registered once (registration uses quota),
 * then read with `gettrackinfo`. Concurrent lookups are coalesced into calls of at most 40
 * numbers, at most 3 calls a second (17TRACK API v2.4 limits: 40 numbers a request, 3 requests a
 * second per key).
 * Auth: header `17token`.
 */
import type { TrackingStatus } from '../../../workflows/shipment.contract';
import {
  TRACK17_STATUS_TABLE,
  from17Track,
  from17TrackStage,
  type MappedStatus,
} from '../../tracking/status-map';
import {
  unsupported,
  type Carrier,
  type ClaimFiled,
  type Label,
  type TraceOpened,
  type TrackResult,
} from '../carrier';
import { toTrack17Key } from '../catalogue';
import { chronological, toEvent, toInstant } from '../events';
import { JsonHttp, parseShape } from '../http';
import { summaryOf } from '../summary';
import { MicroBatcher, PROVIDER_LIMITS, TokenBucket, type Clock } from '../rate-limit';
import {
  TRACK17_ERRORS,
  track17Answer,
  track17RegisterAccepted,
  track17TrackAccepted,
  type Track17Event,
  type Track17TrackInfo,
} from './track17.schemas';

export const TRACK17_BASE_URL = 'https://api.17track.net';
const API = '/track/v2.2';

export interface Track17Options {
  apiKey: string;
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  /** How long a lookup waits for others to share its call (default 50 ms). */
  batchDelayMs?: number;
}

type Lookup =
  | { kind: 'accepted'; carrier?: number; info?: Track17TrackInfo }
  | { kind: 'rejected'; code: number; message?: string };

interface NumberRef {
  number: string;
  carrier?: number;
}

// Batch keys carry the carrier: "<carrier key or empty>:<number>".
const keyOf = (r: NumberRef) => `${r.carrier ?? ''}:${r.number}`;
function refOf(key: string): NumberRef {
  const i = key.indexOf(':');
  const carrier = key.slice(0, i);
  return { number: key.slice(i + 1), ...(carrier ? { carrier: Number(carrier) } : {}) };
}

export class Track17Client {
  readonly http: JsonHttp;
  private readonly limit: TokenBucket;
  private readonly lookups: MicroBatcher<string, Lookup>;
  private readonly registrations: MicroBatcher<string, Lookup>;

  constructor(opts: Track17Options) {
    this.http = new JsonHttp({
      provider: '17TRACK',
      baseUrl: opts.baseUrl ?? TRACK17_BASE_URL,
      headers: { '17token': opts.apiKey },
      secrets: [opts.apiKey],
      timeoutMs: opts.timeoutMs,
      fetch: opts.fetch,
    });
    this.limit = new TokenBucket({
      perSecond: PROVIDER_LIMITS.track17.perSecond,
      clock: opts.clock,
    });
    const batch = {
      maxBatch: PROVIDER_LIMITS.track17.maxNumbersPerCall,
      maxDelayMs: opts.batchDelayMs ?? 50,
      missing: (key: string) =>
        this.http.error(
          `17TRACK answered without number ${refOf(key).number}`,
          'carrier.bad_response',
          false,
        ),
    };
    this.lookups = new MicroBatcher({ ...batch, run: (keys) => this.call('gettrackinfo', keys) });
    this.registrations = new MicroBatcher({ ...batch, run: (keys) => this.call('register', keys) });
  }

  /** This client as the tracking carrier for one carrier code. */
  carrier(code: string): Carrier {
    return {
      code,
      track: (n) => this.track(code, n),
      openTrace: () => Promise.reject<TraceOpened>(unsupported('17TRACK', 'carrier traces')),
      bookLabel: () => Promise.reject<Label>(unsupported('17TRACK', 'labels')),
      fileClaim: () => Promise.reject<ClaimFiled>(unsupported('17TRACK', 'carrier claims')),
      claimStatus: () => Promise.reject<ClaimFiled>(unsupported('17TRACK', 'carrier claims')),
    };
  }

  async track(code: string, trackingNumber: string): Promise<TrackResult> {
    // 17TRACK's key when the catalogue knows it; else 17TRACK detects the carrier.
    const carrier = toTrack17Key(code);
    const key = keyOf({ number: trackingNumber, ...(carrier ? { carrier } : {}) });
    const found = await this.lookups.load(key);
    if (found.kind === 'accepted') return toTrackResult(trackingNumber, found.info ?? undefined);
    // Registered now (or 17TRACK cannot track it, e.g. carrier not detected): either way it has
    // nothing on the number yet.
    if (found.code === TRACK17_ERRORS.notRegistered) await this.registrations.load(key);
    return { known: false, events: [] };
  }

  /** One `register` or `gettrackinfo` call for a batch of at most 40 numbers. */
  private async call(
    op: 'register' | 'gettrackinfo',
    keys: string[],
  ): Promise<Map<string, Lookup>> {
    const path = `${API}/${op}`;
    const refs = keys.map(refOf);
    await this.limit.take();
    const answer = await this.http.request('POST', path, { body: refs });
    const schema = track17Answer(
      op === 'register' ? track17RegisterAccepted : track17TrackAccepted,
    );
    const parsed = parseShape(this.http, schema, answer.body, 'POST', path);
    if (parsed.code !== 0) {
      const detail = (parsed.data.errors ?? [])
        .map((e) => `${e.code}${e.message ? ` ${e.message}` : ''}`)
        .join('; ');
      // A request-level refusal (bad token, quota, malformed request) is not worth retrying.
      throw this.http.error(
        `17TRACK POST ${path} refused the request (code ${parsed.code}${detail ? `: ${detail}` : ''})`,
        'carrier.rejected',
        true,
      );
    }
    const out = new Map<string, Lookup>();
    for (const a of parsed.data.accepted ?? []) {
      const info = 'track_info' in a ? (a.track_info ?? undefined) : undefined;
      for (const ref of refs.filter((r) => r.number === a.number)) {
        out.set(keyOf(ref), {
          kind: 'accepted',
          ...(a.carrier ? { carrier: a.carrier } : {}),
          ...(info ? { info } : {}),
        });
      }
    }
    for (const r of parsed.data.rejected ?? []) {
      for (const ref of refs.filter((x) => x.number === r.number)) {
        out.set(keyOf(ref), {
          kind: 'rejected',
          code: r.error.code,
          ...(r.error.message ? { message: r.error.message } : {}),
        });
      }
    }
    return out;
  }
}

/** 17TRACK sub-statuses are `Main_Detail` (or the main status alone, e.g. `InfoReceived`). */
function mainOf(sub: string): string {
  const i = sub.indexOf('_');
  return i < 0 ? sub : sub.slice(0, i);
}

/**
 * Carriers' own words for routine scans, read only when an event has neither a sub status nor a
 * stage (17TRACK leaves both null on many events). Only unambiguous phrases; anything else stays
 * `unknown`.
 */
const SCAN_WORDS: readonly [RegExp, TrackingStatus][] = [
  [/^delivered\b/i, 'delivered'],
  [/\bout for delivery\b/i, 'out_for_delivery'],
  [/\b(label created|created a label)\b/i, 'info_received'],
  [/\b(origin|arrival|departure|destination) scan\b/i, 'in_transit'],
  [
    /\b(arrived at|departed from|departed) (the )?(facility|hub|sort(ing)? (center|centre|facility))\b/i,
    'in_transit',
  ],
  [/^(in transit|picked up)\b/i, 'in_transit'],
];

/**
 * An event's status: its sub status, else its stage, else (the newest event only) the
 * tracking's latest status, else the carrier's words for a routine scan.
 */
function eventStatus(
  e: Track17Event,
  main: string,
  sub: string | undefined,
  latest: Track17TrackInfo['latest_status'] | undefined,
): MappedStatus {
  const bySub = from17Track(main, sub);
  if (bySub.status !== 'unknown') return bySub;
  const keep = (m: MappedStatus): MappedStatus => (sub ? { ...m, subStatus: sub } : m);
  const byStage = from17TrackStage(e.stage ?? undefined);
  if (byStage) return keep(byStage);
  if (latest?.status) {
    const byLatest = from17Track(latest.status, latest.sub_status ?? undefined);
    if (byLatest.status !== 'unknown') return byLatest;
  }
  const words = SCAN_WORDS.find(([re]) => re.test(e.description ?? ''));
  return words ? keep({ status: words[1] }) : bySub;
}

/** A 17TRACK `track_info` (gettrackinfo or a TRACKING_UPDATED push) as our lookup result. */
export function toTrackResult(number: string, info: Track17TrackInfo | undefined): TrackResult {
  const estimatedDeliveryAt = toInstant(
    info?.time_metrics?.estimated_delivery_date?.to ??
      info?.time_metrics?.estimated_delivery_date?.from,
  );
  const providers = info?.tracking?.providers ?? [];
  const timeOf = (e: Track17Event) => toInstant(e.time_utc ?? e.time_iso);
  // The latest status describes the newest event; it stands in for that event's missing codes.
  const newest = providers
    .flatMap((p) => (p.events ?? []).map(timeOf))
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);
  const events = chronological(
    providers.flatMap((p) =>
      (p.events ?? []).map((e) => {
        const sub = e.sub_status ?? undefined;
        // The key of the event id stays the stage (or NotFound) so stored ids do not change.
        const main = sub ? mainOf(sub) : (e.stage ?? 'NotFound');
        const latest =
          newest !== undefined && timeOf(e) === newest ? info?.latest_status : undefined;
        return toEvent(
          '17track',
          number,
          {
            time: e.time_utc ?? e.time_iso,
            main,
            sub,
            mapped: eventStatus(e, main, sub, latest),
            description: e.description,
            carrierCode: p.provider?.name,
            country: e.address?.country,
            state: e.address?.state,
            city: e.address?.city,
            postalCode: e.address?.postal_code,
          },
          estimatedDeliveryAt,
        );
      }),
    ),
  );
  const latest = info?.latest_status;
  const status = latest?.status ?? 'NotFound';
  const delivered = events.filter((e) => e.status === 'delivered').at(-1);
  const pod =
    status === 'Delivered' && delivered ? { deliveredAt: delivered.occurredAt } : undefined;
  const summary = summaryOf('17track', TRACK17_STATUS_TABLE, {
    main: latest?.status,
    sub: latest?.sub_status,
    description: latest?.sub_status_descr,
    proofOfDelivery: pod,
  });
  return {
    known: events.length > 0 || status !== 'NotFound',
    events,
    ...(estimatedDeliveryAt ? { estimatedDeliveryAt } : {}),
    ...(pod ? { proofOfDelivery: pod } : {}),
    ...(summary ? { summary } : {}),
  };
}
