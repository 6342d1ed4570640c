/**
 * The sandbox carrier's scenario engine: a parcel follows a scripted story (on time, stalled,
 * lost, …) at a chosen time scale. Each scan is added to the store when it falls due, so lookups
 * answer what was pushed, and, when a webhook target is set, pushed signed in a real provider's
 * format (the same payloads our receivers parse).
 */
import { randomUUID } from 'node:crypto';
import type { Location, TrackingEvent } from '../../../workflows/shipment.contract';
import type { ProofOfDelivery } from '../carrier';
import {
  buildClaimPayload,
  buildTrackingPayload,
  pushesClaims,
  toTrackingEvent,
  type ClaimStatus,
  type Scan,
  type ScanKind,
} from '../../webhooks/webhooks.payloads';
import type { WebhookProvider } from '../../webhooks/webhooks.providers';
import { SIGNATURE_HEADERS, signatureFor } from '../../webhooks/webhooks.signatures';

export const STORIES = [
  'on_time',
  'delayed',
  'stalled',
  'lost',
  'customs_hold',
  'returned',
  'delivered_not_received',
  'damaged',
] as const;
export type Story = (typeof STORIES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

type Place = 'origin' | 'hub' | 'destination';
interface Step {
  day: number;
  kind: ScanKind;
  description: string;
  place: Place;
  /** The carrier revises its delivery estimate to this story day with this scan. */
  reviseEddToDay?: number;
}

interface Script {
  eddDay: number;
  steps: Step[];
  /** How the courier recorded the delivery, for delivered stories. */
  pod?: 'signed' | 'doorstep';
}

const FIRST_MILE: Step[] = [
  { day: 0, kind: 'info_received', description: 'Shipment information received', place: 'origin' },
  { day: 0.5, kind: 'picked_up', description: 'Accepted at origin facility', place: 'origin' },
  { day: 1, kind: 'departed', description: 'Departed origin country', place: 'origin' },
];
const ARRIVAL: Step = {
  day: 3,
  kind: 'arrived',
  description: 'Arrived in destination country',
  place: 'destination',
};

/** The stories, in story days from the first scan. */
export const SCRIPTS: Record<Story, Script> = {
  on_time: {
    eddDay: 5,
    pod: 'signed',
    steps: [
      ...FIRST_MILE,
      ARRIVAL,
      {
        day: 3.5,
        kind: 'customs_released',
        description: 'Released by customs',
        place: 'destination',
      },
      { day: 4.5, kind: 'out_for_delivery', description: 'Out for delivery', place: 'destination' },
      { day: 4.8, kind: 'delivered', description: 'Delivered, signed for', place: 'destination' },
    ],
  },
  delayed: {
    eddDay: 5,
    pod: 'signed',
    steps: [
      ...FIRST_MILE,
      ARRIVAL,
      {
        day: 5.5,
        kind: 'in_transit',
        description: 'Delayed in the carrier network',
        place: 'destination',
        reviseEddToDay: 9,
      },
      { day: 8.5, kind: 'out_for_delivery', description: 'Out for delivery', place: 'destination' },
      { day: 8.8, kind: 'delivered', description: 'Delivered, signed for', place: 'destination' },
    ],
  },
  stalled: {
    eddDay: 6,
    steps: [
      ...FIRST_MILE,
      { day: 2, kind: 'in_transit', description: 'In transit to destination hub', place: 'hub' },
    ],
  },
  lost: {
    eddDay: 6,
    steps: [
      ...FIRST_MILE,
      { day: 2, kind: 'in_transit', description: 'In transit to destination hub', place: 'hub' },
      { day: 12, kind: 'lost', description: 'Item could not be located', place: 'hub' },
    ],
  },
  customs_hold: {
    eddDay: 6,
    pod: 'signed',
    steps: [
      ...FIRST_MILE,
      ARRIVAL,
      {
        day: 3.5,
        kind: 'customs_held',
        description: 'Held by customs: documents required',
        place: 'destination',
      },
      {
        day: 9,
        kind: 'customs_released',
        description: 'Released by customs',
        place: 'destination',
      },
      { day: 10, kind: 'out_for_delivery', description: 'Out for delivery', place: 'destination' },
      { day: 10.3, kind: 'delivered', description: 'Delivered, signed for', place: 'destination' },
    ],
  },
  returned: {
    eddDay: 5,
    steps: [
      ...FIRST_MILE,
      ARRIVAL,
      { day: 4.5, kind: 'out_for_delivery', description: 'Out for delivery', place: 'destination' },
      {
        day: 4.7,
        kind: 'failed_attempt',
        description: 'Addressee not available',
        place: 'destination',
      },
      { day: 5.5, kind: 'out_for_delivery', description: 'Out for delivery', place: 'destination' },
      {
        day: 5.7,
        kind: 'failed_attempt',
        description: 'Addressee not available',
        place: 'destination',
      },
      { day: 8, kind: 'returning', description: 'Returning to sender', place: 'destination' },
      { day: 15, kind: 'returned', description: 'Returned to sender', place: 'origin' },
    ],
  },
  delivered_not_received: {
    eddDay: 5,
    pod: 'doorstep',
    steps: [
      ...FIRST_MILE,
      ARRIVAL,
      { day: 4.5, kind: 'out_for_delivery', description: 'Out for delivery', place: 'destination' },
      {
        day: 4.8,
        kind: 'delivered',
        description: 'Delivered, left at front door',
        place: 'destination',
      },
    ],
  },
  damaged: {
    eddDay: 5,
    pod: 'signed',
    steps: [
      ...FIRST_MILE,
      ARRIVAL,
      {
        day: 3.6,
        kind: 'damaged',
        description: 'Parcel damaged in handling',
        place: 'destination',
      },
      { day: 5, kind: 'out_for_delivery', description: 'Out for delivery', place: 'destination' },
      { day: 5.3, kind: 'delivered', description: 'Delivered, signed for', place: 'destination' },
    ],
  },
};

/**
 * How the carrier decides a claim on a parcel, by its story: a loss is paid, damage partly, and a
 * parcel the carrier delivered (it holds the proof) or returned is not.
 */
export function claimDecisionFor(
  story: Story | undefined,
  amount: number,
): {
  status: Extract<ClaimStatus, 'approved' | 'partially_approved' | 'denied'>;
  amountApproved?: number;
  detail: string;
} {
  switch (story) {
    case undefined:
    case 'lost':
    case 'stalled':
      return { status: 'approved', amountApproved: amount, detail: 'Loss confirmed after search.' };
    case 'damaged':
      return {
        status: 'partially_approved',
        amountApproved: Math.round(amount * 50) / 100,
        detail: 'Damage confirmed; half the declared value is covered.',
      };
    case 'delivered_not_received':
    case 'on_time':
    case 'delayed':
    case 'customs_hold':
      return { status: 'denied', detail: 'The carrier holds proof of delivery.' };
    case 'returned':
      return { status: 'denied', detail: 'The parcel was returned to the sender.' };
  }
}

/**
 * What a trace (carrier inquiry) finds: scenario parcels by their story (only lost and stalled ones
 * stay missing); other parcels are found once delivered.
 */
export function traceFindingFor(
  story: Story | undefined,
  delivered: boolean,
): 'found' | 'not_found' {
  if (story === undefined) return delivered ? 'found' : 'not_found';
  return story === 'lost' || story === 'stalled' ? 'not_found' : 'found';
}

export interface WebhookTarget {
  format: WebhookProvider;
  url: string;
}

export interface ScenarioSpec {
  trackingNumber: string;
  story: Story;
  /** Story time per real time: 86400 plays a story day in one second. */
  timeScale: number;
  carrier: string;
  origin: Location;
  destination: Location;
  webhook?: WebhookTarget;
}

export interface PushRecord {
  deliveryId: string;
  kind: 'tracking' | 'claim';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
}

export interface Scenario extends ScenarioSpec {
  scenarioId: string;
  startedAt: string;
  estimatedDeliveryAt: string;
  /** Scans planned, with the real time each falls due. */
  schedule: Scan[];
  /** How many scans of the schedule have happened. */
  played: number;
  pushes: PushRecord[];
}

/** Where the engine writes the scans it plays (the sandbox store). */
export interface ScenarioSink {
  addEvents(trackingNumber: string, events: TrackingEvent[]): void;
  setEstimate(trackingNumber: string, estimatedDeliveryAt: string): void;
  setProofOfDelivery(trackingNumber: string, pod: ProofOfDelivery): void;
}

export interface ScenarioEngineOptions {
  sink: ScenarioSink;
  now: () => number;
  /** Signing secret per format; a scenario pushing in a format without one is refused. */
  secrets: Partial<Record<WebhookProvider, string>>;
  /** Waits before each retry of a failed push (default 0.5 s, 1 s, 2 s). */
  retryDelaysMs?: number[];
  /** Per push attempt (default 5 s). */
  pushTimeoutMs?: number;
  fetch?: typeof fetch;
  log?: (m: string) => void;
  /** Told the final outcome of every push. */
  onPush?: (outcome: 'delivered' | 'failed') => void;
}

function at(ms: number): string {
  return new Date(ms).toISOString();
}

function placeOf(place: Place, spec: ScenarioSpec): Location {
  if (place === 'origin') return spec.origin;
  if (place === 'destination') return spec.destination;
  return { country: spec.destination.country };
}

export class ScenarioEngine {
  readonly scenarios = new Map<string, Scenario>();
  private readonly byTracking = new Map<string, Scenario>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly opts: ScenarioEngineOptions) {}

  /** Timers still waiting (scans, retries, claim decisions): none once closed. */
  get activeTimers(): number {
    return this.timers.size;
  }

  /** A format can be pushed only with its secret configured. */
  canPush(format: WebhookProvider): boolean {
    return Boolean(this.opts.secrets[format]);
  }

  scenarioOf(trackingNumber: string): Scenario | undefined {
    return this.byTracking.get(trackingNumber);
  }

  /** Starts a story now; its due scans (the first one at least) are played before returning. */
  start(spec: ScenarioSpec): Scenario {
    const script = SCRIPTS[spec.story];
    const startMs = this.opts.now();
    const realMs = (day: number) => (day * DAY_MS) / spec.timeScale;
    const scenario: Scenario = {
      ...spec,
      scenarioId: `scn_${randomUUID()}`,
      startedAt: at(startMs),
      estimatedDeliveryAt: at(startMs + realMs(script.eddDay)),
      schedule: script.steps.map((s) => ({
        at: at(startMs + realMs(s.day)),
        kind: s.kind,
        description: s.description,
        location: placeOf(s.place, spec),
      })),
      played: 0,
      pushes: [],
    };
    this.scenarios.set(scenario.scenarioId, scenario);
    this.byTracking.set(spec.trackingNumber, scenario);
    this.opts.sink.setEstimate(spec.trackingNumber, scenario.estimatedDeliveryAt);
    this.play(scenario);
    return scenario;
  }

  /** Plays every scan now due, pushes once for them, then waits for the next one. */
  private play(s: Scenario): void {
    if (this.closed) return;
    const script = SCRIPTS[s.story];
    const before = s.played;
    while (
      s.played < s.schedule.length &&
      Date.parse(s.schedule[s.played]!.at) <= this.opts.now()
    ) {
      const scan = s.schedule[s.played]!;
      const step = script.steps[s.played]!;
      const format = s.webhook?.format ?? 'sandbox';
      this.opts.sink.addEvents(s.trackingNumber, [toTrackingEvent(format, s.trackingNumber, scan)]);
      if (step.reviseEddToDay !== undefined) {
        s.estimatedDeliveryAt = at(
          Date.parse(s.startedAt) + (step.reviseEddToDay * DAY_MS) / s.timeScale,
        );
        this.opts.sink.setEstimate(s.trackingNumber, s.estimatedDeliveryAt);
      }
      if (scan.kind === 'delivered') {
        this.opts.sink.setProofOfDelivery(
          s.trackingNumber,
          proofOfDelivery(s, scan.at, script.pod),
        );
      }
      s.played += 1;
    }
    if (s.played > before && s.webhook) this.pushTracking(s);
    const next = s.schedule[s.played];
    if (next) this.after(Date.parse(next.at) - this.opts.now(), () => this.play(s));
  }

  private pushTracking(s: Scenario): void {
    const webhook = s.webhook!;
    const deliveryId =
      webhook.format === 'easypost' ? `evt_${randomUUID().replace(/-/g, '')}` : randomUUID();
    const scans = s.schedule.slice(0, s.played);
    const delivered = scans.some((x) => x.kind === 'delivered');
    const payload = buildTrackingPayload(webhook.format, {
      deliveryId,
      sentAt: at(this.opts.now()),
      trackingNumber: s.trackingNumber,
      carrier: s.carrier,
      scans,
      estimatedDeliveryAt: s.estimatedDeliveryAt,
      ...(delivered
        ? {
            proofOfDelivery: proofOfDelivery(
              s,
              scans.find((x) => x.kind === 'delivered')!.at,
              SCRIPTS[s.story].pod,
            ),
          }
        : {}),
    });
    this.send(
      s,
      webhook,
      { deliveryId, kind: 'tracking', status: 'pending', attempts: 0 },
      payload,
    );
  }

  /** Pushes a claim decision on a scenario parcel, where its format has claim events. */
  pushClaim(
    trackingNumber: string,
    claim: {
      claimId: string;
      status: ClaimStatus;
      amount: number;
      currency: string;
      amountApproved?: number;
      detail?: string;
    },
  ): boolean {
    const s = this.byTracking.get(trackingNumber);
    if (!s?.webhook || !pushesClaims(s.webhook.format)) return false;
    const deliveryId =
      s.webhook.format === 'easypost' ? `evt_${randomUUID().replace(/-/g, '')}` : randomUUID();
    const payload = buildClaimPayload(s.webhook.format, {
      deliveryId,
      sentAt: at(this.opts.now()),
      trackingNumber,
      ...claim,
    });
    this.send(s, s.webhook, { deliveryId, kind: 'claim', status: 'pending', attempts: 0 }, payload);
    return true;
  }

  /** Runs `fn` after `ms` unless the engine closes first. */
  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.closed) fn();
      },
      Math.max(0, ms),
    );
    this.timers.add(timer);
  }

  private send(s: Scenario, target: WebhookTarget, record: PushRecord, payload: unknown): void {
    s.pushes.push(record);
    const raw = Buffer.from(JSON.stringify(payload), 'utf8');
    const secret = this.opts.secrets[target.format];
    const delays = this.opts.retryDelaysMs ?? [500, 1000, 2000];
    const attempt = async () => {
      if (this.closed) return;
      record.attempts += 1;
      const abort = new AbortController();
      this.inFlight.add(abort);
      const timeout = setTimeout(() => abort.abort(), this.opts.pushTimeoutMs ?? 5000);
      try {
        const res = await (this.opts.fetch ?? fetch)(target.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(secret
              ? { [SIGNATURE_HEADERS[target.format]]: signatureFor(target.format, raw, secret) }
              : {}),
          },
          body: raw,
          signal: abort.signal,
          // A signed push goes to the API's receiver or nowhere, never on to another address.
          redirect: 'error',
        });
        await res.arrayBuffer();
        record.lastStatusCode = res.status;
        if (res.ok) {
          record.status = 'delivered';
          this.opts.onPush?.('delivered');
          return;
        }
        record.lastError = `HTTP ${res.status}`;
      } catch (err) {
        record.lastError = err instanceof Error ? err.message : String(err);
      } finally {
        clearTimeout(timeout);
        this.inFlight.delete(abort);
      }
      if (this.closed) return;
      // Like the real providers: anything but a 2xx is retried, a few times here.
      const wait = delays[record.attempts - 1];
      if (wait === undefined) {
        record.status = 'failed';
        this.opts.onPush?.('failed');
        this.opts.log?.(
          `push ${record.deliveryId} (${target.format}) to ${target.url} failed after ${record.attempts} attempts: ${record.lastError}`,
        );
        return;
      }
      this.after(wait, () => void attempt());
    };
    void attempt();
  }

  /** Stops every timer and in-flight push; nothing is played or pushed afterwards. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const abort of this.inFlight) abort.abort();
    this.inFlight.clear();
  }
}

/** The carrier's record of a delivery: a signature, or a doorstep photo with the courier's GPS. */
function proofOfDelivery(s: Scenario, deliveredAt: string, kind: Script['pod']): ProofOfDelivery {
  const photoUrl = `https://sandbox-carrier.invalid/pod/${encodeURIComponent(s.trackingNumber)}.jpg`;
  if (kind === 'doorstep') {
    return {
      deliveredAt,
      photoUrl,
      // About 300 m from the address: the kind of detail a delivered-not-received review weighs.
      location: { lat: 52.5227, lng: 13.4081 },
      note: 'Left at front door',
    };
  }
  return {
    deliveredAt,
    signedBy: 'M. WEBER',
    photoUrl,
    location: { lat: 52.52, lng: 13.405 },
    note: 'Handed to recipient',
  };
}
