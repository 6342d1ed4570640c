/**
 * The sandbox carrier: a small HTTP API shaped like a real carrier's (tracking, traces, labels,
 * claims), with scripting routes for tests and demos, a scenario engine that plays scripted stories
 * and pushes signed webhooks (sandbox.scenarios.ts), and fault injection to exercise retries.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import express from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { TrackingEvent, TrackingStatus } from '../../../workflows/shipment.contract';
import type { ClaimFiled, ClaimRequest, Label, ProofOfDelivery, TraceOpened } from '../carrier';
import { trackingEvent } from '../../tracking/tracking.schemas';
import { address, lineItem, origin } from '../../../workflows/model/shipment';
import { geoPoint, location, proofOfDelivery } from '../../../workflows/model/tracking';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../webhooks/webhooks.providers';
import {
  claimDecisionFor,
  ScenarioEngine,
  STORIES,
  traceFindingFor,
  type Scenario,
  type Story,
  type WebhookTarget,
} from './sandbox.scenarios';
import { safeEqual } from '../../http/safe-equal';
import {
  createSandboxApp,
  finishSandboxApp,
  listenSandbox,
  sendSandboxError as sendError,
} from '../../http/sandbox-server';

export const SANDBOX_CARRIER_CODE = 'sandbox';
const DAY_MS = 24 * 60 * 60 * 1000;

export type FaultRoute = 'track' | 'label' | 'claim' | 'trace';
/**
 * `hold` holds the request before any work; `lose_answer` does the work, then holds the answer
 * and cuts the connection once the fault changes: the caller times out although the call took
 * effect (the case idempotency keys exist for).
 */
export type FaultMode = 'error500' | 'rate_limit' | 'hold' | 'lose_answer' | 'none';

/** One call to a route that takes faults, as the sandbox saw it (for tests of retry pacing). */
export interface SandboxCall {
  route: FaultRoute;
  method: string;
  /** The Idempotency-Key, or the id in the path for reads. */
  key: string;
  /** When the request arrived (ms since the epoch, the sandbox's clock). */
  at: number;
  /** The fault that answered or held it; `none` when it went through untouched. */
  fault: FaultMode;
  /** Retry-After sent with a `rate_limit` answer, in seconds. */
  retryAfterSeconds?: number;
}

export interface SandboxParcel {
  trackingNumber: string;
  events: TrackingEvent[];
  estimatedDeliveryAt?: string;
  /** Shown in lookups once the parcel is delivered. */
  proofOfDelivery?: ProofOfDelivery;
  /** Set for parcels that play a scenario: decides claims and traces. */
  story?: Story;
  /** Story time per real time of the scenario (claims and traces are decided on its clock). */
  timeScale?: number;
}

export interface SandboxLabel extends Label {
  labelUrl: string;
  reference: string;
  createdAt: string;
}

export interface SandboxClaim extends Omit<ClaimRequest, 'idempotencyKey'> {
  claimId: string;
  filedAt: string;
  /** Set by the control route; otherwise the decision follows the approval delay and the story. */
  decided?: SandboxClaimDecision;
  /** Our answers to the carrier's requests for information, oldest first. */
  answers?: SandboxClaimSubmission[];
  /** The appeal of a denial (one per claim). */
  appeal?: SandboxClaimSubmission;
}

/** A decision (or request) a test or demo scripts for a claim through the control route. */
export interface SandboxClaimDecision {
  status: 'approved' | 'partially_approved' | 'denied' | 'needs_info' | 'paid';
  amountApproved?: number;
  /** What the carrier says: what it asks for (needs_info) or why it denied. */
  detail?: string;
  /** With needs_info: the deadline for the answer. */
  respondBy?: string;
}

/** An answer to a request for information, or an appeal, as the sandbox keeps it. */
export interface SandboxClaimSubmission {
  key: string;
  at: string;
  message: string;
  attachments: { name: string; contentType: string; url?: string; contentBase64?: string }[];
}

export interface SandboxTrace {
  traceId: string;
  trackingNumber: string;
  reason: string;
  description: string;
  openedAt: string;
  answerDueAt: string;
}

interface Fault {
  mode: FaultMode;
  remaining: number;
  retryAfterSeconds: number;
  release: Array<() => void>;
}

export interface SandboxStats {
  labels: number;
  claims: number;
  parcels: number;
  traces: number;
  scenarios: number;
  pushesDelivered: number;
  pushesFailed: number;
  trackCalls: number;
  labelCalls: number;
  claimCalls: number;
  faultsServed: number;
}

/** In-memory state of the sandbox; exposed so in-process tests can look inside. */
export class SandboxStore {
  readonly parcels = new Map<string, SandboxParcel>();
  readonly labels = new Map<string, SandboxLabel>();
  readonly claims = new Map<string, SandboxClaim>();
  readonly traces = new Map<string, SandboxTrace>();
  /** Idempotency key → id and a fingerprint of the first request body. */
  readonly labelKeys = new Map<string, { labelId: string; fingerprint: string }>();
  readonly claimKeys = new Map<string, { claimId: string; fingerprint: string }>();
  readonly traceKeys = new Map<string, { traceId: string; fingerprint: string }>();
  readonly counters = {
    trackCalls: 0,
    labelCalls: 0,
    claimCalls: 0,
    traceCalls: 0,
    faultsServed: 0,
    scenarios: 0,
    pushesDelivered: 0,
    pushesFailed: 0,
  };
  readonly faults = new Map<FaultRoute, Fault>();
  /** Every call to a route that takes faults, in arrival order. */
  readonly calls: SandboxCall[] = [];

  stats(): SandboxStats {
    return {
      labels: this.labels.size,
      claims: this.claims.size,
      parcels: this.parcels.size,
      traces: this.traces.size,
      ...this.counters,
    };
  }

  /** Adds events to a parcel (registering it if new), ignoring event ids it already has. */
  addEvents(trackingNumber: string, events: TrackingEvent[]): SandboxParcel {
    let parcel = this.parcels.get(trackingNumber);
    if (!parcel) {
      parcel = { trackingNumber, events: [] };
      this.parcels.set(trackingNumber, parcel);
    }
    const seen = new Set(parcel.events.map((e) => e.eventId));
    for (const e of events) {
      if (seen.has(e.eventId)) continue;
      seen.add(e.eventId);
      parcel.events.push(e);
    }
    // Carriers report in scan order, not in the order scans reached them.
    parcel.events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    return parcel;
  }

  /** A fresh 'SBX' + 10 digit number that no parcel uses yet. */
  newTrackingNumber(): string {
    for (;;) {
      const n = `SBX${String(randomInt(0, 1e10)).padStart(10, '0')}`;
      if (!this.parcels.has(n)) return n;
    }
  }
}

// ---------- request schemas ----------

const trackingNumberSchema = z
  .string()
  .min(4)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/);

const proofOfDeliverySchema = proofOfDelivery.safeExtend({
  deliveredAt: z.iso.datetime({ offset: true }),
  signedBy: z.string().max(200).optional(),
  photoUrl: z.url().optional(),
  location: geoPoint
    .safeExtend({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
    .optional(),
  note: z.string().max(500).optional(),
});

const registerParcelSchema = z.object({
  trackingNumber: trackingNumberSchema,
  events: z.array(trackingEvent).default([]),
  estimatedDeliveryAt: z.iso.datetime({ offset: true }).optional(),
  proofOfDelivery: proofOfDeliverySchema.optional(),
});

/** A story's end point: a location whose country is required. */
const locationSchema = location.safeExtend({
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE'),
  city: z.string().min(1).max(200).optional(),
  postalCode: z.string().min(1).max(20).optional(),
});

const scenarioSchema = z.object({
  trackingNumber: trackingNumberSchema.optional(),
  story: z.enum(STORIES),
  /** Story time per real time: 86400 plays a story day per second. */
  timeScale: z.number().min(1, 'at least 1 (real time)').max(1e9).default(86_400),
  /** The carrier as named in pushed payloads (AfterShip slug, EasyPost carrier). */
  carrier: z.string().min(1).max(64).default(SANDBOX_CARRIER_CODE),
  origin: locationSchema.default({ country: 'CN', city: 'Shenzhen', postalCode: '518000' }),
  destination: locationSchema.default({ country: 'DE', city: 'Berlin', postalCode: '10115' }),
  webhook: z
    .object({
      format: z.enum(WEBHOOK_PROVIDERS),
      /** Default: the format's receiver on the API the sandbox pushes to. */
      url: z.url({ protocol: /^https?$/ }).optional(),
    })
    .optional(),
});

const traceSchema = z.object({
  trackingNumber: trackingNumberSchema,
  reason: z.enum(['lost', 'delivered_not_received', 'damaged']),
  description: z.string().min(1).max(2000),
});

const appendEventsSchema = z.object({
  events: z.array(trackingEvent).min(1),
});

const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');
const countrySchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE');

/** Service levels: price multiplier and transit days. */
const SERVICES = {
  economy: { multiplier: 0.8, transitDays: 12 },
  standard: { multiplier: 1, transitDays: 7 },
  express: { multiplier: 1.9, transitDays: 3 },
} as const;
type ServiceName = keyof typeof SERVICES;

const labelSchema = z.object({
  /** The carrier the label is booked for (the sandbox stands in for every carrier). */
  carrier: z.string().min(1).max(64).optional(),
  service: z.enum(Object.keys(SERVICES) as [ServiceName, ...ServiceName[]]).default('standard'),
  reference: z.string().min(1),
  from: origin.safeExtend({ country: countrySchema, warehouseId: z.string().min(1) }),
  to: address.safeExtend({
    country: countrySchema,
    name: z.string().min(1),
    line1: z.string().min(1),
    city: z.string().min(1),
    postalCode: z.string().min(1),
  }),
  items: z
    .array(
      lineItem.safeExtend({
        sku: z.string().min(1),
        quantity: z.number().int().positive(),
        unitPrice: z.number().nonnegative(),
      }),
    )
    .min(1),
  declaredValue: z.number().nonnegative(),
  currency: currencySchema,
});

const claimSchema = z.object({
  trackingNumber: trackingNumberSchema,
  reason: z.enum(['lost', 'damaged', 'delayed']),
  amount: z.number().positive(),
  currency: currencySchema,
  description: z.string().min(1),
  evidence: z.record(z.string(), z.unknown()),
});

const faultSchema = z.object({
  route: z.enum(['track', 'label', 'claim', 'trace']),
  mode: z.enum(['error500', 'rate_limit', 'hold', 'lose_answer', 'none']),
  count: z.number().int().positive().default(1),
  retryAfterSeconds: z.number().int().nonnegative().default(1),
});

const claimDecisionSchema = z.object({
  status: z.enum(['approved', 'partially_approved', 'denied', 'needs_info', 'paid']),
  amountApproved: z.number().nonnegative().optional(),
  detail: z.string().min(1).max(2000).optional(),
  respondBy: z.iso.datetime({ offset: true }).optional(),
});

/** An answer to a request for information, or an appeal: a message and its documents. */
const claimSubmissionSchema = z.object({
  message: z.string().min(1).max(10_000),
  attachments: z
    .array(
      z.object({
        name: z.string().min(1).max(255),
        contentType: z.string().min(1).max(255),
        url: z.url().optional(),
        contentBase64: z.base64().max(262_144).optional(),
      }),
    )
    .max(10)
    .default([]),
});

// ---------- pricing ----------

const EU = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '),
);

/** Base postage by zone: domestic, within the EU, to North America, rest of world. */
function zoneBase(from: string, to: string): number {
  if (from === to) return 4.5;
  if (EU.has(from) && EU.has(to)) return 8.9;
  if (to === 'US' || to === 'CA' || to === 'MX') return 14.5;
  return 18.9;
}

/** Deterministic postage: zone base + per-piece handling, times the service, + insurance above 100. */
export function computePostage(req: {
  service: ServiceName;
  fromCountry: string;
  toCountry: string;
  pieces: number;
  declaredValue: number;
}): number {
  const svc = SERVICES[req.service];
  const base = zoneBase(req.fromCountry, req.toCountry) + 0.75 * Math.max(0, req.pieces - 1);
  const insurance = req.declaredValue > 100 ? 0.01 * req.declaredValue : 0;
  return Math.round((base * svc.multiplier + insurance) * 100) / 100;
}

// ---------- helpers ----------

function fingerprint(body: unknown): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function parseBody<T extends z.ZodType>(
  schema: T,
  req: Request,
  res: Response,
): z.output<T> | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  sendError(res, 400, 'request.invalid', 'The request body is invalid.', {
    details: parsed.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
    })),
  });
  return undefined;
}

function idempotencyKey(req: Request, res: Response): string | undefined {
  const key = req.get('Idempotency-Key')?.trim();
  if (key && key.length <= 255) return key;
  sendError(
    res,
    400,
    'request.idempotency_key_required',
    'Header Idempotency-Key (1 to 255 characters) is required for this call.',
  );
  return undefined;
}

function latestStatus(parcel: SandboxParcel): TrackingStatus {
  return parcel.events.at(-1)?.status ?? 'unknown';
}

/**
 * A request under an Idempotency-Key seen before: the same request gets the first answer again
 * (200); another request under the same key is refused, as real carrier APIs do.
 */
function replay(
  res: express.Response,
  key: string,
  firstPrint: string,
  print: string,
  view: () => unknown,
) {
  if (firstPrint !== print) {
    return sendError(
      res,
      422,
      'idempotency.key_reused',
      `Idempotency-Key ${key} was already used with a different request.`,
    );
  }
  return res.status(200).json(view());
}

// ---------- the server ----------

export interface SandboxCarrierOptions {
  apiKey: string;
  now?: () => number;
  log?: (m: string) => void;
  /**
   * How long after filing a claim is decided (default 24 h), on the parcel's story clock for
   * scenario parcels (24 h at time scale 86400 is one second).
   */
  claimApprovalDelayMs?: number;
  /** How long a trace takes to find an answer (default 3 days), on the same clock. */
  traceAnswerDelayMs?: number;
  /** Signing secrets for scenario webhook pushes, per format (17TRACK signs with its API key). */
  webhookSecrets?: Partial<Record<WebhookProvider, string>>;
  /** Waits before retrying a failed push (default 0.5 s, 1 s, 2 s). */
  webhookRetryDelaysMs?: number[];
  /**
   * Base URL of the API this sandbox pushes scenario webhooks to, and the only origin it pushes
   * to (a signed push elsewhere would hand anyone a correctly signed event). Without it,
   * scenarios with a webhook are refused.
   */
  apiBaseUrl?: string;
  /** Host names it answers besides localhost, 127.0.0.1 and [::1] (e.g. a compose service). */
  allowedHosts?: string[];
}

export interface SandboxCarrier {
  app: express.Express;
  store: SandboxStore;
  scenarios: ScenarioEngine;
  listen(port: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
  /** For in-process wiring where the API starts after the sandbox (not reachable over HTTP). */
  setApiBaseUrl(url: string): void;
  /** Stops scenario timers and pushes (listen's close does this too). */
  close(): void;
}

export function createSandboxCarrier(opts: SandboxCarrierOptions): SandboxCarrier {
  if (!opts.apiKey) throw new Error('createSandboxCarrier: apiKey must not be empty');
  const now = opts.now ?? Date.now;
  const approvalDelayMs = opts.claimApprovalDelayMs ?? DAY_MS;
  const traceDelayMs = opts.traceAnswerDelayMs ?? 3 * DAY_MS;
  const store = new SandboxStore();
  const scenarios = new ScenarioEngine({
    now,
    secrets: opts.webhookSecrets ?? {},
    retryDelaysMs: opts.webhookRetryDelaysMs,
    log: opts.log,
    sink: {
      addEvents: (tn, events) => void store.addEvents(tn, events),
      setEstimate: (tn, edd) => {
        store.addEvents(tn, []).estimatedDeliveryAt = edd;
      },
      setProofOfDelivery: (tn, pod) => {
        store.addEvents(tn, []).proofOfDelivery = pod;
      },
    },
    onPush: (outcome) => {
      store.counters[outcome === 'delivered' ? 'pushesDelivered' : 'pushesFailed'] += 1;
    },
  });
  /** A delay on the parcel's story clock, in real milliseconds. */
  const onClock = (ms: number, parcel: SandboxParcel | undefined) => ms / (parcel?.timeScale ?? 1);
  const expectedAuth = `Bearer ${opts.apiKey}`;
  let apiOrigin = opts.apiBaseUrl ? apiBase(opts.apiBaseUrl) : undefined;

  // The loopback-host guard comes before the key check.
  const app = createSandboxApp({ log: opts.log, allowedHosts: opts.allowedHosts });

  app.use((req, res, next) => {
    if (safeEqual(req.get('Authorization') ?? '', expectedAuth)) return next();
    res.set('WWW-Authenticate', 'Bearer realm="sandbox-carrier"');
    sendError(res, 401, 'auth.unauthorized', 'A valid Authorization: Bearer <key> is required.');
  });

  app.use(express.json({ limit: '1mb' }));

  /**
   * Applies the injected fault of a route. Returns true when the fault answered the request.
   * A held request waits here until the fault changes, then goes on normally. A lost answer lets
   * the route do its work, then swallows what it sends and cuts the connection once released.
   */
  async function applyFault(route: FaultRoute, req: Request, res: Response): Promise<boolean> {
    const fault = store.faults.get(route);
    const key =
      req.get('Idempotency-Key')?.trim() ??
      String(req.params.trackingNumber ?? req.params.claimId ?? req.params.traceId ?? req.path);
    const call: SandboxCall = { route, method: req.method, key, at: now(), fault: 'none' };
    store.calls.push(call);
    if (!fault || fault.mode === 'none') return false;
    call.fault = fault.mode;
    if (fault.mode === 'hold') {
      await new Promise<void>((resolve) => fault.release.push(resolve));
      return false;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) store.faults.delete(route);
    store.counters.faultsServed += 1;
    if (fault.mode === 'lose_answer') {
      res.json = () => {
        const held = lostAnswers.get(route) ?? [];
        held.push(() => res.destroy());
        lostAnswers.set(route, held);
        return res;
      };
      return false;
    }
    if (fault.mode === 'rate_limit') {
      call.retryAfterSeconds = fault.retryAfterSeconds;
      res.set('Retry-After', String(fault.retryAfterSeconds));
      sendError(res, 429, 'rate_limited', 'Too many requests; retry later.');
    } else {
      sendError(res, 500, 'internal', 'Injected server error.');
    }
    return true;
  }

  /** Answers swallowed by `lose_answer`, per route: cut off when the route's fault changes. */
  const lostAnswers = new Map<FaultRoute, Array<() => void>>();
  function cutLostAnswers(route?: FaultRoute) {
    for (const [r, held] of lostAnswers) {
      if (route !== undefined && r !== route) continue;
      for (const cut of held) cut();
      lostAnswers.delete(r);
    }
  }

  function setFault(route: FaultRoute, next: Omit<Fault, 'release'>) {
    cutLostAnswers(route);
    const previous = store.faults.get(route);
    if (next.mode === 'none') store.faults.delete(route);
    else store.faults.set(route, { ...next, release: [] });
    // Whatever replaces a hold lets the held calls through, to complete normally.
    for (const release of previous?.release ?? []) release();
  }

  function releaseAllHolds() {
    cutLostAnswers();
    for (const fault of store.faults.values()) for (const release of fault.release) release();
    store.faults.clear();
  }

  // --- scripting: parcels and their scans ---

  app.post('/v1/parcels', (req, res) => {
    const body = parseBody(registerParcelSchema, req, res);
    if (!body) return;
    const existed = store.parcels.has(body.trackingNumber);
    const parcel = store.addEvents(body.trackingNumber, body.events);
    if (body.estimatedDeliveryAt) parcel.estimatedDeliveryAt = body.estimatedDeliveryAt;
    if (body.proofOfDelivery) parcel.proofOfDelivery = body.proofOfDelivery;
    res.status(existed ? 200 : 201).json(parcelView(parcel));
  });

  app.post('/v1/parcels/:trackingNumber/events', (req, res) => {
    const body = parseBody(appendEventsSchema, req, res);
    if (!body) return;
    const tn = req.params.trackingNumber;
    if (!store.parcels.has(tn)) {
      return sendError(res, 404, 'tracking.not_found', `No parcel with tracking number ${tn}.`);
    }
    res.json(parcelView(store.addEvents(tn, body.events)));
  });

  // --- tracking ---

  app.get('/v1/trackings/:trackingNumber', async (req, res) => {
    store.counters.trackCalls += 1;
    if (await applyFault('track', req, res)) return;
    const parcel = store.parcels.get(req.params.trackingNumber);
    if (!parcel) {
      return sendError(
        res,
        404,
        'tracking.not_found',
        `No parcel with tracking number ${req.params.trackingNumber}.`,
      );
    }
    res.json(parcelView(parcel));
  });

  // --- labels ---

  app.post('/v1/labels', async (req, res) => {
    store.counters.labelCalls += 1;
    const key = idempotencyKey(req, res);
    if (!key) return;
    if (await applyFault('label', req, res)) return;
    // From here to the answer nothing awaits, so concurrent calls with one key book one label.
    const print = fingerprint(req.body ?? {});
    const known = store.labelKeys.get(key);
    if (known)
      return replay(res, key, known.fingerprint, print, () =>
        labelView(store.labels.get(known.labelId)!),
      );
    const body = parseBody(labelSchema, req, res);
    if (!body) return;
    const labelId = `lbl_${randomUUID()}`;
    const trackingNumber = store.newTrackingNumber();
    const createdAt = new Date(now()).toISOString();
    // The service's transit days from now: the label states it, and lookups give the same date.
    const expectedDeliveryAt = new Date(
      now() + SERVICES[body.service].transitDays * DAY_MS,
    ).toISOString();
    const label: SandboxLabel = {
      labelId,
      carrier: body.carrier ?? SANDBOX_CARRIER_CODE,
      trackingNumber,
      service: body.service,
      postage: computePostage({
        service: body.service,
        fromCountry: body.from.country,
        toCountry: body.to.country,
        pieces: body.items.reduce((n, i) => n + i.quantity, 0),
        declaredValue: body.declaredValue,
      }),
      currency: body.currency,
      labelUrl: `${req.protocol}://${req.get('host')}/v1/labels/${labelId}/document`,
      reference: body.reference,
      createdAt,
      expectedDeliveryAt,
    };
    store.labels.set(labelId, label);
    store.labelKeys.set(key, { labelId, fingerprint: print });
    const parcel = store.addEvents(trackingNumber, [
      {
        eventId: `${trackingNumber}-info`,
        occurredAt: createdAt,
        status: 'info_received',
        carrierCode: SANDBOX_CARRIER_CODE,
        description: 'Shipment information received',
        location: { country: body.from.country },
      },
    ]);
    parcel.estimatedDeliveryAt = expectedDeliveryAt;
    res.status(201).json(labelView(label));
  });

  app.get('/v1/labels/:labelId', (req, res) => {
    const label = store.labels.get(req.params.labelId);
    if (!label) return sendError(res, 404, 'label.not_found', 'No such label.');
    res.json(labelView(label));
  });

  app.get('/v1/labels/:labelId/document', (req, res) => {
    const label = store.labels.get(req.params.labelId);
    if (!label) return sendError(res, 404, 'label.not_found', 'No such label.');
    res
      .type('text/plain')
      .send(
        [
          'SANDBOX CARRIER — NOT A REAL LABEL',
          `Tracking: ${label.trackingNumber}`,
          `Service: ${label.service}`,
          `Reference: ${label.reference}`,
          `Postage: ${label.postage.toFixed(2)} ${label.currency}`,
        ].join('\n'),
      );
  });

  // --- claims ---

  /** The carrier's decision on a claim: scripted by the control route, else by the story once due. */
  function decisionOf(c: SandboxClaim): SandboxClaimDecision | undefined {
    if (c.decided) return c.decided;
    // An answered request or an appeal is under review again until the story's delay has passed.
    if (c.answers?.length || c.appeal) return undefined;
    const parcel = store.parcels.get(c.trackingNumber);
    if (now() - Date.parse(c.filedAt) < onClock(approvalDelayMs, parcel)) return undefined;
    return claimDecisionFor(parcel?.story, c.amount);
  }

  function claimView(c: SandboxClaim): ClaimFiled & { trackingNumber: string; reason: string } {
    const decided = decisionOf(c);
    return {
      claimId: c.claimId,
      trackingNumber: c.trackingNumber,
      reason: c.reason,
      status: decided?.status ?? (c.appeal ? 'appealed' : 'submitted'),
      amount: c.amount,
      currency: c.currency,
      ...(decided && decided.status !== 'denied' && decided.status !== 'needs_info'
        ? { amountApproved: decided.amountApproved ?? c.amount }
        : {}),
      ...(decided?.detail ? { detail: decided.detail } : {}),
      ...(decided?.respondBy ? { respondBy: decided.respondBy } : {}),
      filedAt: c.filedAt,
    };
  }

  /** Pushes a claim's decision to the scenario's webhook target, if it has one for claims. */
  function pushClaimDecision(c: SandboxClaim) {
    const view = claimView(c);
    const decided = decisionOf(c);
    // The webhook formats have no word for a payment: it is seen by polling.
    if (!decided || decided.status === 'paid') return;
    scenarios.pushClaim(c.trackingNumber, {
      claimId: c.claimId,
      status: decided.status === 'needs_info' ? 'needs_action' : decided.status,
      amount: c.amount,
      currency: c.currency,
      ...(view.amountApproved !== undefined ? { amountApproved: view.amountApproved } : {}),
      ...(decided.detail ? { detail: decided.detail } : {}),
    });
  }

  /**
   * Takes an answer (to needs_info) or an appeal (of a denial): the claim is under review again.
   * The same Idempotency-Key replays the first answer; another body under it is a 422.
   */
  function submission(kind: 'answer' | 'appeal') {
    return (req: Request, res: Response) => {
      const key = idempotencyKey(req, res);
      if (!key) return;
      const claim = store.claims.get(String(req.params.claimId));
      if (!claim) return sendError(res, 404, 'claim.not_found', 'No such claim.');
      const body = parseBody(claimSubmissionSchema, req, res);
      if (!body) return;
      const known = kind === 'answer' ? claim.answers?.find((a) => a.key === key) : claim.appeal;
      if (known && known.key === key) {
        const print = fingerprint({ message: known.message, attachments: known.attachments });
        return replay(res, key, print, fingerprint(body), () => claimView(claim));
      }
      const status = decisionOf(claim)?.status;
      if (kind === 'answer' && status !== 'needs_info') {
        return sendError(
          res,
          409,
          'claim.not_awaiting_information',
          `Claim is ${status ?? 'under review'}, not waiting for information.`,
        );
      }
      if (kind === 'appeal' && (status !== 'denied' || claim.appeal)) {
        return sendError(
          res,
          409,
          'claim.not_appealable',
          claim.appeal
            ? 'The claim was appealed already.'
            : `Claim is ${status ?? 'under review'}, not denied.`,
        );
      }
      const taken: SandboxClaimSubmission = { key, at: new Date(now()).toISOString(), ...body };
      if (kind === 'answer') (claim.answers ??= []).push(taken);
      else claim.appeal = taken;
      claim.decided = undefined;
      res.status(201).json(claimView(claim));
    };
  }

  app.post('/v1/claims', async (req, res) => {
    store.counters.claimCalls += 1;
    const key = idempotencyKey(req, res);
    if (!key) return;
    if (await applyFault('claim', req, res)) return;
    const print = fingerprint(req.body ?? {});
    const known = store.claimKeys.get(key);
    if (known)
      return replay(res, key, known.fingerprint, print, () =>
        claimView(store.claims.get(known.claimId)!),
      );
    const body = parseBody(claimSchema, req, res);
    if (!body) return;
    if (!store.parcels.has(body.trackingNumber)) {
      return sendError(
        res,
        422,
        'claim.unknown_tracking',
        `No parcel with tracking number ${body.trackingNumber}; a claim needs a known shipment.`,
      );
    }
    const claim: SandboxClaim = {
      claimId: `clm_${randomUUID()}`,
      ...body,
      filedAt: new Date(now()).toISOString(),
    };
    store.claims.set(claim.claimId, claim);
    store.claimKeys.set(key, { claimId: claim.claimId, fingerprint: print });
    if (scenarios.scenarioOf(claim.trackingNumber)?.webhook) {
      const delay = onClock(approvalDelayMs, store.parcels.get(claim.trackingNumber));
      scenarios.after(delay, () => {
        if (!claim.decided) pushClaimDecision(claim);
      });
    }
    res.status(201).json(claimView(claim));
  });

  app.get('/v1/claims/:claimId', async (req, res) => {
    if (await applyFault('claim', req, res)) return;
    const claim = store.claims.get(req.params.claimId);
    if (!claim) return sendError(res, 404, 'claim.not_found', 'No such claim.');
    res.json(claimView(claim));
  });

  app.post('/v1/claims/:claimId/answers', submission('answer'));
  app.post('/v1/claims/:claimId/appeals', submission('appeal'));

  // --- traces (carrier inquiries) ---

  function traceView(t: SandboxTrace): TraceOpened & { trackingNumber: string; reason: string } {
    const parcel = store.parcels.get(t.trackingNumber);
    const due = now() >= Date.parse(t.answerDueAt);
    const delivered = parcel?.events.some((e) => e.status === 'delivered') ?? false;
    return {
      traceId: t.traceId,
      trackingNumber: t.trackingNumber,
      reason: t.reason,
      status: due ? traceFindingFor(parcel?.story, delivered) : 'open',
      openedAt: t.openedAt,
      answerDueAt: t.answerDueAt,
    };
  }

  app.post('/v1/traces', async (req, res) => {
    store.counters.traceCalls += 1;
    const key = idempotencyKey(req, res);
    if (!key) return;
    if (await applyFault('trace', req, res)) return;
    const print = fingerprint(req.body ?? {});
    const known = store.traceKeys.get(key);
    if (known)
      return replay(res, key, known.fingerprint, print, () =>
        traceView(store.traces.get(known.traceId)!),
      );
    const body = parseBody(traceSchema, req, res);
    if (!body) return;
    const parcel = store.parcels.get(body.trackingNumber);
    if (!parcel) {
      return sendError(
        res,
        422,
        'trace.unknown_tracking',
        `No parcel with tracking number ${body.trackingNumber}; a trace needs a known shipment.`,
      );
    }
    const openedMs = now();
    const trace: SandboxTrace = {
      traceId: `trc_${randomUUID()}`,
      ...body,
      openedAt: new Date(openedMs).toISOString(),
      answerDueAt: new Date(openedMs + onClock(traceDelayMs, parcel)).toISOString(),
    };
    store.traces.set(trace.traceId, trace);
    store.traceKeys.set(key, { traceId: trace.traceId, fingerprint: print });
    res.status(201).json(traceView(trace));
  });

  app.get('/v1/traces/:traceId', async (req, res) => {
    if (await applyFault('trace', req, res)) return;
    const trace = store.traces.get(req.params.traceId);
    if (!trace) return sendError(res, 404, 'trace.not_found', 'No such trace.');
    res.json(traceView(trace));
  });

  // --- control (tests and demos) ---

  /** Where a scenario pushes: on the API the sandbox was started with, or why not (a message). */
  function webhookTarget(format: WebhookProvider, url: string | undefined): WebhookTarget | string {
    if (!apiOrigin) {
      return 'This sandbox carrier has no API to push to: start it with apiBaseUrl (SANDBOX_API_URL for npm run sandbox-carrier).';
    }
    const target = new URL(url ?? `${apiOrigin.base}/v1/webhooks/${format}`);
    if (target.origin !== apiOrigin.origin || target.username || target.password) {
      return `The sandbox pushes only to the API it was started with (${apiOrigin.origin}), not to ${target.origin}.`;
    }
    return { format, url: target.href };
  }

  /** Starts a parcel on a scripted story; see sandbox.scenarios.ts for the stories. */
  app.post('/__control/scenarios', (req, res) => {
    const body = parseBody(scenarioSchema, req, res);
    if (!body) return;
    const trackingNumber = body.trackingNumber ?? store.newTrackingNumber();
    if (store.parcels.has(trackingNumber)) {
      return sendError(
        res,
        409,
        'scenario.tracking_taken',
        `Tracking number ${trackingNumber} is already in use; leave it out to get a fresh one.`,
      );
    }
    if (body.webhook && !scenarios.canPush(body.webhook.format)) {
      return sendError(
        res,
        400,
        'scenario.webhook_unsigned',
        `No signing secret for ${body.webhook.format} pushes; start the sandbox with its secret set.`,
      );
    }
    let webhook: WebhookTarget | undefined;
    if (body.webhook) {
      const target = webhookTarget(body.webhook.format, body.webhook.url);
      if (typeof target === 'string') {
        return sendError(res, 400, 'scenario.webhook_target', target);
      }
      webhook = target;
    }
    const parcel = store.addEvents(trackingNumber, []);
    parcel.story = body.story;
    parcel.timeScale = body.timeScale;
    store.counters.scenarios += 1;
    const scenario = scenarios.start({ ...body, trackingNumber, webhook });
    res.status(201).json(scenarioView(scenario));
  });

  app.get('/__control/scenarios', (_req, res) => {
    res.json({ items: [...scenarios.scenarios.values()].map(scenarioView) });
  });

  app.get('/__control/scenarios/:scenarioId', (req, res) => {
    const scenario = scenarios.scenarios.get(req.params.scenarioId);
    if (!scenario) return sendError(res, 404, 'scenario.not_found', 'No such scenario.');
    res.json(scenarioView(scenario));
  });

  app.post('/__control/faults', (req, res) => {
    const body = parseBody(faultSchema, req, res);
    if (!body) return;
    setFault(body.route, {
      mode: body.mode,
      remaining: body.count,
      retryAfterSeconds: body.retryAfterSeconds,
    });
    res.json({ route: body.route, mode: body.mode });
  });

  app.get('/__control/stats', (_req, res) => {
    res.json(store.stats());
  });

  /** Lets a test or demo decide a claim now (e.g. a denial) instead of waiting for approval. */
  app.post('/__control/claims/:claimId', (req, res) => {
    const body = parseBody(claimDecisionSchema, req, res);
    if (!body) return;
    const claim = store.claims.get(req.params.claimId);
    if (!claim) return sendError(res, 404, 'claim.not_found', 'No such claim.');
    claim.decided = body;
    pushClaimDecision(claim);
    res.json(claimView(claim));
  });

  finishSandboxApp(app, { name: 'sandbox carrier', log: opts.log, send: sendError });

  const listen = (port: number, host?: string) =>
    listenSandbox(app, port, host, () => {
      scenarios.close();
      releaseAllHolds();
    });

  return {
    app,
    store,
    scenarios,
    listen,
    setApiBaseUrl: (url) => {
      apiOrigin = apiBase(url);
    },
    close: () => scenarios.close(),
  };
}

function apiBase(url: string): { base: string; origin: string } {
  const u = new URL(url);
  return { base: u.href.replace(/\/+$/, ''), origin: u.origin };
}

function parcelView(p: SandboxParcel) {
  const status = latestStatus(p);
  return {
    trackingNumber: p.trackingNumber,
    status,
    events: p.events,
    ...(p.estimatedDeliveryAt ? { estimatedDeliveryAt: p.estimatedDeliveryAt } : {}),
    ...(status === 'delivered' && p.proofOfDelivery ? { proofOfDelivery: p.proofOfDelivery } : {}),
  };
}

function scenarioView(s: Scenario) {
  return {
    scenarioId: s.scenarioId,
    trackingNumber: s.trackingNumber,
    story: s.story,
    timeScale: s.timeScale,
    startedAt: s.startedAt,
    estimatedDeliveryAt: s.estimatedDeliveryAt,
    ...(s.webhook ? { webhook: s.webhook } : {}),
    played: s.played,
    schedule: s.schedule.map((scan) => ({
      at: scan.at,
      kind: scan.kind,
      description: scan.description,
    })),
    pushes: s.pushes,
  };
}

function labelView(l: SandboxLabel): Label & { reference: string; createdAt: string } {
  return { ...l };
}
